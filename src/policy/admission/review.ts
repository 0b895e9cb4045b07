// AdmissionReview (admission.k8s.io/v1, and v1beta1 whose request has the same shape): tolerant of
// what real API servers and test fixtures leave out, strict about what a decision needs.
import { z } from 'zod';
import type { Decision, Violation } from '../decide.js';

export const ADMISSION_VERSIONS = ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'] as const;

const asObject = (v: unknown): Record<string, unknown> | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

const GVK = z.object({ group: z.string().max(253).default(''), version: z.string().max(63).default(''), kind: z.string().min(1).max(63) }).passthrough();

export const AdmissionReviewSchema = z.object({
  apiVersion: z.enum(ADMISSION_VERSIONS),
  kind: z.literal('AdmissionReview'),
  request: z
    .object({
      uid: z.string().min(1).max(128),
      kind: GVK,
      resource: z.object({ group: z.string(), version: z.string(), resource: z.string() }).passthrough().optional(),
      subResource: z.string().max(63).optional(),
      name: z.string().max(253).optional(),
      namespace: z.string().max(63).optional(),
      operation: z.enum(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']),
      userInfo: z.object({ username: z.string().max(256).optional() }).passthrough().optional(),
      // Real requests carry null, an object, or (seen in the wild for CREATE) an empty string.
      object: z.unknown().transform(asObject).optional(),
      oldObject: z.unknown().transform(asObject).optional(),
      dryRun: z.boolean().optional(),
    })
    .passthrough(),
});
export type AdmissionReview = z.infer<typeof AdmissionReviewSchema>;

export interface AdmissionResponseBody {
  apiVersion: (typeof ADMISSION_VERSIONS)[number];
  kind: 'AdmissionReview';
  response: {
    uid: string;
    allowed: boolean;
    status?: { code: number; reason: string; message: string };
    warnings?: string[];
  };
}

const MAX_WARNINGS = 10;
// The API server truncates long warnings; keep each readable on its own.
const WARNING_CHARS = 240;

function line(v: Violation): string {
  return `[${v.rule}] ${v.field}: ${v.message}; fix: ${v.fix}`;
}

export function admissionResponse(review: AdmissionReview, decision: Pick<Decision, 'allowed' | 'violations' | 'warnings'>, policyVersion: number): AdmissionResponseBody {
  const warnings = decision.warnings.slice(0, MAX_WARNINGS).map((v) => `evident: ${line(v)}`.slice(0, WARNING_CHARS));
  if (decision.warnings.length > MAX_WARNINGS) warnings.push(`evident: ${decision.warnings.length - MAX_WARNINGS} more warnings`);
  return {
    apiVersion: review.apiVersion,
    kind: 'AdmissionReview',
    response: {
      uid: review.request.uid,
      allowed: decision.allowed,
      ...(decision.allowed
        ? {}
        : {
            status: {
              code: 403,
              reason: 'Forbidden',
              message: `denied by Evident policy v${policyVersion} (${decision.violations.length} violation${decision.violations.length === 1 ? '' : 's'}): ${decision.violations.map(line).join(' | ')}`.slice(0, 8000),
            },
          }),
      ...(warnings.length ? { warnings } : {}),
    },
  };
}

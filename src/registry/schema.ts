// Shapes of the registry's API: artifact records, intake states and the requests that move them.
import { z } from 'zod';

export const ARTIFACT_KINDS = ['model', 'image', 'tokenizer', 'prompt-template', 'feature-definition', 'evaluation-dataset', 'policy-bundle'] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

/**
 * The intake state machine. `rejected` and `quarantined` are exits: nothing leaves them (a fixed
 * artifact is a new upload with a new digest).
 */
export const STATES = ['received', 'scanned', 'verified', 'approved', 'promoted', 'rejected', 'quarantined'] as const;
export type ArtifactState = (typeof STATES)[number];

export const TRANSITIONS: Record<ArtifactState, readonly ArtifactState[]> = {
  received: ['scanned', 'quarantined', 'rejected'],
  scanned: ['verified', 'approved', 'quarantined', 'rejected'],
  verified: ['approved', 'quarantined', 'rejected'],
  approved: ['promoted', 'quarantined', 'rejected'],
  promoted: ['promoted', 'quarantined', 'rejected'],
  rejected: [],
  quarantined: [],
};

/** Repository-style names, as the OCI distribution spec defines them (path components). */
export const ARTIFACT_NAME_RE = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/u;
export const ArtifactNameSchema = z.string().max(255).regex(ARTIFACT_NAME_RE, 'names are lowercase path components like "models/fraud-scorer" (OCI repository syntax)');
const ZoneName = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/u, 'zone names are DNS labels');
export const DigestSchema = z.string().regex(/^sha256:[0-9a-f]{64}$/u, 'a digest is sha256:<64 lowercase hex>');

export const IntakeMetadataSchema = z
  .object({
    name: ArtifactNameSchema,
    kind: z.enum(ARTIFACT_KINDS),
    source: z.string().min(1).max(2048).optional().describe('where it came from (URL); defaults to the uploader'),
    mediaType: z.string().max(255).optional(),
    license: z.string().min(1).max(512).optional().describe('SPDX expression or a named model licence'),
    environments: z.array(ZoneName).max(100).default([]).describe('zones it may be promoted to'),
    expiresAt: z.iso.datetime({ offset: true }).optional().describe('after this it can be neither pulled nor admitted until reviewed'),
    metadata: z.record(z.string(), z.unknown()).optional().describe('model card / release metadata'),
  })
  .strict();
export type IntakeMetadata = z.input<typeof IntakeMetadataSchema>;

export const FindingSchema = z.object({ rule: z.string(), detail: z.string(), severity: z.enum(['safe', 'suspicious', 'dangerous']), member: z.string().optional() });
export const ScanSummarySchema = z.object({
  verdict: z.enum(['safe', 'suspicious', 'dangerous']),
  format: z.string(),
  reportDigest: DigestSchema,
  findings: z.array(FindingSchema),
  scannedAt: z.string(),
});
export type ScanSummary = z.infer<typeof ScanSummarySchema>;

export const SignatureSummarySchema = z.object({
  format: z.string(),
  verified: z.boolean(),
  signer: z.object({ identity: z.string().nullable(), keyId: z.string().nullable() }),
  reasons: z.array(z.string()),
  checkedAt: z.string(),
});
export type SignatureSummary = z.infer<typeof SignatureSummarySchema>;

export const PromotionSchema = z.object({ zone: z.string(), at: z.string(), by: z.string() });

export const ArtifactSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(ARTIFACT_KINDS),
  digest: z.string(),
  size: z.number().int(),
  mediaType: z.string(),
  source: z.string(),
  uploadedBy: z.string(),
  state: z.enum(STATES),
  revision: z.number().int(),
  license: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  environments: z.array(z.string()),
  promotedTo: z.array(PromotionSchema),
  expiresAt: z.string().nullable(),
  expired: z.boolean(),
  scan: ScanSummarySchema.nullable(),
  signature: SignatureSummarySchema.nullable(),
  sbom: z
    .object({
      digest: z.string(),
      components: z.number().int(),
      highest: z.enum(['low', 'medium', 'high', 'critical']).nullable(),
      matches: z.array(z.object({ component: z.string(), version: z.string(), advisoryId: z.string(), severity: z.string() })),
      auditedAt: z.string(),
    })
    .nullable(),
  attestations: z
    .array(z.object({ predicateType: z.string(), digest: z.string(), issuedAt: z.string(), issuer: z.string().optional(), builderId: z.string().optional() }))
    .describe('signed in-toto attestations about it: the ones Evident issued (scan, approval) and verified ones attached at intake (SLSA provenance…); GET …/attestations/{digest}'),
  approvals: z.array(z.object({ principalId: z.string(), revision: z.number().int(), decidedAt: z.string(), note: z.string().nullable() })),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Artifact = z.infer<typeof ArtifactSchema>;

export const DecisionBodySchema = z.object({ note: z.string().max(2000).optional(), revision: z.number().int().positive().optional().describe('the revision you reviewed; refused if the artifact changed since') }).strict();
export const ApproveBodySchema = DecisionBodySchema.extend({
  acceptFindings: z.boolean().optional().describe('required to approve an artifact whose scan is suspicious: you saw the findings and accept them'),
}).strict();
export const ReasonBodySchema = z.object({ reason: z.string().min(1).max(2000) }).strict();
export const PromoteBodySchema = z.object({ zone: ZoneName }).strict();
export const ReviewBodySchema = z.object({ expiresAt: z.iso.datetime({ offset: true }), note: z.string().max(2000).optional() }).strict();
export const ListQuerySchema = z
  .object({ state: z.enum(STATES).optional(), name: ArtifactNameSchema.optional(), kind: z.enum(ARTIFACT_KINDS).optional(), pendingApproval: z.enum(['true', 'false']).optional() })
  .strict();
export const IdParamsSchema = z.object({ id: z.string().uuid('artifact ids are UUIDs') }).strict();

// in-toto Statements (v1, and v0.1 for older producers) carried in DSSE, subject digest matching,
// and the attestations Evident issues itself (scan results, approvals). A statement says something
// about its subjects only: it is useful for an artifact only if one subject's sha256 is that
// artifact's digest, so verification always reports whether the subject matched.
import { z } from 'zod';
import { AppError } from '../errors.js';
import { parseDsseEnvelope, signDsse, verifyDsse, type SerializedEnvelope } from './dsse.js';
import { normalizeSha256Hex, parseBoundedJson, parseWith } from './input.js';
import type { Signer, TrustedKey } from './keys.js';

export const INTOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const STATEMENT_V1 = 'https://in-toto.io/Statement/v1';
export const STATEMENT_V01 = 'https://in-toto.io/Statement/v0.1';
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';
export const EVIDENT_SCAN_V1 = 'https://evident.dev/attestations/scan/v1';
export const EVIDENT_APPROVAL_V1 = 'https://evident.dev/attestations/approval/v1';

const MAX_SUBJECTS = 10_000;
const uri = z.string().min(1).max(2048);

export const SubjectSchema = z.object({
  name: z.string().max(4096).optional(),
  uri: uri.optional(),
  digest: z.record(z.string().min(1).max(64), z.string().max(1024)),
  annotations: z.record(z.string(), z.unknown()).optional(),
});

export const StatementSchema = z.object({
  _type: z.enum([STATEMENT_V1, STATEMENT_V01]),
  subject: z.array(SubjectSchema).min(1, 'a statement needs at least one subject').max(MAX_SUBJECTS),
  predicateType: uri,
  predicate: z.record(z.string(), z.unknown()).optional(),
});
export type Statement = z.output<typeof StatementSchema>;

export function parseStatement(input: unknown, field = 'statement'): Statement {
  return parseWith(StatementSchema, parseBoundedJson(input, field), field);
}

/** Names of the subjects whose sha256 equals `sha256Hex` (compared lowercase). */
export function matchingSubjects(statement: Statement, sha256Hex: string): string[] {
  const want = normalizeSha256Hex(sha256Hex, 'digest');
  return statement.subject.filter((s) => s.digest.sha256?.toLowerCase() === want).map((s) => s.name ?? s.uri ?? '');
}

// SLSA provenance v1 (slsa.dev/spec/v1.1/provenance): only what an approver needs is extracted.
const ResourceDescriptorSchema = z.object({
  uri: uri.optional(),
  name: z.string().max(4096).optional(),
  digest: z.record(z.string().max(64), z.string().max(1024)).optional(),
});
export const SlsaProvenanceV1Schema = z.object({
  buildDefinition: z.object({
    buildType: uri,
    externalParameters: z.record(z.string(), z.unknown()),
    internalParameters: z.record(z.string(), z.unknown()).optional(),
    resolvedDependencies: z.array(ResourceDescriptorSchema).max(10_000).optional(),
  }),
  runDetails: z.object({
    builder: z.object({ id: uri, version: z.record(z.string(), z.string()).optional() }),
    metadata: z
      .object({ invocationId: z.string().max(1024).optional(), startedOn: z.string().max(64).optional(), finishedOn: z.string().max(64).optional() })
      .optional(),
  }),
});

export interface ProvenanceSummary {
  builderId: string;
  buildType: string;
  /** External parameters flattened to `a.b.c = value` lines, values cut at 200 characters. */
  externalParameters: string[];
  dependencies: { uri: string | null; name: string | null; digest: Record<string, string> }[];
  invocationId: string | null;
  startedOn: string | null;
  finishedOn: string | null;
}

export function summarizeSlsaProvenance(predicate: unknown, field = 'predicate'): ProvenanceSummary {
  const p = parseWith(SlsaProvenanceV1Schema, predicate, field);
  return {
    builderId: p.runDetails.builder.id,
    buildType: p.buildDefinition.buildType,
    externalParameters: flatten(p.buildDefinition.externalParameters, '', 0).slice(0, 200),
    dependencies: (p.buildDefinition.resolvedDependencies ?? []).map((d) => ({ uri: d.uri ?? null, name: d.name ?? null, digest: d.digest ?? {} })),
    invocationId: p.runDetails.metadata?.invocationId ?? null,
    startedOn: p.runDetails.metadata?.startedOn ?? null,
    finishedOn: p.runDetails.metadata?.finishedOn ?? null,
  };
}

function flatten(value: unknown, prefix: string, depth: number): string[] {
  if (value !== null && typeof value === 'object' && depth < 8) {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    if (entries.length > 0) return entries.flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k, depth + 1));
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? 'null';
  return [`${prefix} = ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`];
}

export interface AttestationInput {
  subject: { name: string; digest: { sha256: string } }[];
  predicateType: string;
  predicate: Record<string, unknown>;
}

/** Builds an in-toto Statement v1 and signs it into a DSSE envelope (JSON object). */
export function issueAttestation(input: AttestationInput, signer: Signer | readonly Signer[]): SerializedEnvelope {
  if (input.subject.length === 0) throw new AppError('VALIDATION_FAILED', 'subject must name at least one artifact', { field: 'subject' });
  const statement: Statement = {
    _type: STATEMENT_V1,
    subject: input.subject.map((s, i) => ({ name: s.name, digest: { sha256: normalizeSha256Hex(s.digest.sha256, `subject.${i}.digest.sha256`) } })),
    predicateType: input.predicateType,
    predicate: input.predicate,
  };
  parseWith(StatementSchema, statement, 'statement');
  return signDsse(INTOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify(statement), 'utf8'), signer);
}

export interface AttestationVerification {
  format: 'in-toto';
  verified: boolean;
  keyIds: string[];
  statement: Statement | null;
  /** Subjects matching `expectedSha256`; null when no digest was given. */
  subjectMatched: boolean | null;
  reasons: string[];
}

/**
 * Verifies a DSSE-wrapped in-toto attestation against trusted keys and, when `expectedSha256` is
 * given, that one subject is that artifact. A bad signature or a subject mismatch is a result;
 * malformed JSON or base64 throws VALIDATION_FAILED.
 */
export function verifyAttestation(envelopeJson: unknown, keys: readonly TrustedKey[], opts: { expectedSha256?: string } = {}): AttestationVerification {
  const env = parseDsseEnvelope(envelopeJson);
  const reasons: string[] = [];
  if (env.payloadType !== INTOTO_PAYLOAD_TYPE) {
    return { format: 'in-toto', verified: false, keyIds: [], statement: null, subjectMatched: null, reasons: [`payloadType ${JSON.stringify(env.payloadType)} is not ${INTOTO_PAYLOAD_TYPE}`] };
  }
  const sig = verifyDsse(env, keys);
  reasons.push(...sig.reasons);
  // Parse only signed bytes we are going to report; an unsigned statement still gets parsed so the
  // caller sees what it claimed, but verified stays false.
  const statement = parseStatement(env.payload, 'envelope.payload');
  let subjectMatched: boolean | null = null;
  if (opts.expectedSha256 !== undefined) {
    subjectMatched = matchingSubjects(statement, opts.expectedSha256).length > 0;
    if (!subjectMatched) reasons.push(`no subject of the statement has sha256 ${opts.expectedSha256.toLowerCase()}`);
  }
  return { format: 'in-toto', verified: sig.verified && subjectMatched !== false, keyIds: sig.keyIds, statement, subjectMatched, reasons };
}

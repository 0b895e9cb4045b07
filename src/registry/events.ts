// Registry events: every intake transition with its evidence, and every pull decision.
import { z } from 'zod';
import { defineEvent } from '../ledger/schema.js';
import { SodDecisionSchema } from '../identity/events.js';

const Digest = z.string().regex(/^sha256:[0-9a-f]{64}$/u);
const State = z.enum(['received', 'scanned', 'verified', 'approved', 'promoted', 'rejected', 'quarantined']);
const Ref = { artifactId: z.string().max(36), name: z.string().max(255), digest: Digest };
const Zone = z.string().max(63);

export const registryEvents = [
  defineEvent(
    'artifact.received',
    z
      .object({
        ...Ref,
        kind: z.string().max(32),
        size: z.number().int().nonnegative(),
        mediaType: z.string().max(255),
        source: z.string().max(2048),
        license: z.string().max(512).optional(),
        environments: z.array(Zone).max(100),
        expiresAt: z.string().max(40).optional(),
        via: z.enum(['api', 'oci']),
      })
      .strict(),
  ),
  defineEvent(
    'artifact.scanned',
    z
      .object({
        ...Ref,
        verdict: z.enum(['safe', 'suspicious', 'dangerous']),
        format: z.string().max(64),
        /** SHA-256 of the scan report (RFC 8785 JSON) kept with the record and issued as an attestation. */
        reportDigest: Digest,
        /** The signed in-toto scan attestation (DSSE envelope) stored as a blob. */
        attestationDigest: Digest,
        findings: z.array(z.object({ rule: z.string().max(64), severity: z.enum(['safe', 'suspicious', 'dangerous']) }).strict()).max(200),
        to: State,
      })
      .strict(),
  ),
  defineEvent(
    'artifact.signature.checked',
    z
      .object({
        ...Ref,
        format: z.string().max(64),
        verified: z.boolean(),
        signer: z.object({ identity: z.string().max(1024).nullable(), keyId: z.string().max(128).nullable() }).strict(),
        reasons: z.array(z.string().max(500)).max(20),
        to: State,
      })
      .strict(),
  ),
  defineEvent(
    'artifact.approved',
    z
      .object({
        ...Ref,
        revision: z.number().int(),
        sod: z.array(SodDecisionSchema).max(4),
        /** True when this approval completed the required number and the artifact moved to approved. */
        complete: z.boolean(),
        acceptedFindings: z.array(z.string().max(64)).max(200).optional(),
        attestationDigest: Digest.optional(),
      })
      .strict(),
  ),
  defineEvent(
    'artifact.sbom.audited',
    z
      .object({
        ...Ref,
        sbomDigest: Digest,
        components: z.number().int().nonnegative(),
        highest: z.enum(['low', 'medium', 'high', 'critical']).nullable(),
        advisories: z.array(z.string().max(64)).max(200),
      })
      .strict(),
  ),
  defineEvent(
    'artifact.attested',
    z
      .object({
        ...Ref,
        verified: z.boolean(),
        predicateType: z.string().max(256),
        issuer: z.string().max(256).optional(),
        builderId: z.string().max(2048).optional(),
        attestationDigest: Digest.optional(),
        reasons: z.array(z.string().max(500)).max(20),
      })
      .strict(),
  ),
  defineEvent('artifact.rejected', z.object({ ...Ref, from: State }).strict()),
  defineEvent('artifact.quarantined', z.object({ ...Ref, from: State }).strict()),
  defineEvent('artifact.promoted', z.object({ ...Ref, zone: Zone, checks: z.array(z.string().max(200)).max(20) }).strict()),
  defineEvent('artifact.reviewed', z.object({ ...Ref, expiresAt: z.object({ from: z.string().max(40).nullable(), to: z.string().max(40) }).strict(), sod: SodDecisionSchema }).strict()),
  defineEvent(
    'artifact.refused',
    z
      .object({
        operation: z.string().max(64),
        artifactId: z.string().max(36).optional(),
        name: z.string().max(255).optional(),
        digest: Digest.optional(),
        code: z.string().max(32),
      })
      .strict(),
  ),
  defineEvent(
    'artifact.pulled',
    z
      .object({
        artifactId: z.string().max(36).nullable(),
        name: z.string().max(255),
        digest: Digest.nullable(),
        reference: z.string().max(160),
        zones: z.array(Zone).max(100),
        allowed: z.boolean(),
      })
      .strict(),
  ),
] as const;

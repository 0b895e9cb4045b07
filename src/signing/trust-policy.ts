// A zone's trust policy: which keys and which certificate identities may sign artifacts for it,
// and which attestations must accompany them. Verification (does the signature check out against
// this material?) and trust (is this signer allowed here, with the attestations the zone needs?)
// are separate steps: verifiers return results, evaluateTrust decides.
import { z } from 'zod';
import { AppError } from '../errors.js';
import { parseWith } from './input.js';
import { summarizeSlsaProvenance, SLSA_PROVENANCE_V1 } from './intoto.js';
import { trustedKey, type TrustedKey } from './keys.js';
import type { TrustMaterial, VerificationResult } from './types.js';
import { certificateFingerprint, parseCertificateBundle } from './x509-chain.js';

const label = z.string().min(1).max(128);
// Glob patterns (`*` = any run of characters), anchored; no regular expressions from config.
const pattern = z.string().min(1).max(512);

export const TrustPolicySchema = z.object({
  zone: label,
  keys: z
    .array(
      z.object({
        name: label,
        pem: z.string().min(1).max(16 * 1024),
        /** Optional pin: must equal the SHA-256 of the key's DER SPKI. */
        keyId: z.string().regex(/^[0-9a-f]{64}$/).optional(),
      }),
    )
    .max(100)
    .default([]),
  certificateIdentities: z
    .array(
      z
        .object({
          name: label,
          caBundle: z.string().min(1).max(256 * 1024),
          sanEmails: z.array(pattern).max(100).default([]),
          sanUris: z.array(pattern).max(100).default([]),
          /** Subject DN patterns, for private CAs whose leaves carry no SAN (e.g. "CN=release-signer"). */
          subjects: z.array(pattern).max(100).default([]),
          /** Fulcio OIDC issuer the certificate must carry, e.g. https://token.actions.githubusercontent.com. */
          oidcIssuer: z.string().min(1).max(512).optional(),
        })
        .refine((c) => c.sanEmails.length + c.sanUris.length + c.subjects.length > 0, {
          message: 'name at least one allowed identity (sanEmails, sanUris or subjects); use "*" to allow any identity from this CA',
        }),
    )
    .max(50)
    .default([]),
  requiredAttestations: z
    .array(z.object({ predicateType: z.string().min(1).max(2048), builderIds: z.array(z.string().min(1).max(2048)).max(100).optional() }))
    .max(20)
    .default([]),
});
export type TrustPolicyInput = z.input<typeof TrustPolicySchema>;
export type TrustPolicy = z.output<typeof TrustPolicySchema>;

/** A policy with its keys imported and CA bundles parsed, ready to verify against. */
export interface CompiledTrustPolicy {
  policy: TrustPolicy;
  material: TrustMaterial;
  /** Anchor fingerprints per certificate identity entry, in policy order. */
  anchorsByIdentity: Set<string>[];
}

export function compileTrustPolicy(input: unknown): CompiledTrustPolicy {
  const policy = parseWith(TrustPolicySchema, input, 'trustPolicy');
  const keys: TrustedKey[] = policy.keys.map((k, i) => {
    const tk = trustedKey(k.pem, k.name, `trustPolicy.keys.${i}.pem`);
    if (k.keyId && k.keyId !== tk.keyId) {
      throw new AppError('VALIDATION_FAILED', `trustPolicy.keys.${i}.keyId does not match the key (its id is ${tk.keyId})`, { field: `trustPolicy.keys.${i}.keyId` });
    }
    return tk;
  });
  const anchorsByIdentity = policy.certificateIdentities.map((c, i) => parseCertificateBundle(c.caBundle, `trustPolicy.certificateIdentities.${i}.caBundle`));
  const all = new Map(anchorsByIdentity.flat().map((c) => [certificateFingerprint(c), c]));
  return {
    policy,
    material: { keys, certificateAuthorities: [...all.values()] },
    anchorsByIdentity: anchorsByIdentity.map((list) => new Set(list.map(certificateFingerprint))),
  };
}

export interface TrustDecision {
  trusted: boolean;
  signer: { identity: string | null; keyId: string | null };
  reasons: string[];
}

/**
 * Decides whether verified results satisfy a zone's policy. `results[0]` is the artifact's
 * signature; further results are attestations about the artifact (provenance, scans). Every result
 * must be verified and signed by an allowed key or identity; each required predicate type must be
 * present among them (for SLSA provenance, from an allowed builder).
 */
export function evaluateTrust(results: VerificationResult | readonly VerificationResult[], compiled: CompiledTrustPolicy): TrustDecision {
  const list = Array.isArray(results) ? (results as readonly VerificationResult[]) : [results as VerificationResult];
  const reasons: string[] = [];
  const first = list[0];
  if (!first) return { trusted: false, signer: { identity: null, keyId: null }, reasons: ['no signature was presented'] };

  list.forEach((r, i) => {
    const what = i === 0 ? 'signature' : `attestation ${i} (${r.statement?.predicateType ?? r.format})`;
    if (!r.verified || !r.signer) {
      reasons.push(`${what} did not verify${r.reasons.length ? `: ${r.reasons.join('; ')}` : ''}`);
      return;
    }
    const denied = signerDenied(r, compiled);
    if (denied) reasons.push(`${what}: ${denied}`);
  });

  for (const req of compiled.policy.requiredAttestations) {
    const candidates = list.filter((r) => r.verified && r.statement?.predicateType === req.predicateType && !signerDenied(r, compiled));
    if (candidates.length === 0) {
      reasons.push(`zone ${compiled.policy.zone} requires a trusted ${req.predicateType} attestation and none was presented`);
      continue;
    }
    if (req.builderIds && req.predicateType === SLSA_PROVENANCE_V1) {
      const builders = candidates.map((r) => builderIdOf(r));
      if (!builders.some((b) => b !== null && req.builderIds!.includes(b))) {
        reasons.push(`provenance builder ${builders.map((b) => JSON.stringify(b)).join(', ')} is not one the zone ${compiled.policy.zone} allows`);
      }
    }
  }
  return {
    trusted: reasons.length === 0,
    signer: { identity: first.signer?.identity ?? null, keyId: first.signer?.keyId ?? null },
    reasons,
  };
}

function signerDenied(r: VerificationResult, compiled: CompiledTrustPolicy): string | null {
  const s = r.signer;
  if (!s) return 'no signer';
  if (s.kind === 'key') {
    return compiled.material.keys.some((k) => k.keyId === s.keyId) ? null : `key ${s.keyId} is not allowed in zone ${compiled.policy.zone}`;
  }
  const ok = compiled.policy.certificateIdentities.some((c, i) => {
    if (!compiled.anchorsByIdentity[i]?.has(s.anchorFingerprint)) return false;
    if (c.oidcIssuer !== undefined && s.oidcIssuer !== c.oidcIssuer) return false;
    return (
      s.sanEmails.some((e) => c.sanEmails.some((p) => globMatch(p, e))) ||
      s.sanUris.some((u) => c.sanUris.some((p) => globMatch(p, u))) ||
      c.subjects.some((p) => globMatch(p, s.subject))
    );
  });
  return ok ? null : `certificate identity ${JSON.stringify(s.identity)}${s.oidcIssuer ? ` (issuer ${s.oidcIssuer})` : ''} is not allowed in zone ${compiled.policy.zone}`;
}

function builderIdOf(r: VerificationResult): string | null {
  try {
    return summarizeSlsaProvenance(r.statement?.predicate).builderId;
  } catch {
    return null;
  }
}

/** Anchored glob: `*` matches any run of characters (including none); everything else is literal. */
export function globMatch(pattern: string, value: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === value;
  const head = parts[0]!;
  const tail = parts[parts.length - 1]!;
  if (!value.startsWith(head) || !value.endsWith(tail) || value.length < head.length + tail.length) return false;
  // Greedy-free linear scan over the middle parts: each must appear in order.
  let pos = head.length;
  const end = value.length - tail.length;
  for (const mid of parts.slice(1, -1)) {
    const at = value.indexOf(mid, pos);
    if (at < 0 || at + mid.length > end) return false;
    pos = at + mid.length;
  }
  return true;
}

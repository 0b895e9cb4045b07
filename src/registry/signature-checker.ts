// Builds the installation's trust material (registry.trustedKeys, registry.trustedCaFiles) and
// checks a submitted signature over an artifact's digest with the offline verifiers in src/signing.
// Verification works from the digest alone: the content is never read again.
import { readFileSync } from 'node:fs';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import { trustedKey } from '../signing/keys.js';
import { parseCertificateBundle } from '../signing/x509-chain.js';
import { verifyCosignBundle, verifyCosignSignature } from '../signing/cosign.js';
import { SLSA_PROVENANCE_V1, summarizeSlsaProvenance, verifyAttestation } from '../signing/intoto.js';
import { verifySigstoreBundle } from '../signing/sigstore-bundle.js';
import { verifyModelSignature } from '../signing/model-signing.js';
import type { TrustMaterial, VerificationResult } from '../signing/types.js';
import type { SignatureChecker, SignatureInput } from './signatures.js';
import type { Artifact, SignatureSummary } from './schema.js';

function readTrustFile(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new AppError('CONFIG_INVALID', `cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

export function loadTrustMaterial(cfg: Config['registry']): TrustMaterial {
  return {
    keys: cfg.trustedKeys.map((k) => {
      try {
        return trustedKey(readTrustFile(k.file, `registry.trustedKeys[${k.id}]`), k.id);
      } catch (e) {
        if (e instanceof AppError && e.code === 'CONFIG_INVALID') throw e;
        throw new AppError('CONFIG_INVALID', `registry.trustedKeys[${k.id}] (${k.file}): ${(e as Error).message}`);
      }
    }),
    certificateAuthorities: cfg.trustedCaFiles.flatMap((f) => parseCertificateBundle(readTrustFile(f, 'registry.trustedCaFiles'), f)),
  };
}

type Checked = { format: string; verified: boolean; keyId: string | null; identity: string | null; reasons: string[] };

async function verify(artifact: Artifact, input: SignatureInput, trust: TrustMaterial): Promise<Checked> {
  const sha256 = artifact.digest.slice('sha256:'.length);
  const text = input.signature.trim();
  const of = (r: VerificationResult): Checked => ({ format: r.format, verified: r.verified, keyId: r.signer?.keyId ?? null, identity: r.signer?.kind === 'certificate' ? r.signer.identity : null, reasons: r.reasons });
  switch (input.format) {
    case 'cosign':
      return of(text.startsWith('{') ? verifyCosignBundle(text, { sha256 }, trust) : verifyCosignSignature({ sha256, signature: text }, trust));
    case 'sigstore-bundle':
      return of(verifySigstoreBundle(text, trust, { artifactSha256: sha256 }));
    case 'dsse': {
      const r = verifyAttestation(text, trust.keys, { expectedSha256: sha256 });
      return { format: r.format, verified: r.verified && r.subjectMatched === true, keyId: r.keyIds[0] ?? null, identity: null, reasons: r.reasons };
    }
    case 'model-signing': {
      if (!input.files) throw new AppError('VALIDATION_FAILED', 'model-signing needs files: the model files by name with their SHA-256');
      // The signature covers a set of files: it vouches for this artifact only if its content is one of them.
      if (!Object.values(input.files).includes(sha256)) {
        return { format: 'model-signing', verified: false, keyId: null, identity: null, reasons: [`none of the listed files has this artifact's digest ${artifact.digest}`] };
      }
      const r = await verifyModelSignature(text, new Map(Object.entries(input.files)), trust);
      return of(r);
    }
  }
}

export function createSignatureChecker(cfg: Config['registry'], now: () => Date = () => new Date()): SignatureChecker {
  const trust = loadTrustMaterial(cfg);
  const names = new Map(trust.keys.map((k) => [k.keyId, k.name ?? k.keyId]));
  return {
    async check(artifact: Artifact, input: SignatureInput): Promise<SignatureSummary> {
      const r = await verify(artifact, input, { ...trust, at: now() });
      // A key signer is named by its registry.trustedKeys id: the name zones list in trusted_signers.
      const identity = r.identity ?? (r.keyId ? (names.get(r.keyId) ?? null) : null);
      return { format: r.format, verified: r.verified, signer: { identity, keyId: r.keyId }, reasons: r.reasons, checkedAt: now().toISOString() };
    },
    attestation(artifact, envelope) {
      const r = verifyAttestation(envelope, trust.keys, { expectedSha256: artifact.digest.slice('sha256:'.length) });
      const predicateType = r.statement?.predicateType ?? null;
      let builderId: string | null = null;
      const reasons = [...r.reasons];
      if (r.verified && predicateType === SLSA_PROVENANCE_V1) {
        try {
          builderId = summarizeSlsaProvenance(r.statement!.predicate).builderId;
        } catch (e) {
          reasons.push(`the SLSA provenance predicate is malformed: ${(e as Error).message}`);
        }
      }
      const keyId = r.keyIds[0] ?? null;
      return { verified: r.verified && reasons.length === r.reasons.length, predicateType, issuer: keyId ? (names.get(keyId) ?? keyId) : null, builderId, reasons };
    },
  };
}

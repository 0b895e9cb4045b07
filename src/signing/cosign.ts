// cosign blob signatures, verified from the artifact's SHA-256 so the registry never re-reads a
// large blob: key mode (`cosign sign-blob --key`: base64 DER ECDSA over SHA-256(blob)), the new
// `--bundle` format (a Sigstore bundle with messageSignature, cosign v3 default) and the legacy
// cosign bundle `{ base64Signature, cert, rekorBundle }`. Offline: key and certificate trust come
// from our trust material; Rekor entries and SETs are not checked (tlog: 'not-checked').
import { z } from 'zod';
import { verifyEcdsaPrehashed } from './ecdsa-prehash.js';
import { decodeBase64, invalid, normalizeSha256Hex, parseBoundedJson, parseWith } from './input.js';
import { algorithmOf, keyIdOf } from './keys.js';
import { parseSigstoreBundle, verifyParsedBundle } from './sigstore-bundle.js';
import type { SignerInfo, TrustMaterial, VerificationResult } from './types.js';
import { parseCertificateBundle, verifyCertificateChain } from './x509-chain.js';

const LegacyBundleSchema = z.object({
  base64Signature: z.string().min(1).max(16_384),
  // base64 of a PEM certificate in keyless mode; absent or empty in key mode.
  cert: z.string().max(64 * 1024).optional(),
  rekorBundle: z.unknown().optional(),
});

/**
 * Verifies a detached cosign signature (the `.sig` file: base64 text, or raw DER bytes) over the
 * artifact whose SHA-256 is `sha256` against the trusted keys.
 */
export function verifyCosignSignature(input: { sha256: string; signature: string | Uint8Array }, trust: TrustMaterial): VerificationResult {
  const digest = Buffer.from(normalizeSha256Hex(input.sha256, 'sha256'), 'hex');
  const sig = typeof input.signature === 'string' ? decodeBase64(input.signature.trim(), 'signature') : Buffer.from(input.signature);
  if (sig.length === 0 || sig.length > 1024) throw invalid('signature', 'is not an ECDSA signature');
  return verifyDigestWithKeys('cosign-signature', digest, sig, trust, 'absent');
}

/** Verifies a cosign `--bundle` file, new (Sigstore bundle) or legacy format, from the artifact digest. */
export function verifyCosignBundle(bundleJson: unknown, input: { sha256: string }, trust: TrustMaterial): VerificationResult {
  const value = parseBoundedJson(bundleJson, 'bundle');
  if (value !== null && typeof value === 'object' && 'mediaType' in value) {
    return verifyParsedBundle(parseSigstoreBundle(value), trust, { artifactSha256: input.sha256 }, 'cosign-bundle');
  }
  const legacy = parseWith(LegacyBundleSchema, value, 'bundle');
  const digest = Buffer.from(normalizeSha256Hex(input.sha256, 'sha256'), 'hex');
  const sig = decodeBase64(legacy.base64Signature, 'bundle.base64Signature');
  const tlog = legacy.rekorBundle === undefined ? 'absent' : 'not-checked';
  if (!legacy.cert) return verifyDigestWithKeys('cosign-bundle', digest, sig, trust, tlog);

  const pem = decodeBase64(legacy.cert, 'bundle.cert').toString('utf8');
  const chain = parseCertificateBundle(pem, 'bundle.cert');
  const verdict = verifyCertificateChain(chain, trust.certificateAuthorities, trust.at ?? new Date());
  if (!verdict.ok) return { format: 'cosign-bundle', verified: false, signer: null, tlog, reasons: [verdict.reason] };
  const leafKey = chain[0]!.publicKey;
  const ok = leafKey.asymmetricKeyType === 'ec' && verifyEcdsaPrehashed(leafKey, digest, sig);
  return {
    format: 'cosign-bundle',
    verified: ok,
    signer: ok ? verdict.signer : null,
    tlog,
    reasons: ok ? [] : ['signature does not verify with the certificate key'],
  };
}

function verifyDigestWithKeys(format: VerificationResult['format'], digest: Buffer, sig: Buffer, trust: TrustMaterial, tlog: VerificationResult['tlog']): VerificationResult {
  const ecdsa = trust.keys.filter((k) => algorithmOf(k.key).startsWith('ecdsa'));
  if (ecdsa.length === 0) return { format, verified: false, signer: null, tlog, reasons: ['no trusted ECDSA keys were supplied'] };
  const match = ecdsa.find((k) => verifyEcdsaPrehashed(k.key, digest, sig));
  if (!match) return { format, verified: false, signer: null, tlog, reasons: ['signature does not verify with any trusted key'] };
  const keyId = keyIdOf(match.key);
  const signer: SignerInfo = { kind: 'key', keyId, identity: match.name ? `${match.name} (${keyId})` : keyId };
  return { format, verified: true, signer, tlog, reasons: [] };
}

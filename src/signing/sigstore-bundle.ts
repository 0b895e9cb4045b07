// Sigstore bundles (v0.1 to v0.3) verified offline against our own trust material.
//
// Why not @sigstore/verify: its Verifier (3.x) checks a certificate chain only at the times given
// by transparency-log or TSA timestamps, so a bundle with neither (model-signing's offline
// bundles) never has its chain checked and then fails on an empty path; it verifies only the
// first DSSE signature and with the default hash, so a P-384 key's SHA-384 signature is refused;
// and message signatures need the whole artifact. Why not @sigstore/bundle's parser: it decodes
// base64 leniently (junk bytes become a different signature) and rejects the certificate chains
// that model-signing writes into v0.3 bundles. So the bundle is parsed with the zod schema below
// and verified with the shared DSSE, prehash-ECDSA and X.509 code; transparency-log entries and
// RFC 3161 timestamps are carried but not checked (`tlog: 'not-checked'`).
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { fromSerialized, SerializedEnvelopeSchema, verifyDsse, type DsseEnvelope } from './dsse.js';
import { verifyEcdsaPrehashed } from './ecdsa-prehash.js';
import { decodeBase64, invalid, normalizeSha256Hex, parseBoundedJson, parseWith } from './input.js';
import { INTOTO_PAYLOAD_TYPE, matchingSubjects, parseStatement, type Statement } from './intoto.js';
import { algorithmOf, keyIdOf, type TrustedKey } from './keys.js';
import type { SignerInfo, TrustMaterial, VerificationResult } from './types.js';
import { parseDerCertificate, verifyCertificateChain } from './x509-chain.js';

export const BUNDLE_MEDIA_TYPES = {
  'application/vnd.dev.sigstore.bundle+json;version=0.1': '0.1',
  'application/vnd.dev.sigstore.bundle+json;version=0.2': '0.2',
  'application/vnd.dev.sigstore.bundle+json;version=0.3': '0.3',
  'application/vnd.dev.sigstore.bundle.v0.3+json': '0.3',
} as const;

const b64 = z.string().min(1).max(64 * 1024);
const RawBytes = z.object({ rawBytes: b64 });

const BundleSchema = z.object({
  mediaType: z.string().max(128),
  verificationMaterial: z.object({
    // `rawBytes`/`keyDetails` are written by model_signing 1.0.x; not in the protobuf spec.
    publicKey: z.object({ hint: z.string().max(512).optional(), rawBytes: b64.optional(), keyDetails: z.string().max(64).optional() }).optional(),
    x509CertificateChain: z.object({ certificates: z.array(RawBytes).min(1).max(10) }).optional(),
    certificate: RawBytes.optional(),
    tlogEntries: z.array(z.unknown()).max(32).optional(),
    timestampVerificationData: z.unknown().optional(),
  }),
  dsseEnvelope: SerializedEnvelopeSchema.optional(),
  messageSignature: z
    .object({
      messageDigest: z.object({ algorithm: z.string().max(32), digest: b64 }).optional(),
      signature: b64,
    })
    .optional(),
});

export interface ParsedBundle {
  version: '0.1' | '0.2' | '0.3';
  key: { kind: 'public-key'; hint: string | null } | { kind: 'certificates'; chain: import('node:crypto').X509Certificate[] };
  content: { kind: 'dsse'; envelope: DsseEnvelope } | { kind: 'message'; digestAlgorithm: string | null; digest: Buffer | null; signature: Buffer };
  tlogEntries: number;
}

export function parseSigstoreBundle(input: unknown, field = 'bundle'): ParsedBundle {
  const raw = parseWith(BundleSchema, parseBoundedJson(input, field), field);
  const version = BUNDLE_MEDIA_TYPES[raw.mediaType as keyof typeof BUNDLE_MEDIA_TYPES];
  if (!version) throw invalid(`${field}.mediaType`, `${JSON.stringify(raw.mediaType.slice(0, 80))} is not a Sigstore bundle media type`);
  const vm = raw.verificationMaterial;
  const keyKinds = [vm.publicKey, vm.x509CertificateChain, vm.certificate].filter((x) => x !== undefined).length;
  if (keyKinds !== 1) throw invalid(`${field}.verificationMaterial`, 'must hold exactly one of publicKey, x509CertificateChain, certificate');
  if ((raw.dsseEnvelope ? 1 : 0) + (raw.messageSignature ? 1 : 0) !== 1) throw invalid(field, 'must hold exactly one of dsseEnvelope, messageSignature');

  let key: ParsedBundle['key'];
  if (vm.publicKey) key = { kind: 'public-key', hint: vm.publicKey.hint || null };
  else {
    const certs = vm.certificate ? [vm.certificate] : vm.x509CertificateChain!.certificates;
    const path = vm.certificate ? `${field}.verificationMaterial.certificate` : `${field}.verificationMaterial.x509CertificateChain.certificates`;
    key = { kind: 'certificates', chain: certs.map((c, i) => parseDerCertificate(decodeBase64(c.rawBytes, `${path}.${i}.rawBytes`), `${path}.${i}`)) };
  }
  let content: ParsedBundle['content'];
  if (raw.dsseEnvelope) content = { kind: 'dsse', envelope: fromSerialized(raw.dsseEnvelope, `${field}.dsseEnvelope`) };
  else {
    const m = raw.messageSignature!;
    content = {
      kind: 'message',
      digestAlgorithm: m.messageDigest?.algorithm ?? null,
      digest: m.messageDigest ? decodeBase64(m.messageDigest.digest, `${field}.messageSignature.messageDigest.digest`) : null,
      signature: decodeBase64(m.signature, `${field}.messageSignature.signature`),
    };
  }
  return { version, key, content, tlogEntries: vm.tlogEntries?.length ?? 0 };
}

export interface BundleVerifyOptions {
  /** The artifact's SHA-256 (hex): required for message signatures, checked against in-toto subjects for DSSE. */
  artifactSha256?: string;
}

export interface BundleVerification extends VerificationResult {
  /** The signed DSSE payload, for callers that interpret it (model-signing). */
  payload: Buffer | null;
  payloadType: string | null;
}

/** Verifies a Sigstore bundle offline: signature, and key trust or certificate chain to our CAs. */
export function verifySigstoreBundle(input: unknown, trust: TrustMaterial, opts: BundleVerifyOptions = {}): BundleVerification {
  return verifyParsedBundle(parseSigstoreBundle(input), trust, opts, 'sigstore-bundle');
}

export function verifyParsedBundle(bundle: ParsedBundle, trust: TrustMaterial, opts: BundleVerifyOptions, format: VerificationResult['format']): BundleVerification {
  const reasons: string[] = [];
  const tlog = bundle.tlogEntries > 0 ? 'not-checked' : 'absent';
  const result = (verified: boolean, signer: SignerInfo | null, extra: Partial<BundleVerification> = {}): BundleVerification => ({
    format,
    verified,
    signer: verified ? signer : null,
    tlog,
    payload: null,
    payloadType: null,
    ...extra,
    reasons: verified ? [] : reasons,
  });

  // Candidate keys: the trusted keys, or the leaf's key once its chain checks out.
  let candidates: TrustedKey[];
  let certSigner: Extract<SignerInfo, { kind: 'certificate' }> | null = null;
  if (bundle.key.kind === 'public-key') {
    const hint = bundle.key.hint;
    candidates = [...trust.keys].sort((a, b) => Number(matchesHint(b, hint)) - Number(matchesHint(a, hint)));
    if (candidates.length === 0) reasons.push('the bundle is key-signed and no trusted keys were supplied');
  } else {
    const chain = verifyCertificateChain(bundle.key.chain, trust.certificateAuthorities, trust.at ?? new Date());
    if (!chain.ok) {
      reasons.push(chain.reason);
      return result(false, null);
    }
    certSigner = chain.signer;
    const leafKey = bundle.key.chain[0]!.publicKey;
    try {
      candidates = [{ keyId: keyIdOf(leafKey), key: leafKey, algorithm: algorithmOf(leafKey, 'certificate key') }];
    } catch (e) {
      reasons.push(e instanceof Error ? e.message : 'unsupported certificate key');
      return result(false, null);
    }
  }
  const signerFor = (k: TrustedKey): SignerInfo => certSigner ?? { kind: 'key', keyId: k.keyId, identity: k.name ? `${k.name} (${k.keyId})` : k.keyId };

  if (bundle.content.kind === 'dsse') {
    const env = bundle.content.envelope;
    const dsse = verifyDsse(env, candidates);
    reasons.push(...dsse.reasons);
    const signed = candidates.find((k) => k.keyId === dsse.keyIds[0]);
    let statement: Statement | undefined;
    let subjectOk = true;
    if (env.payloadType === INTOTO_PAYLOAD_TYPE && dsse.verified) {
      statement = parseStatement(env.payload, 'bundle.dsseEnvelope.payload');
      if (opts.artifactSha256 !== undefined && matchingSubjects(statement, opts.artifactSha256).length === 0) {
        subjectOk = false;
        reasons.push(`no subject of the statement has sha256 ${opts.artifactSha256.toLowerCase()}`);
      }
    }
    const ok = dsse.verified && subjectOk && signed !== undefined;
    return result(ok, signed ? signerFor(signed) : null, {
      payload: dsse.verified ? env.payload : null,
      payloadType: env.payloadType,
      ...(statement ? { statement } : {}),
    });
  }

  const msg = bundle.content;
  if (opts.artifactSha256 === undefined) {
    reasons.push('a message-signature bundle needs the artifact digest to verify against');
    return result(false, null);
  }
  const digest = Buffer.from(normalizeSha256Hex(opts.artifactSha256, 'artifactSha256'), 'hex');
  if (msg.digestAlgorithm !== null && msg.digestAlgorithm !== 'SHA2_256') {
    reasons.push(`message digest algorithm ${msg.digestAlgorithm} is not supported offline; only SHA2_256`);
    return result(false, null);
  }
  if (msg.digest && !msg.digest.equals(digest)) {
    reasons.push('the bundle signs a different artifact digest than the artifact');
    return result(false, null);
  }
  const ecdsa = candidates.filter((k) => k.algorithm.startsWith('ecdsa'));
  if (ecdsa.length === 0) {
    reasons.push('message signatures are verified from the digest, which needs an ECDSA key');
    return result(false, null);
  }
  // The signature is over the artifact, hashed with SHA-256: verify from the digest alone.
  const signed = ecdsa.find((k) => verifyEcdsaPrehashed(k.key, digest, msg.signature));
  if (!signed) reasons.push(certSigner ? 'signature does not verify with the certificate key' : 'signature does not verify with any trusted key');
  return result(signed !== undefined, signed ? signerFor(signed) : null);
}

// Hints in the wild: our key id, or (model_signing) hex SHA-256 of the SPKI PEM text.
function matchesHint(k: TrustedKey, hint: string | null): boolean {
  if (!hint) return false;
  if (hint === k.keyId) return true;
  return hint === createHash('sha256').update(k.key.export({ type: 'spki', format: 'pem' })).digest('hex');
}

// DSSE envelopes (secure-systems-lab/dsse, protocol v1): parse, pre-authentication encoding,
// verify against trusted keys, sign. An envelope verifies when at least `threshold` distinct
// trusted keys produced a valid signature over PAE(payloadType, payload). The `keyid` field is
// only a hint for which key to try first: trust comes from the key set, never from the hint.
import { z } from 'zod';
import { decodeBase64, parseBoundedJson, parseWith } from './input.js';
import { verifySignature, type Signer, type TrustedKey } from './keys.js';

export const MAX_DSSE_SIGNATURES = 16;

export const SerializedEnvelopeSchema = z.object({
  payloadType: z.string().min(1).max(256),
  payload: z.string().max(6 * 1024 * 1024),
  signatures: z
    .array(z.object({ keyid: z.string().max(512).nullish(), sig: z.string().min(1).max(16_384) }))
    .min(1, 'an envelope needs at least one signature')
    .max(MAX_DSSE_SIGNATURES),
});
export type SerializedEnvelope = { payloadType: string; payload: string; signatures: { keyid: string; sig: string }[] };

export interface DsseEnvelope {
  payloadType: string;
  payload: Buffer;
  signatures: { keyid: string | null; sig: Buffer }[];
}

export interface DsseVerification {
  verified: boolean;
  /** Distinct trusted keys that signed, in envelope order. */
  keyIds: string[];
  payloadType: string;
  payload: Buffer;
  reasons: string[];
}

/** Parses an envelope from JSON text, bytes or an object; malformed input is a VALIDATION_FAILED. */
export function parseDsseEnvelope(input: unknown, field = 'envelope'): DsseEnvelope {
  const raw = parseWith(SerializedEnvelopeSchema, parseBoundedJson(input, field), field);
  return fromSerialized(raw, field);
}

export function fromSerialized(raw: z.output<typeof SerializedEnvelopeSchema>, field: string): DsseEnvelope {
  return {
    payloadType: raw.payloadType,
    payload: decodeBase64(raw.payload, `${field}.payload`),
    signatures: raw.signatures.map((s, i) => ({ keyid: s.keyid || null, sig: decodeBase64(s.sig, `${field}.signatures.${i}.sig`) })),
  };
}

/** PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, lengths in bytes. */
export function preAuthEncoding(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

export function verifyDsse(env: DsseEnvelope, keys: readonly TrustedKey[], opts: { threshold?: number } = {}): DsseVerification {
  // Zero valid signatures never verify, whatever threshold the caller passes.
  const threshold = Math.max(1, Math.floor(opts.threshold ?? 1));
  const pae = preAuthEncoding(env.payloadType, env.payload);
  const signed = new Set<string>();
  const reasons: string[] = [];
  if (keys.length === 0) reasons.push('no trusted keys were supplied');
  env.signatures.forEach((s, i) => {
    // Try the hinted key first, then every other trusted key: a wrong hint must not hide a valid
    // signature and a spoofed hint naming a trusted key cannot make an invalid one pass.
    const ordered = [...keys].sort((a, b) => Number(b.keyId === s.keyid) - Number(a.keyId === s.keyid));
    const match = ordered.find((k) => verifySignature(k, pae, s.sig));
    if (match) signed.add(match.keyId);
    else reasons.push(`signature ${i}${s.keyid ? ` (keyid hint ${JSON.stringify(s.keyid.slice(0, 80))})` : ''} does not verify with any trusted key`);
  });
  const verified = signed.size >= threshold;
  if (!verified && signed.size > 0) reasons.push(`${signed.size} distinct trusted key(s) signed; ${threshold} required`);
  return { verified, keyIds: [...signed], payloadType: env.payloadType, payload: env.payload, reasons: verified ? [] : reasons };
}

/** Signs a payload with one or more signers; `keyid` is the signer's key id. */
export function signDsse(payloadType: string, payload: Buffer | string, signer: Signer | readonly Signer[]): SerializedEnvelope {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const pae = preAuthEncoding(payloadType, body);
  const signers = Array.isArray(signer) ? (signer as readonly Signer[]) : [signer as Signer];
  return {
    payloadType,
    payload: body.toString('base64'),
    signatures: signers.map((s) => ({ keyid: s.keyId, sig: s.sign(pae).toString('base64') })),
  };
}

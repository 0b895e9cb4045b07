// C2SP signed-note (c2sp.org/signed-note) with Ed25519 keys: key encodings, signing, verification.
// Pure: no I/O. Verification follows the spec's rules: unknown signers are ignored, at least one
// known key must verify, and any malformed input is a NoteError rather than an exception.
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

export class NoteError extends Error {
  override name = 'NoteError';
}

const ALG_ED25519 = 0x01;
const SIG_PREFIX = '\u2014 '; // em dash + space
const MAX_SIGNATURES = 100;
const MAX_NOTE_BYTES = 1 << 20;
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

export interface NoteVerifier {
  name: string;
  keyId: Buffer; // 4 bytes
  publicKey: KeyObject;
  encoded: string; // name+hex(keyId)+base64(0x01||pub)
}

export interface NoteSigner {
  name: string;
  keyId: Buffer;
  privateKey: KeyObject;
  verifier: NoteVerifier;
}

function checkName(name: string): void {
  if (name.length === 0 || /[\s+]/u.test(name) || name.includes('\u2014')) {
    throw new NoteError(`invalid key name ${JSON.stringify(name)}: must be non-empty, without spaces or '+'`);
  }
}

export function keyIdFor(name: string, publicKey: Uint8Array): Buffer {
  return createHash('sha256')
    .update(name)
    .update(Buffer.from([0x0a, ALG_ED25519]))
    .update(publicKey)
    .digest()
    .subarray(0, 4);
}

function decodeBase64Strict(s: string, what: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/u.test(s) || s.length % 4 !== 0) throw new NoteError(`${what} is not base64`);
  return Buffer.from(s, 'base64');
}

export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new NoteError(`Ed25519 public key must be 32 bytes, got ${raw.length}`);
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519, raw]), format: 'der', type: 'spki' });
}

export function rawPublicKey(key: KeyObject): Buffer {
  const der = key.export({ format: 'der', type: 'spki' });
  return Buffer.from(der.subarray(der.length - 32));
}

export function verifierFromPublicKey(name: string, raw: Uint8Array): NoteVerifier {
  checkName(name);
  const keyId = keyIdFor(name, raw);
  const encoded = `${name}+${keyId.toString('hex')}+${Buffer.concat([Buffer.from([ALG_ED25519]), raw]).toString('base64')}`;
  return { name, keyId, publicKey: publicKeyFromRaw(raw), encoded };
}

// The last field is base64 and may itself contain '+': split off only the fields before it.
function splitKey(s: string, fields: number): string[] | undefined {
  const out: string[] = [];
  let rest = s;
  for (let i = 0; i < fields - 1; i++) {
    const at = rest.indexOf('+');
    if (at < 0) return undefined;
    out.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  out.push(rest);
  return out;
}

/** Parses a verifier key `name+keyid+base64(0x01||pub)`. */
export function parseVerifierKey(vkey: string): NoteVerifier {
  const parts = splitKey(vkey.trim(), 3);
  if (!parts) throw new NoteError('verifier key must have the form name+keyid+key');
  const [name, hexId, b64] = parts as [string, string, string];
  checkName(name);
  if (!/^[0-9a-f]{8}$/u.test(hexId)) throw new NoteError('verifier key id must be 8 lowercase hex digits');
  const key = decodeBase64Strict(b64, 'verifier key');
  if (key.length !== 33 || key[0] !== ALG_ED25519) throw new NoteError('verifier key is not an Ed25519 key');
  const raw = key.subarray(1);
  const v = verifierFromPublicKey(name, raw);
  if (v.keyId.toString('hex') !== hexId) throw new NoteError(`verifier key id ${hexId} does not match the key`);
  return v;
}

export function signerFromSeed(name: string, seed: Uint8Array): NoteSigner {
  checkName(name);
  if (seed.length !== 32) throw new NoteError(`Ed25519 seed must be 32 bytes, got ${seed.length}`);
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });
  const raw = rawPublicKey(createPublicKey(privateKey));
  const verifier = verifierFromPublicKey(name, raw);
  return { name, keyId: verifier.keyId, privateKey, verifier };
}

/** Parses a signer key `PRIVATE+KEY+name+keyid+base64(0x01||seed)` (golang.org/x/mod/sumdb/note). */
export function parseSignerKey(skey: string): NoteSigner {
  const parts = splitKey(skey.trim(), 5);
  if (!parts || parts[0] !== 'PRIVATE' || parts[1] !== 'KEY') {
    throw new NoteError('signer key must have the form PRIVATE+KEY+name+keyid+key');
  }
  const [, , name, hexId, b64] = parts as [string, string, string, string, string];
  const key = decodeBase64Strict(b64, 'signer key');
  if (key.length !== 33 || key[0] !== ALG_ED25519) throw new NoteError('signer key is not an Ed25519 key');
  const signer = signerFromSeed(name, key.subarray(1));
  if (signer.keyId.toString('hex') !== hexId) throw new NoteError(`signer key id ${hexId} does not match the key`);
  return signer;
}

export function encodeSignerKey(name: string, seed: Uint8Array): string {
  const s = signerFromSeed(name, seed);
  return `PRIVATE+KEY+${name}+${s.keyId.toString('hex')}+${Buffer.concat([Buffer.from([ALG_ED25519]), seed]).toString('base64')}`;
}

function checkText(text: string): void {
  if (text.length === 0 || !text.endsWith('\n')) throw new NoteError('note text must be non-empty and end with a newline');
  if (text.includes('\n\n')) throw new NoteError('note text must not contain a blank line');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0009\u000b-\u001f\u007f]/u.test(text)) throw new NoteError('note text must not contain control characters');
}

/** Signs text (ending in a newline) and returns the whole signed note. */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  checkText(text);
  const msg = Buffer.from(text, 'utf8');
  const lines = signers.map((s) => {
    const sig = sign(null, msg, s.privateKey);
    return `${SIG_PREFIX}${s.name} ${Buffer.concat([s.keyId, sig]).toString('base64')}\n`;
  });
  return `${text}\n${lines.join('')}`;
}

export interface NoteSignature {
  name: string;
  keyId: string; // hex
  verified: boolean;
}

export interface OpenedNote {
  text: string;
  signatures: NoteSignature[];
  verifiedBy: string[]; // names of known keys whose signatures verified
}

/**
 * Opens a signed note against known verifiers. Throws NoteError when malformed, when a known
 * key's signature does not verify, or when no known key signed it.
 */
export function openNote(note: string | Uint8Array, verifiers: readonly NoteVerifier[]): OpenedNote {
  const bytes = typeof note === 'string' ? Buffer.from(note, 'utf8') : Buffer.from(note);
  if (bytes.length > MAX_NOTE_BYTES) throw new NoteError('note is too large');
  const str = bytes.toString('utf8');
  if (!Buffer.from(str, 'utf8').equals(bytes)) throw new NoteError('note is not valid UTF-8');
  const split = str.lastIndexOf('\n\n');
  if (split < 0) throw new NoteError('note has no signature block');
  const text = str.slice(0, split + 1);
  checkText(text);
  const sigBlock = str.slice(split + 2);
  if (!sigBlock.endsWith('\n')) throw new NoteError('signature block must end with a newline');
  const sigLines = sigBlock.slice(0, -1).split('\n');
  if (sigLines.length > MAX_SIGNATURES) throw new NoteError('note has too many signatures');
  const msg = Buffer.from(text, 'utf8');
  const signatures: NoteSignature[] = [];
  const verifiedBy: string[] = [];
  for (const line of sigLines) {
    if (!line.startsWith(SIG_PREFIX)) throw new NoteError('malformed signature line');
    const rest = line.slice(SIG_PREFIX.length);
    const space = rest.lastIndexOf(' ');
    if (space <= 0) throw new NoteError('malformed signature line');
    const name = rest.slice(0, space);
    const sig = decodeBase64Strict(rest.slice(space + 1), 'signature');
    if (sig.length < 5) throw new NoteError('signature is too short');
    const keyId = sig.subarray(0, 4);
    const known = verifiers.find((v) => v.name === name && v.keyId.equals(keyId));
    if (!known) {
      signatures.push({ name, keyId: keyId.toString('hex'), verified: false });
      continue;
    }
    if (!verify(null, msg, known.publicKey, sig.subarray(4))) {
      throw new NoteError(`signature by ${name} does not verify`);
    }
    signatures.push({ name, keyId: keyId.toString('hex'), verified: true });
    verifiedBy.push(name);
  }
  if (verifiedBy.length === 0) throw new NoteError('no verifiable signatures: the note is not signed by any known key');
  return { text, signatures, verifiedBy };
}

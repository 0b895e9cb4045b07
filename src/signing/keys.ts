// Public keys, key ids and raw signature checks shared by every format. A key id is always the
// lowercase hex SHA-256 of the key's DER SubjectPublicKeyInfo: the same id in trust policies,
// verification results, DSSE `keyid` fields we write and ledger events.
import { createHash, createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify, constants, KeyObject } from 'node:crypto';
import { invalid } from './input.js';

export type SupportedAlgorithm = 'ecdsa-p256-sha256' | 'ecdsa-p384-sha384' | 'ecdsa-p521-sha512' | 'ed25519' | 'rsa-sha256';

/** A public key the caller trusts, with its id computed once. */
export interface TrustedKey {
  keyId: string;
  key: KeyObject;
  algorithm: SupportedAlgorithm;
  /** Label from the trust policy, for messages only. */
  name?: string;
}

/** Something that signs bytes; private keys stay behind it (a KMS adapter implements the same shape). */
export interface Signer {
  keyId: string;
  sign(data: Buffer): Buffer;
}

const MIN_RSA_BITS = 2048;
// The hash goes with the curve, as in Sigstore's key details (PKIX_ECDSA_P384_SHA_384, ...).
const EC_ALGORITHMS: Record<string, { algorithm: SupportedAlgorithm; hash: string }> = {
  prime256v1: { algorithm: 'ecdsa-p256-sha256', hash: 'sha256' },
  secp384r1: { algorithm: 'ecdsa-p384-sha384', hash: 'sha384' },
  secp521r1: { algorithm: 'ecdsa-p521-sha512', hash: 'sha512' },
};

/** Imports a public key from SPKI PEM, DER SPKI or a KeyObject (a private key yields its public half). */
export function importPublicKey(input: string | Buffer | KeyObject, field: string): KeyObject {
  let key: KeyObject;
  try {
    if (input instanceof KeyObject) key = input.type === 'private' ? createPublicKey(input) : input;
    else if (typeof input === 'string') key = createPublicKey({ key: input, format: 'pem' });
    else key = createPublicKey({ key: input, format: 'der', type: 'spki' });
  } catch {
    throw invalid(field, 'is not a PEM or DER public key');
  }
  if (key.type !== 'public') throw invalid(field, 'must be a public key');
  algorithmOf(key, field);
  return key;
}

/** The signature algorithm a key implies; unsupported curves and small RSA keys are refused. */
export function algorithmOf(key: KeyObject, field = 'key'): SupportedAlgorithm {
  const t = key.asymmetricKeyType;
  if (t === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve ?? '';
    const a = EC_ALGORITHMS[curve];
    if (!a) throw invalid(field, `uses curve ${curve || 'unknown'}; supported: P-256, P-384, P-521`);
    return a.algorithm;
  }
  if (t === 'ed25519') return 'ed25519';
  if (t === 'rsa' || t === 'rsa-pss') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) throw invalid(field, `is a ${bits}-bit RSA key; at least ${MIN_RSA_BITS} bits are required`);
    return 'rsa-sha256';
  }
  throw invalid(field, `is a ${t ?? 'unknown'} key; supported: ECDSA P-256/P-384/P-521, Ed25519, RSA`);
}

/** Hex SHA-256 of the DER SubjectPublicKeyInfo. */
export function keyIdOf(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest('hex');
}

export function trustedKey(input: string | Buffer | KeyObject, name?: string, field = 'publicKey'): TrustedKey {
  const key = importPublicKey(input, field);
  return { keyId: keyIdOf(key), key, algorithm: algorithmOf(key, field), ...(name !== undefined ? { name } : {}) };
}

/** Hash name Node's crypto needs for a key (null for Ed25519, which hashes internally). */
export function hashFor(algorithm: SupportedAlgorithm): string | null {
  switch (algorithm) {
    case 'ecdsa-p256-sha256':
    case 'rsa-sha256':
      return 'sha256';
    case 'ecdsa-p384-sha384':
      return 'sha384';
    case 'ecdsa-p521-sha512':
      return 'sha512';
    case 'ed25519':
      return null;
  }
}

/**
 * Verifies `signature` over `data` with the algorithm the key implies. ECDSA signatures are accepted
 * DER- or IEEE-P1363-encoded; RSA as PKCS#1 v1.5 or PSS (salt length from the signature). Never
 * throws on a bad signature: it returns false.
 */
export function verifySignature(tk: Pick<TrustedKey, 'key' | 'algorithm'>, data: Buffer, signature: Buffer): boolean {
  const hash = hashFor(tk.algorithm);
  const attempt = (opts: Parameters<typeof nodeVerify>[2]): boolean => {
    try {
      return nodeVerify(hash, data, opts, signature);
    } catch {
      return false;
    }
  };
  switch (tk.algorithm) {
    case 'ed25519':
      return attempt(tk.key);
    case 'rsa-sha256':
      if (tk.key.asymmetricKeyType === 'rsa' && attempt({ key: tk.key, padding: constants.RSA_PKCS1_PADDING })) return true;
      return attempt({ key: tk.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO });
    default:
      return attempt({ key: tk.key, dsaEncoding: 'der' }) || attempt({ key: tk.key, dsaEncoding: 'ieee-p1363' });
  }
}

/** A Signer over a private key held in process (tests, the embedded default's local key file). */
export function createKeySigner(privateKey: string | KeyObject): Signer {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  if (key.type !== 'private') throw invalid('privateKey', 'must be a private key');
  const algorithm = algorithmOf(createPublicKey(key), 'privateKey');
  const hash = hashFor(algorithm);
  return {
    keyId: keyIdOf(key),
    sign: (data) => nodeSign(hash, data, algorithm.startsWith('ecdsa') ? { key, dsaEncoding: 'der' } : key),
  };
}

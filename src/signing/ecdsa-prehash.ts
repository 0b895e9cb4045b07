// ECDSA verification over a digest the caller already computed. The registry streams artifacts
// of many gigabytes and keeps only their SHA-256; cosign signs ECDSA over SHA-256(blob), so
// checking a signature must not need the blob again. Node's crypto.verify, createVerify and
// WebCrypto all hash their input themselves and have no "prehashed" mode (crypto.verify(null, ...)
// on an EC key hashes with SHA-256 again), so this file does the verification equation itself
// (SEC 1 v2, section 4.1.4) with BigInt arithmetic. Only public values are involved, so constant
// time does not matter here; signing never uses this code.
import type { KeyObject } from 'node:crypto';

interface Curve {
  p: bigint;
  n: bigint;
  gx: bigint;
  gy: bigint;
  bits: number;
}

// NIST curve parameters (FIPS 186-4 D.1.2); a = -3 for all three.
const CURVES: Record<string, Curve> = {
  'P-256': {
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    gx: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
    gy: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
    bits: 256,
  },
  'P-384': {
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
    gx: 0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7n,
    gy: 0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5fn,
    bits: 384,
  },
  'P-521': {
    p: (1n << 521n) - 1n,
    n: 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
    gx: 0x00c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66n,
    gy: 0x011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650n,
    bits: 521,
  },
};

// Jacobian point (X, Y, Z) with x = X/Z^2, y = Y/Z^3; Z = 0 is the point at infinity.
type Jac = [bigint, bigint, bigint];

const mod = (a: bigint, m: bigint): bigint => {
  const r = a % m;
  return r < 0n ? r + m : r;
};

function invert(a: bigint, m: bigint): bigint {
  let [oldR, r] = [mod(a, m), m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new RangeError('not invertible');
  return mod(oldS, m);
}

function double(P: Jac, p: bigint): Jac {
  const [X, Y, Z] = P;
  if (Z === 0n || Y === 0n) return [0n, 1n, 0n];
  // dbl-2001-b for a = -3.
  const delta = mod(Z * Z, p);
  const gamma = mod(Y * Y, p);
  const beta = mod(X * gamma, p);
  const alpha = mod(3n * (X - delta) * (X + delta), p);
  const X3 = mod(alpha * alpha - 8n * beta, p);
  const Z3 = mod((Y + Z) * (Y + Z) - gamma - delta, p);
  const Y3 = mod(alpha * (4n * beta - X3) - 8n * gamma * gamma, p);
  return [X3, Y3, Z3];
}

function add(P: Jac, Q: Jac, p: bigint): Jac {
  if (P[2] === 0n) return Q;
  if (Q[2] === 0n) return P;
  const [X1, Y1, Z1] = P;
  const [X2, Y2, Z2] = Q;
  const Z1Z1 = mod(Z1 * Z1, p);
  const Z2Z2 = mod(Z2 * Z2, p);
  const U1 = mod(X1 * Z2Z2, p);
  const U2 = mod(X2 * Z1Z1, p);
  const S1 = mod(Y1 * Z2 * Z2Z2, p);
  const S2 = mod(Y2 * Z1 * Z1Z1, p);
  if (U1 === U2) return S1 === S2 ? double(P, p) : [0n, 1n, 0n];
  const H = mod(U2 - U1, p);
  const R = mod(S2 - S1, p);
  const HH = mod(H * H, p);
  const HHH = mod(H * HH, p);
  const V = mod(U1 * HH, p);
  const X3 = mod(R * R - HHH - 2n * V, p);
  const Y3 = mod(R * (V - X3) - S1 * HHH, p);
  const Z3 = mod(Z1 * Z2 * H, p);
  return [X3, Y3, Z3];
}

// u1*G + u2*Q with one shared doubling chain (Shamir's trick).
function doubleMul(u1: bigint, G: Jac, u2: bigint, Q: Jac, p: bigint): Jac {
  const GQ = add(G, Q, p);
  let R: Jac = [0n, 1n, 0n];
  const top = Math.max(u1.toString(2).length, u2.toString(2).length);
  for (let i = top - 1; i >= 0; i--) {
    R = double(R, p);
    const b1 = (u1 >> BigInt(i)) & 1n;
    const b2 = (u2 >> BigInt(i)) & 1n;
    if (b1 && b2) R = add(R, GQ, p);
    else if (b1) R = add(R, G, p);
    else if (b2) R = add(R, Q, p);
  }
  return R;
}

const toBig = (b: Buffer): bigint => (b.length === 0 ? 0n : BigInt('0x' + b.toString('hex')));

/** Reads (r, s) from DER `SEQUENCE { INTEGER r, INTEGER s }` strictly; null if malformed. */
function parseDerSignature(sig: Buffer): [bigint, bigint] | null {
  let i = 0;
  const readLen = (): number | null => {
    const first = sig[i++];
    if (first === undefined) return null;
    if (first < 0x80) return first;
    if (first !== 0x81) return null; // signatures are < 256 bytes
    const l = sig[i++];
    return l === undefined || l < 0x80 ? null : l;
  };
  if (sig[i++] !== 0x30) return null;
  const seqLen = readLen();
  if (seqLen === null || i + seqLen !== sig.length) return null;
  const ints: bigint[] = [];
  for (let k = 0; k < 2; k++) {
    if (sig[i++] !== 0x02) return null;
    const len = readLen();
    if (len === null || len === 0 || i + len > sig.length) return null;
    const bytes = sig.subarray(i, i + len);
    // Minimal positive INTEGER: no sign bit, no superfluous leading zero.
    if ((bytes[0]! & 0x80) !== 0) return null;
    if (len > 1 && bytes[0] === 0 && (bytes[1]! & 0x80) === 0) return null;
    ints.push(toBig(bytes));
    i += len;
  }
  if (i !== sig.length) return null;
  return [ints[0]!, ints[1]!];
}

function curveOf(key: KeyObject): { curve: Curve; Q: Jac } | null {
  if (key.type !== 'public' || key.asymmetricKeyType !== 'ec') return null;
  const jwk = key.export({ format: 'jwk' });
  const curve = jwk.crv ? CURVES[jwk.crv] : undefined;
  if (!curve || !jwk.x || !jwk.y) return null;
  // Node validated the point when the key was imported, so (x, y) is on the curve.
  const x = toBig(Buffer.from(jwk.x, 'base64url'));
  const y = toBig(Buffer.from(jwk.y, 'base64url'));
  return { curve, Q: [x, y, 1n] };
}

/**
 * Verifies an ECDSA signature (DER or IEEE P1363 r||s) over `digest` with a P-256/P-384/P-521
 * public key. The digest is truncated to the curve order's bit length as SEC 1 requires, so a
 * SHA-256 digest works with any of the three curves.
 */
export function verifyEcdsaPrehashed(key: KeyObject, digest: Buffer, signature: Buffer): boolean {
  const c = curveOf(key);
  if (!c || digest.length === 0) return false;
  const { curve, Q } = c;
  const size = Math.ceil(curve.bits / 8);
  // Both encodings are tried: a P1363 signature can start with 0x30 by chance.
  const candidates: [bigint, bigint][] = [];
  const der = parseDerSignature(signature);
  if (der) candidates.push(der);
  if (signature.length === 2 * size) candidates.push([toBig(signature.subarray(0, size)), toBig(signature.subarray(size))]);
  let e = toBig(digest);
  const excess = digest.length * 8 - curve.bits;
  if (excess > 0) e >>= BigInt(excess);
  return candidates.some(([r, s]) => verifyRS(curve, Q, e, r, s));
}

function verifyRS(curve: Curve, Q: Jac, e: bigint, r: bigint, s: bigint): boolean {
  const { n, p } = curve;
  if (r <= 0n || r >= n || s <= 0n || s >= n) return false;
  const w = invert(s, n);
  const u1 = mod(e * w, n);
  const u2 = mod(r * w, n);
  const R = doubleMul(u1, [curve.gx, curve.gy, 1n], u2, Q, p);
  if (R[2] === 0n) return false;
  const zInv = invert(R[2], p);
  const x = mod(R[0] * zInv * zInv, p);
  return mod(x, n) === r;
}

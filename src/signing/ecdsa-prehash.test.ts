import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyEcdsaPrehashed } from './ecdsa-prehash.js';

const CURVES = [
  { curve: 'P-256', hash: 'sha256' },
  { curve: 'P-384', hash: 'sha384' },
  { curve: 'P-521', hash: 'sha512' },
] as const;

describe('verifyEcdsaPrehashed', () => {
  for (const { curve, hash } of CURVES) {
    it(`accepts ${curve} signatures Node made over the full message, checked from the ${hash} digest`, () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
      for (let i = 0; i < 12; i++) {
        const blob = randomBytes(1 + i * 97);
        const digest = createHash(hash).update(blob).digest();
        const der = sign(hash, blob, { key: privateKey, dsaEncoding: 'der' });
        const p1363 = sign(hash, blob, { key: privateKey, dsaEncoding: 'ieee-p1363' });
        expect(verifyEcdsaPrehashed(publicKey, digest, der)).toBe(true);
        expect(verifyEcdsaPrehashed(publicKey, digest, p1363)).toBe(true);
      }
    });

    it(`rejects tampered ${curve} digests, signatures and keys`, () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
      const other = generateKeyPairSync('ec', { namedCurve: curve }).publicKey;
      const blob = Buffer.from('model weights');
      const digest = createHash(hash).update(blob).digest();
      const sig = sign(hash, blob, { key: privateKey, dsaEncoding: 'der' });
      const badDigest = Buffer.from(digest);
      badDigest[0]! ^= 1;
      const badSig = Buffer.from(sig);
      badSig[badSig.length - 1]! ^= 1;
      expect(verifyEcdsaPrehashed(publicKey, badDigest, sig)).toBe(false);
      expect(verifyEcdsaPrehashed(publicKey, digest, badSig)).toBe(false);
      expect(verifyEcdsaPrehashed(other, digest, sig)).toBe(false);
    });
  }

  it('verifies SHA-256 digests with a P-384 key (digest shorter than the order)', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const blob = Buffer.from('cosign with a P-384 key');
    const sig = sign('sha256', blob, { key: privateKey, dsaEncoding: 'der' });
    expect(verifyEcdsaPrehashed(publicKey, createHash('sha256').update(blob).digest(), sig)).toBe(true);
  });

  it('truncates a digest longer than the order (SHA-512 with P-256)', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const blob = Buffer.from('long hash');
    const sig = sign('sha512', blob, { key: privateKey, dsaEncoding: 'der' });
    expect(verifyEcdsaPrehashed(publicKey, createHash('sha512').update(blob).digest(), sig)).toBe(true);
  });

  it('refuses malformed signatures and out-of-range values without throwing', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const digest = createHash('sha256').update('x').digest();
    const n = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex');
    const cases = [
      Buffer.alloc(0),
      Buffer.from([0x30, 0x00]),
      Buffer.from([0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01]), // r = 0
      Buffer.from([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00]), // trailing byte
      Buffer.from([0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x01]), // non-minimal integer
      Buffer.concat([n, Buffer.alloc(31), Buffer.from([1])]), // P1363 with r = n
      Buffer.alloc(64), // r = s = 0
      randomBytes(300),
    ];
    for (const c of cases) expect(verifyEcdsaPrehashed(publicKey, digest, c)).toBe(false);
  });

  it('refuses non-EC keys and an empty digest', () => {
    const ed = generateKeyPairSync('ed25519').publicKey;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const sig = sign('sha256', Buffer.from('a'), privateKey);
    expect(verifyEcdsaPrehashed(ed, createHash('sha256').update('a').digest(), sig)).toBe(false);
    expect(verifyEcdsaPrehashed(publicKey, Buffer.alloc(0), sig)).toBe(false);
  });
});

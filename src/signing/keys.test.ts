import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { createKeySigner, importPublicKey, keyIdOf, trustedKey, verifySignature } from './keys.js';

const FIXTURE_KEY = readFileSync(new URL('../../test/fixtures/signatures/model-transparency/keys/signing-key-pub.pem', import.meta.url), 'utf8');

describe('key ids', () => {
  it('is the hex SHA-256 of the DER SubjectPublicKeyInfo', () => {
    const key = importPublicKey(FIXTURE_KEY, 'pem');
    const der = key.export({ type: 'spki', format: 'der' });
    expect(keyIdOf(key)).toBe(createHash('sha256').update(der).digest('hex'));
    // Same value gnutls prints as the key's "Public Key ID sha256" in the upstream PEM file.
    expect(keyIdOf(key)).toBe('c1e49d63327f85c7e2971aefd30b5a0d1c6b9b5e1a892e7f5fba995adace816d');
  });

  it('is the same for the private key, the PEM and the DER form', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const der = publicKey.export({ type: 'spki', format: 'der' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
    expect(new Set([keyIdOf(privateKey), trustedKey(der).keyId, trustedKey(pem).keyId, createKeySigner(privateKey).keyId]).size).toBe(1);
  });
});

describe('importPublicKey', () => {
  it('refuses garbage, private keys given as text, small RSA keys and unsupported curves', () => {
    const bad = [
      'not a key',
      generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey,
      generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey,
      generateKeyPairSync('x25519').publicKey,
    ];
    for (const b of bad) {
      expect(() => importPublicKey(b, 'trustPolicy.keys.0.pem')).toThrow(AppError);
    }
    try {
      importPublicKey('junk', 'trustPolicy.keys.0.pem');
    } catch (e) {
      expect((e as AppError).code).toBe('VALIDATION_FAILED');
      expect((e as AppError).message).toContain('trustPolicy.keys.0.pem');
    }
  });
});

describe('verifySignature', () => {
  const data = Buffer.from('payload');
  it('verifies ECDSA (DER and P1363) with the hash by curve', () => {
    for (const [curve, hash] of [['P-256', 'sha256'], ['P-384', 'sha384'], ['P-521', 'sha512']] as const) {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
      const tk = trustedKey(publicKey);
      expect(verifySignature(tk, data, sign(hash, data, { key: privateKey, dsaEncoding: 'der' }))).toBe(true);
      expect(verifySignature(tk, data, sign(hash, data, { key: privateKey, dsaEncoding: 'ieee-p1363' }))).toBe(true);
      // The wrong hash for the curve is refused: P-384 must use SHA-384.
      if (hash !== 'sha256') expect(verifySignature(tk, data, sign('sha256', data, privateKey))).toBe(false);
    }
  });

  it('verifies Ed25519 and RSA PKCS#1 v1.5 and PSS', () => {
    const ed = generateKeyPairSync('ed25519');
    expect(verifySignature(trustedKey(ed.publicKey), data, sign(null, data, ed.privateKey))).toBe(true);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const tk = trustedKey(rsa.publicKey);
    expect(verifySignature(tk, data, sign('sha256', data, rsa.privateKey))).toBe(true);
    expect(verifySignature(tk, data, sign('sha256', data, { key: rsa.privateKey, padding: 6, saltLength: 32 }))).toBe(true);
    expect(verifySignature(tk, Buffer.from('other'), sign('sha256', data, rsa.privateKey))).toBe(false);
  });

  it('returns false for a signature of the wrong shape instead of throwing', () => {
    const ed = generateKeyPairSync('ed25519');
    expect(verifySignature(trustedKey(ed.publicKey), data, Buffer.from([1, 2, 3]))).toBe(false);
  });
});

import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { parseDsseEnvelope, preAuthEncoding, signDsse, verifyDsse } from './dsse.js';
import { createKeySigner, trustedKey } from './keys.js';

const dir = new URL('../../test/fixtures/signatures/model-transparency/', import.meta.url);
const fixtureKey = trustedKey(readFileSync(new URL('keys/signing-key-pub.pem', dir), 'utf8'));

function pair(curve = 'P-256') {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
  return { signer: createKeySigner(privateKey), trusted: trustedKey(publicKey) };
}

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof AppError ? e.code : 'not an AppError';
  }
  return undefined;
}

describe('preAuthEncoding', () => {
  it('matches the DSSE protocol test vector', () => {
    expect(preAuthEncoding('http://example.com/HelloWorld', Buffer.from('hello world')).toString()).toBe('DSSEv1 29 http://example.com/HelloWorld 11 hello world');
  });
  it('counts bytes, not characters', () => {
    expect(preAuthEncoding('t/é', Buffer.from('ü')).toString()).toBe('DSSEv1 4 t/é 2 ü');
  });
});

describe('signDsse / verifyDsse', () => {
  it('round-trips and reports the key id of the signer', () => {
    const a = pair();
    const env = parseDsseEnvelope(JSON.stringify(signDsse('application/x', 'hi', a.signer)));
    const r = verifyDsse(env, [a.trusted]);
    expect(r).toMatchObject({ verified: true, keyIds: [a.trusted.keyId], reasons: [] });
    expect(env.signatures[0]!.keyid).toBe(a.trusted.keyId);
  });

  it('verifies the model-signing fixture envelope (P-384, SHA-384, DER)', () => {
    const bundle = JSON.parse(readFileSync(new URL('v1.1.0-elliptic-key/model.sig', dir), 'utf8'));
    expect(verifyDsse(parseDsseEnvelope(bundle.dsseEnvelope), [fixtureKey]).verified).toBe(true);
  });

  it('fails a tampered payload, payload type or signature', () => {
    const a = pair();
    const s = signDsse('application/x', 'hello', a.signer);
    const tampered = [
      { ...s, payload: Buffer.from('hellO').toString('base64') },
      { ...s, payloadType: 'application/y' },
      { ...s, signatures: [{ keyid: s.signatures[0]!.keyid, sig: Buffer.from(Buffer.from(s.signatures[0]!.sig, 'base64').map((b, i) => (i === 10 ? b ^ 1 : b))).toString('base64') }] },
    ];
    for (const t of tampered) {
      const r = verifyDsse(parseDsseEnvelope(t), [a.trusted]);
      expect(r.verified).toBe(false);
      expect(r.reasons[0]).toMatch(/does not verify/);
    }
  });

  it('fails with a wrong key and with no keys', () => {
    const a = pair();
    const b = pair();
    const env = parseDsseEnvelope(signDsse('t', 'x', a.signer));
    expect(verifyDsse(env, [b.trusted]).verified).toBe(false);
    expect(verifyDsse(env, []).reasons).toContain('no trusted keys were supplied');
  });

  it('treats keyid as a hint: a spoofed keyid naming a trusted key does not help an untrusted signer', () => {
    const trusted = pair();
    const attacker = pair();
    const s = signDsse('t', 'x', { keyId: trusted.signer.keyId, sign: attacker.signer.sign });
    expect(s.signatures[0]!.keyid).toBe(trusted.trusted.keyId);
    expect(verifyDsse(parseDsseEnvelope(s), [trusted.trusted]).verified).toBe(false);
  });

  it('treats keyid as a hint: a wrong keyid does not hide a valid signature', () => {
    const a = pair();
    const s = signDsse('t', 'x', { keyId: 'someone-else', sign: a.signer.sign });
    expect(verifyDsse(parseDsseEnvelope(s), [pair().trusted, a.trusted]).keyIds).toEqual([a.trusted.keyId]);
  });

  it('counts distinct keys: duplicated signatures by one key do not meet a threshold of two', () => {
    const a = pair();
    const b = pair();
    const dup = signDsse('t', 'x', [a.signer, a.signer]);
    expect(verifyDsse(parseDsseEnvelope(dup), [a.trusted, b.trusted], { threshold: 2 })).toMatchObject({ verified: false, keyIds: [a.trusted.keyId] });
    const two = signDsse('t', 'x', [a.signer, b.signer]);
    expect(verifyDsse(parseDsseEnvelope(two), [a.trusted, b.trusted], { threshold: 2 }).verified).toBe(true);
  });

  it('never accepts zero valid signatures, whatever the threshold', () => {
    const a = pair();
    const env = parseDsseEnvelope(signDsse('t', 'x', pair().signer));
    expect(verifyDsse(env, [a.trusted], { threshold: 0 }).verified).toBe(false);
  });

  it('accepts one valid signature beside an invalid one', () => {
    const a = pair();
    const b = pair();
    const s = signDsse('t', 'x', [b.signer, a.signer]);
    const r = verifyDsse(parseDsseEnvelope(s), [a.trusted]);
    expect(r.verified).toBe(true);
  });

  it('signs with Ed25519 and P-521 keys too', () => {
    for (const kp of [generateKeyPairSync('ed25519'), generateKeyPairSync('ec', { namedCurve: 'P-521' })]) {
      const s = signDsse('t', Buffer.from([0, 1, 2]), createKeySigner(kp.privateKey));
      expect(verifyDsse(parseDsseEnvelope(s), [trustedKey(kp.publicKey)]).verified).toBe(true);
    }
  });
});

describe('parseDsseEnvelope on hostile input', () => {
  const good = signDsse('t', 'x', pair().signer);
  it('refuses malformed JSON, missing fields and zero signatures', () => {
    expect(code(() => parseDsseEnvelope('{not json'))).toBe('VALIDATION_FAILED');
    expect(code(() => parseDsseEnvelope({ payloadType: 't', payload: 'eA==' }))).toBe('VALIDATION_FAILED');
    expect(code(() => parseDsseEnvelope({ ...good, signatures: [] }))).toBe('VALIDATION_FAILED');
    expect(code(() => parseDsseEnvelope('[]'))).toBe('VALIDATION_FAILED');
    expect(code(() => parseDsseEnvelope(null))).toBe('VALIDATION_FAILED');
  });

  it('refuses wrong base64 and names the field', () => {
    for (const payload of ['e$A=', 'eA=A', 'a', 'eA===']) {
      try {
        parseDsseEnvelope({ ...good, payload });
        expect.unreachable();
      } catch (e) {
        expect((e as AppError).code).toBe('VALIDATION_FAILED');
        expect((e as AppError).message).toContain('envelope.payload');
      }
    }
    expect(code(() => parseDsseEnvelope({ ...good, signatures: [{ keyid: '', sig: '***' }] }))).toBe('VALIDATION_FAILED');
  });

  it('accepts URL-safe and unpadded base64 as the DSSE spec allows', () => {
    const payload = Buffer.from([0xfb, 0xff]).toString('base64url');
    expect(parseDsseEnvelope({ ...good, payload }).payload).toEqual(Buffer.from([0xfb, 0xff]));
  });

  it('bounds the envelope size with a clear error', () => {
    const huge = JSON.stringify({ ...good, payload: 'A'.repeat(5 * 1024 * 1024) });
    try {
      parseDsseEnvelope(huge);
      expect.unreachable();
    } catch (e) {
      expect((e as AppError).code).toBe('PAYLOAD_TOO_LARGE');
      expect((e as AppError).message).toMatch(/envelope is \d+ bytes; the limit is 4194304 bytes/);
    }
    expect(code(() => parseDsseEnvelope({ ...good, payload: 'A'.repeat(5 * 1024 * 1024) }))).toBe('PAYLOAD_TOO_LARGE');
  });

  it('bounds the number of signatures', () => {
    expect(code(() => parseDsseEnvelope({ ...good, signatures: Array(17).fill(good.signatures[0]) }))).toBe('VALIDATION_FAILED');
  });
});

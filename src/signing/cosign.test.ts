import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeCa, makeLeaf } from '../../test/fixtures/signatures/pki.js';
import { verifyCosignBundle, verifyCosignSignature } from './cosign.js';
import { trustedKey } from './keys.js';
import type { TrustMaterial } from './types.js';
import { parseCertificateBundle } from './x509-chain.js';

// cosign key mode: P-256 key, base64 DER ECDSA over SHA-256(blob); made here with Node crypto.
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const cosignPub = publicKey.export({ type: 'spki', format: 'pem' }) as string;
const trust: TrustMaterial = { keys: [trustedKey(cosignPub, 'release-key')], certificateAuthorities: [] };
const blob = randomBytes(100_000);
const sha256 = createHash('sha256').update(blob).digest('hex');
const sigB64 = sign('sha256', blob, privateKey).toString('base64');

describe('verifyCosignSignature (key mode)', () => {
  it('verifies from the digest alone, base64 text with a trailing newline or raw bytes', () => {
    const r = verifyCosignSignature({ sha256, signature: `${sigB64}\n` }, trust);
    expect(r).toMatchObject({ format: 'cosign-signature', verified: true, tlog: 'absent', reasons: [] });
    expect(r.signer).toMatchObject({ kind: 'key', keyId: trust.keys[0]!.keyId });
    expect(verifyCosignSignature({ sha256: sha256.toUpperCase(), signature: Buffer.from(sigB64, 'base64') }, trust).verified).toBe(true);
  });

  it('fails for another blob, a wrong key and a tampered signature', () => {
    const other = createHash('sha256').update('other').digest('hex');
    expect(verifyCosignSignature({ sha256: other, signature: sigB64 }, trust).verified).toBe(false);
    const wrong: TrustMaterial = { keys: [trustedKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey)], certificateAuthorities: [] };
    expect(verifyCosignSignature({ sha256, signature: sigB64 }, wrong).reasons).toEqual(['signature does not verify with any trusted key']);
    const bad = Buffer.from(sigB64, 'base64');
    bad[bad.length - 2]! ^= 0x10;
    expect(verifyCosignSignature({ sha256, signature: bad }, trust).verified).toBe(false);
  });

  it('throws VALIDATION_FAILED for a bad digest or base64', () => {
    expect(() => verifyCosignSignature({ sha256: 'abc', signature: sigB64 }, trust)).toThrow(/sha256 must be a SHA-256 digest/);
    expect(() => verifyCosignSignature({ sha256, signature: 'not base64!' }, trust)).toThrow(/signature is not valid base64/);
  });

  it('reports when no ECDSA key is trusted', () => {
    const ed: TrustMaterial = { keys: [trustedKey(generateKeyPairSync('ed25519').publicKey)], certificateAuthorities: [] };
    expect(verifyCosignSignature({ sha256, signature: sigB64 }, ed).reasons).toEqual(['no trusted ECDSA keys were supplied']);
  });
});

describe('verifyCosignBundle', () => {
  const newBundle = (digest = sha256, signature = sigB64) => ({
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: { publicKey: { hint: trust.keys[0]!.keyId }, tlogEntries: [] },
    messageSignature: { messageDigest: { algorithm: 'SHA2_256', digest: Buffer.from(digest, 'hex').toString('base64') }, signature },
  });

  it('verifies the new Sigstore bundle format (messageSignature)', () => {
    const r = verifyCosignBundle(JSON.stringify(newBundle()), { sha256 }, trust);
    expect(r).toMatchObject({ format: 'cosign-bundle', verified: true, tlog: 'absent' });
  });

  it('fails when the bundle digest is not the artifact digest, or the signature is for another blob', () => {
    const other = createHash('sha256').update('x').digest('hex');
    expect(verifyCosignBundle(newBundle(other), { sha256 }, trust).reasons).toEqual(['the bundle signs a different artifact digest than the artifact']);
    expect(verifyCosignBundle(newBundle(other), { sha256: other }, trust).verified).toBe(false);
  });

  it('refuses digest algorithms other than SHA2_256', () => {
    const b = newBundle();
    b.messageSignature.messageDigest.algorithm = 'SHA2_384';
    expect(verifyCosignBundle(b, { sha256 }, trust).reasons[0]).toMatch(/SHA2_384 is not supported/);
  });

  it('verifies the legacy key-mode bundle and marks the Rekor bundle as not checked', () => {
    const legacy = { base64Signature: sigB64, rekorBundle: { SignedEntryTimestamp: 'AA==', Payload: { body: 'e30=', integratedTime: 1, logIndex: 1, logID: 'aa' } } };
    expect(verifyCosignBundle(legacy, { sha256 }, trust)).toMatchObject({ verified: true, tlog: 'not-checked' });
    expect(verifyCosignBundle({ base64Signature: sigB64 }, { sha256: createHash('sha256').update('x').digest('hex') }, trust).verified).toBe(false);
  });

  it('verifies a legacy keyless bundle whose certificate chains to our CA, and reports its identity', async () => {
    const root = await makeCa('fulcio-root');
    const inter = await makeCa('fulcio-intermediate', root);
    const leaf = await makeLeaf(inter, { email: 'alice@example.com', oidcIssuer: 'https://accounts.example.com' });
    const sig = sign('sha256', blob, leaf.privateKey).toString('base64');
    const certTrust: TrustMaterial = { keys: [], certificateAuthorities: parseCertificateBundle(root.pem, 'ca') };
    const legacy = { base64Signature: sig, cert: Buffer.from(leaf.pem + inter.pem).toString('base64') };
    const r = verifyCosignBundle(legacy, { sha256 }, certTrust);
    expect(r.verified).toBe(true);
    expect(r.signer).toMatchObject({ kind: 'certificate', identity: 'alice@example.com', sanEmails: ['alice@example.com'], oidcIssuer: 'https://accounts.example.com' });
    expect(verifyCosignBundle({ ...legacy, base64Signature: sigB64 }, { sha256 }, certTrust).reasons).toEqual(['signature does not verify with the certificate key']);
    const stranger = await makeCa('other');
    expect(verifyCosignBundle(legacy, { sha256 }, { keys: [], certificateAuthorities: parseCertificateBundle(stranger.pem, 'ca') }).verified).toBe(false);
  });

  it('throws VALIDATION_FAILED for malformed bundles', () => {
    expect(() => verifyCosignBundle('{', { sha256 }, trust)).toThrow(/bundle is not valid JSON/);
    expect(() => verifyCosignBundle({ base64Signature: '%%' }, { sha256 }, trust)).toThrow(/base64Signature is not valid base64/);
    expect(() => verifyCosignBundle({ base64Signature: sigB64, cert: 'QUJD' }, { sha256 }, trust)).toThrow(/bundle.cert holds no PEM certificate/);
  });
});

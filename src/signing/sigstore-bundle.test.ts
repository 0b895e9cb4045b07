import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeCa, makeLeaf } from '../../test/fixtures/signatures/pki.js';
import { signDsse } from './dsse.js';
import { issueAttestation } from './intoto.js';
import { createKeySigner, trustedKey } from './keys.js';
import { parseSigstoreBundle, verifySigstoreBundle } from './sigstore-bundle.js';
import type { TrustMaterial } from './types.js';
import { parseCertificateBundle } from './x509-chain.js';

const dir = new URL('../../test/fixtures/signatures/model-transparency/', import.meta.url);
const read = (p: string) => readFileSync(new URL(p, dir), 'utf8');
const keyTrust: TrustMaterial = { keys: [trustedKey(read('keys/signing-key-pub.pem'))], certificateAuthorities: [] };

describe('parseSigstoreBundle', () => {
  it('parses v0.3 key, v0.3 certificate-chain and model_signing 1.0.x bundles', () => {
    expect(parseSigstoreBundle(read('v1.1.0-elliptic-key/model.sig'))).toMatchObject({ version: '0.3', key: { kind: 'public-key', hint: 'e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e' }, tlogEntries: 0 });
    expect(parseSigstoreBundle(read('v1.0.1-elliptic-key/model.sig')).key).toEqual({ kind: 'public-key', hint: null });
    const cert = parseSigstoreBundle(read('v1.1.0-certificate/model.sig'));
    expect(cert.key.kind === 'certificates' && cert.key.chain.map((c) => c.subject)).toEqual(['CN=intermediate-ca', 'CN=intermediate-ca']);
  });

  it('refuses unknown media types, two kinds of content or key material, and bad base64', () => {
    const b = JSON.parse(read('v1.1.0-elliptic-key/model.sig'));
    expect(() => parseSigstoreBundle({ ...b, mediaType: 'application/json' })).toThrow(/bundle.mediaType "application\/json" is not a Sigstore bundle media type/);
    expect(() => parseSigstoreBundle({ ...b, messageSignature: { signature: 'AAAA' } })).toThrow(/exactly one of dsseEnvelope, messageSignature/);
    expect(() => parseSigstoreBundle({ ...b, verificationMaterial: { publicKey: { hint: 'x' }, certificate: { rawBytes: 'AAAA' } } })).toThrow(/exactly one of publicKey/);
    expect(() => parseSigstoreBundle({ ...b, verificationMaterial: { certificate: { rawBytes: 'AAAA' } } })).toThrow(/certificate.0 is not a valid X.509 certificate/);
    expect(() => parseSigstoreBundle({ ...b, dsseEnvelope: { ...b.dsseEnvelope, payload: 'a b' } })).toThrow(/bundle.dsseEnvelope.payload is not valid base64/);
  });
});

describe('verifySigstoreBundle', () => {
  it('verifies key bundles by trusted key, whatever the hint says', () => {
    const b = JSON.parse(read('v1.1.0-elliptic-key/model.sig'));
    expect(verifySigstoreBundle(b, keyTrust).verified).toBe(true);
    b.verificationMaterial.publicKey.hint = 'spoofed';
    expect(verifySigstoreBundle(b, keyTrust).verified).toBe(true);
    expect(verifySigstoreBundle(b, { keys: [], certificateAuthorities: [] }).verified).toBe(false);
  });

  it('verifies a v0.1 bundle with a certificate chain and an attestation whose subject is the artifact', async () => {
    const root = await makeCa('root');
    const leaf = await makeLeaf(root, { uri: 'https://github.com/acme/models/.github/workflows/release.yml@refs/heads/main', oidcIssuer: 'https://token.actions.githubusercontent.com' });
    const digest = createHash('sha256').update('artifact').digest('hex');
    const env = issueAttestation({ subject: [{ name: 'model.safetensors', digest: { sha256: digest } }], predicateType: 'https://slsa.dev/provenance/v1', predicate: {} }, createKeySigner(leaf.privateKey));
    const bundle = {
      mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1',
      verificationMaterial: { x509CertificateChain: { certificates: [{ rawBytes: leaf.der.toString('base64') }] }, tlogEntries: [{ logIndex: '1' }] },
      dsseEnvelope: env,
    };
    const trust: TrustMaterial = { keys: [], certificateAuthorities: parseCertificateBundle(root.pem, 'ca') };
    const r = verifySigstoreBundle(bundle, trust, { artifactSha256: digest });
    expect(r).toMatchObject({ verified: true, tlog: 'not-checked', signer: { kind: 'certificate', oidcIssuer: 'https://token.actions.githubusercontent.com' } });
    expect(r.statement?.predicateType).toBe('https://slsa.dev/provenance/v1');
    const other = verifySigstoreBundle(bundle, trust, { artifactSha256: '00'.repeat(32) });
    expect(other.verified).toBe(false);
    expect(other.reasons).toEqual([`no subject of the statement has sha256 ${'00'.repeat(32)}`]);
  });

  it('refuses certificates outside their validity, without code signing, or expired at `at`', async () => {
    const root = await makeCa('root');
    const trust: TrustMaterial = { keys: [], certificateAuthorities: parseCertificateBundle(root.pem, 'ca') };
    const mk = async (o: Parameters<typeof makeLeaf>[1]) => {
      const leaf = await makeLeaf(root, o);
      return {
        mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
        verificationMaterial: { certificate: { rawBytes: leaf.der.toString('base64') } },
        dsseEnvelope: signDsse('text/plain', 'x', createKeySigner(leaf.privateKey)),
      };
    };
    const fulcioLike = await mk({ email: 'a@b.c', notBefore: new Date(Date.now() - 20 * 60_000), notAfter: new Date(Date.now() - 10 * 60_000) });
    expect(verifySigstoreBundle(fulcioLike, trust).reasons[0]).toMatch(/signing certificate .* is not valid at/);
    // A short-lived certificate verifies when the caller supplies the time it trusts for the signature.
    expect(verifySigstoreBundle(fulcioLike, { ...trust, at: new Date(Date.now() - 15 * 60_000) }).verified).toBe(true);
    const tls = await mk({ email: 'a@b.c', eku: '1.3.6.1.5.5.7.3.1' });
    expect(verifySigstoreBundle(tls, trust).reasons[0]).toMatch(/does not allow code signing/);
  });

  it('refuses a chain whose intermediate is not a CA', async () => {
    const root = await makeCa('root');
    const notCa = await makeLeaf(root, { cn: 'not-a-ca' });
    const leaf = await makeLeaf({ ...notCa }, { email: 'x@y.z' });
    const bundle = {
      mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.2',
      verificationMaterial: { x509CertificateChain: { certificates: [{ rawBytes: leaf.der.toString('base64') }, { rawBytes: notCa.der.toString('base64') }] } },
      dsseEnvelope: signDsse('text/plain', 'x', createKeySigner(leaf.privateKey)),
    };
    const r = verifySigstoreBundle(bundle, { keys: [], certificateAuthorities: parseCertificateBundle(root.pem, 'ca') });
    // OpenSSL's issuer check already refuses an issuer without keyCertSign; either way it fails.
    expect(r.verified).toBe(false);
    expect(r.reasons[0]).toMatch(/does not chain to a trusted CA|is not a CA/);
  });

  it('verifies message signatures from the digest and needs the digest', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const digest = createHash('sha256').update('blob').digest('hex');
    const bundle = {
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: { publicKey: { hint: '' } },
      messageSignature: { signature: sign('sha256', Buffer.from('blob'), privateKey).toString('base64') },
    };
    const trust = { keys: [trustedKey(publicKey)], certificateAuthorities: [] };
    expect(verifySigstoreBundle(bundle, trust, { artifactSha256: digest }).verified).toBe(true);
    expect(verifySigstoreBundle(bundle, trust).reasons).toEqual(['a message-signature bundle needs the artifact digest to verify against']);
  });
});

import { createHash, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeCa, makeLeaf } from '../../test/fixtures/signatures/pki.js';
import { issueAttestation, SLSA_PROVENANCE_V1, verifyAttestation } from './intoto.js';
import { createKeySigner, keyIdOf } from './keys.js';
import { verifyModelSignature } from './model-signing.js';
import { signDsse } from './dsse.js';
import { verifySigstoreBundle } from './sigstore-bundle.js';
import { compileTrustPolicy, evaluateTrust, globMatch } from './trust-policy.js';
import type { VerificationResult } from './types.js';

const ROOT = fileURLToPath(new URL('../../test/fixtures/signatures/model-transparency/', import.meta.url));
const upstreamPub = readFileSync(join(ROOT, 'keys/signing-key-pub.pem'), 'utf8');
const upstreamCa = readFileSync(join(ROOT, 'keys/ca-cert.pem'), 'utf8');

const provenance = (builder: string) => ({
  buildDefinition: { buildType: 'https://example.com/build/v1', externalParameters: { repo: 'acme/models' } },
  runDetails: { builder: { id: builder } },
});

// Evaluating an attestation as a VerificationResult: the shape every verifier returns.
function asResult(r: ReturnType<typeof verifyAttestation>, keyId: string): VerificationResult {
  return { format: 'in-toto', verified: r.verified, signer: r.verified ? { kind: 'key', keyId, identity: keyId } : null, tlog: 'absent', ...(r.statement ? { statement: r.statement } : {}), reasons: r.reasons };
}

describe('compileTrustPolicy', () => {
  it('computes key ids and checks a pinned key id', () => {
    const c = compileTrustPolicy({ zone: 'hipaa-ai', keys: [{ name: 'upstream', pem: upstreamPub, keyId: 'c1e49d63327f85c7e2971aefd30b5a0d1c6b9b5e1a892e7f5fba995adace816d' }] });
    expect(c.material.keys[0]).toMatchObject({ name: 'upstream', keyId: 'c1e49d63327f85c7e2971aefd30b5a0d1c6b9b5e1a892e7f5fba995adace816d' });
    expect(() => compileTrustPolicy({ zone: 'z', keys: [{ name: 'k', pem: upstreamPub, keyId: '0'.repeat(64) }] })).toThrow(/trustPolicy.keys.0.keyId does not match the key/);
  });

  it('names the field of a malformed policy', () => {
    expect(() => compileTrustPolicy({ zone: 'z', keys: [{ name: 'k', pem: 'garbage' }] })).toThrow(/trustPolicy.keys.0.pem is not a PEM or DER public key/);
    expect(() => compileTrustPolicy({ zone: 'z', certificateIdentities: [{ name: 'ca', caBundle: 'x', sanEmails: ['a@b'] }] })).toThrow(/caBundle holds no PEM certificate/);
    expect(() => compileTrustPolicy({ zone: 'z', certificateIdentities: [{ name: 'ca', caBundle: upstreamCa }] })).toThrow(/name at least one allowed identity/);
    expect(() => compileTrustPolicy({ keys: [] })).toThrow(/trustPolicy.zone/);
  });
});

describe('evaluateTrust', () => {
  it('trusts the upstream key-signed model for a zone that allows that key, and not for another zone', async () => {
    const allowed = compileTrustPolicy({ zone: 'hipaa-ai', keys: [{ name: 'upstream', pem: upstreamPub }] });
    const r = await verifyModelSignature(readFileSync(join(ROOT, 'v1.1.0-elliptic-key/model.sig')), join(ROOT, 'v1.1.0-elliptic-key'), allowed.material);
    expect(evaluateTrust(r, allowed)).toEqual({ trusted: true, signer: { identity: 'upstream (c1e49d63327f85c7e2971aefd30b5a0d1c6b9b5e1a892e7f5fba995adace816d)', keyId: 'c1e49d63327f85c7e2971aefd30b5a0d1c6b9b5e1a892e7f5fba995adace816d' }, reasons: [] });
    const other = compileTrustPolicy({ zone: 'pci-ai', keys: [{ name: 'k', pem: generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }) as string }] });
    expect(evaluateTrust(r, other).reasons).toEqual([`signature: key c1e49d63327f85c7e2971aefd30b5a0d1c6b9b5e1a892e7f5fba995adace816d is not allowed in zone pci-ai`]);
  });

  it('trusts the upstream certificate-signed model by CA and subject; other subjects are refused', async () => {
    const policy = compileTrustPolicy({ zone: 'z', certificateIdentities: [{ name: 'upstream-ca', caBundle: upstreamCa, subjects: ['CN=intermediate-ca'] }] });
    const r = await verifyModelSignature(readFileSync(join(ROOT, 'v1.1.0-certificate/model.sig')), join(ROOT, 'v1.1.0-certificate'), policy.material, { ignorePaths: ['ignore-me', 'model.sig'] });
    expect(evaluateTrust(r, policy)).toMatchObject({ trusted: true, signer: { identity: 'CN=intermediate-ca' } });
    const strict = compileTrustPolicy({ zone: 'z', certificateIdentities: [{ name: 'upstream-ca', caBundle: upstreamCa, sanEmails: ['*@acme.com'] }] });
    expect(evaluateTrust(r, strict).trusted).toBe(false);
  });

  it('matches SAN patterns and the OIDC issuer, and binds the identity to its own CA', async () => {
    const rootA = await makeCa('ca-a');
    const rootB = await makeCa('ca-b');
    const policy = compileTrustPolicy({
      zone: 'z',
      certificateIdentities: [
        { name: 'fulcio', caBundle: rootA.pem, sanEmails: ['*@acme.com'], oidcIssuer: 'https://accounts.google.com' },
        { name: 'ci', caBundle: rootB.pem, sanUris: ['https://github.com/acme/*'] },
      ],
    });
    const check = async (root: typeof rootA, o: Parameters<typeof makeLeaf>[1]) => {
      const leaf = await makeLeaf(root, o);
      const bundle = {
        mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
        verificationMaterial: { certificate: { rawBytes: leaf.der.toString('base64') } },
        dsseEnvelope: signDsse('text/plain', 'x', createKeySigner(leaf.privateKey)),
      };
      return evaluateTrust(verifySigstoreBundle(bundle, policy.material), policy);
    };
    expect((await check(rootA, { email: 'dev@acme.com', oidcIssuer: 'https://accounts.google.com' })).trusted).toBe(true);
    expect((await check(rootA, { email: 'dev@acme.com', oidcIssuer: 'https://evil.example' })).reasons[0]).toMatch(/identity "dev@acme.com" \(issuer https:\/\/evil.example\) is not allowed/);
    expect((await check(rootA, { email: 'dev@acme.com.evil.io', oidcIssuer: 'https://accounts.google.com' })).trusted).toBe(false);
    // The right identity from the wrong CA is refused: each identity is bound to its CA bundle.
    expect((await check(rootB, { email: 'dev@acme.com', oidcIssuer: 'https://accounts.google.com' })).trusted).toBe(false);
    expect((await check(rootB, { uri: 'https://github.com/acme/models/.github/workflows/release.yml@refs/heads/main' })).trusted).toBe(true);
  });

  it('requires attestations by predicate type and SLSA builder id', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const signer = createKeySigner(privateKey);
    const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const policy = compileTrustPolicy({
      zone: 'z',
      keys: [{ name: 'ci', pem }],
      requiredAttestations: [{ predicateType: SLSA_PROVENANCE_V1, builderIds: ['https://github.com/actions/runner/github-hosted'] }],
    });
    const digest = createHash('sha256').update('m').digest('hex');
    const attest = (builder: string) =>
      asResult(verifyAttestation(issueAttestation({ subject: [{ name: 'm', digest: { sha256: digest } }], predicateType: SLSA_PROVENANCE_V1, predicate: provenance(builder) }, signer), policy.material.keys, { expectedSha256: digest }), keyIdOf(publicKey));
    const sig: VerificationResult = { format: 'cosign-signature', verified: true, signer: { kind: 'key', keyId: keyIdOf(publicKey), identity: 'ci' }, tlog: 'absent', reasons: [] };
    expect(evaluateTrust(sig, policy).reasons).toEqual([`zone z requires a trusted ${SLSA_PROVENANCE_V1} attestation and none was presented`]);
    expect(evaluateTrust([sig, attest('https://github.com/actions/runner/github-hosted')], policy).trusted).toBe(true);
    expect(evaluateTrust([sig, attest('https://evil.example/builder')], policy).reasons).toEqual([`provenance builder "https://evil.example/builder" is not one the zone z allows`]);
  });

  it('never trusts an unverified result or an empty list', () => {
    const policy = compileTrustPolicy({ zone: 'z' });
    expect(evaluateTrust([], policy)).toEqual({ trusted: false, signer: { identity: null, keyId: null }, reasons: ['no signature was presented'] });
    const failed: VerificationResult = { format: 'dsse', verified: false, signer: null, tlog: 'absent', reasons: ['signature 0 does not verify with any trusted key'] };
    expect(evaluateTrust(failed, policy).reasons).toEqual(['signature did not verify: signature 0 does not verify with any trusted key']);
  });
});

describe('globMatch', () => {
  it('anchors patterns and treats only * as special', () => {
    expect(globMatch('*@acme.com', 'a@acme.com')).toBe(true);
    expect(globMatch('*@acme.com', 'a@acme.com.evil')).toBe(false);
    expect(globMatch('https://github.com/acme/*@refs/heads/main', 'https://github.com/acme/m/.github/w.yml@refs/heads/main')).toBe(true);
    expect(globMatch('a.c', 'abc')).toBe(false);
    expect(globMatch('a*b*c', 'abc')).toBe(true);
    expect(globMatch('a*b*c', 'ac')).toBe(false);
    expect(globMatch('ab*ba', 'aba')).toBe(false);
    expect(globMatch('*', '')).toBe(true);
    expect(globMatch('x', 'x')).toBe(true);
  });
});

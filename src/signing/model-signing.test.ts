import { createHash, generateKeyPairSync } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { makeCa } from '../../test/fixtures/signatures/pki.js';
import { AppError } from '../errors.js';
import { signDsse } from './dsse.js';
import { INTOTO_PAYLOAD_TYPE } from './intoto.js';
import { createKeySigner, trustedKey } from './keys.js';
import { verifyModelSignature } from './model-signing.js';
import type { TrustMaterial } from './types.js';
import { parseCertificateBundle } from './x509-chain.js';

const ROOT = fileURLToPath(new URL('../../test/fixtures/signatures/model-transparency/', import.meta.url));
const keyTrust: TrustMaterial = { keys: [trustedKey(readFileSync(join(ROOT, 'keys/signing-key-pub.pem'), 'utf8'), 'upstream-test-key')], certificateAuthorities: [] };
const caTrust: TrustMaterial = { keys: [], certificateAuthorities: parseCertificateBundle(readFileSync(join(ROOT, 'keys/ca-cert.pem'), 'utf8'), 'ca') };
const IGNORE = ['ignore-me', 'model.sig'];
const sigOf = (d: string) => readFileSync(join(ROOT, d, 'model.sig'), 'utf8');

const temps: string[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});
function copyOf(d: string): string {
  const t = mkdtempSync(join(tmpdir(), 'evident-ms-'));
  temps.push(t);
  cpSync(join(ROOT, d), t, { recursive: true });
  return t;
}

describe('verifyModelSignature on the upstream fixtures', () => {
  it.each(['v1.1.0-elliptic-key', 'v1.0.1-elliptic-key'])('%s verifies with the public key', async (d) => {
    const r = await verifyModelSignature(sigOf(d), join(ROOT, d), keyTrust, { ignorePaths: IGNORE });
    expect(r.reasons).toEqual([]);
    expect(r.verified).toBe(true);
    expect(r.signer).toMatchObject({ kind: 'key', keyId: 'c1e49d63327f85c7e2971aefd30b5a0d1c6b9b5e1a892e7f5fba995adace816d' });
    expect(r.tlog).toBe('absent');
    expect(r.files).toEqual({ verified: ['signme-1', 'signme-2'], missing: [], extra: [], changed: [], ignored: ['ignore-me', 'model.sig'] });
  });

  it('v1.0.0-elliptic-key verifies a single-file model (resource ".")', async () => {
    const r = await verifyModelSignature(sigOf('v1.0.0-elliptic-key'), join(ROOT, 'v1.0.0-elliptic-key/signme-1'), keyTrust);
    expect(r.reasons).toEqual([]);
    expect(r.verified).toBe(true);
    expect(r.files?.verified).toEqual(['.']);
  });

  it('v1.1.0-certificate verifies by chaining the bundle certificates to the root CA', async () => {
    const r = await verifyModelSignature(sigOf('v1.1.0-certificate'), join(ROOT, 'v1.1.0-certificate'), caTrust, { ignorePaths: IGNORE });
    expect(r.reasons).toEqual([]);
    expect(r.verified).toBe(true);
    expect(r.signer).toMatchObject({ kind: 'certificate', identity: 'CN=intermediate-ca', sanEmails: [], oidcIssuer: null });
  });

  it('accepts a name -> digest map instead of a directory', async () => {
    const files = new Map([
      ['signme-1', createHash('sha256').update(readFileSync(join(ROOT, 'v1.1.0-elliptic-key/signme-1'))).digest('hex')],
      ['signme-2', '32DCB1F8E1AE52D5963E56A6BA06AB58B424C15ED2A6B70D2FECA1D089370028'],
    ]);
    const r = await verifyModelSignature(sigOf('v1.1.0-elliptic-key'), files, keyTrust);
    expect(r.verified).toBe(true);
  });

  it('honours the signed ignore_paths (v1.1.0 lists ignore-me and model.sig)', async () => {
    const r = await verifyModelSignature(sigOf('v1.1.0-elliptic-key'), join(ROOT, 'v1.1.0-elliptic-key'), keyTrust);
    expect(r.verified).toBe(true);
  });
});

describe('verifyModelSignature failures', () => {
  it('a changed file fails and is named', async () => {
    const t = copyOf('v1.1.0-elliptic-key');
    const b = readFileSync(join(t, 'signme-1'));
    b[0]! ^= 1;
    writeFileSync(join(t, 'signme-1'), b);
    const r = await verifyModelSignature(sigOf('v1.1.0-elliptic-key'), t, keyTrust, { ignorePaths: IGNORE });
    expect(r.verified).toBe(false);
    expect(r.files?.changed).toEqual(['signme-1']);
    expect(r.reasons).toEqual(['file "signme-1" does not match its signed digest']);
  });

  it('an extra file fails: v1.0.1 does not sign ignore-me, so it must be ignored explicitly', async () => {
    const r = await verifyModelSignature(sigOf('v1.0.1-elliptic-key'), join(ROOT, 'v1.0.1-elliptic-key'), keyTrust, { ignorePaths: ['model.sig'] });
    expect(r.verified).toBe(false);
    expect(r.files?.extra).toEqual(['ignore-me']);
    expect(r.reasons).toEqual(['file "ignore-me" is not covered by the signature']);
  });

  it('a missing file fails and is named', async () => {
    const t = copyOf('v1.1.0-elliptic-key');
    rmSync(join(t, 'signme-2'));
    const r = await verifyModelSignature(sigOf('v1.1.0-elliptic-key'), t, keyTrust);
    expect(r.verified).toBe(false);
    expect(r.reasons).toEqual(['signed file "signme-2" is missing from the model']);
  });

  it('a listed file under an ignore path is still checked', async () => {
    const files = new Map([['signme-1', '00'.repeat(32)], ['signme-2', '32dcb1f8e1ae52d5963e56a6ba06ab58b424c15ed2a6b70d2feca1d089370028']]);
    const r = await verifyModelSignature(sigOf('v1.1.0-elliptic-key'), files, keyTrust, { ignorePaths: ['signme-1'] });
    expect(r.files?.changed).toEqual(['signme-1']);
  });

  it('a tampered signature fails', async () => {
    const bundle = JSON.parse(sigOf('v1.1.0-elliptic-key'));
    const sig = Buffer.from(bundle.dsseEnvelope.signatures[0].sig, 'base64');
    sig[20]! ^= 1;
    bundle.dsseEnvelope.signatures[0].sig = sig.toString('base64');
    const r = await verifyModelSignature(bundle, join(ROOT, 'v1.1.0-elliptic-key'), keyTrust);
    expect(r).toMatchObject({ verified: false, signer: null, files: null });
    expect(r.reasons[0]).toMatch(/does not verify with any trusted key/);
  });

  it('a tampered payload (a file digest swapped in the manifest) fails the signature', async () => {
    const bundle = JSON.parse(sigOf('v1.1.0-elliptic-key'));
    const stmt = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString());
    stmt.predicate.resources[0].digest = 'ff'.repeat(32);
    bundle.dsseEnvelope.payload = Buffer.from(JSON.stringify(stmt)).toString('base64');
    const r = await verifyModelSignature(bundle, join(ROOT, 'v1.1.0-elliptic-key'), keyTrust);
    expect(r.verified).toBe(false);
  });

  it('a wrong key fails', async () => {
    const other: TrustMaterial = { keys: [trustedKey(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey)], certificateAuthorities: [] };
    const r = await verifyModelSignature(sigOf('v1.1.0-elliptic-key'), join(ROOT, 'v1.1.0-elliptic-key'), other);
    expect(r.verified).toBe(false);
    expect(r.reasons[0]).toMatch(/does not verify with any trusted key/);
  });

  it('the v1.0.1 embedded public key is not trusted: with no trusted keys the bundle fails', async () => {
    const r = await verifyModelSignature(sigOf('v1.0.1-elliptic-key'), join(ROOT, 'v1.0.1-elliptic-key'), { keys: [], certificateAuthorities: [] }, { ignorePaths: IGNORE });
    expect(r.verified).toBe(false);
    expect(r.reasons).toContain('the bundle is key-signed and no trusted keys were supplied');
  });

  it('a certificate not chaining to the trusted CA fails', async () => {
    const stranger = await makeCa('some-other-root');
    const r = await verifyModelSignature(sigOf('v1.1.0-certificate'), join(ROOT, 'v1.1.0-certificate'), { keys: [], certificateAuthorities: parseCertificateBundle(stranger.pem, 'ca') }, { ignorePaths: IGNORE });
    expect(r.verified).toBe(false);
    expect(r.reasons[0]).toMatch(/does not chain to a trusted CA/);
  });

  it('a certificate bundle verified after the certificates expired fails', async () => {
    const r = await verifyModelSignature(sigOf('v1.1.0-certificate'), join(ROOT, 'v1.1.0-certificate'), { ...caTrust, at: new Date('2036-01-01T00:00:00Z') }, { ignorePaths: IGNORE });
    expect(r.verified).toBe(false);
    expect(r.reasons[0]).toMatch(/is not valid at 2036-01-01/);
  });

  it('a signed statement whose subject does not bind the manifest fails', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const stmt = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'm', digest: { sha256: '00'.repeat(32) } }],
      predicateType: 'https://model_signing/signature/v1.0',
      predicate: { serialization: { method: 'files', hash_type: 'sha256', allow_symlinks: false }, resources: [{ name: 'a', algorithm: 'sha256', digest: '11'.repeat(32) }] },
    };
    const bundle = {
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: { publicKey: { hint: '' }, tlogEntries: [] },
      dsseEnvelope: signDsse(INTOTO_PAYLOAD_TYPE, JSON.stringify(stmt), createKeySigner(privateKey)),
    };
    const r = await verifyModelSignature(bundle, new Map([['a', '11'.repeat(32)]]), { keys: [trustedKey(publicKey)], certificateAuthorities: [] });
    expect(r.verified).toBe(false);
    expect(r.reasons).toEqual(['the statement subject digest does not match the listed file digests']);
  });

  it('refuses a manifest with path traversal, duplicates or shards', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const trust = { keys: [trustedKey(publicKey)], certificateAuthorities: [] };
    const make = (resources: { name: string; algorithm: string; digest: string }[], method = 'files') => {
      const h = createHash('sha256');
      for (const r of resources) h.update(Buffer.from(r.digest, 'hex'));
      const stmt = {
        _type: 'https://in-toto.io/Statement/v1',
        subject: [{ name: 'm', digest: { sha256: h.digest('hex') } }],
        predicateType: 'https://model_signing/signature/v1.0',
        predicate: { serialization: { method, hash_type: 'sha256' }, resources },
      };
      return { mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json', verificationMaterial: { publicKey: { hint: '' } }, dsseEnvelope: signDsse(INTOTO_PAYLOAD_TYPE, JSON.stringify(stmt), createKeySigner(privateKey)) };
    };
    const d = '22'.repeat(32);
    const cases: [ReturnType<typeof make>, RegExp][] = [
      [make([{ name: '../etc/passwd', algorithm: 'sha256', digest: d }]), /not a relative path/],
      [make([{ name: 'a', algorithm: 'sha256', digest: d }, { name: 'a', algorithm: 'sha256', digest: d }]), /listed twice/],
      [make([{ name: 'a:0:8', algorithm: 'sha256-sharded-8', digest: d }], 'shards'), /method "shards" is not supported/],
    ];
    for (const [bundle, reason] of cases) {
      const r = await verifyModelSignature(bundle, new Map(), trust);
      expect(r.verified).toBe(false);
      expect(r.reasons[0]).toMatch(reason);
    }
  });

  it('refuses symlinks when the signature does not allow them', async () => {
    const t = copyOf('v1.1.0-elliptic-key');
    symlinkSync(join(t, 'signme-1'), join(t, 'link'));
    const r = await verifyModelSignature(sigOf('v1.1.0-elliptic-key'), t, keyTrust);
    expect(r.verified).toBe(false);
    expect(r.reasons).toContain('"link" is a symbolic link and the signature does not allow symlinks');
  });

  it('throws VALIDATION_FAILED for bad file maps, a missing directory and a malformed bundle', async () => {
    await expect(verifyModelSignature(sigOf('v1.1.0-elliptic-key'), new Map([['../x', '00'.repeat(32)]]), keyTrust)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(verifyModelSignature(sigOf('v1.1.0-elliptic-key'), new Map([['x', 'zz']]), keyTrust)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(verifyModelSignature(sigOf('v1.1.0-elliptic-key'), join(ROOT, 'nope'), keyTrust)).rejects.toBeInstanceOf(AppError);
    await expect(verifyModelSignature('{"mediaType": 1}', new Map(), keyTrust)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

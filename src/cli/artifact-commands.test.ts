import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestApp, type TestApp } from '../../test/helpers/app.js';
import { tempDir } from '../../test/helpers/db.js';
import { cli } from '../../test/helpers/cli.js';

const FIXTURES = new URL('../../test/fixtures/model-files/picklescan/data/', import.meta.url).pathname;
const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });

describe('evident artifact against a running server', () => {
  let app: TestApp;
  let dir: string;
  let env: (token: string) => NodeJS.ProcessEnv;
  let dev: { token: string };
  let approver: { token: string };
  let ops: { token: string };

  beforeAll(async () => {
    dir = tempDir();
    writeFileSync(join(dir, 'release.pub'), key.publicKey.export({ type: 'spki', format: 'pem' }));
    app = await createTestApp('sqlite', { registry: { trustedKeys: [{ id: 'release', file: join(dir, 'release.pub') }] } });
    env = (token) => ({ EVIDENT_URL: app.url, EVIDENT_TOKEN: token });
    dev = await app.person('dev', ['developer']);
    approver = await app.person('risk', ['approver']);
    ops = await app.person('ops', ['operator']);
  });
  afterAll(async () => app?.close());

  it('pushes with progress, checks the signature locally first, and takes the model through approval and promotion', async () => {
    const model = join(FIXTURES, 'new_pytorch_model.bin');
    const sig = join(dir, 'model.sig');
    writeFileSync(sig, sign('sha256', readFileSync(model), key.privateKey).toString('base64'));
    const wrongKey = join(dir, 'other.pub');
    writeFileSync(wrongKey, other.publicKey.export({ type: 'spki', format: 'pem' }));

    const refused = await cli(['artifact', 'push', model, '--kind', 'model', '--name', 'models/cli', '--signature', sig, '--key', wrongKey], env(dev.token));
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/does not verify/u);
    expect((await app.request('GET', '/api/v1/artifacts?name=models/cli')).body.artifacts).toEqual([]);

    const expires = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const push = await cli(
      ['artifact', 'push', model, '--kind', 'model', '--name', 'models/cli', '--license', 'Apache-2.0', '--env', 'pci-ai', '--expires-at', expires, '--signature', sig, '--key', join(dir, 'release.pub'), '--json'],
      env(dev.token),
    );
    expect(push.err).toMatch(/new_pytorch_model\.bin: 100%/u);
    expect(push.code).toBe(0);
    const a = JSON.parse(push.out);
    expect(a).toMatchObject({ state: 'verified', signature: { verified: true, signer: { identity: 'release' } }, scan: { verdict: 'safe' } });

    const pending = await cli(['artifact', 'list', '--pending'], env(approver.token));
    expect(pending.out).toContain(a.id);
    const self = await cli(['artifact', 'approve', a.id], env(dev.token));
    expect(self.code).toBe(4); // the developer has no approver role
    const approved = await cli(['artifact', 'approve', a.id, '--note', 'MRM-7', '--revision', String(a.revision)], env(approver.token));
    expect(approved.code).toBe(0);
    expect(approved.out).toMatch(/state approved/u);
    const wrongZone = await cli(['artifact', 'promote', a.id, '--env', 'hipaa-ai'], env(ops.token));
    expect(wrongZone.code).toBe(6);
    expect(wrongZone.err).toMatch(/permitted in pci-ai/u);
    const promoted = await cli(['artifact', 'promote', a.id, '--env', 'pci-ai'], env(ops.token));
    expect(promoted.code).toBe(0);
    expect((await cli(['artifact', 'show', a.id], env(ops.token))).out).toMatch(/promoted to pci-ai/u);
  });

  it('exits 3 when the pushed content is quarantined, and says what is wrong without a token or a server', async () => {
    const evil = await cli(['artifact', 'push', join(FIXTURES, 'malicious1_v4.pkl'), '--kind', 'model', '--name', 'models/evil'], env(dev.token));
    expect(evil.code).toBe(3);
    expect(evil.out).toMatch(/state quarantined/u);
    expect(evil.out).toMatch(/dangerous \[pickle-dangerous-global\]/u);
    const noToken = await cli(['artifact', 'list'], { EVIDENT_URL: app.url });
    expect(noToken.code).toBe(4);
    expect(noToken.err).toMatch(/EVIDENT_TOKEN/u);
    const noServer = await cli(['artifact', 'list'], { EVIDENT_URL: 'http://127.0.0.1:1', EVIDENT_TOKEN: 'evd_x' });
    expect(noServer.code).toBe(7);
    expect(noServer.err).toMatch(/cannot reach/u);
  });
});

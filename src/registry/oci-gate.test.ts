// The pull gate and intake on the OCI side, against the ways around them a review found: content
// smuggled in referrers or configs, index children, tags, deletion, re-pushes, races.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestApp, ledgerEvents, type TestApp } from '../../test/helpers/app.js';
import { DIALECTS, tempDir } from '../../test/helpers/db.js';
import { sha256 } from '../../test/helpers/oci-layout.js';

const EVIL = readFileSync(new URL('../../test/fixtures/model-files/picklescan/data/malicious1_v4.pkl', import.meta.url));
const IN_90_DAYS = new Date(Date.now() + 90 * 86_400_000).toISOString();
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const EMPTY = Buffer.from('{}');

describe.each(DIALECTS)('OCI pull gate on %s', (dialect) => {
  let app: TestApp;
  let dev: { id: string; token: string };
  let approver: { id: string; token: string };
  let ops: { id: string; token: string };
  let svc: { id: string; token: string };

  const v2 = (method: string, path: string, token: string, body?: Buffer, type = 'application/octet-stream') =>
    fetch(`${app.url}/v2/${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': type } : {}) }, ...(body ? { body } : {}) });
  const blob = async (repo: string, b: Buffer) => expect((await v2('POST', `${repo}/blobs/uploads/?digest=${sha256(b)}`, dev.token, b)).status).toBe(201);
  const manifest = (config: Buffer, layers: Buffer[], extra: Record<string, unknown> = {}, configType = 'application/vnd.oci.empty.v1+json') =>
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MANIFEST,
        config: { mediaType: configType, digest: sha256(config), size: config.length },
        layers: layers.map((l) => ({ mediaType: 'application/vnd.cncf.model.weight.v1.raw', digest: sha256(l), size: l.length })),
        annotations: { 'dev.evident.environments': 'pci-ai', 'dev.evident.expires-at': IN_90_DAYS, 'org.opencontainers.image.licenses': 'MIT' },
        ...extra,
      }),
    );
  const push = (repo: string, ref: string, m: Buffer, type = MANIFEST) => v2('PUT', `${repo}/manifests/${ref}`, dev.token, m, type);
  const artifact = async (repo: string, digest: string) => (await app.request('GET', `/api/v1/artifacts?name=${repo}`)).body.artifacts.find((a: { digest: string }) => a.digest === digest);
  async function approveAndPromote(repo: string, digest: string, content: Buffer) {
    const a = await artifact(repo, digest);
    await app.request('POST', `/api/v1/artifacts/${a.id}/signatures`, { token: dev.token, body: { format: 'cosign', signature: sign('sha256', content, key.privateKey).toString('base64') } });
    expect((await app.request('POST', `/api/v1/artifacts/${a.id}/approvals`, { token: approver.token, body: {} })).status).toBe(200);
    const p = await app.request('POST', `/api/v1/artifacts/${a.id}/promotions`, { token: ops.token, body: { zone: 'pci-ai' } });
    expect(p.status, p.text).toBe(200);
    return a.id as string;
  }

  beforeAll(async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'release.pub'), key.publicKey.export({ type: 'spki', format: 'pem' }));
    app = await createTestApp(dialect, { registry: { trustedKeys: [{ id: 'release', file: join(dir, 'release.pub') }] } });
    dev = await app.person('dev', ['developer']);
    approver = await app.person('risk', ['approver']);
    ops = await app.person('ops', ['operator']);
    svc = await app.person('fraud-svc', ['workload'], { zones: ['pci-ai'] });
  });
  afterAll(async () => app?.close());

  it('refuses a referrer carrying unsafe content, even with a quarantined blob mounted from elsewhere', async () => {
    await blob('scratch/evil', EMPTY);
    await blob('scratch/evil', EVIL);
    const quarantined = manifest(EMPTY, [EVIL]);
    expect((await push('scratch/evil', 'v1', quarantined)).status).toBe(201);
    expect((await artifact('scratch/evil', sha256(quarantined))).state).toBe('quarantined');

    const good = randomBytes(256);
    await blob('models/fraud', EMPTY);
    await blob('models/fraud', good);
    const subject = manifest(EMPTY, [good]);
    await push('models/fraud', 'v1', subject);
    await approveAndPromote('models/fraud', sha256(subject), subject);

    expect((await v2('POST', `models/fraud/blobs/uploads/?mount=${sha256(EVIL)}&from=scratch/evil`, dev.token)).status).toBe(201);
    const smuggler = manifest(EMPTY, [EVIL], { artifactType: 'application/vnd.example.sig', subject: { mediaType: MANIFEST, digest: sha256(subject), size: subject.length } });
    const refused = await push('models/fraud', sha256(smuggler), smuggler);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as any).errors[0]).toMatchObject({ code: 'DENIED', message: expect.stringContaining('dangerous') });
    expect((await v2('GET', `models/fraud/referrers/${sha256(subject)}`, svc.token).then((r) => r.json()) as any).manifests).toEqual([]);
    expect((await v2('GET', `models/fraud/blobs/${sha256(EVIL)}`, svc.token)).status).toBe(403);
    expect((await v2('GET', `models/fraud/blobs/${sha256(good)}`, svc.token)).status).toBe(200);
  });

  it('scans the config blob too', async () => {
    await blob('scratch/config', EVIL);
    await blob('scratch/config', EMPTY);
    const m = manifest(EVIL, [EMPTY], {}, 'application/x-pickle');
    expect((await push('scratch/config', 'v1', m)).status).toBe(201);
    expect(await artifact('scratch/config', sha256(m))).toMatchObject({ state: 'quarantined', scan: { verdict: 'dangerous' } });
  });

  it('lets the workload pull the children of a promoted index, and nothing when the index is not promoted', async () => {
    const amd = randomBytes(128);
    const arm = randomBytes(128);
    await blob('images/multi', EMPTY);
    await blob('images/multi', amd);
    await blob('images/multi', arm);
    const m1 = manifest(EMPTY, [amd]);
    const m2 = manifest(EMPTY, [arm]);
    await push('images/multi', sha256(m1), m1);
    await push('images/multi', sha256(m2), m2);
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [m1, m2].map((m, i) => ({ mediaType: MANIFEST, digest: sha256(m), size: m.length, platform: { os: 'linux', architecture: i ? 'arm64' : 'amd64' } })),
        annotations: { 'dev.evident.environments': 'pci-ai', 'dev.evident.expires-at': IN_90_DAYS, 'org.opencontainers.image.licenses': 'MIT' },
      }),
    );
    expect((await push('images/multi', 'v1', index, 'application/vnd.oci.image.index.v1+json')).status).toBe(201);
    expect((await artifact('images/multi', sha256(index))).scan.verdict).toBe('safe');
    expect((await v2('GET', `images/multi/manifests/${sha256(m2)}`, svc.token)).status).toBe(403);
    await approveAndPromote('images/multi', sha256(index), index);
    expect((await v2('GET', 'images/multi/manifests/v1', svc.token)).status).toBe(200);
    expect((await v2('GET', `images/multi/manifests/${sha256(m2)}`, svc.token)).status).toBe(200);
    const b = await v2('GET', `images/multi/blobs/${sha256(arm)}`, svc.token);
    expect(Buffer.from(await b.arrayBuffer()).equals(arm)).toBe(true);
  });

  it('refuses intake annotations it cannot take with MANIFEST_INVALID, storing nothing', async () => {
    await blob('scratch/bad', EMPTY);
    const m = manifest(EMPTY, [EMPTY], { annotations: { 'dev.evident.environments': 'PCI_AI' } });
    const r = await push('scratch/bad', 'bad', m);
    expect(r.status).toBe(400);
    expect(((await r.json()) as any).errors[0]).toMatchObject({ code: 'MANIFEST_INVALID', message: expect.stringContaining('environments') });
    expect((await v2('HEAD', 'scratch/bad/manifests/bad', dev.token)).status).toBe(404);
    expect((await ledgerEvents(app, 'artifact.refused')).at(-1)).toMatchObject({ body: { operation: 'oci.manifest', code: 'MANIFEST_INVALID' } });
  });

  it('takes the same manifest under a second tag, and records refused deletions and tag moves', async () => {
    const layer = randomBytes(64);
    await blob('models/tagged', EMPTY);
    await blob('models/tagged', layer);
    const m = manifest(EMPTY, [layer]);
    expect((await push('models/tagged', 'v1', m)).status).toBe(201);
    expect((await push('models/tagged', 'latest', m)).status).toBe(201);
    const before = (await ledgerEvents(app, 'artifact.refused')).length;
    expect((await v2('DELETE', `models/tagged/manifests/${sha256(m)}`, dev.token)).status).toBe(405);
    expect((await ledgerEvents(app, 'artifact.refused')).length).toBe(before + 1);
    await approveAndPromote('models/tagged', sha256(m), m);
    const other = manifest(EMPTY, [EMPTY]);
    const moved = await push('models/tagged', 'v1', other);
    expect(moved.status).toBe(403);
    expect((await ledgerEvents(app, 'auth.denied')).at(-1)).toMatchObject({ body: { operation: 'registry.oci.manifest', code: 'FORBIDDEN' } });
  });

  it('lists tags only to pushers and to callers who may pull from the repository; unknown names are NAME_UNKNOWN', async () => {
    const other = await app.person('chat-svc', ['workload'], { zones: ['standard-ai'] });
    expect((await v2('GET', 'models/tagged/tags/list', svc.token)).status).toBe(200);
    expect((await v2('GET', 'models/tagged/tags/list', other.token)).status).toBe(403);
    expect(((await (await v2('GET', 'nothing/here/tags/list', dev.token)).json()) as any).errors[0].code).toBe('NAME_UNKNOWN');
    // A workload asking for a manifest that does not exist is refused and recorded like any pull.
    const before = (await ledgerEvents(app, 'artifact.pulled')).length;
    expect((await v2('GET', 'models/tagged/manifests/nope', svc.token)).status).toBe(403);
    expect((await ledgerEvents(app, 'artifact.pulled')).length).toBe(before + 1);
  });
});

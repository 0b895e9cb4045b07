import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestApp, ledgerEvents, type TestApp } from '../../test/helpers/app.js';
import { DIALECTS, tempDir } from '../../test/helpers/db.js';
import { readLayoutBlob, sha256, skopeo, writeLayout } from '../../test/helpers/oci-layout.js';

const FIXTURES = new URL('../../test/fixtures/model-files/picklescan/data/', import.meta.url).pathname;
const MODEL = readFileSync(join(FIXTURES, 'new_pytorch_model.bin'));
const EVIL = readFileSync(join(FIXTURES, 'malicious1_v4.pkl'));

function hasSkopeo(): boolean {
  try {
    execFileSync('skopeo', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
// CI installs skopeo and insists (EVIDENT_REQUIRE_SKOPEO=1); a laptop without it skips these.
const SKOPEO = hasSkopeo() || process.env.EVIDENT_REQUIRE_SKOPEO === '1';

// pci-ai asks for a review date within 365 days and restricts licences (examples/policy/zones.yaml).
const IN_90_DAYS = new Date(Date.now() + 90 * 86_400_000).toISOString();
const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const modelConfig = Buffer.from(JSON.stringify({ descriptor: { name: 'fraud-scorer', version: '3.1.0', licenses: ['Apache-2.0'] }, config: { format: 'pytorch' }, modelfs: { type: 'layers', diffIds: [sha256(MODEL)] } }));

describe.each(DIALECTS)('OCI distribution API on %s', (dialect) => {
  let app: TestApp;
  let dev: { id: string; token: string };
  let approver: { id: string; token: string };
  let operator: { id: string; token: string };
  let fraudSvc: { id: string; token: string };
  let chatSvc: { id: string; token: string };
  let host: string;

  const v2 = (method: string, path: string, token: string | null, init: { body?: Buffer | string; headers?: Record<string, string> } = {}) =>
    fetch(`${app.url}/v2/${path}`, { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers ?? {}) }, ...(init.body !== undefined ? { body: init.body } : {}) });
  const artifactOf = async (name: string, digest: string) => (await app.request('GET', `/api/v1/artifacts?name=${name}`)).body.artifacts.find((a: { digest: string }) => a.digest === digest);

  beforeAll(async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'release.pub'), key.publicKey.export({ type: 'spki', format: 'pem' }));
    app = await createTestApp(dialect, { registry: { trustedKeys: [{ id: 'release', file: join(dir, 'release.pub') }] } });
    host = app.url.replace(/^http:\/\//u, '');
    dev = await app.person('ml-dev', ['developer']);
    approver = await app.person('model-risk', ['approver']);
    operator = await app.person('release-ops', ['operator']);
    fraudSvc = await app.person('fraud-svc', ['workload'], { zones: ['pci-ai'] });
    chatSvc = await app.person('chat-svc', ['workload'], { zones: ['standard-ai'] });
  });
  afterAll(async () => app?.close());

  async function approveAndPromote(name: string, digest: string, zone = 'pci-ai') {
    const a = await artifactOf(name, digest);
    expect(a).toBeDefined();
    const sig = sign('sha256', readManifest(name, digest), key.privateKey).toString('base64');
    const s = await app.request('POST', `/api/v1/artifacts/${a.id}/signatures`, { token: dev.token, body: { format: 'cosign', signature: sig } });
    expect(s.body.state).toBe('verified');
    expect((await app.request('POST', `/api/v1/artifacts/${a.id}/approvals`, { token: approver.token, body: {} })).status).toBe(200);
    expect((await app.request('POST', `/api/v1/artifacts/${a.id}/promotions`, { token: operator.token, body: { zone } })).status).toBe(200);
  }
  const manifests = new Map<string, Buffer>();
  const readManifest = (name: string, digest: string) => manifests.get(`${name}@${digest}`)!;

  describe.skipIf(!SKOPEO)('with skopeo', () => {
    it('pushes a model artifact into intake, refuses to pull it until approved and promoted, then pulls it byte for byte', async () => {
      const src = tempDir();
      const { manifest, digest } = writeLayout(src, 'v3.1.0', {
        artifactType: 'application/vnd.cncf.model.manifest.v1+json',
        config: { mediaType: 'application/vnd.cncf.model.config.v1+json', bytes: modelConfig },
        layers: [{ mediaType: 'application/vnd.cncf.model.weight.v1.raw', bytes: MODEL, annotations: { 'org.opencontainers.image.title': 'pytorch_model.bin' } }],
        annotations: { 'org.opencontainers.image.licenses': 'Apache-2.0', 'dev.evident.environments': 'pci-ai', 'dev.evident.expires-at': IN_90_DAYS },
      });
      manifests.set(`models/fraud-scorer@${digest}`, manifest);
      const push = await skopeo(['copy', '--dest-tls-verify=false', '--dest-creds', `evident:${dev.token}`, `oci:${src}:v3.1.0`, `docker://${host}/models/fraud-scorer:v3.1.0`]);
      expect(push.stderr).toBe('');
      expect(push.code).toBe(0);
      const a = await artifactOf('models/fraud-scorer', digest);
      expect(a).toMatchObject({ kind: 'model', state: 'scanned', license: 'Apache-2.0', environments: ['pci-ai'], scan: { verdict: 'safe' } });

      const out = tempDir();
      const early = await skopeo(['copy', '--src-tls-verify=false', '--src-creds', `evident:${fraudSvc.token}`, `docker://${host}/models/fraud-scorer:v3.1.0`, `oci:${out}:v3.1.0`]);
      expect(early.code).not.toBe(0);
      expect(early.stderr).toMatch(/denied|not promoted/iu);

      await approveAndPromote('models/fraud-scorer', digest);
      const pulled = await skopeo(['copy', '--src-tls-verify=false', '--src-creds', `evident:${fraudSvc.token}`, `docker://${host}/models/fraud-scorer:v3.1.0`, `oci:${out}:v3.1.0`]);
      expect(pulled.stderr).toBe('');
      expect(pulled.code).toBe(0);
      expect(readLayoutBlob(out, digest).equals(manifest)).toBe(true);
      expect(readLayoutBlob(out, sha256(MODEL)).equals(MODEL)).toBe(true);

      const other = await skopeo(['copy', '--src-tls-verify=false', '--src-creds', `evident:${chatSvc.token}`, `docker://${host}/models/fraud-scorer:v3.1.0`, `oci:${tempDir()}:x`]);
      expect(other.code).not.toBe(0);
      const pulls = (await ledgerEvents(app, 'artifact.pulled')).filter((e) => e.body.name === 'models/fraud-scorer');
      expect(pulls.map((e) => e.outcome)).toEqual(expect.arrayContaining(['denied', 'allowed']));
      expect(pulls.find((e) => e.outcome === 'allowed')).toMatchObject({ actor: { id: fraudSvc.id }, body: { digest, zones: ['pci-ai'] } });
    });

    it('pushes a container image and quarantines a model whose weights are a malicious pickle', async () => {
      const src = tempDir();
      const layer = randomBytes(1 << 20);
      const cfg = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(layer)] }, config: {} }));
      writeLayout(src, '1.0', { config: { mediaType: 'application/vnd.oci.image.config.v1+json', bytes: cfg }, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', bytes: layer }] });
      // skopeo may rewrite an image manifest on the way (it did here); --digestfile says what it pushed.
      const digestFile = join(tempDir(), 'digest');
      const push = await skopeo(['copy', '--dest-tls-verify=false', '--dest-creds', `evident:${dev.token}`, '--digestfile', digestFile, `oci:${src}:1.0`, `docker://${host}/images/scorer-server:1.0`]);
      expect(push.code).toBe(0);
      const pushed = readFileSync(digestFile, 'utf8').trim();
      expect(await artifactOf('images/scorer-server', pushed)).toMatchObject({ kind: 'image', state: 'scanned', size: expect.any(Number) });

      const bad = tempDir();
      const evil = writeLayout(bad, 'v1', {
        artifactType: 'application/vnd.cncf.model.manifest.v1+json',
        config: { mediaType: 'application/vnd.cncf.model.config.v1+json', bytes: modelConfig },
        layers: [{ mediaType: 'application/vnd.cncf.model.weight.v1.raw', bytes: EVIL }],
      });
      expect((await skopeo(['copy', '--dest-tls-verify=false', '--dest-creds', `evident:${dev.token}`, `oci:${bad}:v1`, `docker://${host}/models/trojan:v1`])).code).toBe(0);
      expect(await artifactOf('models/trojan', evil.digest)).toMatchObject({ state: 'quarantined', scan: { verdict: 'dangerous' } });
    });
  });

  it('answers unauthenticated clients with the bearer challenge and hands out the token for Basic credentials', async () => {
    const ping = await v2('GET', '', null);
    expect(ping.status).toBe(401);
    expect(ping.headers.get('www-authenticate')).toMatch(/^Bearer realm="http:\/\/127\.0\.0\.1:\d+\/v2\/token",service="evident"$/u);
    expect(((await ping.json()) as any).errors[0].code).toBe('UNAUTHORIZED');
    const basic = `Basic ${Buffer.from(`anyone:${dev.token}`).toString('base64')}`;
    const t = await fetch(`${app.url}/v2/token?service=evident&scope=repository:models/x:push,pull`, { headers: { authorization: basic } });
    expect(t.status).toBe(200);
    const token = ((await t.json()) as any).token;
    expect((await v2('GET', '', token)).status).toBe(200);
    expect((await fetch(`${app.url}/v2/`, { headers: { authorization: `Basic ${Buffer.from('x:evd_wrong').toString('base64')}` } })).status).toBe(401);
  });

  it('takes chunked uploads in order, refuses a chunk out of order (416) and a wrong digest (DIGEST_INVALID), leaving no blob behind', async () => {
    const data = randomBytes(100_000);
    const start = await v2('POST', 'scratch/chunks/blobs/uploads/', dev.token);
    expect(start.status).toBe(202);
    const loc = start.headers.get('location')!;
    expect(loc).toMatch(/^\/v2\/scratch\/chunks\/blobs\/uploads\/[0-9a-f-]{36}$/u);
    const p1 = await fetch(app.url + loc, { method: 'PATCH', headers: { authorization: `Bearer ${dev.token}`, 'content-type': 'application/octet-stream', 'content-range': '0-49999' }, body: data.subarray(0, 50_000) });
    expect(p1.status).toBe(202);
    expect(p1.headers.get('range')).toBe('0-49999');
    const skip = await fetch(app.url + loc, { method: 'PATCH', headers: { authorization: `Bearer ${dev.token}`, 'content-range': '60000-69999' }, body: data.subarray(60_000, 70_000) });
    expect(skip.status).toBe(416);
    await fetch(app.url + loc, { method: 'PATCH', headers: { authorization: `Bearer ${dev.token}` }, body: data.subarray(50_000) });
    const wrong = await fetch(`${app.url}${loc}?digest=${sha256(Buffer.from('other'))}`, { method: 'PUT', headers: { authorization: `Bearer ${dev.token}` } });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as any).errors[0].code).toBe('DIGEST_INVALID');
    expect((await v2('HEAD', `scratch/chunks/blobs/${sha256(data)}`, dev.token)).status).toBe(404);

    // Again, properly: chunks then PUT with the right digest.
    const again = (await v2('POST', 'scratch/chunks/blobs/uploads/', dev.token)).headers.get('location')!;
    await fetch(app.url + again, { method: 'PATCH', headers: { authorization: `Bearer ${dev.token}` }, body: data.subarray(0, 70_000) });
    const done = await fetch(`${app.url}${again}?digest=${sha256(data)}`, { method: 'PUT', headers: { authorization: `Bearer ${dev.token}` }, body: data.subarray(70_000) });
    expect(done.status).toBe(201);
    expect(done.headers.get('docker-content-digest')).toBe(sha256(data));
    const head = await v2('HEAD', `scratch/chunks/blobs/${sha256(data)}`, dev.token);
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(data.length));
  });

  it('keeps an upload where it was when a client drops mid-chunk, and refuses manifests over 4 MiB', async () => {
    const data = randomBytes(3 << 20);
    const loc = (await v2('POST', 'scratch/dropped/blobs/uploads/', dev.token)).headers.get('location')!;
    await fetch(app.url + loc, { method: 'PATCH', headers: { authorization: `Bearer ${dev.token}` }, body: data.subarray(0, 1 << 20) });
    const ac = new AbortController();
    let sent = 0;
    const dropping = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 1 << 20) {
          ac.abort();
          return;
        }
        controller.enqueue(data.subarray((1 << 20) + sent, (1 << 20) + sent + (64 << 10)));
        sent += 64 << 10;
      },
    });
    await fetch(app.url + loc, { method: 'PATCH', headers: { authorization: `Bearer ${dev.token}` }, body: dropping, duplex: 'half', signal: ac.signal } as RequestInit).catch(() => undefined);
    // The server notices the drop; the session still holds exactly the first chunk.
    let range = '';
    for (let i = 0; i < 50 && range !== '0-1048575'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      range = (await fetch(app.url + loc, { headers: { authorization: `Bearer ${dev.token}` } })).headers.get('range') ?? '';
    }
    expect(range).toBe('0-1048575');
    const done = await fetch(`${app.url}${loc}?digest=${sha256(data)}`, { method: 'PUT', headers: { authorization: `Bearer ${dev.token}` }, body: data.subarray(1 << 20) });
    expect(done.status).toBe(201);

    const huge = Buffer.alloc((4 << 20) + 10, 0x20);
    const r = await v2('PUT', 'scratch/dropped/manifests/huge', dev.token, { body: huge, headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } });
    expect(r.status).toBe(413);
    expect(((await r.json()) as any).errors[0].code).toBe('SIZE_INVALID');
  });

  it('mounts a blob across repositories only when the source repository holds it', async () => {
    const data = randomBytes(1000);
    expect((await v2('POST', `scratch/a/blobs/uploads/?digest=${sha256(data)}`, dev.token, { body: data, headers: { 'content-type': 'application/octet-stream' } })).status).toBe(201);
    const mounted = await v2('POST', `scratch/b/blobs/uploads/?mount=${sha256(data)}&from=scratch/a`, dev.token);
    expect(mounted.status).toBe(201);
    expect((await v2('HEAD', `scratch/b/blobs/${sha256(data)}`, dev.token)).status).toBe(200);
    // From a repository that does not hold it: an ordinary upload session instead.
    const fallback = await v2('POST', `scratch/c/blobs/uploads/?mount=${sha256(data)}&from=scratch/nothing`, dev.token);
    expect(fallback.status).toBe(202);
  });

  it('rejects malformed manifests, manifests naming blobs the repository lacks, bad names and deletions with the spec error codes', async () => {
    const put = (name: string, ref: string, body: string, type = 'application/vnd.oci.image.manifest.v1+json') => v2('PUT', `${name}/manifests/${ref}`, dev.token, { body, headers: { 'content-type': type } });
    const code = async (r: Response) => ((await r.json()) as any).errors[0].code;
    expect(await code(await put('scratch/m', 'v1', '{not json'))).toBe('MANIFEST_INVALID');
    expect(await code(await put('scratch/m', 'v1', JSON.stringify({ schemaVersion: 2, config: {}, layers: [] })))).toBe('MANIFEST_INVALID');
    const missing = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256(Buffer.from('{}')), size: 2 }, layers: [] });
    expect(await code(await put('scratch/m', 'v1', missing))).toBe('MANIFEST_BLOB_UNKNOWN');
    expect(await code(await put('scratch/m', 'bad tag!', missing))).toBe('TAG_INVALID');
    expect(await code(await v2('GET', 'Scratch/UPPER/manifests/latest', dev.token))).toBe('NAME_INVALID');
    const del = await v2('DELETE', `scratch/m/manifests/${sha256(Buffer.from(missing))}`, dev.token);
    expect(del.status).toBe(405);
    expect(await code(del)).toBe('UNSUPPORTED');
    expect(await code(await v2('GET', 'scratch/m/manifests/nope', dev.token))).toBe('MANIFEST_UNKNOWN');
    expect((await v2('PUT', 'scratch/m/manifests/v1', fraudSvc.token, { body: missing })).status).toBe(403);
  });

  it('stores referrers (signatures, SBOMs) against their subject, lists tags, and keeps tags of approved artifacts immutable', async () => {
    const empty = Buffer.from('{}');
    await v2('POST', `scratch/r/blobs/uploads/?digest=${sha256(empty)}`, dev.token, { body: empty, headers: { 'content-type': 'application/octet-stream' } });
    const layer = randomBytes(64);
    await v2('POST', `scratch/r/blobs/uploads/?digest=${sha256(layer)}`, dev.token, { body: layer, headers: { 'content-type': 'application/octet-stream' } });
    const subject = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        artifactType: 'application/vnd.cncf.model.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256(empty), size: 2 },
        layers: [{ mediaType: 'application/vnd.cncf.model.weight.v1.raw', digest: sha256(layer), size: 64 }],
        annotations: { 'dev.evident.environments': 'pci-ai', 'dev.evident.expires-at': IN_90_DAYS, 'org.opencontainers.image.licenses': 'MIT' },
      }),
    );
    const s = await v2('PUT', 'scratch/r/manifests/v1', dev.token, { body: subject, headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } });
    expect(s.status).toBe(201);
    manifests.set(`scratch/r@${sha256(subject)}`, subject);
    const referrer = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        artifactType: 'application/spdx+json',
        config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256(empty), size: 2 },
        layers: [{ mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256(empty), size: 2 }],
        subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256(subject), size: subject.length },
      }),
    );
    const r = await v2('PUT', `scratch/r/manifests/${sha256(referrer)}`, dev.token, { body: referrer, headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } });
    expect(r.status).toBe(201);
    expect(r.headers.get('oci-subject')).toBe(sha256(subject));
    const list = (await (await v2('GET', `scratch/r/referrers/${sha256(subject)}`, dev.token)).json()) as any;
    expect(list.manifests).toEqual([expect.objectContaining({ digest: sha256(referrer), artifactType: 'application/spdx+json' })]);
    // A referrer is not an artifact of its own in intake.
    expect(await artifactOf('scratch/r', sha256(referrer))).toBeUndefined();

    expect(((await (await v2('GET', 'scratch/r/tags/list', dev.token)).json()) as any).tags).toEqual(['v1']);
    await approveAndPromote('scratch/r', sha256(subject));
    const moved = await v2('PUT', 'scratch/r/manifests/v1', dev.token, { body: referrer, headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } });
    expect(moved.status).toBe(403);
    expect(((await moved.json()) as any).errors[0].code).toBe('DENIED');
    // Pull gate: the workload of the zone may pull the subject and its referrers' blobs.
    expect((await v2('GET', 'scratch/r/manifests/v1', fraudSvc.token)).status).toBe(200);
    expect((await v2('GET', `scratch/r/blobs/${sha256(layer)}`, fraudSvc.token)).status).toBe(200);
    expect((await v2('GET', `scratch/r/blobs/${sha256(layer)}`, chatSvc.token)).status).toBe(403);
  });
});

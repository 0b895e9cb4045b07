import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestApp, ledgerEvents, type TestApp } from '../../test/helpers/app.js';
import { DIALECTS, tempDir } from '../../test/helpers/db.js';
import { issueAttestation, verifyAttestation } from '../signing/intoto.js';
import { createKeySigner, trustedKey } from '../signing/keys.js';

const FIXTURES = new URL('../../test/fixtures/model-files/picklescan/', import.meta.url).pathname;
const MODEL = readFileSync(join(FIXTURES, 'data/new_pytorch_model.bin'));
const EVIL = readFileSync(join(FIXTURES, 'data/malicious1_v4.pkl'));
// pci-ai asks for a review within 365 days (examples/policy/zones.yaml).
const IN_90_DAYS = () => new Date(Date.now() + 90 * 86_400_000).toISOString();
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

// A cosign-style key pair: ECDSA P-256, signature = base64 DER over SHA-256 of the content.
const signer = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const cosign = (key: typeof signer, content: Buffer) => sign('sha256', content, key.privateKey).toString('base64');

describe.each(DIALECTS)('registry intake over HTTP on %s', (dialect) => {
  let app: TestApp;
  let dev: { id: string; token: string };
  let approver: { id: string; token: string };
  let approver2: { id: string; token: string };
  let devApprover: { id: string; token: string };
  let operator: { id: string; token: string };
  let fraudSvc: { id: string; token: string };
  let otherSvc: { id: string; token: string };

  const upload = (token: string, content: Buffer, q: Record<string, string>, headers: Record<string, string> = { 'content-type': 'application/octet-stream' }) =>
    fetch(`${app.url}/api/v1/artifacts?${new URLSearchParams(q)}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, ...headers }, body: content }).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as any,
    }));
  const pull = (token: string, id: string) => fetch(`${app.url}/api/v1/artifacts/${id}/content`, { headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'release.pub'), signer.publicKey.export({ type: 'spki', format: 'pem' }));
    app = await createTestApp(dialect, { registry: { trustedKeys: [{ id: 'release', file: join(dir, 'release.pub') }] } });
    dev = await app.person('dev', ['developer']);
    approver = await app.person('risk-1', ['approver']);
    approver2 = await app.person('risk-2', ['approver']);
    devApprover = await app.person('dev-and-risk', ['developer', 'approver']);
    operator = await app.person('ops', ['operator']);
    fraudSvc = await app.person('fraud-svc', ['workload'], { zones: ['pci-ai'] });
    otherSvc = await app.person('chat-svc', ['workload'], { zones: ['standard-ai'] });
  });
  afterAll(async () => app?.close());

  it('takes a model from upload to pull: scanned, signed, approved by someone else, promoted, pulled byte for byte by its zone only', async () => {
    const up = await upload(dev.token, MODEL, { name: 'models/fraud-scorer', kind: 'model', license: 'Apache-2.0', environments: 'pci-ai', expiresAt: IN_90_DAYS(), digest: sha(MODEL) });
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ name: 'models/fraud-scorer', digest: sha(MODEL), size: MODEL.length, state: 'scanned', uploadedBy: dev.id, scan: { verdict: 'safe' } });
    const id = up.body.id as string;

    // Not yet: no signature, and the uploader may never approve.
    const early = await app.request('POST', `/api/v1/artifacts/${id}/approvals`, { token: approver.token, body: {} });
    expect(early.status).toBe(409);
    expect(early.body.error.message).toMatch(/no verified signature/u);
    const forged = await app.request('POST', `/api/v1/artifacts/${id}/signatures`, { token: dev.token, body: { format: 'cosign', signature: cosign(stranger, MODEL) } });
    expect(forged.status).toBe(200);
    expect(forged.body).toMatchObject({ state: 'scanned', signature: { verified: false } });
    const signed = await app.request('POST', `/api/v1/artifacts/${id}/signatures`, { token: dev.token, body: { format: 'cosign', signature: cosign(signer, MODEL) } });
    expect(signed.body).toMatchObject({ state: 'verified', signature: { verified: true, signer: { identity: 'release' } } });

    // Separation of duties: the developer also holding the approver role uploads, then tries to approve.
    const own = await upload(devApprover.token, MODEL, { name: 'models/own-work', kind: 'model', environments: 'pci-ai' });
    await app.request('POST', `/api/v1/artifacts/${own.body.id}/signatures`, { token: devApprover.token, body: { format: 'cosign', signature: cosign(signer, MODEL) } });
    const self = await app.request('POST', `/api/v1/artifacts/${own.body.id}/approvals`, { token: devApprover.token, body: {} });
    expect(self.status).toBe(403);
    expect(self.body.error.code).toBe('SOD_VIOLATION');
    const denied = (await ledgerEvents(app, 'auth.denied')).at(-1);
    expect(denied).toMatchObject({ outcome: 'denied', body: { operation: 'registry.approve', code: 'SOD_VIOLATION', sod: { rule: 'author-cannot-approve', satisfied: false } } });

    const ok = await app.request('POST', `/api/v1/artifacts/${id}/approvals`, { token: approver.token, body: { note: 'model risk review MR-114', revision: signed.body.revision } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ state: 'approved', approvals: [{ principalId: approver.id }] });

    // Before promotion nobody pulls, and a workload running it is refused by policy.
    expect((await pull(fraudSvc.token, id)).status).toBe(403);
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'scorer', namespace: 'payments-ml' },
      spec: { containers: [{ name: 'scorer', image: `registry.evident.internal/models/fraud-scorer@${sha(MODEL)}` }] },
    };
    const placement = () => app.request('POST', '/api/v1/policy/decisions', { body: { zone: 'pci-ai', manifests: [pod] } }).then((r) => r.body);
    const before = await placement();
    expect(before.violations).toContainEqual(expect.objectContaining({ rule: 'image-not-promoted', message: expect.stringMatching(/is approved in the registry, not promoted/u), fix: expect.stringContaining(id) }));
    const wrongZone = await app.request('POST', `/api/v1/artifacts/${id}/promotions`, { token: operator.token, body: { zone: 'standard-ai' } });
    expect(wrongZone.status).toBe(409);
    expect(wrongZone.body.error.message).toMatch(/permitted in pci-ai, not standard-ai/u);
    expect((await app.request('POST', `/api/v1/artifacts/${id}/promotions`, { token: dev.token, body: { zone: 'pci-ai' } })).status).toBe(403);
    const promoted = await app.request('POST', `/api/v1/artifacts/${id}/promotions`, { token: operator.token, body: { zone: 'pci-ai' } });
    expect(promoted.body).toMatchObject({ state: 'promoted', promotedTo: [{ zone: 'pci-ai', by: operator.id }] });

    const after = await placement();
    expect(after.violations.map((v: { rule: string }) => v.rule)).not.toContain('image-not-promoted');
    expect([...after.audit, ...after.violations].map((v: { rule: string }) => v.rule)).not.toContain('image-signature-unverified');
    const got = await pull(fraudSvc.token, id);
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer()).equals(MODEL)).toBe(true);
    const refused = await pull(otherSvc.token, id);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as any).error.message).toMatch(/promoted to pci-ai; the caller belongs to standard-ai/u);

    // The approval and the scan are signed in-toto attestations anyone can check with the public key.
    const key = await (await fetch(`${app.url}/api/v1/registry/attestation-key`)).text();
    expect(promoted.body.attestations.map((x: { predicateType: string }) => x.predicateType)).toEqual(['https://evident.dev/attestations/scan/v1', 'https://evident.dev/attestations/approval/v1']);
    for (const att of promoted.body.attestations) {
      const env = (await app.request('GET', `/api/v1/artifacts/${id}/attestations/${att.digest}`, { token: approver.token })).body;
      const v = verifyAttestation(env, [trustedKey(key, 'evident')], { expectedSha256: sha(MODEL).slice(7) });
      expect(v).toMatchObject({ verified: true, subjectMatched: true });
      if (att.predicateType.endsWith('approval/v1')) expect(v.statement!.predicate).toMatchObject({ approvers: [approver.id], scan: { verdict: 'safe' }, signature: { verified: true, signer: { identity: 'release' } } });
    }

    const actions = (await app.server.runtime.database.db.selectFrom('ledger_entries').select(['action', 'outcome', 'target_id']).where('target_id', '=', id).orderBy('id').execute()).map((r) => `${r.action}:${r.outcome}`);
    expect(actions).toEqual([
      'artifact.received:allowed',
      'artifact.scanned:allowed',
      'artifact.refused:denied', // approval before a signature
      'artifact.signature.checked:denied',
      'artifact.signature.checked:allowed',
      'artifact.approved:allowed',
      'artifact.pulled:denied',
      'artifact.refused:denied', // promotion to a zone it is not permitted in
      'artifact.promoted:allowed',
      'artifact.pulled:allowed',
      'artifact.pulled:denied',
    ]);
  });

  it('quarantines a dangerous pickle at intake; nothing can approve, promote or pull it', async () => {
    const up = await upload(dev.token, EVIL, { name: 'models/innocent-looking', kind: 'model', environments: 'pci-ai' });
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ state: 'quarantined', scan: { verdict: 'dangerous' } });
    expect(up.body.scan.findings.map((f: { detail: string }) => f.detail).join(' ')).toMatch(/eval/u);
    const scanned = (await ledgerEvents(app, 'artifact.scanned')).at(-1);
    expect(scanned).toMatchObject({ outcome: 'denied', body: { verdict: 'dangerous', to: 'quarantined' } });
    expect((await app.request('POST', `/api/v1/artifacts/${up.body.id}/signatures`, { token: dev.token, body: { format: 'cosign', signature: cosign(signer, EVIL) } })).status).toBe(409);
    expect((await app.request('POST', `/api/v1/artifacts/${up.body.id}/approvals`, { token: approver.token, body: {} })).status).toBe(409);
    expect((await app.request('POST', `/api/v1/artifacts/${up.body.id}/promotions`, { token: operator.token, body: { zone: 'pci-ai' } })).status).toBe(409);
    expect((await pull(fraudSvc.token, up.body.id)).status).toBe(403);
    // The admission webhook refuses a Pod running it, naming the registry's verdict.
    const review = await app.server.runtime.admission.review({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: 'c0ffee00-0000-4000-8000-000000000001',
        kind: { group: '', version: 'v1', kind: 'Pod' },
        resource: { group: '', version: 'v1', resource: 'pods' },
        namespace: 'payments-ml',
        operation: 'CREATE',
        userInfo: { username: 'system:serviceaccount:payments-ml:deployer' },
        object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'payments-ml' }, spec: { containers: [{ name: 'c', image: `registry.evident.internal/models/innocent-looking@${sha(EVIL)}` }] } },
      },
    });
    expect(review.response.allowed).toBe(false);
    expect(review.response.status?.message).toMatch(/image-not-promoted.*quarantined in the registry/su);
  });

  it('refuses content whose digest differs from the one declared, storing nothing', async () => {
    const blobsBefore = countBlobs(app);
    const r = await upload(dev.token, MODEL, { name: 'models/mismatch', kind: 'model', digest: sha(EVIL) });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toContain(sha(MODEL));
    expect((await app.request('GET', '/api/v1/artifacts?name=models/mismatch')).body.artifacts).toEqual([]);
    expect(countBlobs(app)).toBe(blobsBefore);
    expect(readdirSync(join(app.config.dataDir, 'registry', 'uploads'))).toEqual([]);
  });

  it('names what is wrong with bad intake requests', async () => {
    const traversal = await upload(dev.token, MODEL, { name: '../../etc/passwd', kind: 'model' });
    expect(traversal.status).toBe(400);
    expect(traversal.body.error.message).toMatch(/name/u);
    expect((await upload(dev.token, MODEL, { name: 'models/x', kind: 'weights' })).status).toBe(400);
    expect((await upload(dev.token, MODEL, { name: 'models/x', kind: 'model' }, { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await upload(dev.token, MODEL, { name: 'models/x', kind: 'model', metadata: '[1]' })).body.error.message).toMatch(/metadata/u);
    expect((await upload(dev.token, MODEL, { name: 'models/x', kind: 'model', expiresAt: '2001-01-01T00:00:00Z' })).status).toBe(400);
    expect((await upload(approver.token, MODEL, { name: 'models/x', kind: 'model' })).status).toBe(403);
  });

  it('blocks pulls past the expiry until an approver other than the uploader reviews it', async () => {
    const expires = new Date(Date.now() + 3600_000).toISOString();
    const id = await promotedArtifact(MODEL, 'models/expiring', { expiresAt: expires });
    expect((await pull(fraudSvc.token, id)).status).toBe(200);
    app.clock.offsetMs = 2 * 3600_000;
    try {
      const late = await pull(fraudSvc.token, id);
      expect(late.status).toBe(403);
      expect(((await late.json()) as any).error.message).toMatch(/expired/u);
      const next = new Date(Date.now() + 30 * 86400_000).toISOString();
      const review = await app.request('POST', `/api/v1/artifacts/${id}/review`, { token: approver2.token, body: { expiresAt: next, note: 'annual review' } });
      expect(review.status).toBe(200);
      expect((await pull(fraudSvc.token, id)).status).toBe(200);
    } finally {
      app.clock.offsetMs = 0;
    }
  });

  it('refuses an approval given to a revision that has changed since', async () => {
    const up = await upload(dev.token, MODEL, { name: 'models/stale', kind: 'model', environments: 'pci-ai' });
    const seen = up.body.revision as number;
    await app.request('POST', `/api/v1/artifacts/${up.body.id}/signatures`, { token: dev.token, body: { format: 'cosign', signature: cosign(signer, MODEL) } });
    const stale = await app.request('POST', `/api/v1/artifacts/${up.body.id}/approvals`, { token: approver.token, body: { revision: seen } });
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toMatch(/revision/u);
    const twice1 = await app.request('POST', `/api/v1/artifacts/${up.body.id}/approvals`, { token: approver.token, body: {} });
    expect(twice1.status).toBe(200);
    const twice2 = await app.request('POST', `/api/v1/artifacts/${up.body.id}/approvals`, { token: approver.token, body: {} });
    expect(twice2.status).toBe(409);
  });

  it('lets exactly one of two racing approvals and one of two racing promotions decide; the loser is refused and recorded', async () => {
    const up = await upload(dev.token, MODEL, { name: 'models/race', kind: 'model', license: 'MIT', expiresAt: IN_90_DAYS(), environments: 'pci-ai,standard-ai' });
    await app.request('POST', `/api/v1/artifacts/${up.body.id}/signatures`, { token: dev.token, body: { format: 'cosign', signature: cosign(signer, MODEL) } });
    const approvals = await Promise.all([approver, approver2].map((a) => app.request('POST', `/api/v1/artifacts/${up.body.id}/approvals`, { token: a.token, body: {} })));
    expect(approvals.map((r) => r.status).sort()).toEqual([200, 409]);
    const a = await app.request('GET', `/api/v1/artifacts/${up.body.id}`);
    expect(a.body.state).toBe('approved');
    expect(a.body.approvals).toHaveLength(1);
    const promotions = await Promise.all(['pci-ai', 'standard-ai'].map((zone) => app.request('POST', `/api/v1/artifacts/${up.body.id}/promotions`, { token: operator.token, body: { zone } })));
    const statuses = promotions.map((r) => r.status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
    // A lost race is a 409 to retry, never a lost update: both zones end up recorded once retried.
    for (const [i, r] of promotions.entries()) {
      if (r.status === 409) expect((await app.request('POST', `/api/v1/artifacts/${up.body.id}/promotions`, { token: operator.token, body: { zone: ['pci-ai', 'standard-ai'][i] } })).status).toBe(200);
    }
    const final = await app.request('GET', `/api/v1/artifacts/${up.body.id}`);
    expect(final.body.promotedTo.map((p: { zone: string }) => p.zone).sort()).toEqual(['pci-ai', 'standard-ai']);
  });

  it("applies the zone's artifact rules at promotion: licence, review period, trusted signer, advisories in the SBOM", async () => {
    const nc = await upload(dev.token, MODEL, { name: 'models/research-only', kind: 'model', license: 'CC-BY-NC-4.0', environments: 'pci-ai,standard-ai', expiresAt: IN_90_DAYS() });
    await app.request('POST', `/api/v1/artifacts/${nc.body.id}/signatures`, { token: dev.token, body: { format: 'cosign', signature: cosign(signer, MODEL) } });
    await app.request('POST', `/api/v1/artifacts/${nc.body.id}/approvals`, { token: approver.token, body: {} });
    const refused = await app.request('POST', `/api/v1/artifacts/${nc.body.id}/promotions`, { token: operator.token, body: { zone: 'pci-ai' } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/licence CC-BY-NC-4.0 is not allowed in pci-ai/u);
    // standard-ai restricts no licence.
    expect((await app.request('POST', `/api/v1/artifacts/${nc.body.id}/promotions`, { token: operator.token, body: { zone: 'standard-ai' } })).status).toBe(200);

    const forever = await upload(dev.token, MODEL, { name: 'models/never-reviewed', kind: 'model', license: 'MIT', environments: 'pci-ai' });
    await app.request('POST', `/api/v1/artifacts/${forever.body.id}/signatures`, { token: dev.token, body: { format: 'cosign', signature: cosign(signer, MODEL) } });
    await app.request('POST', `/api/v1/artifacts/${forever.body.id}/approvals`, { token: approver.token, body: {} });
    const noReview = await app.request('POST', `/api/v1/artifacts/${forever.body.id}/promotions`, { token: operator.token, body: { zone: 'pci-ai' } });
    expect(noReview.body.error.message).toMatch(/requires a review within 365 days/u);
  });

  it('keeps a verified signature when a later check fails, and takes the same content again without error', async () => {
    const up = await upload(dev.token, MODEL, { name: 'models/resigned', kind: 'model', license: 'MIT', environments: 'pci-ai', expiresAt: IN_90_DAYS() });
    await app.request('POST', `/api/v1/artifacts/${up.body.id}/signatures`, { token: dev.token, body: { format: 'cosign', signature: cosign(signer, MODEL) } });
    const garbage = await app.request('POST', `/api/v1/artifacts/${up.body.id}/signatures`, { token: dev.token, body: { format: 'cosign', signature: cosign(stranger, MODEL) } });
    expect(garbage.body).toMatchObject({ state: 'verified', signature: { verified: true } });
    expect((await ledgerEvents(app, 'artifact.signature.checked')).at(-1)).toMatchObject({ outcome: 'denied', body: { verified: false, to: 'verified' } });
    const again = await upload(dev.token, MODEL, { name: 'models/resigned', kind: 'model' });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(up.body.id);
  });

  it('scans on a re-upload what an interrupted intake recorded but never scanned', async () => {
    const rt = app.server.runtime;
    const stuck = await rt.registry.record({ principal: null, system: 'test' }, { name: 'models/interrupted', kind: 'model' }, { digest: sha(MODEL), size: MODEL.length, mediaType: 'application/octet-stream' }, 'api');
    expect(stuck.artifact.state).toBe('received');
    const again = await upload(dev.token, MODEL, { name: 'models/interrupted', kind: 'model' });
    expect(again.body).toMatchObject({ id: stuck.artifact.id, state: 'scanned', scan: { verdict: 'safe' } });
  });

  it("refuses a review past the zone's review period, and a review by whoever controls the uploader's token", async () => {
    const id = await promotedArtifact(MODEL, 'models/reviewed');
    const far = new Date(Date.now() + 20 * 365 * 86_400_000).toISOString();
    const r = await app.request('POST', `/api/v1/artifacts/${id}/review`, { token: approver2.token, body: { expiresAt: far } });
    expect(r.status).toBe(409);
    expect(r.body.error.message).toMatch(/within 365 days/u);
    // An admin who is also an approver minted the uploader's token: that admin is an author too.
    const boss = await app.person('boss', ['admin', 'approver']);
    const minted = await app.request('POST', '/api/v1/tokens', { token: boss.token, body: { principalId: dev.id, name: 'minted-by-boss' } });
    const up = await upload(minted.body.token, MODEL, { name: 'models/bosses-own', kind: 'model', environments: 'pci-ai' });
    const review = await app.request('POST', `/api/v1/artifacts/${up.body.id}/review`, { token: boss.token, body: { expiresAt: IN_90_DAYS() } });
    expect(review.status).toBe(403);
    expect(review.body.error.code).toBe('SOD_VIOLATION');
  });

  it("takes a GGUF model's chat template into intake as a prompt-template artifact of its own, and quarantines one that escapes the sandbox", async () => {
    const gguf = (template: string) => {
      const str = (t: string) => {
        const b = Buffer.from(t, 'utf8');
        const n = Buffer.alloc(8);
        n.writeBigUInt64LE(BigInt(b.length));
        return Buffer.concat([n, b]);
      };
      const head = Buffer.alloc(4 + 4 + 8 + 8);
      head.write('GGUF', 0, 'latin1');
      head.writeUInt32LE(3, 4);
      head.writeBigUInt64LE(0n, 8); // tensors
      head.writeBigUInt64LE(1n, 16); // key/value pairs
      const type = Buffer.alloc(4);
      type.writeUInt32LE(8, 0); // string
      return Buffer.concat([head, str('tokenizer.chat_template'), type, str(template)]);
    };
    const template = "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}{% endfor %}";
    const up = await upload(dev.token, gguf(template), { name: 'models/llama-q4', kind: 'model', license: 'llama3.1', environments: 'standard-ai' });
    expect(up.body).toMatchObject({ state: 'scanned', scan: { format: 'gguf' } });
    const t = (await app.request('GET', '/api/v1/artifacts?name=models/llama-q4/tokenizer-chat-template')).body.artifacts[0];
    expect(t).toMatchObject({ kind: 'prompt-template', state: 'scanned', digest: sha(Buffer.from(template)), license: 'llama3.1', metadata: { extractedFrom: { artifactId: up.body.id, key: 'tokenizer.chat_template' } } });
    expect(t.scan.findings.map((f: { rule: string }) => f.rule)).toContain('gguf-chat-template');

    const evil = "{{ self.__init__.__globals__.__builtins__.__import__('os').popen('id').read() }}";
    const bad = await upload(dev.token, gguf(evil), { name: 'models/llama-evil', kind: 'model' });
    expect(bad.body.state).toBe('quarantined');
    const et = (await app.request('GET', '/api/v1/artifacts?name=models/llama-evil/tokenizer-chat-template')).body.artifacts[0];
    expect(et).toMatchObject({ kind: 'prompt-template', state: 'quarantined' });
    // A prompt template uploaded on its own gets the same check.
    const direct = await upload(dev.token, Buffer.from(evil), { name: 'prompts/support-bot', kind: 'prompt-template' });
    expect(direct.body).toMatchObject({ state: 'quarantined', scan: { verdict: 'dangerous' } });
  });

  it('lists what awaits approval', async () => {
    const pending = await app.request('GET', '/api/v1/artifacts?pendingApproval=true', { token: approver.token });
    expect(pending.status).toBe(200);
    expect(pending.body.artifacts.every((x: { state: string }) => x.state === 'verified')).toBe(true);
    expect(pending.body.artifacts.map((x: { name: string }) => x.name)).toContain('models/own-work');
  });

  async function promotedArtifact(content: Buffer, name: string, extra: Record<string, string> = {}): Promise<string> {
    const up = await upload(dev.token, content, { name, kind: 'model', license: 'MIT', environments: 'pci-ai', expiresAt: IN_90_DAYS(), ...extra });
    expect(up.status).toBe(201);
    await app.request('POST', `/api/v1/artifacts/${up.body.id}/signatures`, { token: dev.token, body: { format: 'cosign', signature: cosign(signer, content) } });
    expect((await app.request('POST', `/api/v1/artifacts/${up.body.id}/approvals`, { token: approver.token, body: {} })).status).toBe(200);
    expect((await app.request('POST', `/api/v1/artifacts/${up.body.id}/promotions`, { token: operator.token, body: { zone: 'pci-ai' } })).status).toBe(200);
    return up.body.id;
  }
});

describe('OpenSSF model signing at intake', () => {
  let app: TestApp;
  const MT = new URL('../../test/fixtures/signatures/model-transparency/', import.meta.url).pathname;
  beforeAll(async () => {
    app = await createTestApp('sqlite', { registry: { trustedKeys: [{ id: 'model-signer', file: join(MT, 'keys/signing-key-pub.pem') }] } });
  });
  afterAll(async () => app?.close());

  it('verifies a model-signing bundle over the model files, one of which is the artifact', async () => {
    const dev = await app.person('dev', ['developer']);
    const dir = join(MT, 'v1.1.0-elliptic-key');
    const files = Object.fromEntries(['signme-1', 'signme-2'].map((f) => [f, createHash('sha256').update(readFileSync(join(dir, f))).digest('hex')]));
    const content = readFileSync(join(dir, 'signme-1'));
    const up = await fetch(`${app.url}/api/v1/artifacts?${new URLSearchParams({ name: 'models/signed', kind: 'model' })}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${dev.token}`, 'content-type': 'application/octet-stream' },
      body: content,
    }).then(async (r) => (await r.json()) as any);
    const bundle = readFileSync(join(dir, 'model.sig'), 'utf8');
    const ok = await app.request('POST', `/api/v1/artifacts/${up.id}/signatures`, { token: dev.token, body: { format: 'model-signing', signature: bundle, files } });
    expect(ok.body).toMatchObject({ state: 'verified', signature: { format: 'model-signing', verified: true, signer: { identity: 'model-signer' } } });
    // A file list that does not match what was signed does not verify.
    const tampered = await app.request('POST', `/api/v1/artifacts/${up.id}/signatures`, { token: dev.token, body: { format: 'model-signing', signature: bundle, files: { ...files, 'signme-2': 'f'.repeat(64) } } });
    expect(tampered.body.signature).toMatchObject({ verified: true }); // the verified one stays
    expect((await ledgerEvents(app, 'artifact.signature.checked')).at(-1)).toMatchObject({ outcome: 'denied', body: { verified: false, reasons: [expect.stringContaining('signme-2')] } });
  });
});

describe('SLSA provenance at intake', () => {
  let app: TestApp;
  const builder = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  beforeAll(async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ci.pub'), builder.publicKey.export({ type: 'spki', format: 'pem' }));
    app = await createTestApp('sqlite', { registry: { trustedKeys: [{ id: 'ci-builder', file: join(dir, 'ci.pub') }], requireSignature: false }, policy: { changeControl: false } });
  });
  afterAll(async () => app?.close());

  it("keeps verified provenance with the artifact and holds promotion to the builders a zone trusts", async () => {
    // The policy owner requires provenance from the bank's CI in standard-ai.
    const files = readdirSync(new URL('../../examples/policy/', import.meta.url)).filter((f) => f.endsWith('.yaml'));
    const sources = files.map((name) => {
      let text = readFileSync(new URL(`../../examples/policy/${name}`, import.meta.url), 'utf8');
      if (name === 'zones.yaml') text = text.replace('      advisory_threshold: critical\n', '      advisory_threshold: critical\n      provenance: { builders: ["https://ci.bank.example/builders/ml@v2"] }\n');
      return { name, text };
    });
    expect((await app.request('POST', '/api/v1/policy/versions', { body: { files: sources, note: 'provenance for standard-ai' } })).status).toBe(201);

    const dev = await app.person('dev', ['developer']);
    const approver = await app.person('risk', ['approver']);
    const ops = await app.person('ops', ['operator']);
    const up = await fetch(`${app.url}/api/v1/artifacts?${new URLSearchParams({ name: 'models/built', kind: 'model', environments: 'standard-ai' })}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${dev.token}`, 'content-type': 'application/octet-stream' },
      body: MODEL,
    }).then(async (r) => (await r.json()) as any);
    const provenance = (builderId: string, digest: string) =>
      issueAttestation(
        {
          subject: [{ name: 'pytorch_model.bin', digest: { sha256: digest } }],
          predicateType: 'https://slsa.dev/provenance/v1',
          predicate: { buildDefinition: { buildType: 'https://ci.bank.example/ml-train@v1', externalParameters: { repo: 'git+https://git.bank.example/ml/fraud' } }, runDetails: { builder: { id: builderId } } },
        },
        createKeySigner(builder.privateKey),
      );
    const wrongSubject = await app.request('POST', `/api/v1/artifacts/${up.id}/attestations`, { token: dev.token, body: { envelope: provenance('https://ci.bank.example/builders/ml@v2', 'a'.repeat(64)) } });
    expect(wrongSubject.body.attestations.filter((x: { issuer?: string }) => x.issuer)).toEqual([]);
    expect((await ledgerEvents(app, 'artifact.attested')).at(-1)).toMatchObject({ outcome: 'denied', body: { verified: false } });

    await app.request('POST', `/api/v1/artifacts/${up.id}/attestations`, { token: dev.token, body: { envelope: provenance('https://laptop.example/me', sha(MODEL).slice(7)) } });
    await app.request('POST', `/api/v1/artifacts/${up.id}/approvals`, { token: approver.token, body: {} });
    const refused = await app.request('POST', `/api/v1/artifacts/${up.id}/promotions`, { token: ops.token, body: { zone: 'standard-ai' } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/requires verified SLSA provenance from https:\/\/ci\.bank\.example\/builders\/ml@v2; it has provenance from https:\/\/laptop\.example\/me/u);

    // Provenance attaches until the end; from the trusted builder, promotion goes through.
    const good = await app.request('POST', `/api/v1/artifacts/${up.id}/attestations`, { token: dev.token, body: { envelope: provenance('https://ci.bank.example/builders/ml@v2', sha(MODEL).slice(7)) } });
    expect(good.body.attestations).toContainEqual(expect.objectContaining({ predicateType: 'https://slsa.dev/provenance/v1', issuer: 'ci-builder', builderId: 'https://ci.bank.example/builders/ml@v2' }));
    const promoted = await app.request('POST', `/api/v1/artifacts/${up.id}/promotions`, { token: ops.token, body: { zone: 'standard-ai' } });
    expect(promoted.status).toBe(200);
    expect((await ledgerEvents(app, 'artifact.promoted')).at(-1).body.checks).toContain('SLSA provenance from https://ci.bank.example/builders/ml@v2');
  });
});

describe.each(DIALECTS)('two approvers required, on %s', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp(dialect, { registry: { approvalsRequired: 2, requireSignature: false } });
  });
  afterAll(async () => app?.close());

  it('completes the approval when two approvals race (the second sees the first)', async () => {
    const dev = await app.person('dev', ['developer']);
    const a1 = await app.person('risk-1', ['approver']);
    const a2 = await app.person('risk-2', ['approver']);
    for (let round = 0; round < 3; round++) {
      const up = await fetch(`${app.url}/api/v1/artifacts?${new URLSearchParams({ name: `models/pair-${round}`, kind: 'model' })}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${dev.token}`, 'content-type': 'application/octet-stream' },
        body: MODEL,
      }).then(async (r) => (await r.json()) as any);
      const results = await Promise.all([a1, a2].map((a) => app.request('POST', `/api/v1/artifacts/${up.id}/approvals`, { token: a.token, body: {} })));
      expect(results.map((r) => r.status)).toEqual([200, 200]);
      const final = await app.request('GET', `/api/v1/artifacts/${up.id}`);
      expect(final.body.state).toBe('approved');
      expect(final.body.approvals).toHaveLength(2);
    }
  });
});

describe.each(DIALECTS)('SBOM audit at intake on %s', (dialect) => {
  let app: TestApp;
  const OSV = new URL('../../test/fixtures/osv/', import.meta.url).pathname;
  const SBOM = JSON.parse(readFileSync(new URL('../../test/fixtures/sbom/python-torch-poetry.cdx-1.6.json', import.meta.url), 'utf8'));
  beforeAll(async () => {
    app = await createTestApp(dialect, { registry: { advisoriesDir: OSV, requireSignature: false } });
  });
  afterAll(async () => app?.close());

  it('audits an attached SBOM offline and refuses promotion into a zone whose threshold its advisories reach', async () => {
    const dev = await app.person('dev', ['developer']);
    const approver = await app.person('risk', ['approver']);
    const ops = await app.person('ops', ['operator']);
    const image = Buffer.from('not really an image layer, but bytes to take in');
    const up = await fetch(`${app.url}/api/v1/artifacts?${new URLSearchParams({ name: 'images/torch-server', kind: 'image', license: 'BSD-3-Clause', environments: 'pci-ai', expiresAt: IN_90_DAYS() })}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${dev.token}`, 'content-type': 'application/octet-stream' },
      body: image,
    }).then(async (r) => (await r.json()) as any);
    const id = up.id as string;
    // pci-ai blocks advisories from high: an image without an SBOM cannot be judged.
    await app.request('POST', `/api/v1/artifacts/${id}/approvals`, { token: approver.token, body: {} });
    expect((await app.request('POST', `/api/v1/artifacts/${id}/promotions`, { token: ops.token, body: { zone: 'pci-ai' } })).body.error.message).toMatch(/attach an SBOM/u);

    const second = await fetch(`${app.url}/api/v1/artifacts?${new URLSearchParams({ name: 'images/torch-server-2', kind: 'image', environments: 'pci-ai', expiresAt: IN_90_DAYS() })}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${dev.token}`, 'content-type': 'application/octet-stream' },
      body: image,
    }).then(async (r) => (await r.json()) as any);
    const audited = await app.request('POST', `/api/v1/artifacts/${second.id}/sbom`, { token: dev.token, body: SBOM });
    expect(audited.status).toBe(200);
    expect(audited.body.sbom.components).toBe(23); // 22 components and the SBOM's own metadata.component
    expect(audited.body.sbom.matches.map((m: { advisoryId: string }) => m.advisoryId).sort()).toEqual(['GHSA-5pcm-hx3q-hm94', 'GHSA-h75v-3vvj-5mfj', 'GHSA-pg7h-5qx3-wjr3']);
    expect((await ledgerEvents(app, 'artifact.sbom.audited')).at(-1)).toMatchObject({ body: { components: 23, sbomDigest: audited.body.sbom.digest } });
    await app.request('POST', `/api/v1/artifacts/${second.id}/approvals`, { token: approver.token, body: {} });
    const refused = await app.request('POST', `/api/v1/artifacts/${second.id}/promotions`, { token: ops.token, body: { zone: 'pci-ai' } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/known advisories at or above high: .*GHSA-/u);
    // Not JSON CycloneDX: a clear 400.
    const bad = await app.request('POST', `/api/v1/artifacts/${second.id}/sbom`, { token: dev.token, body: { bomFormat: 'SPDX' } });
    expect(bad.status).toBe(400);
  });
});

function countBlobs(app: TestApp): number {
  const root = join(app.config.dataDir, 'registry', 'blobs', 'sha256');
  if (!existsSync(root)) return 0;
  return readdirSync(root).reduce((n, d) => n + readdirSync(join(root, d)).length, 0);
}

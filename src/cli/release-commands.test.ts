import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestApp, type TestApp } from '../../test/helpers/app.js';
import { tempDir } from '../../test/helpers/db.js';
import { cli } from '../../test/helpers/cli.js';

const MODEL = readFileSync(new URL('../../test/fixtures/model-files/picklescan/data/new_pytorch_model.bin', import.meta.url));
const ZONE = 'regulated-ai-eu';

describe('evident change / release / model against a running server', () => {
  let app: TestApp;
  let dir: string;
  let env: (token: string) => NodeJS.ProcessEnv;
  let dev: { id: string; token: string };
  let risk: { id: string; token: string };
  let ops: { id: string; token: string };

  async function promotedWeights(tag: string): Promise<{ name: string; digest: string }> {
    const q = new URLSearchParams({ name: `models/cli-${tag}`, kind: 'model', environments: ZONE, license: 'MIT', expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString() });
    const content = Buffer.concat([MODEL, Buffer.from(tag)]);
    const a = (await fetch(`${app.url}/api/v1/artifacts?${q}`, { method: 'POST', headers: { authorization: `Bearer ${dev.token}`, 'content-type': 'application/octet-stream' }, body: content }).then((r) => r.json())) as any;
    await app.request('POST', `/api/v1/artifacts/${a.id}/approvals`, { token: risk.token, body: { acceptFindings: true } });
    await app.request('POST', `/api/v1/artifacts/${a.id}/promotions`, { token: ops.token, body: { zone: ZONE } });
    return { name: a.name, digest: a.digest };
  }

  function specFile(name: string, w: { name: string; digest: string }): string {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(
      file,
      `# the version, as a release manager writes it
dataClasses: [personal_data]
artifacts:
  - { name: ${w.name}, digest: "${w.digest}", role: weights }
lineage:
  trainingData: [{ name: applications-2026q2, digest: "sha256:${'ab'.repeat(32)}" }]
  code: { repository: git.bank.internal/risk/pd, commit: 0badc0ffee }
card: { intendedUse: probability of default }
`,
    );
    return file;
  }

  beforeAll(async () => {
    dir = tempDir();
    app = await createTestApp('sqlite', { registry: { requireSignature: false } });
    env = (token) => ({ EVIDENT_URL: app.url, EVIDENT_TOKEN: token });
    dev = await app.person('dev', ['developer']);
    risk = await app.person('risk', ['approver']);
    ops = await app.person('ops', ['operator']);
  });
  afterAll(async () => app?.close());

  it('proposes from a YAML spec, shows why it is blocked, and takes it through evaluation, approval and deployment', async () => {
    const created = await cli(['change', 'create', '--kind', 'model', '--name', 'pd-model', '--zone', ZONE, '--title', 'PD model 2026Q2', '--spec', specFile('v1', await promotedWeights('a')), '--json'], env(dev.token));
    expect(created.code, created.err).toBe(0);
    const id = JSON.parse(created.out).id as string;

    const blocked = await cli(['change', 'show', id], env(risk.token));
    expect(blocked.code).toBe(3);
    expect(blocked.out).toMatch(/\[evaluation\] no evaluation evidence attached; regulated-ai-eu requires auc/u);

    const weak = await cli(['change', 'evaluate', id, '--metric', 'auc=0.7'], env(dev.token));
    expect(weak.code).toBe(3);
    expect(weak.out).toMatch(/evaluation FAILED: auc=0.7/u);
    expect((await cli(['change', 'evaluate', id, '--metric', 'auc'], env(dev.token))).err).toMatch(/write name=number/u);
    expect((await cli(['change', 'evaluate', id, '--metric', 'auc=0.81', '--dataset', `holdout@sha256:${'cd'.repeat(32)}`], env(dev.token))).code).toBe(0);

    const pending = await cli(['change', 'list', '--pending'], env(risk.token));
    expect(pending.out).toContain(id);
    expect((await cli(['change', 'approve', id, '--revision', '1'], env(risk.token))).err).toMatch(/reviewed revision 1 but the change is at revision 3/u);
    const approved = await cli(['change', 'approve', id, '--note', 'MRM-12'], env(risk.token));
    expect(approved.out).toMatch(/ready to deploy/u);
    expect((await cli(['change', 'deploy', id], env(dev.token))).code).toBe(4);
    const deployed = await cli(['change', 'deploy', id, '--json'], env(ops.token));
    expect(deployed.code, deployed.err).toBe(0);
    const { deployment } = JSON.parse(deployed.out);
    expect(deployment).toMatchObject({ action: 'deploy', component: { name: 'pd-model' }, version: { version: 1 }, zone: ZONE });

    // An auditor checks the release manifest offline, with nothing but Evident's public key.
    const manifestFile = join(dir, 'release.dsse.json');
    writeFileSync(manifestFile, (await cli(['release', 'manifest', deployment.id], env(risk.token))).out);
    const keyFile = join(dir, 'attestation.pem');
    writeFileSync(keyFile, await fetch(`${app.url}/api/v1/registry/attestation-key`).then((r) => r.text()));
    const ok = await cli(['release', 'verify', manifestFile, '--key', keyFile, '--digest', deployment.version.digest]);
    expect(ok.code, ok.out + ok.err).toBe(0);
    expect(ok.out).toMatch(new RegExp(`verified: model/pd-model v1 in regulated-ai-eu, deployed \\S+ by ${ops.id}, approved by ${risk.id}`, 'u'));
    expect((await cli(['release', 'verify', manifestFile, '--key', keyFile, '--digest', `sha256:${'0'.repeat(64)}`])).code).toBe(3);
    const forged = JSON.parse(readFileSync(manifestFile, 'utf8'));
    forged.payload = Buffer.from(Buffer.from(forged.payload, 'base64').toString('utf8').replace('"zone":"regulated-ai-eu"', '"zone":"standard-ai"')).toString('base64');
    writeFileSync(manifestFile, JSON.stringify(forged));
    const tampered = await cli(['release', 'verify', manifestFile, '--key', keyFile]);
    expect(tampered.code).toBe(3);
    expect(tampered.out).toMatch(/NOT verified/u);

    const active = await cli(['release', 'active', '--model', 'pd-model', '--zone', ZONE], env(risk.token));
    expect(active.code).toBe(0);
    expect(active.out).toMatch(/model\/pd-model v1 \(sha256:[0-9a-f]{64}\) was active in regulated-ai-eu/u);
    expect(active.out).toContain(`approved by ${risk.id}`);
    expect(active.out).toMatch(/ledger (#\d+|\(pending\)) release\.deployed/u);
    const before = await cli(['release', 'active', '--model', 'pd-model', '--zone', ZONE, '--at', '2021-01-01T00:00:00Z'], env(risk.token));
    expect(before.code).toBe(3);
    expect(before.out).toMatch(/nothing of model\/pd-model was active/u);
    expect((await cli(['release', 'active', '--zone', ZONE], env(risk.token))).err).toMatch(/--model NAME/u);

    const rb = await cli(['release', 'rollback', '--model', 'pd-model', '--zone', ZONE, '--reason', 'test'], env(ops.token));
    expect(rb.code).toBe(6);
    expect(rb.err).toMatch(/no earlier version/u);

    expect((await cli(['model', 'list'], env(risk.token))).out).toMatch(/model\/pd-model\s+latest v1\s+regulated-ai-eu: v1/u);
    const show = await cli(['model', 'show', 'pd-model'], env(risk.token));
    expect(show.out).toMatch(/active in regulated-ai-eu: v1/u);
    const lineage = await cli(['model', 'lineage', `dataset:applications-2026q2@sha256:${'ab'.repeat(32)}`, '--downstream'], env(risk.token));
    expect(lineage.out).toMatch(/--trained-on-->\s+model\/pd-model@1/u);
    const history = await cli(['release', 'list', '--zone', ZONE], env(risk.token));
    expect(history.out).toMatch(/deploy\s+model\/pd-model v1/u);
  });

  it('proposes an Evident policy change from the policy files themselves', async () => {
    const examples = new URL('../../examples/policy/', import.meta.url).pathname;
    const zones = join(dir, 'zones.yaml');
    writeFileSync(zones, readFileSync(join(examples, 'zones.yaml'), 'utf8').replace('auc: { min: 0.75 }', 'auc: { min: 0.8 }'));
    const args = ['change', 'create', '--kind', 'policy', '--name', 'evident', '--title', 'raise the floor', '--policy-files', join(examples, 'data-classes.yaml'), join(examples, 'regulated-ai-zone.yaml'), zones, '--json'];
    const created = await cli(args, env(dev.token));
    expect(created.code, created.err).toBe(0);
    const c = JSON.parse(created.out);
    expect(c).toMatchObject({ zone: 'global', component: { kind: 'policy' }, blockers: [{ step: 'approval' }] });
    expect((await cli(['change', 'create', '--kind', 'policy', '--name', 'evident', '--title', 't'], env(dev.token))).err).toMatch(/--spec FILE, or for --kind policy as --policy-files/u);
    const none = await cli(['release', 'active', '--kind', 'policy', '--name', 'evident'], env(dev.token));
    expect(none.out).toMatch(/nothing of policy\/evident was active in global/u);
    const rb = await cli(['release', 'rollback', '--kind', 'policy', '--name', 'evident', '--reason', 'test'], env(dev.token));
    expect(rb.code).toBe(4); // operators roll back
    expect((await cli(['release', 'rollback', '--model', 'x', '--reason', 'test'], env(dev.token))).err).toMatch(/name the zone/u);
  });

  it('edits with a new spec and diffs versions; rejects a spec that is not an object', async () => {
    const created = JSON.parse((await cli(['change', 'create', '--kind', 'model', '--name', 'pd-edit', '--zone', ZONE, '--title', 't', '--spec', specFile('e1', await promotedWeights('b')), '--json'], env(dev.token))).out);
    const edited = await cli(['change', 'edit', created.id, '--spec', specFile('e2', await promotedWeights('c')), '--json'], env(dev.token));
    expect(JSON.parse(edited.out)).toMatchObject({ revision: 2, version: { version: 2 } });
    const diff = await cli(['model', 'diff', 'pd-edit', '1', '2'], env(dev.token));
    expect(diff.out).toMatch(/^- artifacts\["models\/cli-b"\]/mu);
    expect(diff.out).toMatch(/^\+ artifacts\["models\/cli-c"\]/mu);
    const list = join(dir, 'list.yaml');
    writeFileSync(list, '- just\n- a list\n');
    expect((await cli(['change', 'create', '--kind', 'model', '--name', 'x', '--zone', ZONE, '--title', 't', '--spec', list], env(dev.token))).err).toMatch(/the spec must be an object/u);
    expect((await cli(['change', 'withdraw', created.id], env(dev.token))).out).toMatch(/state withdrawn/u);
  });
});

// Evident's own policy as a change like any other: proposed, validated by compiling it, approved
// by as many approvers as the strictest zone asks, and put in force by the deployment itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createTestApp, ledgerEvents, type TestApp } from '../../test/helpers/app.js';
import { DIALECTS } from '../../test/helpers/db.js';

const EXAMPLES = new URL('../../examples/policy/', import.meta.url).pathname;
const files = (edit: (name: string, text: string) => string = (_n, t) => t) =>
  readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((name) => ({ name, text: edit(name, readFileSync(join(EXAMPLES, name), 'utf8')) }));
const stricterAuc = (min: string) => (name: string, text: string) => (name === 'zones.yaml' ? text.replace('auc: { min: 0.75 }', `auc: { min: ${min} }`) : text);

describe.each(DIALECTS)('policy changes through change requests on %s', (dialect) => {
  let app: TestApp;
  let dev: { id: string; token: string };
  let risk1: { id: string; token: string };
  let risk2: { id: string; token: string };
  let ops: { id: string; token: string };

  const propose = (f: { name: string; text: string }[], title = 'raise the credit auc floor') => app.request('POST', '/api/v1/changes', { token: dev.token, body: { kind: 'policy', name: 'evident', title, spec: { config: { files: f } } } });
  const approveBoth = async (id: string) => {
    for (const p of [risk1, risk2]) expect((await app.request('POST', `/api/v1/changes/${id}/approvals`, { token: p.token, body: {} })).status).toBe(200);
  };
  const deploy = (id: string) => app.request('POST', `/api/v1/changes/${id}/deployments`, { token: ops.token, body: {} });

  beforeAll(async () => {
    app = await createTestApp(dialect);
    dev = await app.person('dev', ['developer']);
    risk1 = await app.person('risk-1', ['approver']);
    risk2 = await app.person('risk-2', ['approver']);
    ops = await app.person('ops', ['operator']);
  });
  afterAll(async () => app?.close());

  it('refuses a direct activation, and puts a policy in force only through an approved change', async () => {
    const direct = await app.request('POST', '/api/v1/policy/versions', { body: { files: files(stricterAuc('0.8')) } });
    expect(direct.status).toBe(403);
    expect(direct.body.error.message).toMatch(/evident change create --kind policy/u);
    expect((await ledgerEvents(app, 'auth.denied')).some((e) => e.body.operation === 'policy.apply')).toBe(true);

    const broken = await propose([{ name: 'zones.yaml', text: 'zones:\n  q:\n    ingres: private_only\n' }]);
    expect(broken.status).toBe(201);
    expect(broken.body.blockers[0]).toMatchObject({ step: 'schema', detail: expect.stringMatching(/the policy does not compile: [\s\S]*zones\.yaml:3:5/u) });

    const c = await propose(files(stricterAuc('0.8')));
    expect(c.status, c.text).toBe(201);
    expect(c.body).toMatchObject({ zone: 'global', approvalsRequired: 2 }); // hipaa-ai and pci-ai ask for two
    const rival = await propose(files(stricterAuc('0.85')), 'even stricter');
    await approveBoth(c.body.id);
    const d = await deploy(c.body.id);
    expect(d.status, d.text).toBe(201);
    const inForce = await app.request('GET', '/api/v1/policy');
    expect(inForce.body.version).toBe(2);
    const ev = (await ledgerEvents(app, 'release.deployed')).find((e) => e.body.changeId === c.body.id);
    expect(ev.body).toMatchObject({ component: { kind: 'policy', name: 'evident' }, zone: 'global', policy: { version: 1 }, activatedPolicy: { version: 2 } });
    expect((await ledgerEvents(app, 'policy.activated')).at(-1).body).toMatchObject({ policy: { version: 2 }, note: expect.stringMatching(/change /u) });

    // The files in force are the ones approved, byte for byte.
    const v2files = (await app.request('GET', '/api/v1/policy/versions/2')).body.files;
    expect(v2files.find((f: any) => f.name === 'zones.yaml').text).toContain('auc: { min: 0.8 }');

    // The rival was made against policy v1: blocked until rebased and approved again.
    const stale = await app.request('GET', `/api/v1/changes/${rival.body.id}`);
    expect(stale.body.blockers.map((b: any) => b.step)).toContain('base');
    const rebased = await app.request('PATCH', `/api/v1/changes/${rival.body.id}`, { token: dev.token, body: { rebase: true } });
    expect(rebased.body.blockers.map((b: any) => b.step)).toEqual(['approval']);
    await approveBoth(rival.body.id);
    expect((await deploy(rival.body.id)).status).toBe(201);
    expect((await app.request('GET', '/api/v1/policy')).body.version).toBe(3);

    // Rolling back puts the previous change's files back in force, as a new version.
    const rb = await app.request('POST', '/api/v1/releases/rollback', { token: ops.token, body: { kind: 'policy', name: 'evident', zone: 'global', reason: 'floor too strict for the q4 model' } });
    expect(rb.status, rb.text).toBe(201);
    const after = await app.request('GET', '/api/v1/policy');
    expect(after.body.version).toBe(4);
    const v2 = await app.request('GET', '/api/v1/policy/versions/2');
    expect(after.body.digest).toBe(v2.body.digest);
    const active = await app.request('GET', '/api/v1/releases/active?kind=policy&name=evident');
    expect(active.body.active).toMatchObject({ action: 'rollback', version: { version: c.body.version.version } });
  });
});

// Release management over HTTP on both databases: a model change from proposal to deployment,
// point-in-time answers, rollback, emergencies, separation of duties, stale approvals and racing
// deployments, each refusal with its step and its ledger event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { createTestApp, ledgerEvents, type TestApp } from '../../test/helpers/app.js';
import { DATASET, releaseSteps } from '../../test/helpers/releases.js';
import { DIALECTS } from '../../test/helpers/db.js';
import { verifyAttestation } from '../signing/intoto.js';
import { trustedKey } from '../signing/keys.js';

const ZONE = 'regulated-ai-eu'; // examples/policy: 1 approval, auc >= 0.75, personal_data allowed
const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe.each(DIALECTS)('release management over HTTP on %s', (dialect) => {
  let app: TestApp;
  let dev: { id: string; token: string };
  let devApprover: { id: string; token: string };
  let risk1: { id: string; token: string };
  let risk2: { id: string; token: string };
  let ops: { id: string; token: string };
  let auditor: { id: string; token: string };
  let steps: ReturnType<typeof releaseSteps>;
  const promoted = (zone?: string, expiresInDays?: number) => steps.promoted(zone, expiresInDays);
  const spec = (...a: Parameters<ReturnType<typeof releaseSteps>['spec']>) => steps.spec(...a);
  const propose = (...a: Parameters<ReturnType<typeof releaseSteps>['propose']>) => steps.propose(...a);
  const evaluate = (...a: Parameters<ReturnType<typeof releaseSteps>['evaluate']>) => steps.evaluate(...a);
  const approve = (...a: Parameters<ReturnType<typeof releaseSteps>['approve']>) => steps.approve(...a);
  const deploy = (...a: Parameters<ReturnType<typeof releaseSteps>['deploy']>) => steps.deploy(...a);
  const ship = (...a: Parameters<ReturnType<typeof releaseSteps>['ship']>) => steps.ship(...a);

  beforeAll(async () => {
    app = await createTestApp(dialect, { registry: { requireSignature: false } });
    dev = await app.person('dev', ['developer']);
    devApprover = await app.person('dev-and-risk', ['developer', 'approver']);
    risk1 = await app.person('risk-1', ['approver']);
    risk2 = await app.person('risk-2', ['approver']);
    ops = await app.person('ops', ['operator']);
    auditor = await app.person('audit', ['auditor']);
    steps = releaseSteps(app, { dev, approver: risk1, ops }, ZONE);
  });
  afterAll(async () => app?.close());

  it('takes a model change from proposal to a signed release, refusing each step out of order with the step that failed', async () => {
    const weights = await promoted();
    const c = await propose('credit-scorer', spec(weights));
    expect(c.status, c.text).toBe(201);
    expect(c.body).toMatchObject({ state: 'open', revision: 1, version: { version: 1 }, base: null, author: dev.id, approvalsRequired: 1 });
    expect(c.body.validation.every((x: any) => x.ok)).toBe(true);
    expect(c.body.blockers.map((b: any) => b.step)).toEqual(['evaluation', 'approval']);
    const id = c.body.id as string;

    // Deploying now: refused with every blocker, recorded with the first failing step.
    const early = await deploy(id);
    expect(early.status).toBe(409);
    expect(early.body.error.message).toMatch(/\[evaluation\] no evaluation evidence attached; regulated-ai-eu requires auc/u);
    expect(early.body.error.message).toMatch(/\[approval\] 0 of 1/u);
    // Approving before the evidence: refused too (approvers sign off on evidence).
    const blind = await approve(id);
    expect(blind.status).toBe(409);
    expect(blind.body.error.message).toMatch(/cannot be approved yet/u);

    const weak = await evaluate(id, 0.7);
    expect(weak.body.evaluation).toMatchObject({ passed: false, results: [{ metric: 'auc', value: 0.7, min: 0.75, ok: false, source: 'zone:regulated-ai-eu' }] });
    expect(weak.body.blockers[0]).toMatchObject({ step: 'evaluation', detail: 'auc = 0.7 must be >= 0.75 (zone:regulated-ai-eu)' });
    const good = await evaluate(id, 0.82);
    expect(good.body).toMatchObject({ revision: 3, evaluation: { passed: true } });

    // Only operators deploy; the developer is refused by role before anything else.
    expect((await deploy(id, dev.token)).status).toBe(403);
    const ok = await approve(id, risk1.token, { revision: 3, note: 'reviewed validation report' });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toMatchObject({ state: 'approved', blockers: [] });
    const d = await deploy(id);
    expect(d.status, d.text).toBe(201);
    expect(d.body.change).toMatchObject({ state: 'deployed' });
    expect(d.body.deployment).toMatchObject({ action: 'deploy', zone: ZONE, version: { version: 1 }, previous: null, changeId: id, deployedBy: ops.id });

    // The release manifest verifies offline with Evident's public attestation key.
    const key = await fetch(`${app.url}/api/v1/registry/attestation-key`).then((r) => r.text());
    const m = await app.request('GET', `/api/v1/deployments/${d.body.deployment.id}/manifest`, { token: auditor.token });
    expect(m.body.digest).toBe(d.body.deployment.manifestDigest);
    expect(sha(JSON.stringify(m.body.envelope))).toBe(m.body.digest);
    const v = verifyAttestation(m.body.envelope, [trustedKey(key)]);
    expect(v.verified, v.reasons.join('; ')).toBe(true);
    expect(v.statement!.subject.map((s) => `sha256:${s.digest.sha256}`)).toEqual([c.body.version.digest, weights.digest]);
    expect(v.statement!.predicate).toMatchObject({ zone: ZONE, approvals: [{ principalId: risk1.id }], evaluation: { passed: true, metrics: { auc: 0.82 } }, policy: { version: 1 } });

    const ev = (await ledgerEvents(app, 'release.deployed')).find((e) => e.body.changeId === id);
    expect(ev.body).toMatchObject({ action: 'deploy', approvers: [risk1.id], manifestDigest: m.body.digest, emergency: false });
    const refused = (await ledgerEvents(app, 'change.refused')).filter((e) => e.body.changeId === id);
    expect(refused.map((e) => [e.body.operation, e.body.step])).toEqual([
      ['deploy', 'evaluation'],
      ['approve', 'evaluation'],
    ]);
    expect((await ledgerEvents(app, 'auth.denied')).some((e) => e.body.operation?.includes('deployments'))).toBe(true);
  });

  it('answers which version was active at an instant, who approved it and which ledger events prove it; rollback is one recorded step', async () => {
    const v1 = await ship('fraud-like', spec(await promoted()));
    const between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 15));
    const v2 = await ship('fraud-like', spec(await promoted(), { description: 'retrained on q3' }));
    expect(v2.deployment).toMatchObject({ version: { version: 2 }, previous: { version: 1 } });

    const diff = await app.request('GET', '/api/v1/components/model/fraud-like/diff?from=1&to=2');
    expect(diff.body.changes.map((x: any) => [x.path, x.op])).toEqual([
      ['artifacts["models/credit-' + (steps.count() - 1) + '"]', 'removed'],
      ['artifacts["models/credit-' + steps.count() + '"]', 'added'],
      ['description', 'added'],
    ]);

    const then = await app.request('GET', `/api/v1/releases/active?name=fraud-like&zone=${ZONE}&at=${encodeURIComponent(between)}`, { token: auditor.token });
    expect(then.status, then.text).toBe(200);
    expect(then.body.active).toMatchObject({ version: { version: 1 }, id: v1.deployment.id, change: { id: v1.change.id, approvals: [{ principalId: risk1.id, afterTheFact: false }], evaluation: { passed: true } } });
    const actions = then.body.active.evidence.map((e: any) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['release.deployed', 'change.created', 'change.evaluated', 'change.approved']));
    const before = await app.request('GET', `/api/v1/releases/active?name=fraud-like&zone=${ZONE}&at=2020-01-01T00:00:00Z`);
    expect(before.body.active).toBeNull();
    // Every cited event gets its leaf index once integrated, and proves inclusion from it.
    await expect.poll(async () => (await app.request('GET', `/api/v1/releases/active?name=fraud-like&zone=${ZONE}&at=${encodeURIComponent(between)}`)).body.active.evidence.every((e: any) => e.index !== null), { timeout: 5000 }).toBe(true);
    const cited = (await app.request('GET', `/api/v1/releases/active?name=fraud-like&zone=${ZONE}&at=${encodeURIComponent(between)}`)).body.active.evidence[0];
    const proof = await app.request('GET', `/api/v1/ledger/events/${cited.eventId}`);
    expect(proof.body.inclusion).toBeTruthy();

    const comp = await app.request('GET', '/api/v1/components/model/fraud-like');
    expect(comp.body.active[ZONE]).toMatchObject({ version: 2, rollbackTo: 1 });

    const rb = await app.request('POST', '/api/v1/releases/rollback', { token: ops.token, body: { kind: 'model', name: 'fraud-like', zone: ZONE, reason: 'drift alarm on q3 model' } });
    expect(rb.status, rb.text).toBe(201);
    expect(rb.body).toMatchObject({ action: 'rollback', version: { version: 1 }, previous: { version: 2 }, reason: 'drift alarm on q3 model', changeId: v1.change.id });
    const now = await app.request('GET', `/api/v1/releases/active?name=fraud-like&zone=${ZONE}`);
    expect(now.body.active).toMatchObject({ action: 'rollback', version: { version: 1 } });
    // Version 1 was the first: nothing earlier to go back to.
    const again = await app.request('POST', '/api/v1/releases/rollback', { token: ops.token, body: { kind: 'model', name: 'fraud-like', zone: ZONE, reason: 'again' } });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/no earlier version/u);
    expect((await ledgerEvents(app, 'change.refused')).some((e) => e.body.operation === 'rollback' && e.body.component?.name === 'fraud-like')).toBe(true);
    const history = await app.request('GET', `/api/v1/deployments?kind=model&name=fraud-like&zone=${ZONE}`);
    expect(history.body.deployments.map((d: any) => [d.action, d.version.version])).toEqual([
      ['rollback', 1],
      ['deploy', 2],
      ['deploy', 1],
    ]);
  });

  it('keeps separation of duties: the author never approves, an approval counts once and only for the revision reviewed', async () => {
    const own = await propose('own-work', spec(await promoted()), { token: devApprover.token });
    expect(own.status).toBe(201);
    await evaluate(own.body.id, 0.9, devApprover.token);
    const self = await approve(own.body.id, devApprover.token);
    expect(self.status).toBe(403);
    expect(self.body.error.code).toBe('SOD_VIOLATION');
    const denied = (await ledgerEvents(app, 'auth.denied')).find((e) => e.target?.id === own.body.id);
    expect(denied.body).toMatchObject({ operation: 'releases.approve', code: 'SOD_VIOLATION', sod: { rule: 'author-cannot-approve', satisfied: false } });

    // Two approvals needed in hipaa-ai: one approver twice is still one.
    const hipaa = await propose('sepsis-alert', { ...spec(await promoted('hipaa-ai')), dataClasses: ['ephi'] }, { zone: 'hipaa-ai' });
    expect(hipaa.status, hipaa.text).toBe(201);
    const ev = await app.request('POST', `/api/v1/changes/${hipaa.body.id}/evaluations`, { body: { metrics: { sensitivity: 0.93, specificity: 0.85 } }, token: dev.token });
    expect(ev.body.evaluation.passed).toBe(true);
    expect((await approve(hipaa.body.id)).body).toMatchObject({ state: 'open', approvalsRequired: 2 });
    const twice = await approve(hipaa.body.id);
    expect(twice.status).toBe(409);
    expect(twice.body.error.message).toMatch(/already approved revision 2/u);
    // Stale: the author attaches new evidence after risk-2 read revision 2.
    await app.request('POST', `/api/v1/changes/${hipaa.body.id}/evaluations`, { body: { metrics: { sensitivity: 0.94, specificity: 0.85 } }, token: dev.token });
    const stale = await approve(hipaa.body.id, risk2.token, { revision: 2 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toMatch(/reviewed revision 2 but the change is at revision 3/u);
    // The earlier approval was for revision 2: it no longer counts.
    const fresh = await approve(hipaa.body.id, risk2.token, { revision: 3 });
    expect(fresh.body).toMatchObject({ state: 'open', blockers: [{ step: 'approval', detail: '1 of 2 required distinct approver(s) other than the author have approved' }] });
    expect((await approve(hipaa.body.id, risk1.token, { revision: 3 })).body.state).toBe('approved');
    // Only the author edits, rejecting is for approvers.
    expect((await app.request('PATCH', `/api/v1/changes/${hipaa.body.id}`, { token: devApprover.token, body: { title: 'mine now' } })).status).toBe(403);
    expect((await app.request('POST', `/api/v1/changes/${hipaa.body.id}/rejection`, { token: risk2.token, body: { reason: 'wrong quarter' } })).body.state).toBe('rejected');
    expect((await deploy(hipaa.body.id)).body.error.message).toMatch(/\[state\] the change is rejected/u);
  });

  it('lets an emergency change deploy before approval and flags it until approved after the fact', async () => {
    const weights = await promoted();
    expect((await propose('hotfix', spec(weights), { emergency: true })).body.error.message).toMatch(/emergency change needs a reason/u);
    const c = await propose('hotfix', spec(weights), { emergency: true, reason: 'score inversion in production, INC-4411' });
    await evaluate(c.body.id, 0.8);
    const d = await deploy(c.body.id);
    expect(d.status, d.text).toBe(201);
    expect(d.body.change).toMatchObject({ state: 'deployed', emergency: true, overdue: false });
    expect(Date.parse(d.body.change.approvalDueAt) - Date.parse(d.body.deployment.deployedAt)).toBe(3 * 86_400_000);
    expect((await ledgerEvents(app, 'release.deployed')).find((e) => e.body.changeId === c.body.id).body).toMatchObject({ emergency: true, approvers: [] });
    const pending = await app.request('GET', '/api/v1/changes?pendingApproval=true', { token: risk1.token });
    expect(pending.body.changes.map((x: any) => x.id)).toContain(c.body.id);

    app.clock.offsetMs = 4 * 86_400_000;
    try {
      const overdue = await app.request('GET', '/api/v1/changes?overdue=true');
      expect(overdue.body.changes.map((x: any) => x.id)).toEqual([c.body.id]);
      const late = await approve(c.body.id, risk2.token);
      expect(late.status, late.text).toBe(200);
      expect(late.body).toMatchObject({ state: 'deployed', overdue: false });
      expect((await ledgerEvents(app, 'change.approved')).find((e) => e.body.changeId === c.body.id).body).toMatchObject({ afterTheFact: true, complete: true });
      expect((await approve(c.body.id, risk1.token)).status).toBe(409);
    } finally {
      app.clock.offsetMs = 0;
    }
  });

  it('refuses a change whose base moved, until rebased; of two racing deployments exactly one lands', async () => {
    await ship('racer', spec(await promoted()));
    const a = await propose('racer', spec(await promoted()));
    const b = await propose('racer', spec(await promoted()));
    for (const c of [a, b]) {
      await evaluate(c.body.id, 0.8);
      expect((await approve(c.body.id)).status).toBe(200);
    }
    const results = await Promise.all([deploy(a.body.id), deploy(b.body.id), deploy(a.body.id)]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    const winner = results.find((r) => r.status === 201)!.body.change.id;
    const loser = winner === a.body.id ? b.body.id : a.body.id;
    const blockers = (await app.request('GET', `/api/v1/changes/${loser}`)).body.blockers;
    expect(blockers).toEqual([expect.objectContaining({ step: 'base', detail: expect.stringMatching(/version [23] is active in regulated-ai-eu now; rebase it/u) })]);
    const history = await app.request('GET', `/api/v1/deployments?kind=model&name=racer&zone=${ZONE}`);
    expect(history.body.deployments).toHaveLength(2);

    // Rebase: a new revision against what runs now; the approval given before no longer counts.
    const rebased = await app.request('PATCH', `/api/v1/changes/${loser}`, { token: dev.token, body: { rebase: true } });
    expect(rebased.body).toMatchObject({ state: 'open', revision: 3, blockers: [{ step: 'approval' }] });
    expect(rebased.body.base.version).toBe(results.find((r) => r.status === 201)!.body.deployment.version.version);
    await approve(loser);
    expect((await deploy(loser)).status).toBe(201);
  });

  it('blocks on artifacts the registry does not vouch for, at proposal and again at rollback', async () => {
    const stranger = { name: 'models/never-seen', digest: sha('not uploaded') };
    const c = await propose('orphan', spec(stranger));
    expect(c.status).toBe(201);
    expect(c.body.validation).toContainEqual({ step: 'artifacts', ok: false, detail: expect.stringMatching(/models\/never-seen@sha256:.* is not in the registry; push it through intake first/u) });
    expect(c.body.blockers[0].step).toBe('artifacts');

    // Placement: cardholder data may not go to regulated-ai-eu.
    const misplaced = await propose('misplaced', { ...spec(await promoted()), dataClasses: ['cardholder_data'] });
    expect(misplaced.body.blockers[0]).toMatchObject({ step: 'placement', detail: expect.stringMatching(/cardholder_data/u) });

    // Approved while its weights were current; deployed after their review date passed: refused.
    const aging = await propose('aging', spec(await promoted(ZONE, 2)));
    await evaluate(aging.body.id, 0.8);
    expect((await approve(aging.body.id)).body.state).toBe('approved');
    app.clock.offsetMs = 3 * 86_400_000;
    try {
      const late = await deploy(aging.body.id);
      expect(late.status).toBe(409);
      expect(late.body.error.message).toMatch(/\[artifacts\] models\/credit-\d+@sha256:[0-9a-f]+… is past its review date/u);
    } finally {
      app.clock.offsetMs = 0;
    }

    // A version whose weights were quarantined since cannot be rolled back to.
    const w1 = await promoted();
    await ship('quarantine-me', spec(w1));
    await ship('quarantine-me', spec(await promoted()));
    expect((await app.request('POST', `/api/v1/artifacts/${w1.id}/quarantine`, { token: ops.token, body: { reason: 'backdoor reported upstream' } })).status).toBe(200);
    const rb = await app.request('POST', '/api/v1/releases/rollback', { token: ops.token, body: { kind: 'model', name: 'quarantine-me', zone: ZONE, reason: 'latency' } });
    expect(rb.status).toBe(409);
    expect(rb.body.error.message).toMatch(/cannot be restored.*is quarantined/u);
  });

  it('walks lineage both ways and lets a deployed evaluation-threshold change tighten the bar', async () => {
    const up = await app.request('GET', `/api/v1/lineage?ref=${encodeURIComponent('model/credit-scorer@1')}&direction=upstream`, { token: auditor.token });
    expect(up.body.nodes).toEqual(expect.arrayContaining([`dataset:${DATASET.name}@${DATASET.digest}`, 'commit:git.bank.internal/risk/credit@a1b2c3d4e5f6', 'run:mlflow-7f3c']));
    const down = await app.request('GET', `/api/v1/lineage?ref=${encodeURIComponent(`dataset:${DATASET.name}@${DATASET.digest}`)}&direction=downstream`);
    expect(down.body.nodes).toEqual(expect.arrayContaining(['model/credit-scorer@1', 'model/fraud-like@1', 'model/fraud-like@2']));
    expect((await app.request('GET', '/api/v1/lineage?ref=nonsense')).status).toBe(400);

    const t = await propose('credit-bar', { config: { metrics: { auc: { min: 0.85 } } } }, { kind: 'evaluation-threshold' });
    expect(t.body.blockers.map((b: any) => b.step)).toEqual(['approval']);
    await approve(t.body.id);
    expect((await deploy(t.body.id)).status).toBe(201);
    const m = await propose('after-bar', spec(await promoted()));
    const e = await evaluate(m.body.id, 0.82);
    expect(e.body.evaluation.results).toContainEqual(expect.objectContaining({ metric: 'auc', ok: false, source: 'evaluation-threshold/credit-bar@1' }));
  });

  it('answers bad input with a 400 naming the field, and records nothing', async () => {
    const before = (await ledgerEvents(app, 'change.created')).length;
    const cases: [unknown, RegExp][] = [
      [{ kind: 'model', name: 'x', zone: 'nowhere', title: 't', spec: {} }, /zone nowhere is not in the policy in force/u],
      [{ kind: 'vibes', name: 'x', zone: ZONE, title: 't', spec: {} }, /kind/u],
      [{ kind: 'model', name: 'Bad Name', zone: ZONE, title: 't', spec: {} }, /name/u],
      [{ kind: 'model', name: 'x', zone: ZONE, title: 't', spec: { config: { blob: 'x'.repeat(530_000) } } }, /config is larger than 512 KiB/u],
      [{ kind: 'model', name: 'x', zone: ZONE, title: 't', spec: { card: { blob: 'x'.repeat(70_000) } } }, /card is larger than 64 KiB/u],
      [{ kind: 'model', name: 'x', title: 't', spec: {} }, /zone: name the zone/u],
      [{ kind: 'model', name: 'x', zone: ZONE, title: 't', spec: { card: { riskTier: 'spicy' } } }, /card\.riskTier/u],
      [{ kind: 'policy', name: 'evident', zone: ZONE, title: 't', spec: {} }, /applies to every zone: leave zone out/u],
      [{ kind: 'model', name: 'x', zone: ZONE, title: 't', spec: { artifacts: [{ name: 'models/x', digest: 'sha256:nothex' }] } }, /digest/u],
      [{ kind: 'model', name: 'x', zone: ZONE, title: 't', spec: {}, extra: 1 }, /extra/u],
    ];
    for (const [body, msg] of cases) {
      const r = await app.request('POST', '/api/v1/changes', { token: dev.token, body });
      expect(r.status, JSON.stringify(body).slice(0, 100)).toBe(400);
      expect(r.body.error.message).toMatch(msg);
    }
    expect((await ledgerEvents(app, 'change.created')).length).toBe(before);
    expect((await app.request('GET', '/api/v1/changes/not-a-uuid')).status).toBe(400);
    expect((await app.request('GET', '/api/v1/changes/0190a6f0-0000-7000-8000-000000000000')).status).toBe(404);
    const bad = await app.request('POST', '/api/v1/changes', { token: dev.token, body: { kind: 'model', name: 'empty', zone: ZONE, title: 't', spec: {} } });
    expect(bad.body.blockers[0]).toMatchObject({ step: 'schema', detail: expect.stringMatching(/names the registry artifacts/u) });
  });
});

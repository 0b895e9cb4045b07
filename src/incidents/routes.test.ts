// Incident response over HTTP on both databases: deadlines per regime, kill switches and what
// they stop, rollback orders, closing rules and the timeline from the ledger.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, ledgerEvents, type TestApp } from '../../test/helpers/app.js';
import { DIALECTS } from '../../test/helpers/db.js';
import { releaseSteps } from '../../test/helpers/releases.js';

const ZONE = 'regulated-ai-eu';
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

describe.each(DIALECTS)('incident response over HTTP on %s', (dialect) => {
  let app: TestApp;
  let dev: { id: string; token: string };
  let risk: { id: string; token: string };
  let ops: { id: string; token: string };
  let auditor: { id: string; token: string };
  let gateway: { id: string; token: string };
  let steps: ReturnType<typeof releaseSteps>;

  beforeAll(async () => {
    app = await createTestApp(dialect, { registry: { requireSignature: false } });
    dev = await app.person('dev', ['developer']);
    risk = await app.person('risk', ['approver']);
    ops = await app.person('ops', ['operator']);
    auditor = await app.person('audit', ['auditor']);
    gateway = await app.person('llm-gateway', ['workload']);
    steps = releaseSteps(app, { dev, approver: risk, ops }, ZONE);
  });
  afterAll(async () => app?.close());

  it('runs an incident: deadlines per regime, a kill switch that stops deploys, a rollback order, late notifications, closing rules, a timeline', async () => {
    await steps.ship('scorer', steps.spec(await steps.promoted()));
    await steps.ship('scorer', steps.spec(await steps.promoted(), { description: 'v2' }));

    expect((await app.request('POST', '/api/v1/incidents', { token: dev.token, body: { title: 'x', severity: 'high' } })).status).toBe(403);
    const detectedAt = hoursAgo(80);
    const opened = await app.request('POST', '/api/v1/incidents', {
      token: ops.token,
      body: { title: 'scorer leaks applicant names in explanations', description: 'reported by a customer', severity: 'critical', detectedAt, affected: { components: [{ kind: 'model', name: 'scorer' }], zones: [ZONE] }, regimes: ['gdpr', 'eu-ai-act'] },
    });
    expect(opened.status, opened.text).toBe(201);
    const id = opened.body.id as string;
    const gdpr = opened.body.deadlines.find((d: any) => d.regime === 'gdpr');
    expect(Date.parse(gdpr.dueAt) - Date.parse(detectedAt)).toBe(72 * 3_600_000);
    expect(gdpr).toMatchObject({ overdue: true, notifiedAt: null });
    expect(opened.body.deadlines.find((d: any) => d.regime === 'eu-ai-act')).toMatchObject({ overdue: false });
    // The description may name people: the ledger holds its digest, not the text.
    const ev = (await ledgerEvents(app, 'incident.opened')).find((e) => e.body.incidentId === id);
    expect(JSON.stringify(ev)).not.toContain('customer');
    expect(ev.body.textDigest).toMatch(/^sha256:/u);
    expect((await app.request('GET', '/api/v1/incidents?overdue=true', { token: auditor.token })).body.incidents.map((i: any) => i.id)).toContain(id);

    // Kill switch on the deployment: new changes to it are blocked, the point-in-time answer says so.
    const ks = await app.request('POST', '/api/v1/kill-switches', { token: ops.token, body: { scope: 'deployment', kind: 'model', name: 'scorer', zone: ZONE, incidentId: id, reason: 'stop explanations now' } });
    expect(ks.status, ks.text).toBe(201);
    expect(ks.body).toMatchObject({ target: `model/scorer@${ZONE}`, engaged: true, incidentId: id });
    const twice = await app.request('POST', '/api/v1/kill-switches', { token: ops.token, body: { scope: 'deployment', kind: 'model', name: 'scorer', zone: ZONE, reason: 'again' } });
    expect(twice.status).toBe(409);
    const active = await app.request('GET', `/api/v1/releases/active?name=scorer&zone=${ZONE}`);
    expect(active.body.active.disabledBy).toMatchObject({ killSwitchId: ks.body.id, reason: 'stop explanations now' });
    const fix = await steps.propose('scorer', steps.spec(await steps.promoted(), { description: 'fix' }));
    expect(fix.body.blockers.map((b: any) => b.step)).toContain('kill-switch');

    // A rollback order: carried out by release management, linked to the incident.
    const rb = await app.request('POST', `/api/v1/incidents/${id}/rollbacks`, { token: ops.token, body: { kind: 'model', name: 'scorer', zone: ZONE, reason: 'v2 leaks' } });
    expect(rb.status, rb.text).toBe(201);
    expect(rb.body).toMatchObject({ action: 'rollback', version: { version: 1 }, reason: `incident ${id}: v2 leaks` });

    // Closing: refused while a notification is missing or a kill switch still engaged.
    await app.request('PATCH', `/api/v1/incidents/${id}`, { token: ops.token, body: { status: 'resolved' } });
    const early = await app.request('PATCH', `/api/v1/incidents/${id}`, { token: ops.token, body: { status: 'closed' } });
    expect(early.status).toBe(409);
    expect(early.body.error.message).toMatch(/no notification recorded for gdpr \(due .*\), eu-ai-act/u);
    const late = await app.request('POST', `/api/v1/incidents/${id}/notifications`, { token: ops.token, body: { regime: 'gdpr', authority: 'CNIL', reference: 'NOT-2026-118' } });
    expect(late.body.deadlines.find((d: any) => d.regime === 'gdpr')).toMatchObject({ late: true, overdue: false });
    expect((await ledgerEvents(app, 'incident.notified')).find((e) => e.body.incidentId === id).body).toMatchObject({ regime: 'gdpr', late: true });
    expect((await app.request('POST', `/api/v1/incidents/${id}/notifications`, { token: ops.token, body: { regime: 'gdpr', authority: 'CNIL' } })).status).toBe(409);
    expect((await app.request('POST', `/api/v1/incidents/${id}/notifications`, { token: ops.token, body: { regime: 'hipaa', authority: 'HHS' } })).body.error.message).toMatch(/does not carry the hipaa regime/u);
    await app.request('POST', `/api/v1/incidents/${id}/notifications`, { token: ops.token, body: { regime: 'eu-ai-act', authority: 'AI Office' } });
    expect((await app.request('PATCH', `/api/v1/incidents/${id}`, { token: ops.token, body: { status: 'closed' } })).body.error.message).toMatch(/kill switch\(es\) it engaged are still engaged/u);
    const released = await app.request('POST', `/api/v1/kill-switches/${ks.body.id}/release`, { token: ops.token, body: { reason: 'v1 restored' } });
    expect(released.body).toMatchObject({ engaged: false, releasedBy: ops.id });
    expect((await app.request('POST', `/api/v1/kill-switches/${ks.body.id}/release`, { token: ops.token, body: { reason: 'again' } })).status).toBe(409);
    const closed = await app.request('PATCH', `/api/v1/incidents/${id}`, { token: ops.token, body: { status: 'closed' } });
    expect(closed.body).toMatchObject({ status: 'closed' });
    expect((await app.request('PATCH', `/api/v1/incidents/${id}`, { token: ops.token, body: { severity: 'low' } })).status).toBe(409);

    // The timeline: every step, in order, each with its event id and (once integrated) leaf index.
    await expect.poll(async () => (await app.request('GET', `/api/v1/incidents/${id}/timeline`, { token: auditor.token })).body.events.every((e: any) => e.index !== null), { timeout: 5000 }).toBe(true);
    const t = await app.request('GET', `/api/v1/incidents/${id}/timeline`, { token: auditor.token });
    const actions = t.body.events.map((e: any) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['release.deployed', 'incident.opened', 'killswitch.engaged', 'incident.rollback-ordered', 'incident.notified', 'killswitch.released', 'incident.updated']));
    expect(actions.indexOf('incident.opened')).toBeLessThan(actions.indexOf('killswitch.engaged'));
    expect(actions.indexOf('killswitch.engaged')).toBeLessThan(actions.indexOf('killswitch.released'));
    const times = t.body.events.map((e: any) => e.occurredAt);
    expect([...times].sort()).toEqual(times);
    expect((await app.request('GET', `/api/v1/incidents/${id}/timeline`, { token: dev.token })).status).toBe(403);
  });

  it('keeps provider and zone kill switches for the gateway to obey, and refuses malformed ones', async () => {
    const p = await app.request('POST', '/api/v1/kill-switches', { token: ops.token, body: { scope: 'provider', provider: 'openai', reason: 'provider breach notice' } });
    expect(p.status, p.text).toBe(201);
    const z = await app.request('POST', '/api/v1/kill-switches', { token: ops.token, body: { scope: 'zone-egress', zone: 'standard-ai', reason: 'exfiltration suspected' } });
    expect(z.status).toBe(201);
    const seen = await app.request('GET', '/api/v1/kill-switches?engaged=true', { token: gateway.token });
    expect(seen.body.killSwitches.map((k: any) => `${k.scope}:${k.target}`)).toEqual(expect.arrayContaining(['provider:openai', 'zone-egress:standard-ai']));
    for (const [body, msg] of [
      [{ scope: 'provider', reason: 'r' }, /names the provider/u],
      [{ scope: 'deployment', kind: 'model', zone: ZONE, reason: 'r' }, /names kind, name and zone/u],
      [{ scope: 'zone-egress', zone: ZONE, provider: 'x', reason: 'r' }, /names only the zone/u],
      [{ scope: 'provider', provider: 'openai' }, /reason/u],
    ] as const) {
      const r = await app.request('POST', '/api/v1/kill-switches', { token: ops.token, body });
      expect(r.status).toBe(400);
      expect(r.body.error.message).toMatch(msg);
    }
    expect((await app.request('POST', '/api/v1/kill-switches', { token: gateway.token, body: { scope: 'provider', provider: 'x', reason: 'r' } })).status).toBe(403);
    expect((await app.request('POST', '/api/v1/incidents', { token: ops.token, body: { title: 't', severity: 'low', detectedAt: new Date(Date.now() + 3_600_000).toISOString() } })).body.error.message).toMatch(/in the future/u);
    expect((await app.request('POST', '/api/v1/incidents', { token: ops.token, body: { title: 't', severity: 'low', regimes: ['ccpa'] } })).status).toBe(400);
  });
});

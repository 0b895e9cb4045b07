// The sensitive payload store over HTTP on both databases: off unless the zone turns it on,
// redacted and encrypted at rest, readable by the zone's named roles only, each read recorded,
// gone (with its key) after the retention period.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, ledgerEvents, type TestApp } from '../../test/helpers/app.js';
import { DIALECTS } from '../../test/helpers/db.js';

const ZONE = 'regulated-ai-eu'; // examples/policy: payloads 30 days for auditors; debug 24 h for operators
const PROMPT = 'Explain why the loan of Maria Schneider (maria.schneider@example.de, IBAN DE89 3704 0044 0532 0130 00) was declined.';

describe.each(DIALECTS)('payload logs over HTTP on %s', (dialect) => {
  let app: TestApp;
  let scorer: { id: string; token: string };
  let outsider: { id: string; token: string };
  let ops: { id: string; token: string };
  let auditor: { id: string; token: string };
  let dev: { id: string; token: string };

  beforeAll(async () => {
    app = await createTestApp(dialect);
    scorer = await app.person('credit-scorer', ['workload'], { zones: [ZONE] });
    outsider = await app.person('chat-bot', ['workload'], { zones: ['standard-ai'] });
    ops = await app.person('ops', ['operator']);
    auditor = await app.person('audit', ['auditor']);
    dev = await app.person('dev', ['developer']);
  });
  afterAll(async () => app?.close());

  const write = (token: string, body: Record<string, unknown>) => app.request('POST', '/api/v1/payloads', { token, body: { zone: ZONE, kind: 'prompt', text: PROMPT, ...body } });

  it('stores a prompt redacted and encrypted, shows it to the zone readers only, and records every read', async () => {
    const w = await write(scorer.token, { requestId: 'req-7f3c', dataClasses: ['personal_data'] });
    expect(w.status, w.text).toBe(201);
    expect(w.body).toMatchObject({ zone: ZONE, kind: 'prompt', requestId: 'req-7f3c', writtenBy: scorer.id, dataClasses: ['personal_data'] });
    expect(w.body.redactions).toMatchObject({ EMAIL: 1, IBAN: 1 });
    expect(Date.parse(w.body.expiresAt) - Date.parse(w.body.createdAt)).toBe(30 * 86_400_000);

    // At rest: neither the input nor the redacted text is readable in the database or the ledger.
    const row = await app.server.runtime.database.db.selectFrom('payload_logs').selectAll().where('id', '=', w.body.id).executeTakeFirstOrThrow();
    const stored = Buffer.concat([row.ciphertext, row.wrapped_key]).toString('latin1');
    for (const clear of ['maria.schneider', 'DE89', 'Explain why', 'declined']) expect(stored).not.toContain(clear);
    const written = (await ledgerEvents(app, 'payload.written')).find((e) => e.body.payloadId === w.body.id);
    expect(JSON.stringify(written)).not.toMatch(/maria|DE89|declined/iu);

    const read = await app.request('GET', `/api/v1/payloads/${w.body.id}`, { token: auditor.token });
    expect(read.status, read.text).toBe(200);
    expect(read.body.text).toContain('was declined');
    expect(read.body.text).not.toMatch(/maria\.schneider@|DE89 3704/u);
    expect((await ledgerEvents(app, 'payload.read')).filter((e) => e.body.payloadId === w.body.id)).toHaveLength(1);

    // Operators are not named for payloads in this zone, developers for nothing: refused and recorded.
    for (const who of [ops, dev]) {
      expect((await app.request('GET', `/api/v1/payloads/${w.body.id}`, { token: who.token })).status).toBe(403);
    }
    expect((await app.request('GET', `/api/v1/payloads?zone=${ZONE}`, { token: dev.token })).status).toBe(403);
    expect((await ledgerEvents(app, 'auth.denied')).filter((e) => e.body.operation === 'payloads.read')).toHaveLength(2);
    expect((await ledgerEvents(app, 'payload.read')).filter((e) => e.body.payloadId === w.body.id)).toHaveLength(1);
    const listed = await app.request('GET', `/api/v1/payloads?zone=${ZONE}&requestId=req-7f3c`, { token: auditor.token });
    expect(listed.body.payloads.map((p: any) => p.id)).toEqual([w.body.id]);
    expect(listed.body.payloads[0].text).toBeUndefined();
  });

  it('is off where the zone does not turn it on, and only for the zone own workloads', async () => {
    const off = await write(outsider.token, { zone: 'standard-ai' });
    expect(off.status).toBe(403);
    expect(off.body.error.message).toMatch(/payload logging is off in zone standard-ai/u);
    const foreign = await write(outsider.token, {});
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.message).toMatch(/does not belong to zone regulated-ai-eu/u);
    expect((await write(ops.token, {})).body.error.message).toMatch(/people record debug captures only/u);
    expect((await ledgerEvents(app, 'auth.denied')).filter((e) => e.body.operation === 'payloads.write').length).toBeGreaterThanOrEqual(3);
    expect((await write(scorer.token, { requestId: 'has spaces' })).status).toBe(400);
    expect((await write(scorer.token, { ttlHours: 2 })).body.error.message).toMatch(/ttlHours is for debug captures/u);
  });

  it('keeps debug captures for hours, for operators, and deletes everything expired with its key', async () => {
    expect((await write(ops.token, { kind: 'debug', ttlHours: 48 })).body.error.message).toMatch(/longer than zone regulated-ai-eu allows \(24\)/u);
    const dbg = await write(ops.token, { kind: 'debug', ttlHours: 2, text: 'retry loop on scorer pod 3; last request: ' + PROMPT });
    expect(dbg.status, dbg.text).toBe(201);
    expect((await app.request('GET', `/api/v1/payloads/${dbg.body.id}`, { token: ops.token })).body.text).toMatch(/^retry loop/u);
    expect((await app.request('GET', `/api/v1/payloads/${dbg.body.id}`, { token: auditor.token })).status).toBe(403);
    const kept = await write(scorer.token, { kind: 'response' });

    app.clock.offsetMs = 3 * 3_600_000;
    try {
      expect((await app.request('GET', `/api/v1/payloads/${dbg.body.id}`, { token: ops.token })).status).toBe(404);
      expect(await app.server.runtime.payloads.sweep()).toBeGreaterThanOrEqual(1);
      expect(await app.server.runtime.database.db.selectFrom('payload_logs').select('id').where('id', '=', dbg.body.id).executeTakeFirst()).toBeUndefined();
      expect((await app.request('GET', `/api/v1/payloads/${kept.body.id}`, { token: auditor.token })).status).toBe(200);
      const expired = (await ledgerEvents(app, 'payload.expired')).at(-1);
      expect(expired.body).toMatchObject({ zones: [ZONE] });
    } finally {
      app.clock.offsetMs = 0;
    }
  });
});

// Reversible tokens over HTTP on both databases: only where the zone allows, stable per value,
// revealed only to the zone's named roles, each reveal recorded, gone after the retention period.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, ledgerEvents, type TestApp } from '../../test/helpers/app.js';
import { DIALECTS } from '../../test/helpers/db.js';

const ZONE = 'regulated-ai-eu'; // examples/policy: reversible_tokens 30 days, readers workload + auditor
const TEXT = 'Customer jane.doe@example.org (IBAN GB82 WEST 1234 5698 7654 32) asked twice; reply to jane.doe@example.org.';

describe.each(DIALECTS)('reversible tokens over HTTP on %s', (dialect) => {
  let app: TestApp;
  let gateway: { id: string; token: string };
  let other: { id: string; token: string };
  let auditor: { id: string; token: string };
  let ops: { id: string; token: string };

  beforeAll(async () => {
    app = await createTestApp(dialect);
    gateway = await app.person('llm-gateway', ['workload'], { zones: [ZONE] });
    other = await app.person('chat', ['workload'], { zones: ['standard-ai'] });
    auditor = await app.person('audit', ['auditor']);
    ops = await app.person('ops', ['operator']);
  });
  afterAll(async () => app?.close());

  it('tokenizes stably, reveals to the named roles with a record, and forgets after the retention period', async () => {
    const t = await app.request('POST', '/api/v1/vault/tokenize', { token: gateway.token, body: { zone: ZONE, text: TEXT } });
    expect(t.status, t.text).toBe(200);
    expect(t.body.text).not.toMatch(/jane\.doe|GB82/u);
    const tokens = t.body.spans.map((s: any) => s.token);
    expect(tokens[0]).toMatch(/^\[\[EMAIL:[0-9a-f]{20}\]\]$/u);
    expect(tokens[0]).toBe(tokens.at(-1)); // the same value, the same token
    const again = await app.request('POST', '/api/v1/vault/tokenize', { token: gateway.token, body: { zone: ZONE, text: 'JANE.DOE@example.org' } });
    expect(again.body.text).toBe(tokens[0]);

    const stored = await app.server.runtime.database.db.selectFrom('vault_tokens').selectAll().execute();
    expect(Buffer.concat(stored.map((r) => r.ciphertext)).toString('latin1')).not.toContain('jane.doe');
    const tokenized = (await ledgerEvents(app, 'vault.tokenized')).at(-1);
    expect(JSON.stringify(tokenized)).not.toMatch(/jane|GB82|\[\[/u);

    const answer = `We wrote to ${tokens[0]} about ${tokens[1]}; [[EMAIL:0123456789abcdef0123]] is unknown.`;
    const r = await app.request('POST', '/api/v1/vault/reveal', { token: auditor.token, body: { zone: ZONE, text: answer } });
    expect(r.status, r.text).toBe(200);
    expect(r.body.text).toBe('We wrote to jane.doe@example.org about GB82 WEST 1234 5698 7654 32; [[EMAIL:0123456789abcdef0123]] is unknown.');
    expect(r.body).toMatchObject({ revealed: 2, unknown: ['[[EMAIL:0123456789abcdef0123]]'] });
    expect((await ledgerEvents(app, 'vault.revealed')).at(-1).body).toMatchObject({ zone: ZONE, count: 2, types: { EMAIL: 1, IBAN: 1 } });

    const denied = await app.request('POST', '/api/v1/vault/reveal', { token: ops.token, body: { zone: ZONE, text: answer } });
    expect(denied.status).toBe(403);
    expect((await ledgerEvents(app, 'auth.denied')).some((e) => e.body.operation === 'vault.reveal')).toBe(true);

    // Within the retention period a week later, still revealable (API tokens of person() last 7 days).
    app.clock.offsetMs = 6 * 86_400_000;
    try {
      expect((await app.request('POST', '/api/v1/vault/reveal', { token: auditor.token, body: { zone: ZONE, text: answer } })).body.revealed).toBe(2);
    } finally {
      app.clock.offsetMs = 0;
    }
  });

  it('is off where the zone does not allow it, and for workloads of other zones', async () => {
    const off = await app.request('POST', '/api/v1/vault/tokenize', { token: other.token, body: { zone: 'standard-ai', text: TEXT } });
    expect(off.status).toBe(403);
    expect(off.body.error.message).toMatch(/reversible tokens are off in zone standard-ai/u);
    const foreign = await app.request('POST', '/api/v1/vault/tokenize', { token: other.token, body: { zone: ZONE, text: TEXT } });
    expect(foreign.body.error.message).toMatch(/does not belong to zone regulated-ai-eu/u);
    expect((await app.request('POST', '/api/v1/vault/tokenize', { token: ops.token, body: { zone: ZONE, text: TEXT } })).status).toBe(403);
  });

  it('deletes expired originals with their keys', async () => {
    await app.request('POST', '/api/v1/vault/tokenize', { token: gateway.token, body: { zone: ZONE, text: 'mail max@example.net' } });
    const vault = app.server.runtime.vault;
    const before = (await app.server.runtime.database.db.selectFrom('vault_tokens').select('token').execute()).length;
    expect(await vault.sweep()).toBe(0);
    app.clock.offsetMs = 31 * 86_400_000;
    try {
      expect(await vault.sweep()).toBe(before);
      expect(await app.server.runtime.database.db.selectFrom('vault_tokens').select('token').execute()).toEqual([]);
      expect((await ledgerEvents(app, 'vault.expired')).at(-1).body).toMatchObject({ count: before, zones: [ZONE] });
    } finally {
      app.clock.offsetMs = 0;
    }
  });
});

// The authorization matrix: every route in the permission table, called by every role and by
// nobody. The table must name exactly the routes the server registers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, ledgerEvents, type TestApp } from '../../test/helpers/app.js';
import { DIALECTS } from '../../test/helpers/db.js';
import { PERMISSIONS, accessFor } from './permissions.js';
import { ROLES, type Role } from './roles.js';

const SOME_UUID = '01a20000-0000-7000-8000-000000000000';

function sampleRequest(key: string, app: TestApp): { method: string; path: string; body?: unknown } {
  const [method, url] = key.split(' ') as [string, string];
  // The registry's catch-all routes: a real endpoint under each method.
  const V2: Record<string, string> = { GET: '/v2/sample/repo/tags/list', POST: '/v2/sample/repo/blobs/uploads/', PUT: '/v2/sample/repo/manifests/v1', PATCH: `/v2/sample/repo/blobs/uploads/${SOME_UUID}`, DELETE: '/v2/sample/repo/manifests/v1' };
  if (url === '/v2/*') return { method, path: V2[method]!, ...(method === 'POST' || method === 'PATCH' ? { body: {} } : {}) };
  let path = url.replace('*', '').replace(':id', url.includes('principals') ? app.adminId : SOME_UUID).replace(':eventId', SOME_UUID);
  if (path === '/api/v1/ledger/entries') path += '?start=0&end=1';
  if (path === '/api/v1/ledger/proofs/inclusion') path += '?index=0';
  if (path === '/api/v1/ledger/proofs/consistency') path += '?first=1';
  if (path === '/api/v1/policy/render/k8s') path += '?zone=hipaa-ai';
  path = path.replace(':version', '1');
  return { method, path, ...(method === 'POST' || method === 'PATCH' ? { body: {} } : {}) };
}

describe.each(DIALECTS)('permission matrix on %s', (dialect) => {
  let app: TestApp;
  const tokens = new Map<Role, string>();

  beforeAll(async () => {
    app = await createTestApp(dialect);
    for (const role of ROLES) tokens.set(role, (await app.principal(`matrix-${role}`, [role])).token);
  });
  afterAll(async () => app?.close());

  it('names exactly the routes the server registers', () => {
    const all = [...app.server.http.registeredRoutes, ...(app.server.webhook?.http.registeredRoutes ?? [])];
    const registered = new Set(all.filter((r) => !r.startsWith('HEAD ') && !r.includes(' /docs') && r !== 'GET /healthz'));
    registered.add('GET /healthz');
    const table = new Set(Object.keys(PERMISSIONS).filter((k) => !k.endsWith('/docs*')));
    expect([...registered].sort()).toEqual([...table].sort());
    expect(app.server.http.registeredRoutes.filter((r) => r.includes(' /docs')).every((r) => accessFor(r.split(' ')[0]!, r.split(' ')[1]!) === 'public')).toBe(true);
  });

  // The admission routes live on the webhook's own HTTPS listener (tested in policy/admission).
  const keys = Object.keys(PERMISSIONS).filter((k) => !k.endsWith('/docs*') && !k.includes('/admission/'));

  it.each(keys)('%s: allowed roles pass, others get 403, nobody gets 401', async (key) => {
    const access = PERMISSIONS[key]!;
    const req = sampleRequest(key, app);
    const before = (await ledgerEvents(app, 'auth.denied')).length;
    let expectedDenials = 0;
    for (const role of ROLES) {
      const res = await app.request(req.method, req.path, { token: tokens.get(role)!, ...(req.body ? { body: req.body } : {}) });
      const allowed = access === 'public' || access.includes(role);
      if (allowed) {
        expect([401, 403], `${role} on ${key}: ${res.text}`).not.toContain(res.status);
      } else {
        expectedDenials += 1;
        expect(res.status, `${role} on ${key}`).toBe(403);
        // The registry answers in the OCI distribution spec's error format.
        const error = req.path.startsWith('/v2/') ? { code: res.body.errors[0].code === 'DENIED' ? 'FORBIDDEN' : res.body.errors[0].code, message: res.body.errors[0].message } : res.body.error;
        expect(error.code).toBe('FORBIDDEN');
        expect(error.message).toContain(role);
      }
    }
    const anon = await app.request(req.method, req.path, { token: null, ...(req.body ? { body: req.body } : {}) });
    if (access === 'public') expect(anon.status).not.toBe(401);
    else {
      expect(anon.status).toBe(401);
      expect(anon.headers.get('www-authenticate')).toContain('Bearer');
    }
    // Every authenticated refusal is in the ledger with the roles it needed.
    const denials = (await ledgerEvents(app, 'auth.denied')).slice(before).filter((e) => e.actor.type === 'principal');
    expect(denials).toHaveLength(expectedDenials);
    for (const d of denials) expect(d.body).toMatchObject({ operation: key, code: 'FORBIDDEN', requiredRoles: access });
  });

  it('records unauthenticated refusals, folding floods from one address into a count', async () => {
    await app.server.runtime.denials.flush();
    const before = await ledgerEvents(app, 'auth.denied');
    const n = 25;
    for (let i = 0; i < n; i++) expect((await app.request('GET', '/api/v1/principals', { token: 'evd_nope' })).status).toBe(401);
    await app.server.runtime.denials.flush();
    const after = (await ledgerEvents(app, 'auth.denied')).slice(before.length).filter((e) => e.actor.type === 'anonymous');
    const counted = after.reduce((sum, e) => sum + (e.body.suppressed ?? 1), 0);
    expect(counted).toBe(n);
    expect(after.length).toBeLessThan(n);
    expect(after[0]).toMatchObject({ outcome: 'denied', actor: { type: 'anonymous' }, subject: { alg: 'A256GCM' }, body: { code: 'UNAUTHENTICATED' } });
  });
});

describe('personal data in the record of refusals', () => {
  it('writes neither the names of people nor client addresses into ledger leaves in clear', async () => {
    const app = await createTestApp('sqlite');
    try {
      const person = await app.principal('maria.garcia', ['developer']);
      await app.request('GET', '/api/v1/principals', { token: person.token });
      await app.request('GET', '/api/v1/principals', { token: 'evd_unknown' });
      await app.server.runtime.denials.flush();
      const leaves = (await app.server.runtime.database.db.selectFrom('ledger_entries').select('leaf').execute()).map((r) => r.leaf.toString('utf8'));
      const denials = leaves.filter((l) => l.includes('auth.denied'));
      expect(denials.length).toBeGreaterThanOrEqual(2);
      for (const l of leaves) {
        expect(l).not.toContain('maria');
        expect(l).not.toContain('127.0.0.1');
        expect(l).not.toContain('::1');
      }
      expect(denials.some((l) => l.includes('"subject"'))).toBe(true);
    } finally {
      await app.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, ledgerEvents, type TestApp } from '../../test/helpers/app.js';
import { DIALECTS } from '../../test/helpers/db.js';
import { startFakeIdp, type FakeIdp } from '../../test/helpers/fake-idp.js';
import { mapRoles } from './oidc.js';

describe('OIDC claim mapping', () => {
  it('maps groups to roles and ignores what is not mapped', () => {
    const mapping = { 'ml-eng': ['developer' as const], 'risk-approvers': ['approver' as const, 'auditor' as const] };
    expect(mapRoles(['ml-eng', 'risk-approvers', 'everyone'], mapping)).toEqual(['approver', 'auditor', 'developer']);
    expect(mapRoles('ml-eng everyone', mapping)).toEqual(['developer']);
    expect(mapRoles(undefined, mapping)).toEqual([]);
    expect(mapRoles([42, { x: 1 }], mapping)).toEqual([]);
  });
});

describe.each(DIALECTS)('OIDC bearer tokens on %s', (dialect) => {
  let idp: FakeIdp;
  let app: TestApp;
  beforeAll(async () => {
    idp = await startFakeIdp();
    app = await createTestApp(dialect, {
      auth: {
        oidc: {
          issuer: idp.issuer,
          audience: 'evident',
          nameClaim: 'email',
          roleMapping: { 'ml-eng': ['developer'], 'model-risk': ['approver'], platform: ['operator'], workloads: ['workload'] },
          kindClaim: 'principal_type',
          allowInsecureLoopback: true,
          jwksCooldownSeconds: 0,
        },
      },
    });
  });
  afterAll(async () => {
    await app?.close();
    await idp?.close();
  });

  it('signs a person in, creating the principal once with the mapped roles', async () => {
    const jwt = await idp.sign({ sub: 'u-100', email: 'ravi@bank.example', groups: ['ml-eng', 'all-staff'] });
    const me = await app.request('GET', '/api/v1/whoami', { token: jwt });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ principal: { name: 'ravi@bank.example', kind: 'human', roles: ['developer'], external: { issuer: idp.issuer, subject: 'u-100' } }, via: `oidc:${idp.issuer}` });
    await app.request('GET', '/api/v1/whoami', { token: jwt });
    const created = (await ledgerEvents(app, 'principal.created')).filter((e) => e.body.externalIssuer === idp.issuer);
    expect(created).toHaveLength(1);
    expect(created[0].actor).toEqual({ type: 'system', via: `oidc:${idp.issuer}` });
    expect(JSON.stringify(created[0])).not.toContain('ravi');
  });

  it('creates one principal when a new identity arrives with many requests at once', async () => {
    const jwt = await idp.sign({ sub: 'u-burst', email: 'burst@bank.example', groups: ['ml-eng'] });
    const rs = await Promise.all(Array.from({ length: 12 }, () => app.request('GET', '/api/v1/whoami', { token: jwt })));
    expect(rs.map((r) => r.status)).toEqual(Array(12).fill(200));
    expect(new Set(rs.map((r) => r.body.principal.id)).size).toBe(1);
    const created = (await ledgerEvents(app, 'principal.created')).filter((e) => e.target.id === rs[0]!.body.principal.id);
    expect(created).toHaveLength(1);
  });

  it('follows the identity provider when group membership changes, recording it', async () => {
    const jwt = await idp.sign({ sub: 'u-100', email: 'ravi@bank.example', groups: ['ml-eng', 'platform'] });
    expect((await app.request('GET', '/api/v1/whoami', { token: jwt })).body.principal.roles).toEqual(['developer', 'operator']);
    const upd = (await ledgerEvents(app, 'principal.updated')).at(-1);
    expect(upd).toMatchObject({ body: { roles: { from: ['developer'], to: ['developer', 'operator'] } } });
    // Route authorization uses the roles in the token.
    expect((await app.request('POST', '/api/v1/ledger/annotations', { token: jwt, body: { note: 'by an OIDC operator' } })).status).toBe(201);
  });

  it('maps workload identities to service principals', async () => {
    const jwt = await idp.sign({ sub: 'system:serviceaccount:fraud:scorer', principal_type: 'service', groups: ['workloads'] });
    expect((await app.request('GET', '/api/v1/whoami', { token: jwt })).body.principal).toMatchObject({ kind: 'service', roles: ['workload'] });
  });

  it('refuses bad tokens with 401 saying why', async () => {
    const cases: [Promise<string>, RegExp][] = [
      [idp.sign({ sub: 'u-1', groups: ['ml-eng'] }, { expiresIn: '-10m' }), /expired/u],
      [idp.sign({ sub: 'u-1', groups: ['ml-eng'] }, { audience: 'someone-else' }), /aud/u],
      [idp.sign({ sub: 'u-1', groups: ['ml-eng'] }, { issuer: 'https://evil.example' }), /iss/u],
      [idp.sign({ groups: ['ml-eng'] }), /sub/u],
      [idp.sign({ sub: 'u-1', groups: ['ml-eng'] }, { kid: 'unknown-kid' }), /no key/u],
    ];
    for (const [p, msg] of cases) {
      const r = await app.request('GET', '/api/v1/whoami', { token: await p });
      expect(r.status, r.text).toBe(401);
      expect(r.body.error.message).toMatch(msg);
    }
    const jwt = await idp.sign({ sub: 'u-100', email: 'ravi@bank.example', groups: ['ml-eng'] });
    const tampered = jwt.slice(0, -4) + (jwt.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect((await app.request('GET', '/api/v1/whoami', { token: tampered })).status).toBe(401);
  });

  it('refuses identities the mapping grants nothing, and the workload role to people', async () => {
    const none = await app.request('GET', '/api/v1/whoami', { token: await idp.sign({ sub: 'u-2', groups: ['all-staff'] }) });
    expect(none.status).toBe(403);
    expect(none.body.error.message).toContain('roleMapping');
    const person = await app.request('GET', '/api/v1/whoami', { token: await idp.sign({ sub: 'u-3', groups: ['workloads'] }) });
    expect(person.status).toBe(403);
  });

  it('caps tokens minted from a provider session, and strips them when the provider drops the person', async () => {
    const jwt = await idp.sign({ sub: 'u-400', email: 'temp@bank.example', groups: ['platform'] });
    const tooLong = await app.request('POST', '/api/v1/tokens', { token: jwt, body: { name: 'cli', expiresInDays: 90 } });
    expect(tooLong.status).toBe(400);
    const pat = await app.request('POST', '/api/v1/tokens', { token: jwt, body: { name: 'cli' } });
    expect(pat.status).toBe(201);
    expect(new Date(pat.body.expiresAt).getTime()).toBeLessThanOrEqual(Date.now() + 30 * 86_400_000 + 1000);
    expect((await app.request('POST', '/api/v1/ledger/annotations', { token: pat.body.token, body: { note: 'with my PAT' } })).status).toBe(201);
    // The provider removes the person's groups; their next sign-in strips the stored roles.
    const dropped = await idp.sign({ sub: 'u-400', email: 'temp@bank.example', groups: [] });
    expect((await app.request('GET', '/api/v1/whoami', { token: dropped })).status).toBe(403);
    expect((await app.request('POST', '/api/v1/ledger/annotations', { token: pat.body.token, body: { note: 'after removal' } })).status).toBe(403);
  });

  it('maps nothing for groups named like object prototype keys', async () => {
    const jwt = await idp.sign({ sub: 'u-proto', groups: ['constructor', '__proto__', 'toString', 'hasOwnProperty'] });
    const r = await app.request('GET', '/api/v1/whoami', { token: jwt });
    expect(r.status).toBe(403);
  });

  it('honours a local disable over the identity provider', async () => {
    const jwt = await idp.sign({ sub: 'u-200', email: 'leaver@bank.example', groups: ['ml-eng'] });
    const me = await app.request('GET', '/api/v1/whoami', { token: jwt });
    await app.request('PATCH', `/api/v1/principals/${me.body.principal.id}`, { body: { status: 'disabled' } });
    const r = await app.request('GET', '/api/v1/whoami', { token: jwt });
    expect(r.status).toBe(401);
    expect(r.body.error.message).toContain('disabled');
  });

  it('picks up rotated signing keys', async () => {
    await idp.rotate();
    const jwt = await idp.sign({ sub: 'u-300', email: 'new@bank.example', groups: ['model-risk'] });
    expect((await app.request('GET', '/api/v1/whoami', { token: jwt })).body.principal.roles).toEqual(['approver']);
  });
});

describe('OIDC provider outage', () => {
  it('answers 503 (not 401) when the identity provider cannot be reached', async () => {
    const idp = await startFakeIdp();
    const app = await createTestApp('sqlite', { auth: { oidc: { issuer: idp.issuer, audience: 'evident', roleMapping: { g: ['developer'] }, allowInsecureLoopback: true } } });
    try {
      const jwt = await idp.sign({ sub: 'x', groups: ['g'] });
      idp.setDown(true);
      const r = await app.request('GET', '/api/v1/whoami', { token: jwt });
      expect(r.status).toBe(503);
      expect(r.body.error.code).toBe('UNAVAILABLE');
    } finally {
      await app.close();
      await idp.close();
    }
  });
});

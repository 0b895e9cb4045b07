import { createHash } from 'node:crypto';
import { canonicalJson } from '../util/canonical-json.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { createTestApp, ledgerEvents, type TestApp } from '../../test/helpers/app.js';
import { DIALECTS } from '../../test/helpers/db.js';

describe.each(DIALECTS)('policy over HTTP on %s', (dialect) => {
  let app: TestApp;
  let dev: string;
  beforeAll(async () => {
    // Applying directly is what this file tests; change control is tested in releases/policy-change.test.ts.
    app = await createTestApp(dialect, { policy: { changeControl: false } });
    dev = (await app.principal('deployer', ['developer'])).token;
  });
  afterAll(async () => app?.close());

  it('puts the shipped examples in force on a fresh installation, recorded as version 1', async () => {
    const p = await app.request('GET', '/api/v1/policy', { token: dev });
    expect(p.body).toMatchObject({ version: 1, files: ['data-classes.yaml', 'regulated-ai-zone.yaml', 'zones.yaml'], classes: ['public', 'personal_data', 'ephi', 'cardholder_data'] });
    expect((await ledgerEvents(app, 'policy.activated'))[0]).toMatchObject({ actor: { type: 'system', via: 'init' }, body: { policy: { version: 1, digest: p.body.digest } } });
  });

  it('decides placements for deployment tooling and records each decision with the policy version', async () => {
    const r = await app.request('POST', '/api/v1/policy/decisions', { token: dev, body: { zone: 'regulated-ai-eu', classes: ['personal_data', 'ephi'] } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ allowed: false, policyVersion: 1, violations: [{ rule: 'class-allowed-in-zone', source: 'class:ephi', field: 'zone' }] });
    const e = (await ledgerEvents(app, 'placement.decided')).at(-1);
    expect(e).toMatchObject({ outcome: 'denied', actor: { type: 'principal' }, body: { zone: 'regulated-ai-eu', policy: { version: 1 }, violations: [{ rule: 'class-allowed-in-zone' }] } });
    const ok = await app.request('POST', '/api/v1/policy/decisions', {
      token: dev,
      body: { zone: 'standard-ai', classes: ['public'], manifests: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'python:3.12' }] } }] },
    });
    expect(ok.body).toMatchObject({ allowed: true, images: ['python:3.12'] });
    // The record names each manifest by its RFC 8785 digest; its (possibly personal) name is sealed.
    const manifest = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'python:3.12' }] } };
    const digest = 'sha256:' + createHash('sha256').update(canonicalJson(manifest)).digest('hex');
    const last = (await ledgerEvents(app, 'placement.decided')).at(-1);
    expect(last.body.objects).toEqual([{ kind: 'Pod', digest, images: ['python:3.12'] }]);
    expect(last.subject).toMatchObject({ alg: 'A256GCM' }); // the object's name, sealed
  });

  it('keeps the version in force when a new one is invalid, and says where', async () => {
    const bad = await app.request('POST', '/api/v1/policy/versions', { body: { files: [{ name: 'z.yaml', text: 'zones:\n  q:\n    ingres: private_only\n' }] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.problems[0]).toMatchObject({ file: 'z.yaml', line: 3, column: 5, path: 'zones.q.ingres' });
    expect((await app.request('GET', '/api/v1/policy')).body.version).toBe(1);
    expect((await app.request('POST', '/api/v1/policy/versions', { token: dev, body: { files: [{ name: 'z.yaml', text: '' }] } })).status).toBe(403);
  });

  it('serves versions and their files, and a zone rendered for Kubernetes', async () => {
    const v = await app.request('GET', '/api/v1/policy/versions/1', { token: dev });
    expect(v.body.files.map((f: { name: string }) => f.name)).toEqual(['data-classes.yaml', 'regulated-ai-zone.yaml', 'zones.yaml']);
    expect((await app.request('GET', '/api/v1/policy/versions/99')).status).toBe(404);
    const r = await app.request('GET', '/api/v1/policy/render/k8s?zone=pci-ai');
    expect(r.headers.get('content-type')).toContain('application/yaml');
    expect(parseAllDocuments(r.text).map((d) => d.toJS().kind)).toContain('ValidatingWebhookConfiguration');
    expect((await app.request('GET', '/api/v1/policy/render/k8s?zone=mars')).status).toBe(404);
  });
});

describe('rendering on a server without the webhook', () => {
  it('answers 409: there is no CA to put in the webhook configuration', async () => {
    const app = await createTestApp('sqlite', { webhook: { enabled: false } });
    try {
      const r = await app.request('GET', '/api/v1/policy/render/k8s?zone=pci-ai');
      expect(r.status).toBe(409);
      expect(r.body.error.message).toContain('the admission webhook is disabled on this server');
    } finally {
      await app.close();
    }
  });
});

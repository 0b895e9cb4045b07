// End to end over HTTPS: the real AdmissionReview fixtures sent to the webhook listener the way a
// kube-apiserver sends them, verified against the CA Evident generated.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { createTestApp, ledgerEvents, type TestApp } from '../../../test/helpers/app.js';
import { DIALECTS } from '../../../test/helpers/db.js';
import { admissionFixture, admissionFixtureNames } from '../../../test/helpers/policy.js';

describe.each(DIALECTS)('admission webhook over HTTPS on %s', (dialect) => {
  let app: TestApp;
  let agent: Agent;
  beforeAll(async () => {
    app = await createTestApp(dialect, { policy: { changeControl: false } });
    agent = new Agent({ connect: { ca: app.server.webhook!.tls.ca, servername: 'localhost' } });
  });
  afterAll(async () => {
    await agent?.close();
    await app?.close();
  });

  async function send(path: string, body: unknown) {
    const url = app.server.webhook!.url.replace('127.0.0.1', 'localhost') + path;
    const res = await request(url, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.statusCode, body: (await res.body.json()) as any };
  }

  it('serves a certificate signed by its own CA, for the service names', () => {
    const tls = app.server.webhook!.tls;
    expect(tls.dnsNames).toEqual(expect.arrayContaining(['evident-webhook.evident-system.svc', 'localhost']));
    expect(Buffer.from(tls.caBundle, 'base64').toString()).toBe(tls.ca);
  });

  it.each(admissionFixtureNames())('answers %s with its uid, in its own API version', async (name) => {
    const review = admissionFixture(name);
    review.request.namespace = 'clinical-ml'; // a namespace the policy places in hipaa-ai
    const r = await send('/admission/validate/hipaa-ai', review);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ apiVersion: review.apiVersion, kind: 'AdmissionReview', response: { uid: review.request.uid } });
    const expectAllowed = /service_clusterip/u.test(name);
    expect(r.body.response.allowed, JSON.stringify(r.body.response.status)).toBe(expectAllowed);
    if (!expectAllowed) {
      expect(r.body.response.status.code).toBe(403);
      expect(r.body.response.status.message).toMatch(/^denied by Evident policy v1 \(\d+ violations?\): \[/u);
      expect(r.body.response.status.message).toContain('fix:');
    }
  });

  it('records every decision with kind, namespace, images and policy version; the user and the object name sealed', async () => {
    const review = admissionFixture('connaisseur__09_dply_multi_image.review-v1beta1.json');
    await send('/admission/validate/pci-ai', review);
    const e = (await ledgerEvents(app, 'admission.decided')).find((x) => x.body.uid === review.request.uid && x.body.zone === 'pci-ai');
    expect(e).toMatchObject({
      outcome: 'denied',
      actor: { type: 'system', via: 'kubernetes-admission' },
      body: { kind: 'Deployment', namespace: 'connaisseur', zone: 'pci-ai', allowed: false, policy: { version: 1, digest: expect.stringMatching(/^sha256:/u) } },
    });
    expect(e.body.images).toEqual(['busybox:1.32', 'redis:alpine', 'mysql:8']); // the init container too
    expect(e.body.violations.map((v: { rule: string }) => v.rule)).toContain('image-digest-pinned');
    expect(e.target).toEqual({ type: 'deployment', id: review.request.uid });
    expect(JSON.stringify(e)).not.toContain(review.request.userInfo.username);
    expect(JSON.stringify(e)).not.toContain(`"${review.request.object.metadata.name}"`);
    expect(e.subject).toMatchObject({ alg: 'A256GCM' });
  });

  it('finds the zone from the namespace when called on the generic path', async () => {
    const review = admissionFixture('kubewarden-disallow-service-loadbalancer__service_loadbalancer.request.json');
    // namespace "default" maps to no zone: the default zone (standard-ai) allows LoadBalancers.
    expect((await send('/admission/validate', review)).body.response.allowed).toBe(true);
    const inClinical = structuredClone(review);
    inClinical.request.namespace = 'clinical-ml';
    const r = await send('/admission/validate', inClinical);
    expect(r.body.response.allowed).toBe(false);
    expect(r.body.response.status.message).toContain('[private-ingress-services] spec.type');
  });

  it('returns warn-mode rules as warnings and lets the object in', async () => {
    const p = await app.request('GET', '/api/v1/policy/versions/1');
    const files = p.body.files.map((f: { name: string; text: string }) => f);
    files.push({ name: 'warn.yaml', text: 'rules:\n  private-ingress-services: { mode: warn }\n' });
    expect((await app.request('POST', '/api/v1/policy/versions', { body: { files, note: 'warn only for one week' } })).status).toBe(201);
    const review = admissionFixture('kubewarden-disallow-service-loadbalancer__service_loadbalancer.request.json');
    review.request.namespace = 'clinical-ml';
    const deadline = Date.now() + 5000;
    let r;
    do {
      r = await send('/admission/validate/hipaa-ai', review);
    } while (!r.body.response.allowed && Date.now() < deadline && (await new Promise((res) => setTimeout(res, 100))) === undefined);
    expect(r.body.response).toMatchObject({ allowed: true, warnings: [expect.stringMatching(/^evident: \[private-ingress-services\] spec\.type: /u)] });
  });

  it('keeps namespace zone labels true to the policy, and leaves exempt namespaces alone', async () => {
    const restricted = { 'pod-security.kubernetes.io/enforce': 'restricted' };
    const ns = (name: string, labels: Record<string, string>, old?: Record<string, string>) => ({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: randomUUID(),
        kind: { group: '', version: 'v1', kind: 'Namespace' },
        operation: old ? 'UPDATE' : 'CREATE',
        name,
        object: { metadata: { name, labels } },
        ...(old ? { oldObject: { metadata: { name, labels: old } } } : {}),
      },
    });
    const verdict = async (review: unknown, path = '/admission/validate') => {
      const res = await send(path, review);
      const r = res.body.response;
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return r.allowed ? 'allowed' : (r.status.message as string);
    };
    const hipaa = { 'evident.io/zone': 'hipaa-ai', ...restricted };
    expect(await verdict(ns('team-x', { 'evident.io/zone': 'standard-ai' }))).toBe('allowed');
    expect(await verdict(ns('clinical-ml', hipaa))).toBe('allowed');
    expect(await verdict(ns('team-x', { 'evident.io/zone': 'moon-ai' }))).toContain('[unknown-zone]');
    // An unmapped namespace may not claim a regulated zone, also when its name comes from generateName.
    expect(await verdict(ns('team-x', hipaa))).toContain('[namespace-zone] metadata.labels["evident.io/zone"]: namespace team-x claims regulated zone hipaa-ai');
    const generated = ns('', hipaa);
    generated.request.object.metadata.name = 'team-q7x2k';
    expect(await verdict(generated)).toContain('namespace team-q7x2k claims regulated zone hipaa-ai');
    // A mapped namespace can neither drop nor change its label, nor relax Pod Security.
    expect(await verdict(ns('clinical-ml', {}, hipaa))).toContain('belongs to zone hipaa-ai by policy and must say so');
    expect(await verdict(ns('clinical-ml', { 'evident.io/zone': 'standard-ai' }, hipaa))).toContain('may not claim zone standard-ai');
    expect(await verdict(ns('clinical-ml', { ...hipaa, 'pod-security.kubernetes.io/enforce': 'baseline' }, hipaa))).toContain(
      'where Pod Security must enforce "restricted", not "baseline"; fix: set pod-security.kubernetes.io/enforce=restricted',
    );
    // An update that leaves both labels alone is not judged: a namespace mislabelled before Evident came can still be deleted.
    expect(await verdict(ns('clinical-ml', { 'evident.io/zone': 'standard-ai', team: 'b' }, { 'evident.io/zone': 'standard-ai' }))).toBe('allowed');
    // A workload sent on a zone's path from a namespace the policy puts elsewhere, or nowhere.
    const pod = admissionFixture('kubewarden-pod-privileged__no_privileged_containers.request.json');
    pod.request.namespace = 'clinical-ml';
    expect(await verdict(pod, '/admission/validate/standard-ai')).toContain('[namespace-zone] request.namespace: namespace clinical-ml belongs to zone hipaa-ai by policy but is labelled standard-ai');
    pod.request.namespace = 'team-x';
    expect(await verdict(pod, '/admission/validate/pci-ai')).toContain('namespace team-x is labelled with regulated zone pci-ai, but the policy does not place it there');
    const sys = admissionFixture('kubewarden-pod-privileged__privileged_container.request.json');
    sys.request.namespace = 'kube-system';
    expect(await verdict(sys, '/admission/validate/hipaa-ai')).toBe('allowed');
  });

  it('records nothing for dry runs', async () => {
    const review = admissionFixture('connaisseur__02_pod.review.json');
    review.request.uid = 'dry-run-uid';
    review.request.dryRun = true;
    expect((await send('/admission/validate/hipaa-ai', review)).body.response.allowed).toBe(false);
    expect((await ledgerEvents(app, 'admission.decided')).filter((e) => e.body.uid === 'dry-run-uid')).toEqual([]);
  });

  it('answers a malformed review with 400 and a message, never a crash', async () => {
    for (const body of [{}, { apiVersion: 'admission.k8s.io/v2', kind: 'AdmissionReview', request: {} }, { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'x' } }]) {
      const r = await send('/admission/validate', body);
      expect(r.status).toBe(400);
      expect(r.body.error.message).toMatch(/^not an AdmissionReview: /u);
    }
    const url = app.server.webhook!.url.replace('127.0.0.1', 'localhost') + '/admission/validate';
    const raw = await request(url, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: '{"apiVersion":' });
    expect(raw.statusCode).toBe(400);
    await raw.body.text();
  });
});

// Release-management steps for tests: a model artifact through intake and promoted to a zone, and
// a model change shipped through evaluation, approval and deployment.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { TestApp } from './app.js';

const MODEL = readFileSync(new URL('../fixtures/model-files/picklescan/data/new_pytorch_model.bin', import.meta.url));
export const DATASET = { name: 'loans-2026q3', digest: `sha256:${createHash('sha256').update('loans-2026q3 snapshot').digest('hex')}` };

type Person = { id: string; token: string };
let counter = 0;

export function releaseSteps(app: TestApp, people: { dev: Person; approver: Person; ops: Person }, defaultZone: string) {
  const { dev, approver, ops } = people;

  /** A model artifact through intake, approved and promoted to `zone` (distinct content each call). */
  async function promoted(zone = defaultZone, expiresInDays = 90): Promise<{ name: string; digest: string; id: string }> {
    const n = ++counter;
    const content = Buffer.concat([MODEL, Buffer.from(`\n#${n}`)]);
    const name = `models/credit-${n}`;
    const q = new URLSearchParams({ name, kind: 'model', environments: zone, license: 'Apache-2.0', expiresAt: new Date(Date.now() + expiresInDays * 86_400_000).toISOString() });
    const up = (await fetch(`${app.url}/api/v1/artifacts?${q}`, { method: 'POST', headers: { authorization: `Bearer ${dev.token}`, 'content-type': 'application/octet-stream' }, body: content }).then((r) => r.json())) as any;
    // Bytes appended after the pickle make the scan suspicious (trailing data): the approver accepts it.
    const ap = await app.request('POST', `/api/v1/artifacts/${up.id}/approvals`, { token: approver.token, body: { acceptFindings: true } });
    expect(ap.status, ap.text).toBe(200);
    const pr = await app.request('POST', `/api/v1/artifacts/${up.id}/promotions`, { token: ops.token, body: { zone } });
    expect(pr.status, pr.text).toBe(200);
    return { name, digest: up.digest, id: up.id };
  }

  const spec = (weights: { name: string; digest: string }, extra: Record<string, unknown> = {}) => ({
    dataClasses: ['personal_data'],
    artifacts: [{ name: weights.name, digest: weights.digest, role: 'weights' }],
    lineage: { trainingData: [DATASET], code: { repository: 'git.bank.internal/risk/credit', commit: 'a1b2c3d4e5f6' }, trainingRun: 'mlflow-7f3c' },
    card: { intendedUse: 'consumer credit pre-screening', owner: 'model-risk' },
    ...extra,
  });

  const propose = (name: string, s: unknown, opts: { token?: string; zone?: string; kind?: string; emergency?: boolean; reason?: string } = {}) =>
    app.request('POST', '/api/v1/changes', {
      token: opts.token ?? dev.token,
      body: { kind: opts.kind ?? 'model', name, zone: opts.zone ?? defaultZone, title: `ship ${name}`, spec: s, ...(opts.emergency ? { emergency: true } : {}), ...(opts.reason ? { reason: opts.reason } : {}) },
    });
  const evaluate = (id: string, auc: number, token = dev.token) => app.request('POST', `/api/v1/changes/${id}/evaluations`, { token, body: { metrics: { auc, ks: 0.41 }, dataset: DATASET } });
  const approve = (id: string, token = approver.token, body: Record<string, unknown> = {}) => app.request('POST', `/api/v1/changes/${id}/approvals`, { token, body });
  const deploy = (id: string, token = ops.token) => app.request('POST', `/api/v1/changes/${id}/deployments`, { token, body: {} });

  /** Proposes, evaluates, approves and deploys: the happy path, as one step. */
  async function ship(name: string, s: unknown): Promise<{ change: any; deployment: any }> {
    const c = await propose(name, s);
    expect(c.status, c.text).toBe(201);
    expect((await evaluate(c.body.id, 0.82)).status).toBe(200);
    expect((await approve(c.body.id)).status).toBe(200);
    const d = await deploy(c.body.id);
    expect(d.status, d.text).toBe(201);
    return d.body;
  }

  return { promoted, spec, propose, evaluate, approve, deploy, ship, count: () => counter };
}

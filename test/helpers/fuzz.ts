// Property-based fuzzing shared by the short runs in `npm test` and the long ones in
// `npm run test:reliability`: the API never answers 5xx to hostile input, and no tampering of a
// ledger goes undetected.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { expect } from 'vitest';
import type { TestApp } from './app.js';
import { LedgerVerifier } from '../../src/ledger/verify.js';
import { verifyLeavesParallel } from '../../src/ledger/parallel/verifier.js';
import { MerkleFrontier, leafHash } from '../../src/ledger/merkle.js';
import { signCheckpoint } from '../../src/ledger/checkpoint.js';
import { signerFromSeed } from '../../src/ledger/note.js';

const json = fc.jsonValue({ maxDepth: 4 });
const hostileString = fc.oneof(fc.string({ maxLength: 300 }), fc.constantFrom('', ' ', '\u0000', '../../etc/passwd', "'; drop table principals; --", 'x'.repeat(5000), '\ud800', '__proto__'));
const bodies = fc.oneof(
  json,
  fc.record({ name: hostileString, kind: fc.oneof(hostileString, fc.constantFrom('human', 'service')), roles: fc.oneof(fc.array(hostileString, { maxLength: 8 }), json) }, { requiredKeys: [] }),
  fc.record({ name: hostileString, principalId: fc.oneof(hostileString, fc.uuid()), expiresInDays: fc.oneof(fc.integer(), fc.double(), hostileString) }, { requiredKeys: [] }),
  fc.record({ roles: json, status: fc.oneof(hostileString, fc.constantFrom('active', 'disabled')) }, { requiredKeys: [] }),
  fc.record({ note: fc.oneof(hostileString, json) }, { requiredKeys: [] }),
  fc.record({ zone: fc.oneof(hostileString, fc.constantFrom('hipaa-ai', 'standard-ai')), classes: fc.oneof(fc.array(hostileString, { maxLength: 5 }), json), manifests: fc.array(json, { maxLength: 3 }) }, { requiredKeys: [] }),
  fc.record({ files: fc.array(fc.record({ name: hostileString, text: fc.oneof(hostileString, fc.constantFrom('zones: {a: {ingress: x}}', 'regulated_ai_zone: [', '{}')) }), { maxLength: 3 }) }, { requiredKeys: [] }),
);

/** Hostile AdmissionReviews: the webhook answers 200 or 400, never 5xx. */
const reviews = fc.oneof(
  json,
  fc.record({
    apiVersion: fc.constantFrom('admission.k8s.io/v1', 'admission.k8s.io/v1beta1', 'v2'),
    kind: fc.constantFrom('AdmissionReview', 'Other'),
    request: fc.record(
      {
        uid: hostileString,
        kind: fc.record({ group: hostileString, version: hostileString, kind: fc.oneof(hostileString, fc.constantFrom('Pod', 'Deployment', 'CronJob', 'Namespace', 'Service')) }),
        operation: fc.constantFrom('CREATE', 'UPDATE', 'DELETE', 'X'),
        namespace: fc.oneof(hostileString, fc.constantFrom('clinical-ml', 'kube-system')),
        object: fc.oneof(json, fc.record({ metadata: json, spec: fc.oneof(json, fc.record({ containers: fc.array(json, { maxLength: 3 }), volumes: json, template: json })) })),
        oldObject: json,
      },
      { requiredKeys: [] },
    ),
  }),
);

export async function fuzzAdmission(app: TestApp, runs: number): Promise<void> {
  const { Agent, request } = await import('undici');
  const agent = new Agent({ connect: { ca: app.server.webhook!.tls.ca, servername: 'localhost' } });
  const url = app.server.webhook!.url.replace('127.0.0.1', 'localhost');
  try {
    await fc.assert(
      fc.asyncProperty(reviews, fc.constantFrom('/admission/validate', '/admission/validate/hipaa-ai', '/admission/validate/moon-ai'), async (body, path) => {
        const res = await request(url + path, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        const text = await res.body.text();
        expect(res.statusCode, `${path} ${JSON.stringify(body).slice(0, 300)} -> ${text.slice(0, 300)}`).toBeOneOf([200, 400]);
      }),
      { numRuns: runs },
    );
  } finally {
    await agent.close();
  }
}
const targets: [string, string][] = [
  ['POST', '/api/v1/principals'],
  ['POST', '/api/v1/tokens'],
  ['PATCH', '/api/v1/principals/{id}'],
  ['POST', '/api/v1/ledger/annotations'],
  ['POST', '/api/v1/policy/decisions'],
  ['POST', '/api/v1/policy/versions'],
  ['POST', '/api/v1/changes'],
  ['POST', '/api/v1/releases/rollback'],
  ['POST', '/api/v1/incidents'],
  ['POST', '/api/v1/kill-switches'],
];
const queries = fc.tuple(
  fc.constantFrom('/api/v1/ledger/entries', '/api/v1/ledger/proofs/inclusion', '/api/v1/ledger/proofs/consistency', '/api/v1/principals', '/api/v1/tokens', '/api/v1/changes', '/api/v1/releases/active', '/api/v1/deployments', '/api/v1/lineage', '/api/v1/incidents', '/api/v1/components'),
  fc.dictionary(fc.constantFrom('start', 'end', 'index', 'size', 'first', 'second', 'status', 'kind', 'role', 'principalId', 'x', 'name', 'zone', 'at', 'ref', 'direction', 'depth', 'pendingApproval', 'overdue'), hostileString, { maxKeys: 4 }),
);

export async function fuzzApi(app: TestApp, runs: number): Promise<void> {
  const victim = (await app.request('POST', '/api/v1/principals', { body: { name: `fuzz-${randomBytes(3).toString('hex')}`, kind: 'human', roles: ['developer'] } })).body.id as string;
  const check = (status: number, body: any, what: string) => {
    expect(status, what).toBeLessThan(500);
    if (status >= 400) expect(Object.keys(body.error ?? {}).sort(), what).toEqual(['code', 'details', 'message']);
  };
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...targets), bodies, async ([method, path], body) => {
      const r = await app.request(method, path.replace('{id}', victim), { body });
      check(r.status, r.body, `${method} ${path} ${JSON.stringify(body).slice(0, 200)}`);
    }),
    { numRuns: runs },
  );
  await fc.assert(
    fc.asyncProperty(queries, async ([path, q]) => {
      const r = await app.request('GET', `${path}?${new URLSearchParams(q)}`);
      check(r.status, r.body, `GET ${path} ${JSON.stringify(q)}`);
    }),
    { numRuns: runs },
  );
  await fc.assert(
    fc.asyncProperty(fc.string({ maxLength: 2000 }), fc.constantFrom('application/json', 'text/plain', 'application/json; charset=latin1', ''), async (raw, type) => {
      const r = await app.request('POST', '/api/v1/principals', { raw, headers: type ? { 'content-type': type } : {} });
      check(r.status, r.body, `raw ${JSON.stringify(raw.slice(0, 100))} as ${type}`);
    }),
    { numRuns: runs },
  );
}

type Tamper = { kind: 'edit' | 'delete' | 'swap' | 'duplicate' | 'truncate'; at: number; other: number };
const tamper = fc.record({ kind: fc.constantFrom('edit', 'delete', 'swap', 'duplicate', 'truncate'), at: fc.nat(), other: fc.nat() }) as fc.Arbitrary<Tamper>;

/** Random ledgers with checkpoints; every single tampering is detected by both verifiers. */
export async function fuzzLedger(runs: number, maxLeaves: number): Promise<void> {
  const origin = 'evident.test/fuzz';
  const signer = signerFromSeed(origin, randomBytes(32));
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 2, max: maxLeaves }), fc.integer({ min: 1, max: 50 }), tamper, async (n, every, t) => {
      const leaves = Array.from({ length: n }, (_, i) => Buffer.from(`{"i":${i},"r":"${randomBytes(4).toString('hex')}"}`));
      const notes: string[] = [];
      const f = new MerkleFrontier();
      leaves.forEach((l, i) => {
        f.append(leafHash(l));
        if ((i + 1) % every === 0 || i === n - 1) notes.push(signCheckpoint({ origin, size: f.size, root: f.root(), extensions: [] }, signer));
      });
      const opts = { origin, verifiers: [signer.verifier], checkpoints: notes };
      const serial = (ls: Buffer[]) => {
        const v = new LedgerVerifier(opts);
        ls.forEach((l, i) => v.add(i, l));
        return v.finish().ok;
      };
      expect(serial(leaves)).toBe(true);
      const at = t.at % n;
      let other = t.other % n;
      if (other === at) other = (at + 1) % n;
      const bad = [...leaves];
      if (t.kind === 'edit') bad[at] = Buffer.concat([bad[at]!, Buffer.from(' ')]);
      if (t.kind === 'delete') bad.splice(at, 1);
      if (t.kind === 'swap') [bad[at], bad[other]] = [bad[other]!, bad[at]!];
      if (t.kind === 'duplicate') bad.splice(at, 0, bad[other]!);
      if (t.kind === 'truncate') bad.length = at;
      if (t.kind === 'duplicate') bad.length = n; // same length, shifted content
      expect(serial(bad), `${t.kind} at ${at}/${other} of ${n}`).toBe(false);
      const par = await verifyLeavesParallel(bad, { ...opts, workers: 2 });
      expect(par.intact, `parallel: ${t.kind} at ${at}/${other} of ${n}`).toBe(false);
    }),
    { numRuns: runs },
  );
}

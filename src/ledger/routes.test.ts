import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, ledgerEvents, type TestApp } from '../../test/helpers/app.js';
import { DIALECTS } from '../../test/helpers/db.js';
import { openCheckpoint } from './checkpoint.js';
import { parseVerifierKey } from './note.js';
import { verifyConsistency, verifyInclusion } from './merkle.js';
import { verifyBundleFile } from './bundle.js';

const b64 = (s: string) => Buffer.from(s, 'base64');

describe.each(DIALECTS)('ledger over HTTP on %s', (dialect) => {
  let app: TestApp;
  let auditor: string;
  beforeAll(async () => {
    app = await createTestApp(dialect);
    auditor = (await app.principal('auditor-ann', ['auditor'])).token;
  });
  afterAll(async () => app?.close());

  const keys = async () => (await app.request('GET', '/api/v1/ledger/keys', { token: null })).body.verifierKeys.map(parseVerifierKey);
  const checkpoint = async () => {
    const r = await app.request('POST', '/api/v1/ledger/checkpoint', { token: auditor });
    expect(r.headers.get('content-type')).toContain('text/plain');
    return openCheckpoint(r.text, await keys(), app.server.runtime.meta.origin);
  };

  it('publishes its verifier key and signs checkpoints on demand', async () => {
    const k = await app.request('GET', '/api/v1/ledger/keys', { token: null });
    expect(k.body.origin).toBe(app.server.runtime.meta.origin);
    const before = await checkpoint();
    await app.request('POST', '/api/v1/ledger/annotations', { body: { note: 'quarterly access review starts' } });
    const after = await checkpoint();
    expect(after.size).toBe(before.size + 1);
    const latest = await app.request('GET', '/api/v1/ledger/checkpoint', { token: auditor });
    expect(openCheckpoint(latest.text, await keys()).size).toBe(after.size);
  });

  it('integrates by itself within a second of activity', async () => {
    const start = (await checkpoint()).size;
    await app.request('POST', '/api/v1/ledger/annotations', { body: { note: 'background' } });
    let size = start;
    for (let i = 0; i < 40 && size === start; i++) {
      await new Promise((r) => setTimeout(r, 50));
      size = openCheckpoint((await app.request('GET', '/api/v1/ledger/checkpoint', { token: auditor })).text, await keys()).size;
    }
    expect(size).toBeGreaterThan(start);
  });

  it('serves entries whose bytes hash into the signed tree, and proofs a client verifies itself', async () => {
    const cp = await checkpoint();
    const e = await app.request('GET', `/api/v1/ledger/entries?start=0&end=${cp.size}`, { token: auditor });
    expect(e.status).toBe(200);
    expect(e.body.entries).toHaveLength(cp.size);
    expect(e.body.entries[0].event.action).toBe('system.initialized');
    for (const entry of e.body.entries) {
      const p = await app.request('GET', `/api/v1/ledger/proofs/inclusion?index=${entry.index}&size=${cp.size}`, { token: auditor });
      expect(p.body.leafHash).toBe(entry.leafHash);
      verifyInclusion(entry.index, cp.size, b64(entry.leafHash), p.body.proof.map(b64), cp.root);
    }
    const c = await app.request('GET', `/api/v1/ledger/proofs/consistency?first=3&second=${cp.size}`, { token: auditor });
    verifyConsistency(3, cp.size, c.body.proof.map(b64), b64(c.body.firstRootHash), cp.root);
    expect((await app.request('GET', `/api/v1/ledger/proofs/inclusion?index=${cp.size + 100}`, { token: auditor })).status).toBe(400);
    expect((await app.request('GET', '/api/v1/ledger/entries?start=0&end=5000', { token: auditor })).status).toBe(400);
  });

  it('answers for one event with its proof, and records who read the audit log', async () => {
    const note = await app.request('POST', '/api/v1/ledger/annotations', { body: { note: 'change freeze' } });
    await checkpoint();
    const r = await app.request('GET', `/api/v1/ledger/events/${note.body.eventId}`, { token: auditor });
    expect(r.body.event).toMatchObject({ action: 'ledger.annotated', body: { note: 'change freeze' } });
    const cp = openCheckpoint(r.body.inclusion.checkpoint, await keys());
    verifyInclusion(r.body.index, cp.size, b64(r.body.leafHash), r.body.inclusion.proof.map(b64), cp.root);
    const reads = await ledgerEvents(app, 'ledger.accessed');
    expect(reads.map((x) => x.body.operation)).toEqual(expect.arrayContaining(['entries', 'entry']));
    expect(reads.at(-1).actor.roles).toEqual(['auditor']);
  });

  it('exports a bundle an auditor verifies offline', async () => {
    await checkpoint();
    const r = await app.request('GET', '/api/v1/ledger/export', { token: auditor });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('application/x-ndjson');
    const file = join(app.storage.dataDir, 'export.jsonl');
    writeFileSync(file, r.text);
    const report = await verifyBundleFile(file, { trustedKeys: await keys() });
    expect(report).toMatchObject({ ok: true, keysFrom: 'trusted' });
    expect(report.entries).toBeGreaterThan(5);
  });
});

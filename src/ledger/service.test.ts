import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestLedger, annotation, type TestLedger } from '../../test/helpers/ledger.js';
import { DIALECTS } from '../../test/helpers/db.js';
import { openCheckpoint } from './checkpoint.js';
import { verifyConsistency, verifyInclusion } from './merkle.js';
import { AppError } from '../errors.js';
import type { LedgerEvent } from './event-catalog.js';

const b64 = (s: string) => Buffer.from(s, 'base64');

describe.each(DIALECTS)('ledger service on %s', (dialect) => {
  let t: TestLedger;
  afterEach(async () => t?.close());

  async function appendMany(n: number, from = 0) {
    await Promise.all(Array.from({ length: n }, (_, i) => t.database.transact((tx) => t.ledger.append(tx, annotation(from + i)))));
  }

  it('appends inside the caller transaction, integrates in a batch and signs a checkpoint', async () => {
    t = await createTestLedger(dialect);
    await appendMany(25);
    const r = await t.ledger.integrate();
    expect(r).toMatchObject({ size: 25, integrated: 25 });
    const cp = openCheckpoint(r!.checkpoint, t.ledger.keys.verifiers, t.origin);
    expect(cp.size).toBe(25);
    expect(await t.ledger.integrate()).toBeNull();
    const { entries, treeSize } = await t.ledger.entries(0, 25);
    expect(treeSize).toBe(25);
    expect(entries.map((e) => e.index)).toEqual([...Array(25).keys()]);
    expect(entries[0]!.event).toMatchObject({ v: 1, action: 'ledger.annotated', outcome: 'allowed', actor: { type: 'system' } });
  });

  it('an event whose transaction rolls back never existed', async () => {
    t = await createTestLedger(dialect);
    await expect(
      t.database.transact(async (tx) => {
        await t.ledger.append(tx, annotation(1));
        throw new AppError('CONFLICT', 'the action failed after writing its event');
      }),
    ).rejects.toThrow(/action failed/);
    expect(await t.ledger.integrate()).toBeNull();
  });

  it('refuses a malformed event, which fails the whole action (fail closed)', async () => {
    t = await createTestLedger(dialect);
    const bad = { ...annotation(1), body: { note: '' } } as LedgerEvent;
    await expect(
      t.database.transact(async (tx) => {
        await tx.insertInto('evident_meta').values({ key: 'side-effect', value: 'x' }).execute();
        await t.ledger.append(tx, bad);
      }),
    ).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(await t.database.db.selectFrom('evident_meta').selectAll().where('key', '=', 'side-effect').execute()).toEqual([]);
  });

  it('serves inclusion and consistency proofs that verify against signed checkpoints', async () => {
    t = await createTestLedger(dialect);
    const roots = new Map<number, Buffer>();
    for (const n of [1, 6, 9, 17]) {
      await appendMany(n, roots.size * 100);
      const r = await t.ledger.integrate();
      const cp = openCheckpoint(r!.checkpoint, t.ledger.keys.verifiers, t.origin);
      roots.set(cp.size, cp.root);
    }
    const sizes = [...roots.keys()];
    expect(sizes).toEqual([1, 7, 16, 33]);
    for (const size of sizes) {
      for (let i = 0; i < size; i++) {
        const p = await t.ledger.inclusionProof(i, size);
        verifyInclusion(i, size, b64(p.leafHash), p.proof.map(b64), roots.get(size)!);
        expect(p.checkpoint).toBeDefined();
      }
    }
    for (const a of sizes) {
      for (const b of sizes.filter((s) => s >= a)) {
        const c = await t.ledger.consistencyProof(a, b);
        verifyConsistency(a, b, c.proof.map(b64), roots.get(a)!, roots.get(b)!);
      }
    }
    await expect(t.ledger.inclusionProof(33, 33)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(t.ledger.inclusionProof(0, 34)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(t.ledger.consistencyProof(0, 5)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('gives each event a self-contained proof once integrated', async () => {
    t = await createTestLedger(dialect);
    const { eventId } = await t.database.transact((tx) => t.ledger.append(tx, annotation(7)));
    expect((await t.ledger.eventProof(eventId)).inclusion).toBeNull();
    await appendMany(4);
    await t.ledger.integrate();
    const p = await t.ledger.eventProof(eventId);
    const cp = openCheckpoint(p.inclusion!.checkpoint!, t.ledger.keys.verifiers, t.origin);
    verifyInclusion(p.index, cp.size, b64(p.leafHash), p.inclusion!.proof.map(b64), cp.root);
    await expect(t.ledger.eventProof('00000000-0000-7000-8000-000000000000')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('seals subject data under the subject key; shredding it leaves the tree verifiable', async () => {
    t = await createTestLedger(dialect);
    const email = 'jane.doe@example-hospital.org';
    await t.database.transact((tx) =>
      t.ledger.append(tx, { ...annotation(1), subject: { id: 'person-42', data: { email } } } as LedgerEvent),
    );
    await t.ledger.integrate();
    const [entry] = (await t.ledger.entries(0, 1)).entries;
    expect(Buffer.from(entry!.leaf, 'base64').toString('utf8')).not.toContain('jane');
    const sealed = (entry!.event as { subject: { ref: string; alg: 'A256GCM'; iv: string; ct: string } }).subject;
    expect(await t.subjectKeys.open(t.database.db, sealed, entry!.eventId)).toEqual({ email });
    await t.database.transact((tx) => t.subjectKeys.shred(tx, 'person-42'));
    expect(await t.subjectKeys.open(t.database.db, sealed, entry!.eventId)).toBeNull();
    expect((await t.ledger.verifyStored()).ok).toBe(true);
  });

  it('integrates concurrent appends exactly once, across batches', async () => {
    t = await createTestLedger(dialect, { integrateBatchSize: 7 });
    const appends = Array.from({ length: 120 }, (_, i) => t.database.transact((tx) => t.ledger.append(tx, annotation(i))));
    const integrations = Array.from({ length: 5 }, () => t.ledger.integrate());
    await Promise.all([...appends, ...integrations]);
    await t.ledger.integrate();
    expect(await t.ledger.treeSize()).toBe(120);
    const report = await t.ledger.verifyStored();
    expect(report).toMatchObject({ ok: true, entries: 120, uncovered: 0, pending: 0 });
  });

  describe('tamper detection', () => {
    async function seeded() {
      t = await createTestLedger(dialect);
      for (let i = 0; i < 4; i++) {
        await appendMany(10, i * 10);
        await t.ledger.integrate();
      }
      expect((await t.ledger.verifyStored()).ok).toBe(true);
      return t.database.db;
    }

    it('an edited leaf is named exactly', async () => {
      const db = await seeded();
      const row = await db.selectFrom('ledger_entries').select('leaf').where('seq', '=', 13).executeTakeFirstOrThrow();
      const edited = Buffer.from(row.leaf.toString('utf8').replace(/note \d+/u, 'note 999'));
      await db.updateTable('ledger_entries').set({ leaf: edited }).where('seq', '=', 13).execute();
      const r = await t.ledger.verifyStored();
      expect(r).toMatchObject({ ok: false, firstBadIndex: 13, firstBadIndexExact: true });
      expect(r.problems[0]!.kind).toBe('leaf-hash');
    });

    it('an edited leaf with a recomputed leaf hash is caught by the stored tree and the checkpoints', async () => {
      const db = await seeded();
      const { leafHash } = await import('./merkle.js');
      const row = await db.selectFrom('ledger_entries').select('leaf').where('seq', '=', 22).executeTakeFirstOrThrow();
      const edited = Buffer.from(row.leaf.toString('utf8').replace(/note \d+/u, 'note 777'));
      await db.updateTable('ledger_entries').set({ leaf: edited, leaf_hash: leafHash(edited) }).where('seq', '=', 22).execute();
      const r = await t.ledger.verifyStored();
      expect(r.ok).toBe(false);
      expect(r.problems[0]!.kind).toBe('node-hash');
      expect(r.firstBadIndex).toBe(22);
      // Even with every derived table rewritten, the signed checkpoints bound the damage.
      await db.deleteFrom('ledger_nodes').execute();
      const r2 = await t.ledger.verifyStored();
      expect(r2.problems.map((p) => p.kind)).toContain('node-hash');
    });

    it('a deleted entry is named', async () => {
      const db = await seeded();
      await db.deleteFrom('ledger_entries').where('seq', '=', 5).execute();
      const r = await t.ledger.verifyStored();
      expect(r).toMatchObject({ ok: false, firstBadIndex: 5 });
      expect(r.problems[0]!.kind).toBe('missing-entry');
    });

    it('reordered entries are detected', async () => {
      const db = await seeded();
      await db.updateTable('ledger_entries').set({ seq: -1 }).where('seq', '=', 30).execute();
      await db.updateTable('ledger_entries').set({ seq: 30 }).where('seq', '=', 31).execute();
      await db.updateTable('ledger_entries').set({ seq: 31 }).where('seq', '=', -1).execute();
      const r = await t.ledger.verifyStored();
      expect(r.ok).toBe(false);
      expect(r.firstBadIndex).toBe(30);
    });

    it('truncation is detected from the latest checkpoint', async () => {
      const db = await seeded();
      await db.deleteFrom('ledger_entries').where('seq', '>=', 35).execute();
      const r = await t.ledger.verifyStored();
      expect(r.ok).toBe(false);
      expect(r.problems.map((p) => p.kind)).toContain('truncated');
      expect(r.firstBadIndex).toBe(35);
    });

    it('a forged checkpoint is rejected', async () => {
      const db = await seeded();
      const cp = await db.selectFrom('ledger_checkpoints').selectAll().where('size', '=', 20).executeTakeFirstOrThrow();
      const forged = cp.note.replace(/\n20\n/u, '\n21\n');
      await db.updateTable('ledger_checkpoints').set({ note: forged }).where('size', '=', 20).execute();
      const r = await t.ledger.verifyStored();
      expect(r.ok).toBe(false);
      expect(r.problems[0]!.kind).toBe('checkpoint-signature');
    });

    it('a rewritten history is caught by a checkpoint the auditor kept', async () => {
      const db = await seeded();
      const kept = await t.ledger.latestCheckpoint();
      // An insider with the database (but not the auditor's copy) drops the last 15 entries and
      // every trace of them in derived tables and checkpoints.
      await db.deleteFrom('ledger_entries').where('seq', '>=', 25).execute();
      await db.deleteFrom('ledger_checkpoints').where('size', '>', 20).execute();
      await sql`delete from ledger_nodes where (idx + 1) * power(2, level) > 25`.execute(db);
      expect((await t.ledger.verifyStored()).problems.map((p) => p.kind)).toContain('unsigned-entries');
      const r = await t.ledger.verifyStored({ trustedCheckpoints: [kept] });
      expect(r.problems.map((p) => p.kind)).toContain('truncated');
    });
  });
});

// PostgreSQL only in-process (see database.test.ts); SQLite: test/multi-process.test.ts.
describe.each(DIALECTS.filter((d) => d === 'postgres'))('two ledger services sharing one %s database', (dialect) => {
  it('append and integrate concurrently into one consistent tree', async () => {
    const a = await createTestLedger(dialect);
    const { openDatabase } = await import('../db/database.js');
    const { createLedgerService } = await import('./service.js');
    const { createLedgerStore } = await import('./store.js');
    const db2 = await openDatabase({ dataDir: a.storage.dataDir, url: a.storage.url });
    const b = createLedgerService({ database: db2, store: createLedgerStore(), keys: a.ledger.keys, subjectKeys: a.subjectKeys });
    try {
      const work: Promise<unknown>[] = [];
      for (let i = 0; i < 60; i++) {
        const [svc, db] = i % 2 ? [a.ledger, a.database] : [b, db2];
        work.push(db.transact((tx) => svc.append(tx, annotation(i))));
        if (i % 10 === 9) work.push(svc.integrate());
      }
      await Promise.all(work);
      await a.ledger.integrate();
      await b.integrate();
      const report = await a.ledger.verifyStored();
      expect(report).toMatchObject({ ok: true, entries: 60, pending: 0, uncovered: 0 });
    } finally {
      await db2.close();
      await a.close();
    }
  });
});

// Ledger persistence. Entries arrive unsequenced (seq NULL) inside the caller's transaction; the
// integrator assigns leaf indices in batches, stores every completed subtree hash, and signs a
// checkpoint. Rows are only ever inserted, or have seq set once; nothing is updated or deleted.
import { CompiledQuery } from 'kysely';
import type { Selectable } from 'kysely';
import type { Executor, LedgerEntriesTable } from '../db/tables.js';
import type { SubtreeRef } from './merkle.js';

/** An entry as appended: everything but the queue id and the leaf index the integrator assigns. */
export type NewEntry = Omit<Selectable<LedgerEntriesTable>, 'id' | 'seq'>;

// Parameters per statement stay well below SQLite's and PostgreSQL's limits.
const CHUNK = 500;

const ENTRY_COLUMNS = ['event_id', 'leaf', 'leaf_hash', 'action', 'outcome', 'actor_id', 'target_type', 'target_id', 'request_id', 'occurred_at'] as const;

export function createLedgerStore() {
  // The append is the hottest statement in the product: build its SQL once through Kysely (a store
  // serves one database, so one dialect), then only bind parameters.
  let insertSql: string | undefined;
  return {
    async insertEntry(tx: Executor, row: NewEntry): Promise<void> {
      const params = ENTRY_COLUMNS.map((c) => row[c]);
      insertSql ??= tx
        .insertInto('ledger_entries')
        .values(Object.fromEntries(ENTRY_COLUMNS.map((c, i) => [c, params[i]])) as unknown as NewEntry)
        .compile().sql;
      await tx.executeQuery(CompiledQuery.raw(insertSql, params));
    },

    async pending(tx: Executor, limit: number) {
      return tx.selectFrom('ledger_entries').select(['id', 'leaf_hash']).where('seq', 'is', null).orderBy('id').limit(limit).execute();
    },

    async pendingCount(tx: Executor): Promise<number> {
      const r = await tx.selectFrom('ledger_entries').select((eb) => eb.fn.countAll<number>().as('n')).where('seq', 'is', null).executeTakeFirst();
      return Number(r?.n ?? 0);
    },

    /** Assigns consecutive seqs to ids (ascending): one UPDATE per run of consecutive ids. */
    async assignSeqs(tx: Executor, ids: readonly number[], firstSeq: number): Promise<void> {
      let i = 0;
      while (i < ids.length) {
        let j = i;
        while (j + 1 < ids.length && ids[j + 1] === ids[j]! + 1) j++;
        const delta = firstSeq + i - ids[i]!;
        const res = await tx
          .updateTable('ledger_entries')
          .set((eb) => ({ seq: eb('id', '+', delta) }))
          .where('id', '>=', ids[i]!)
          .where('id', '<=', ids[j]!)
          .where('seq', 'is', null)
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) !== j - i + 1) throw new Error('ledger entries changed while being integrated');
        i = j + 1;
      }
    },

    async insertNodes(tx: Executor, nodes: { level: number; idx: number; hash: Buffer }[]): Promise<void> {
      for (let i = 0; i < nodes.length; i += CHUNK) {
        await tx.insertInto('ledger_nodes').values(nodes.slice(i, i + CHUNK)).execute();
      }
    },

    async getState(tx: Executor, forUpdate: boolean) {
      let q = tx.selectFrom('ledger_state').selectAll().where('id', '=', 1);
      if (forUpdate) q = q.forUpdate();
      return q.executeTakeFirst();
    },

    async initState(tx: Executor, root: Buffer, at: string): Promise<void> {
      const existing = await tx.selectFrom('ledger_state').select('id').where('id', '=', 1).executeTakeFirst();
      if (!existing) await tx.insertInto('ledger_state').values({ id: 1, size: 0, frontier: Buffer.alloc(0), root, updated_at: at }).execute();
    },

    async updateState(tx: Executor, s: { size: number; frontier: Buffer; root: Buffer; updated_at: string }): Promise<void> {
      await tx.updateTable('ledger_state').set(s).where('id', '=', 1).execute();
    },

    async insertCheckpoint(tx: Executor, c: { size: number; root: Buffer; note: string; created_at: string }): Promise<void> {
      await tx.insertInto('ledger_checkpoints').values(c).execute();
    },

    async latestCheckpoint(tx: Executor) {
      return tx.selectFrom('ledger_checkpoints').selectAll().orderBy('size', 'desc').limit(1).executeTakeFirst();
    },

    async checkpointAt(tx: Executor, size: number) {
      return tx.selectFrom('ledger_checkpoints').selectAll().where('size', '=', size).executeTakeFirst();
    },

    async checkpointNotes(tx: Executor, afterSize: number, limit: number) {
      return tx.selectFrom('ledger_checkpoints').select(['size', 'note']).where('size', '>', afterSize).orderBy('size').limit(limit).execute();
    },

    async entriesBySeq(tx: Executor, start: number, end: number) {
      return tx
        .selectFrom('ledger_entries')
        .select(['seq', 'event_id', 'leaf', 'leaf_hash'])
        .where('seq', '>=', start)
        .where('seq', '<', end)
        .orderBy('seq')
        .execute();
    },

    /** Events about one target (e.g. a change request), in arrival order, with their leaf index once integrated. */
    async entriesForTarget(tx: Executor, type: string, id: string, limit: number) {
      return tx.selectFrom('ledger_entries').select(['event_id', 'seq', 'action', 'outcome', 'occurred_at']).where('target_type', '=', type).where('target_id', '=', id).orderBy('id').limit(limit).execute();
    },

    async entryByEventId(tx: Executor, eventId: string) {
      return tx.selectFrom('ledger_entries').select(['seq', 'event_id', 'leaf', 'leaf_hash']).where('event_id', '=', eventId).executeTakeFirst();
    },

    /** Hashes of complete subtrees: level 0 from entries, higher levels from ledger_nodes. */
    async subtreeHashes(tx: Executor, refs: readonly SubtreeRef[]): Promise<Map<string, Buffer>> {
      const out = new Map<string, Buffer>();
      const leaves = [...new Set(refs.filter((r) => r.level === 0).map((r) => r.index))];
      const nodes = refs.filter((r) => r.level > 0);
      for (let i = 0; i < leaves.length; i += CHUNK) {
        const rows = await tx.selectFrom('ledger_entries').select(['seq', 'leaf_hash']).where('seq', 'in', leaves.slice(i, i + CHUNK)).execute();
        for (const r of rows) out.set(`0/${r.seq}`, r.leaf_hash);
      }
      for (let i = 0; i < nodes.length; i += CHUNK) {
        const part = nodes.slice(i, i + CHUNK);
        const rows = await tx
          .selectFrom('ledger_nodes')
          .select(['level', 'idx', 'hash'])
          .where((eb) => eb.or(part.map((r) => eb.and([eb('level', '=', r.level), eb('idx', '=', r.index)]))))
          .execute();
        for (const r of rows) out.set(`${r.level}/${r.idx}`, r.hash);
      }
      return out;
    },

    /** Keyset pages for full verification. */
    async leafPage(tx: Executor, fromSeq: number, limit: number) {
      return tx.selectFrom('ledger_entries').select(['seq', 'leaf', 'leaf_hash']).where('seq', '>=', fromSeq).orderBy('seq').limit(limit).execute();
    },

    async nodeRange(tx: Executor, level: number, firstIdx: number, lastIdx: number) {
      return tx.selectFrom('ledger_nodes').select(['idx', 'hash']).where('level', '=', level).where('idx', '>=', firstIdx).where('idx', '<=', lastIdx).execute();
    },
  };
}

export type LedgerStore = ReturnType<typeof createLedgerStore>;

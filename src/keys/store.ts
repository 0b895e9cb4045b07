import type { Executor } from '../db/tables.js';

export function createSubjectKeyStore() {
  return {
    async findActive(tx: Executor, lookup: string) {
      return tx
        .selectFrom('subject_keys')
        .select(['ref', 'wrapped_key'])
        .where('lookup', '=', lookup)
        .where('wrapped_key', 'is not', null)
        .orderBy('created_at', 'desc')
        .executeTakeFirst();
    },
    async findByRef(tx: Executor, ref: string) {
      return tx.selectFrom('subject_keys').select(['ref', 'wrapped_key', 'shredded_at']).where('ref', '=', ref).executeTakeFirst();
    },
    async insert(tx: Executor, row: { ref: string; lookup: string; wrapped_key: Buffer; created_at: string }) {
      await tx.insertInto('subject_keys').values({ ...row, shredded_at: null }).execute();
    },
    /** Destroys the wrapped keys; returns the refs that were shredded. */
    async shred(tx: Executor, lookup: string, at: string): Promise<string[]> {
      const rows = await tx.selectFrom('subject_keys').select('ref').where('lookup', '=', lookup).where('wrapped_key', 'is not', null).execute();
      if (rows.length === 0) return [];
      await tx.updateTable('subject_keys').set({ wrapped_key: null, shredded_at: at }).where('lookup', '=', lookup).where('wrapped_key', 'is not', null).execute();
      return rows.map((r) => r.ref);
    },
  };
}

export type SubjectKeyStore = ReturnType<typeof createSubjectKeyStore>;

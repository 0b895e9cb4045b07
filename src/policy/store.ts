import type { Executor } from '../db/tables.js';

export function createPolicyStore() {
  return {
    async latest(tx: Executor) {
      return tx.selectFrom('policy_versions').selectAll().orderBy('version', 'desc').limit(1).executeTakeFirst();
    },
    async latestVersion(tx: Executor): Promise<number | null> {
      const r = await tx.selectFrom('policy_versions').select('version').orderBy('version', 'desc').limit(1).executeTakeFirst();
      return r?.version ?? null;
    },
    async get(tx: Executor, version: number) {
      return tx.selectFrom('policy_versions').selectAll().where('version', '=', version).executeTakeFirst();
    },
    async list(tx: Executor) {
      return tx.selectFrom('policy_versions').select(['version', 'digest', 'note', 'created_at', 'created_by']).orderBy('version', 'desc').limit(1000).execute();
    },
    async insert(tx: Executor, row: { version: number; digest: string; sources: string; note: string | null; created_at: string; created_by: string | null }) {
      await tx.insertInto('policy_versions').values(row).execute();
    },
  };
}

export type PolicyStore = ReturnType<typeof createPolicyStore>;

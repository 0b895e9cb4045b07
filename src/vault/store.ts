// Vault persistence: originals of reversible tokens, encrypted, with their expiry.
import type { Selectable } from 'kysely';
import type { Executor, VaultTokensTable } from '../db/tables.js';

export type VaultRow = Selectable<VaultTokensTable>;

export function createVaultStore() {
  return {
    async insert(tx: Executor, row: VaultRow) {
      await tx.insertInto('vault_tokens').values(row).onConflict((oc) => oc.columns(['zone', 'token']).doNothing()).execute();
    },
    /** A token seen again lives on from now: true when it existed. */
    async extend(tx: Executor, zone: string, token: string, expiresAt: string): Promise<boolean> {
      const r = await tx.updateTable('vault_tokens').set({ expires_at: expiresAt }).where('zone', '=', zone).where('token', '=', token).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async get(tx: Executor, zone: string, tokens: readonly string[], notExpiredAt: string) {
      if (!tokens.length) return [];
      const out: VaultRow[] = [];
      for (let i = 0; i < tokens.length; i += 500) {
        out.push(...(await tx.selectFrom('vault_tokens').selectAll().where('zone', '=', zone).where('token', 'in', tokens.slice(i, i + 500)).where('expires_at', '>', notExpiredAt).execute()));
      }
      return out;
    },
    async deleteExpired(tx: Executor, at: string): Promise<{ zone: string; n: number }[]> {
      const rows = await tx.selectFrom('vault_tokens').select('zone').select((eb) => eb.fn.countAll<number>().as('n')).where('expires_at', '<=', at).groupBy('zone').execute();
      if (rows.length) await tx.deleteFrom('vault_tokens').where('expires_at', '<=', at).execute();
      return rows.map((r) => ({ zone: r.zone, n: Number(r.n) }));
    },
  };
}

export type VaultStore = ReturnType<typeof createVaultStore>;

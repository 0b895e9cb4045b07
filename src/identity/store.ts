import type { Executor, PrincipalsTable, ApiTokensTable } from '../db/tables.js';
import type { Selectable } from 'kysely';
import type { Principal, TokenInfo } from './schema.js';
import type { Role } from './roles.js';
import { isUniqueViolation } from '../db/errors.js';
import { conflict } from '../errors.js';

export type PrincipalRow = Selectable<PrincipalsTable>;
export type TokenRow = Selectable<ApiTokensTable>;

export function toPrincipal(r: PrincipalRow): Principal {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    roles: JSON.parse(r.roles) as Role[],
    status: r.status,
    zones: JSON.parse(r.zones) as string[],
    external: r.external_issuer && r.external_subject ? { issuer: r.external_issuer, subject: r.external_subject } : null,
    createdAt: r.created_at,
    createdBy: r.created_by,
    updatedAt: r.updated_at,
  };
}

export function toTokenInfo(r: TokenRow, now: Date): TokenInfo {
  const status = r.revoked_at ? 'revoked' : r.expires_at <= now.toISOString() ? 'expired' : 'active';
  return {
    id: r.id,
    principalId: r.principal_id,
    name: r.name,
    hint: r.hint,
    createdAt: r.created_at,
    createdBy: r.created_by,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
    controlledBy: r.controlled_by,
    status,
  };
}

export function createIdentityStore() {
  return {
    async insertPrincipal(tx: Executor, row: PrincipalRow): Promise<void> {
      try {
        await tx.insertInto('principals').values(row).execute();
      } catch (e) {
        // A concurrent create with the same name (or the same OIDC identity) won the race.
        if (isUniqueViolation(e)) throw conflict(`a principal named ${JSON.stringify(row.name)} or with the same external identity already exists`);
        throw e;
      }
    },
    async principalById(tx: Executor, id: string) {
      return tx.selectFrom('principals').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async principalByName(tx: Executor, name: string) {
      return tx.selectFrom('principals').selectAll().where('name', '=', name).executeTakeFirst();
    },
    async principalByExternal(tx: Executor, issuer: string, subject: string) {
      return tx.selectFrom('principals').selectAll().where('external_issuer', '=', issuer).where('external_subject', '=', subject).executeTakeFirst();
    },
    async listPrincipals(tx: Executor, f: { status?: string | undefined; kind?: string | undefined }) {
      let q = tx.selectFrom('principals').selectAll().orderBy('created_at').orderBy('id');
      if (f.status) q = q.where('status', '=', f.status as PrincipalRow['status']);
      if (f.kind) q = q.where('kind', '=', f.kind as PrincipalRow['kind']);
      return q.limit(10_000).execute();
    },
    /**
     * Serializes changes to principals on PostgreSQL (one installation-wide row lock; SQLite
     * serializes writers anyway), so checks over several principals, like "one admin must remain",
     * see every change that committed before.
     */
    async lockPrincipalChanges(tx: Executor): Promise<void> {
      await tx.selectFrom('evident_meta').select('key').where('key', '=', 'instance_id').forUpdate().execute();
    },
    async activeAdminIds(tx: Executor): Promise<string[]> {
      const rows = await tx.selectFrom('principals').select(['id', 'roles']).where('status', '=', 'active').execute();
      return rows.filter((r) => (JSON.parse(r.roles) as string[]).includes('admin')).map((r) => r.id);
    },
    async updatePrincipal(tx: Executor, id: string, set: Partial<Pick<PrincipalRow, 'roles' | 'status' | 'zones'>> & { updated_at: string }): Promise<void> {
      await tx.updateTable('principals').set(set).where('id', '=', id).execute();
    },
    async insertToken(tx: Executor, row: TokenRow): Promise<void> {
      await tx.insertInto('api_tokens').values(row).execute();
    },
    async tokenByHash(tx: Executor, hash: Buffer) {
      return tx.selectFrom('api_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
    },
    async tokenById(tx: Executor, id: string) {
      return tx.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async listTokens(tx: Executor, principalId: string | undefined) {
      let q = tx.selectFrom('api_tokens').selectAll().orderBy('created_at').orderBy('id');
      if (principalId) q = q.where('principal_id', '=', principalId);
      return q.limit(10_000).execute();
    },
    async revokeToken(tx: Executor, id: string, at: string, by: string | null): Promise<boolean> {
      const r = await tx.updateTable('api_tokens').set({ revoked_at: at, revoked_by: by }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
  };
}

export type IdentityStore = ReturnType<typeof createIdentityStore>;

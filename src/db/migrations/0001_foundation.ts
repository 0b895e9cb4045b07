import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../tables.js';

// One migration for both dialects: the few types that differ come from here.
export function types(dialect: Dialect) {
  return {
    blob: dialect === 'postgres' ? sql`bytea` : sql`blob`,
    bigint: dialect === 'postgres' ? sql`bigint` : sql`integer`,
  };
}

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const t = types(dialect);

  await db.schema
    .createTable('evident_meta')
    .addColumn('key', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('principals')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(128)', (c) => c.notNull().unique())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull().check(sql`kind in ('human', 'service')`))
    .addColumn('roles', 'text', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull().check(sql`status in ('active', 'disabled')`))
    .addColumn('external_issuer', 'varchar(2048)')
    .addColumn('external_subject', 'varchar(512)')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('created_by', 'varchar(36)')
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .addUniqueConstraint('principals_external_uq', ['external_issuer', 'external_subject'])
    .execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('principal_id', 'varchar(36)', (c) => c.notNull().references('principals.id'))
    .addColumn('name', 'varchar(128)', (c) => c.notNull())
    .addColumn('token_hash', t.blob, (c) => c.notNull().unique())
    .addColumn('hint', 'varchar(16)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('created_by', 'varchar(36)')
    .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('revoked_at', 'varchar(32)')
    .addColumn('revoked_by', 'varchar(36)')
    .addColumn('controlled_by', 'varchar(64)')
    .execute();
  await db.schema.createIndex('api_tokens_principal_idx').on('api_tokens').column('principal_id').execute();

  await db.schema
    .createTable('ledger_entries')
    .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
      dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('event_id', 'varchar(36)', (c) => c.notNull().unique())
    .addColumn('seq', t.bigint)
    .addColumn('leaf', t.blob, (c) => c.notNull())
    .addColumn('leaf_hash', t.blob, (c) => c.notNull())
    .addColumn('action', 'varchar(64)', (c) => c.notNull())
    .addColumn('outcome', 'varchar(16)', (c) => c.notNull())
    .addColumn('actor_id', 'varchar(36)')
    .addColumn('target_type', 'varchar(64)')
    .addColumn('target_id', 'varchar(256)')
    .addColumn('request_id', 'varchar(128)')
    .addColumn('occurred_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  // Unique leaf indices, indexed only once assigned: an append touches no seq index at all.
  await db.schema.createIndex('ledger_entries_seq_uq').on('ledger_entries').column('seq').unique().where(sql.ref('seq'), 'is not', null).execute();
  await db.schema.createIndex('ledger_entries_pending_idx').on('ledger_entries').column('id').where(sql.ref('seq'), 'is', null).execute();
  // Query indexes (by target, actor, action) arrive with the queries that need them: each index
  // is paid on every append.

  await db.schema
    .createTable('ledger_nodes')
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('idx', t.bigint, (c) => c.notNull())
    .addColumn('hash', t.blob, (c) => c.notNull())
    .addPrimaryKeyConstraint('ledger_nodes_pk', ['level', 'idx'])
    .execute();

  await db.schema
    .createTable('ledger_checkpoints')
    .addColumn('size', t.bigint, (c) => c.primaryKey())
    .addColumn('root', t.blob, (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('ledger_state')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('size', t.bigint, (c) => c.notNull())
    .addColumn('frontier', t.blob, (c) => c.notNull())
    .addColumn('root', t.blob, (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('subject_keys')
    .addColumn('ref', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('lookup', 'varchar(64)', (c) => c.notNull())
    .addColumn('wrapped_key', t.blob)
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('shredded_at', 'varchar(32)')
    .execute();
  await db.schema.createIndex('subject_keys_lookup_idx').on('subject_keys').column('lookup').execute();
}

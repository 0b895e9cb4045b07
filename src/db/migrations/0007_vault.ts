import type { Kysely } from 'kysely';
import type { Dialect } from '../tables.js';
import { types } from './0001_foundation.js';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const t = types(dialect);
  // Reversible tokens: the original value of each token, encrypted under a key of its own, kept
  // only in zones whose policy allows it and only for its retention period.
  await db.schema
    .createTable('vault_tokens')
    .addColumn('zone', 'varchar(63)', (c) => c.notNull())
    .addColumn('token', 'varchar(96)', (c) => c.notNull())
    .addColumn('type', 'varchar(32)', (c) => c.notNull())
    .addColumn('wrapped_key', t.blob, (c) => c.notNull())
    .addColumn('ciphertext', t.blob, (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('vault_tokens_pk', ['zone', 'token'])
    .execute();
  await db.schema.createIndex('vault_tokens_expiry_idx').on('vault_tokens').column('expires_at').execute();
}

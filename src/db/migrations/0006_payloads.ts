import type { Kysely } from 'kysely';
import type { Dialect } from '../tables.js';
import { types } from './0001_foundation.js';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const t = types(dialect);
  // Sensitive payload logs and debug captures: redacted before they are stored, encrypted under a
  // key of their own (wrapped by the keyring), deleted with that key when they expire.
  await db.schema
    .createTable('payload_logs')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('zone', 'varchar(63)', (c) => c.notNull())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('request_id', 'varchar(128)')
    .addColumn('written_by', 'varchar(64)', (c) => c.notNull())
    .addColumn('data_classes', 'text', (c) => c.notNull())
    .addColumn('redactions', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('wrapped_key', t.blob, (c) => c.notNull())
    .addColumn('ciphertext', t.blob, (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('payload_logs_expiry_idx').on('payload_logs').column('expires_at').execute();
  await db.schema.createIndex('payload_logs_lookup_idx').on('payload_logs').columns(['zone', 'request_id']).execute();
}

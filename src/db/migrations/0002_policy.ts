import type { Kysely } from 'kysely';
import type { Dialect } from '../tables.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  // Every activated policy, in order; the highest version is in force. Versions are never edited:
  // going back is a new version with the old sources.
  await db.schema
    .createTable('policy_versions')
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('digest', 'varchar(80)', (c) => c.notNull())
    .addColumn('sources', 'text', (c) => c.notNull())
    .addColumn('note', 'varchar(2000)')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('created_by', 'varchar(64)')
    .execute();
}

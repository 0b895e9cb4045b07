import type { Kysely } from 'kysely';
import type { Dialect } from '../tables.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  // An incident: what was affected, when it was detected, which notification regimes apply.
  // The description stays here (it may name people); the ledger gets its digest.
  await db.schema
    .createTable('incidents')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('title', 'varchar(200)', (c) => c.notNull())
    .addColumn('description', 'varchar(8000)')
    .addColumn('severity', 'varchar(16)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('detected_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('affected', 'text', (c) => c.notNull())
    .addColumn('regimes', 'text', (c) => c.notNull())
    .addColumn('opened_by', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('closed_at', 'varchar(32)')
    .execute();
  await db.schema.createIndex('incidents_status_idx').on('incidents').column('status').execute();

  await db.schema
    .createTable('incident_notifications')
    .addColumn('incident_id', 'varchar(36)', (c) => c.notNull().references('incidents.id'))
    .addColumn('regime', 'varchar(32)', (c) => c.notNull())
    .addColumn('authority', 'varchar(200)', (c) => c.notNull())
    .addColumn('reference', 'varchar(200)')
    .addColumn('notified_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('recorded_by', 'varchar(64)', (c) => c.notNull())
    .addPrimaryKeyConstraint('incident_notifications_pk', ['incident_id', 'regime'])
    .execute();

  // Kill switches: a deployment (component in a zone), an LLM provider, or a zone's external
  // calls, stopped until released. At most one engaged switch per target.
  await db.schema
    .createTable('kill_switches')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('scope', 'varchar(16)', (c) => c.notNull())
    .addColumn('target', 'varchar(300)', (c) => c.notNull())
    .addColumn('incident_id', 'varchar(36)')
    .addColumn('reason', 'varchar(2000)', (c) => c.notNull())
    .addColumn('engaged_by', 'varchar(64)', (c) => c.notNull())
    .addColumn('engaged_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('released_by', 'varchar(64)')
    .addColumn('released_at', 'varchar(32)')
    // Engaged switches have engaged = target; released ones NULL: unique while engaged only.
    .addColumn('engaged', 'varchar(320)')
    .addUniqueConstraint('kill_switches_engaged_uq', ['engaged'])
    .execute();
  await db.schema.createIndex('kill_switches_target_idx').on('kill_switches').columns(['scope', 'target']).execute();
}

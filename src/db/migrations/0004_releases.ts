import type { Kysely } from 'kysely';
import type { Dialect } from '../tables.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  // Point-in-time answers and incident timelines cite every event about one change or deployment.
  await db.schema.createIndex('ledger_entries_target_idx').on('ledger_entries').columns(['target_type', 'target_id']).execute();

  // What is change-managed: a model, a prompt, a feature set, a retrieval index, a serving config,
  // an access policy, an evaluation threshold or a routing rule, named `kind/name`.
  await db.schema
    .createTable('components')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('name', 'varchar(128)', (c) => c.notNull())
    .addColumn('description', 'varchar(2000)')
    .addColumn('created_by', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addUniqueConstraint('components_kind_name_uq', ['kind', 'name'])
    .execute();

  // Immutable versions, numbered per component and identified by the digest of their spec
  // (RFC 8785 JSON); the same content proposed twice is the same version.
  await db.schema
    .createTable('component_versions')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('component_id', 'varchar(36)', (c) => c.notNull().references('components.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('digest', 'varchar(80)', (c) => c.notNull())
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('created_by', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addUniqueConstraint('component_versions_number_uq', ['component_id', 'version'])
    .addUniqueConstraint('component_versions_digest_uq', ['component_id', 'digest'])
    .execute();

  // Lineage as edges between references (`model/x@3`, `artifact:name@sha256:…`, `dataset:…`):
  // walked upstream (what fed this) by `to_ref`, downstream (what was built from it) by `from_ref`.
  await db.schema
    .createTable('lineage_edges')
    .addColumn('from_ref', 'varchar(400)', (c) => c.notNull())
    .addColumn('to_ref', 'varchar(400)', (c) => c.notNull())
    .addColumn('relation', 'varchar(32)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('lineage_edges_pk', ['from_ref', 'to_ref', 'relation'])
    .execute();
  await db.schema.createIndex('lineage_edges_to_idx').on('lineage_edges').column('to_ref').execute();

  // A proposed move of one component to one version in one zone. `revision` counts edits
  // (new version, new evaluation evidence, rebase): approvals count only for the current one.
  await db.schema
    .createTable('change_requests')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('component_id', 'varchar(36)', (c) => c.notNull().references('components.id'))
    .addColumn('version_id', 'varchar(36)', (c) => c.notNull().references('component_versions.id'))
    .addColumn('zone', 'varchar(63)', (c) => c.notNull())
    .addColumn('base_version_id', 'varchar(36)')
    // Policy changes: the digest of the policy in force when the change was made (or rebased).
    .addColumn('base_policy_digest', 'varchar(80)')
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('title', 'varchar(200)', (c) => c.notNull())
    .addColumn('emergency', 'integer', (c) => c.notNull())
    .addColumn('reason', 'varchar(2000)')
    .addColumn('author', 'varchar(64)', (c) => c.notNull())
    .addColumn('author_controller', 'varchar(64)')
    .addColumn('validation', 'text', (c) => c.notNull())
    .addColumn('evaluation', 'text')
    .addColumn('approval_due_at', 'varchar(32)')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('change_requests_state_idx').on('change_requests').column('state').execute();
  await db.schema.createIndex('change_requests_component_idx').on('change_requests').columns(['component_id', 'zone']).execute();

  await db.schema
    .createTable('change_approvals')
    .addColumn('change_id', 'varchar(36)', (c) => c.notNull().references('change_requests.id'))
    .addColumn('principal_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('controlled_by', 'varchar(64)')
    .addColumn('roles', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('note', 'varchar(2000)')
    .addColumn('decided_at', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('change_approvals_pk', ['change_id', 'principal_id', 'revision'])
    .execute();

  // Deployment history, append-only: every deploy and rollback with its signed release manifest.
  // Point-in-time questions are answered from here.
  await db.schema
    .createTable('deployments')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('component_id', 'varchar(36)', (c) => c.notNull().references('components.id'))
    .addColumn('zone', 'varchar(63)', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('action', 'varchar(16)', (c) => c.notNull())
    .addColumn('version_id', 'varchar(36)', (c) => c.notNull().references('component_versions.id'))
    .addColumn('previous_version_id', 'varchar(36)')
    .addColumn('change_id', 'varchar(36)')
    .addColumn('reason', 'varchar(2000)')
    .addColumn('deployed_by', 'varchar(64)', (c) => c.notNull())
    .addColumn('deployed_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('policy_version', 'integer', (c) => c.notNull())
    .addColumn('manifest_digest', 'varchar(80)', (c) => c.notNull())
    .addColumn('manifest', 'text', (c) => c.notNull())
    .addColumn('event_id', 'varchar(64)', (c) => c.notNull())
    // One deployment per position in a (component, zone) history: of two racing deploys, one wins.
    .addUniqueConstraint('deployments_position_uq', ['component_id', 'zone', 'seq'])
    .execute();
  await db.schema.createIndex('deployments_time_idx').on('deployments').columns(['component_id', 'zone', 'deployed_at']).execute();
}

import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../tables.js';
import { types } from './0001_foundation.js';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const t = types(dialect);

  // The zones (environments) a principal belongs to: what it may pull from the registry.
  await db.schema.alterTable('principals').addColumn('zones', 'text', (c) => c.notNull().defaultTo('[]')).execute();

  // One row per artifact that entered intake. Content lives in the blob store under `digest`;
  // `state` moves only along the intake state machine, each move a ledger event. `revision`
  // counts changes, so an approval given to an older revision is recognised as stale.
  await db.schema
    .createTable('artifacts')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('digest', 'varchar(80)', (c) => c.notNull())
    .addColumn('size', t.bigint, (c) => c.notNull())
    .addColumn('media_type', 'varchar(255)', (c) => c.notNull())
    .addColumn('source', 'varchar(2048)', (c) => c.notNull())
    .addColumn('uploaded_by', 'varchar(64)', (c) => c.notNull())
    .addColumn('uploaded_by_controller', 'varchar(64)')
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('license', 'varchar(512)')
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('environments', 'text', (c) => c.notNull())
    .addColumn('promoted_to', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'varchar(32)')
    .addColumn('scan', 'text')
    .addColumn('signature', 'text')
    .addColumn('sbom', 'text')
    .addColumn('attestations', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .addUniqueConstraint('artifacts_name_digest_uq', ['name', 'digest'])
    .execute();
  await db.schema.createIndex('artifacts_digest_idx').on('artifacts').column('digest').execute();
  await db.schema.createIndex('artifacts_state_idx').on('artifacts').column('state').execute();

  await db.schema
    .createTable('artifact_approvals')
    .addColumn('artifact_id', 'varchar(36)', (c) => c.notNull().references('artifacts.id'))
    .addColumn('principal_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('controlled_by', 'varchar(64)')
    .addColumn('roles', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('note', 'varchar(2000)')
    .addColumn('decided_at', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('artifact_approvals_pk', ['artifact_id', 'principal_id', 'revision'])
    .execute();

  // OCI distribution: which repository holds which blob (a digest is pullable only from a
  // repository it was pushed or mounted into), manifests stored byte for byte, and tags.
  await db.schema
    .createTable('oci_repo_blobs')
    .addColumn('repo', 'varchar(255)', (c) => c.notNull())
    .addColumn('digest', 'varchar(80)', (c) => c.notNull())
    .addColumn('size', t.bigint, (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('oci_repo_blobs_pk', ['repo', 'digest'])
    .execute();
  await db.schema
    .createTable('oci_manifests')
    .addColumn('repo', 'varchar(255)', (c) => c.notNull())
    .addColumn('digest', 'varchar(80)', (c) => c.notNull())
    .addColumn('media_type', 'varchar(255)', (c) => c.notNull())
    .addColumn('content', t.blob, (c) => c.notNull())
    .addColumn('artifact_type', 'varchar(255)')
    .addColumn('subject', 'varchar(80)')
    /** JSON object: the manifest's annotations, for referrers listings without reading content. */
    .addColumn('annotations', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('oci_manifests_pk', ['repo', 'digest'])
    .execute();
  await db.schema.createIndex('oci_manifests_subject_idx').on('oci_manifests').columns(['repo', 'subject']).where(sql.ref('subject'), 'is not', null).execute();
  // What a manifest references (layers, config, child manifests): a blob is served to a puller
  // only through a manifest it may pull.
  await db.schema
    .createTable('oci_manifest_refs')
    .addColumn('repo', 'varchar(255)', (c) => c.notNull())
    .addColumn('manifest', 'varchar(80)', (c) => c.notNull())
    .addColumn('digest', 'varchar(80)', (c) => c.notNull())
    .addPrimaryKeyConstraint('oci_manifest_refs_pk', ['repo', 'manifest', 'digest'])
    .execute();
  await db.schema.createIndex('oci_manifest_refs_digest_idx').on('oci_manifest_refs').columns(['repo', 'digest']).execute();
  await db.schema
    .createTable('oci_tags')
    .addColumn('repo', 'varchar(255)', (c) => c.notNull())
    .addColumn('tag', 'varchar(128)', (c) => c.notNull())
    .addColumn('digest', 'varchar(80)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('oci_tags_pk', ['repo', 'tag'])
    .execute();
}

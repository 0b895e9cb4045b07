// Registry persistence: artifact records, approvals, and the OCI repository index (which blob is
// in which repository, manifests byte for byte, tags).
import { sql, type Selectable } from 'kysely';
import type { ArtifactsTable, Executor, OciManifestsTable } from '../db/tables.js';

export type ArtifactRow = Selectable<ArtifactsTable>;
export type ManifestRow = Selectable<OciManifestsTable>;

export function createRegistryStore() {
  return {
    /** False when the same content under the same name is already in intake. */
    async insertArtifact(tx: Executor, row: ArtifactRow): Promise<boolean> {
      // ON CONFLICT, not a caught error: on PostgreSQL a failed statement aborts the transaction.
      const r = await tx.insertInto('artifacts').values(row).onConflict((oc) => oc.columns(['name', 'digest']).doNothing()).executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
    },
    /** The row, locked against concurrent moves until the transaction ends (PostgreSQL; SQLite transactions are serial). */
    async lockArtifact(tx: Executor, id: string, dialect: 'sqlite' | 'postgres') {
      if (dialect === 'sqlite') return tx.selectFrom('artifacts').selectAll().where('id', '=', id).executeTakeFirst();
      return tx.selectFrom('artifacts').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    },
    async artifactById(tx: Executor, id: string) {
      return tx.selectFrom('artifacts').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async artifactByNameDigest(tx: Executor, name: string, digest: string) {
      return tx.selectFrom('artifacts').selectAll().where('name', '=', name).where('digest', '=', digest).executeTakeFirst();
    },
    async listArtifacts(tx: Executor, f: { state?: string | undefined; name?: string | undefined; kind?: string | undefined; states?: string[] }) {
      let q = tx.selectFrom('artifacts').selectAll();
      if (f.state) q = q.where('state', '=', f.state);
      if (f.states) q = q.where('state', 'in', f.states);
      if (f.name) q = q.where('name', '=', f.name);
      if (f.kind) q = q.where('kind', '=', f.kind);
      return q.orderBy('created_at', 'desc').limit(1000).execute();
    },
    /**
     * Moves an artifact only if nobody moved it since it was read (compare-and-set on revision):
     * of two racing transitions exactly one wins, on both databases.
     */
    async updateArtifact(tx: Executor, id: string, revision: number, set: Partial<Omit<ArtifactRow, 'id' | 'revision'>>): Promise<boolean> {
      const r = await tx
        .updateTable('artifacts')
        .set({ ...set, revision: revision + 1 })
        .where('id', '=', id)
        .where('revision', '=', revision)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async approvals(tx: Executor, artifactId: string) {
      return tx.selectFrom('artifact_approvals').selectAll().where('artifact_id', '=', artifactId).orderBy('decided_at').execute();
    },
    async insertApproval(tx: Executor, row: { artifact_id: string; principal_id: string; controlled_by: string | null; roles: string; revision: number; note: string | null; decided_at: string }): Promise<boolean> {
      const r = await tx
        .insertInto('artifact_approvals')
        .values(row)
        .onConflict((oc) => oc.columns(['artifact_id', 'principal_id', 'revision']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
    },

    // OCI repository index
    async linkBlob(tx: Executor, repo: string, digest: string, size: number, at: string) {
      await tx
        .insertInto('oci_repo_blobs')
        .values({ repo, digest, size, created_at: at })
        .onConflict((oc) => oc.columns(['repo', 'digest']).doNothing())
        .execute();
    },
    async repoBlob(tx: Executor, repo: string, digest: string) {
      return tx.selectFrom('oci_repo_blobs').selectAll().where('repo', '=', repo).where('digest', '=', digest).executeTakeFirst();
    },
    async putManifest(tx: Executor, row: ManifestRow, refs: string[]) {
      await tx
        .insertInto('oci_manifests')
        .values(row)
        .onConflict((oc) => oc.columns(['repo', 'digest']).doNothing())
        .execute();
      for (const d of new Set(refs)) {
        await tx
          .insertInto('oci_manifest_refs')
          .values({ repo: row.repo, manifest: row.digest, digest: d })
          .onConflict((oc) => oc.columns(['repo', 'manifest', 'digest']).doNothing())
          .execute();
      }
    },
    async manifest(tx: Executor, repo: string, digest: string) {
      return tx.selectFrom('oci_manifests').selectAll().where('repo', '=', repo).where('digest', '=', digest).executeTakeFirst();
    },
    /**
     * Promoted artifacts through which `digest` (a blob or a child manifest) is reachable in
     * `repo`: the artifact of a manifest referencing it, or of that manifest's subject (referrers).
     */
    async promotedOwners(tx: Executor, repo: string, digest: string) {
      return tx
        .selectFrom('oci_manifest_refs as r')
        .innerJoin('oci_manifests as m', (j) => j.onRef('m.repo', '=', 'r.repo').onRef('m.digest', '=', 'r.manifest'))
        .innerJoin('artifacts as a', (j) => j.onRef('a.name', '=', 'r.repo').on(sql`a.digest`, '=', sql`coalesce(m.subject, m.digest)`))
        .selectAll('a')
        .where('r.repo', '=', repo)
        .where('r.digest', '=', digest)
        .where('a.state', '=', 'promoted')
        .limit(1000)
        .execute();
    },
    /** Manifests in `repo` that reference `digest` (any state): the index parents of a child. */
    async parents(tx: Executor, repo: string, digest: string) {
      return (await tx.selectFrom('oci_manifest_refs').select('manifest').where('repo', '=', repo).where('digest', '=', digest).limit(1000).execute()).map((r) => r.manifest);
    },
    async referrers(tx: Executor, repo: string, subject: string) {
      return tx.selectFrom('oci_manifests').select(['digest', 'media_type', 'artifact_type', 'annotations', sql<number>`length(content)`.as('size')]).where('repo', '=', repo).where('subject', '=', subject).limit(1000).execute();
    },
    async repoExists(tx: Executor, repo: string): Promise<boolean> {
      return !!(await tx.selectFrom('oci_manifests').select('digest').where('repo', '=', repo).limit(1).executeTakeFirst());
    },
    async setTag(tx: Executor, repo: string, tag: string, digest: string, at: string) {
      await tx
        .insertInto('oci_tags')
        .values({ repo, tag, digest, updated_at: at })
        .onConflict((oc) => oc.columns(['repo', 'tag']).doUpdateSet({ digest, updated_at: at }))
        .execute();
    },
    async tag(tx: Executor, repo: string, tag: string) {
      return tx.selectFrom('oci_tags').selectAll().where('repo', '=', repo).where('tag', '=', tag).executeTakeFirst();
    },
    async tags(tx: Executor, repo: string, after: string | undefined, limit: number) {
      let q = tx.selectFrom('oci_tags').select('tag').where('repo', '=', repo);
      if (after) q = q.where('tag', '>', after);
      return (await q.orderBy('tag').limit(limit).execute()).map((r) => r.tag);
    },
  };
}

export type RegistryStore = ReturnType<typeof createRegistryStore>;

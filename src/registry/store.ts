// Registry persistence: artifact records, approvals, and the OCI repository index (which blob is
// in which repository, manifests byte for byte, tags).
import type { Selectable } from 'kysely';
import type { ArtifactsTable, Executor, OciManifestsTable } from '../db/tables.js';
import { isUniqueViolation } from '../db/errors.js';

export type ArtifactRow = Selectable<ArtifactsTable>;
export type ManifestRow = Selectable<OciManifestsTable>;

export function createRegistryStore() {
  return {
    async insertArtifact(tx: Executor, row: ArtifactRow): Promise<boolean> {
      try {
        await tx.insertInto('artifacts').values(row).execute();
        return true;
      } catch (e) {
        if (isUniqueViolation(e)) return false; // the same content under the same name is already in intake
        throw e;
      }
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
      try {
        await tx.insertInto('artifact_approvals').values(row).execute();
        return true;
      } catch (e) {
        if (isUniqueViolation(e)) return false;
        throw e;
      }
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
    async anyRepoWithBlob(tx: Executor, digest: string) {
      return tx.selectFrom('oci_repo_blobs').select('repo').where('digest', '=', digest).limit(1).executeTakeFirst();
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
    async manifestsReferencing(tx: Executor, repo: string, digest: string) {
      return tx.selectFrom('oci_manifest_refs').select('manifest').where('repo', '=', repo).where('digest', '=', digest).limit(100).execute();
    },
    async referrers(tx: Executor, repo: string, subject: string) {
      return tx.selectFrom('oci_manifests').select(['digest', 'media_type', 'artifact_type', 'content']).where('repo', '=', repo).where('subject', '=', subject).limit(1000).execute();
    },
    async deleteManifest(tx: Executor, repo: string, digest: string) {
      await tx.deleteFrom('oci_manifest_refs').where('repo', '=', repo).where('manifest', '=', digest).execute();
      await tx.deleteFrom('oci_tags').where('repo', '=', repo).where('digest', '=', digest).execute();
      await tx.deleteFrom('oci_manifests').where('repo', '=', repo).where('digest', '=', digest).execute();
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

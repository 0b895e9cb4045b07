// Release-management persistence: components and their immutable versions, lineage edges, change
// requests with approvals, and the append-only deployment history.
import type { Selectable } from 'kysely';
import type { ChangeRequestsTable, ComponentVersionsTable, ComponentsTable, DeploymentsTable, Executor } from '../db/tables.js';
import type { Edge } from './lineage.js';

export type ComponentRow = Selectable<ComponentsTable>;
export type VersionRow = Selectable<ComponentVersionsTable>;
export type ChangeRow = Selectable<ChangeRequestsTable>;
export type DeploymentRow = Selectable<DeploymentsTable>;

const inserted = (r: { numInsertedOrUpdatedRows?: bigint | undefined }) => Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;

export function createReleaseStore() {
  return {
    async component(tx: Executor, kind: string, name: string) {
      return tx.selectFrom('components').selectAll().where('kind', '=', kind).where('name', '=', name).executeTakeFirst();
    },
    async listComponents(tx: Executor, kind: string | undefined) {
      let q = tx.selectFrom('components').selectAll();
      if (kind) q = q.where('kind', '=', kind);
      return q.orderBy('kind').orderBy('name').limit(1000).execute();
    },
    async componentById(tx: Executor, id: string) {
      return tx.selectFrom('components').selectAll().where('id', '=', id).executeTakeFirst();
    },
    /** False when a concurrent request created it first (ON CONFLICT: PostgreSQL aborts a transaction on a failed statement). */
    async insertComponent(tx: Executor, row: ComponentRow): Promise<boolean> {
      return inserted(await tx.insertInto('components').values(row).onConflict((oc) => oc.columns(['kind', 'name']).doNothing()).executeTakeFirst());
    },
    async versionById(tx: Executor, id: string) {
      return tx.selectFrom('component_versions').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async versionByDigest(tx: Executor, componentId: string, digest: string) {
      return tx.selectFrom('component_versions').selectAll().where('component_id', '=', componentId).where('digest', '=', digest).executeTakeFirst();
    },
    async versionByNumber(tx: Executor, componentId: string, version: number) {
      return tx.selectFrom('component_versions').selectAll().where('component_id', '=', componentId).where('version', '=', version).executeTakeFirst();
    },
    async lastVersionNumber(tx: Executor, componentId: string): Promise<number> {
      const r = await tx.selectFrom('component_versions').select((eb) => eb.fn.max('version').as('v')).where('component_id', '=', componentId).executeTakeFirst();
      return Number(r?.v ?? 0);
    },
    async insertVersion(tx: Executor, row: VersionRow): Promise<boolean> {
      return inserted(await tx.insertInto('component_versions').values(row).onConflict((oc) => oc.doNothing()).executeTakeFirst());
    },
    async versions(tx: Executor, componentId: string) {
      return tx.selectFrom('component_versions').selectAll().where('component_id', '=', componentId).orderBy('version').limit(1000).execute();
    },
    async addEdges(tx: Executor, edges: readonly Edge[], at: string) {
      for (const e of edges) {
        await tx
          .insertInto('lineage_edges')
          .values({ from_ref: e.from, to_ref: e.to, relation: e.relation, created_at: at })
          .onConflict((oc) => oc.columns(['from_ref', 'to_ref', 'relation']).doNothing())
          .execute();
      }
    },
    async edgesInto(tx: Executor, refs: readonly string[]) {
      return refs.length ? tx.selectFrom('lineage_edges').selectAll().where('to_ref', 'in', refs).limit(5000).execute() : [];
    },
    async edgesOutOf(tx: Executor, refs: readonly string[]) {
      return refs.length ? tx.selectFrom('lineage_edges').selectAll().where('from_ref', 'in', refs).limit(5000).execute() : [];
    },

    async insertChange(tx: Executor, row: ChangeRow) {
      await tx.insertInto('change_requests').values(row).execute();
    },
    /** The change, locked against concurrent moves until the transaction ends (PostgreSQL; SQLite transactions are serial). */
    async lockChange(tx: Executor, id: string, dialect: 'sqlite' | 'postgres') {
      const q = tx.selectFrom('change_requests').selectAll().where('id', '=', id);
      return dialect === 'postgres' ? q.forUpdate().executeTakeFirst() : q.executeTakeFirst();
    },
    async changeById(tx: Executor, id: string) {
      return tx.selectFrom('change_requests').selectAll().where('id', '=', id).executeTakeFirst();
    },
    /** Compare-and-set on revision: of two racing edits exactly one wins. */
    async updateChange(tx: Executor, id: string, revision: number, set: Partial<Omit<ChangeRow, 'id' | 'revision'>>, bump = true): Promise<boolean> {
      const r = await tx
        .updateTable('change_requests')
        .set({ ...set, revision: bump ? revision + 1 : revision })
        .where('id', '=', id)
        .where('revision', '=', revision)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async listChanges(tx: Executor, f: { states?: readonly string[] | undefined; componentId?: string | undefined; kind?: string | undefined; zone?: string | undefined }) {
      let q = tx.selectFrom('change_requests as c').innerJoin('components as k', 'k.id', 'c.component_id').selectAll('c');
      if (f.states) q = q.where('c.state', 'in', [...f.states]);
      if (f.componentId) q = q.where('c.component_id', '=', f.componentId);
      if (f.kind) q = q.where('k.kind', '=', f.kind);
      if (f.zone) q = q.where('c.zone', '=', f.zone);
      return q.orderBy('c.created_at', 'desc').limit(1000).execute();
    },
    async approvals(tx: Executor, changeId: string) {
      return tx.selectFrom('change_approvals').selectAll().where('change_id', '=', changeId).orderBy('decided_at').execute();
    },
    async insertApproval(tx: Executor, row: { change_id: string; principal_id: string; controlled_by: string | null; roles: string; revision: number; note: string | null; decided_at: string }): Promise<boolean> {
      return inserted(await tx.insertInto('change_approvals').values(row).onConflict((oc) => oc.columns(['change_id', 'principal_id', 'revision']).doNothing()).executeTakeFirst());
    },

    /** The latest deployment of a component in a zone, optionally as of an instant. */
    async latestDeployment(tx: Executor, componentId: string, zone: string, at?: string) {
      let q = tx.selectFrom('deployments').selectAll().where('component_id', '=', componentId).where('zone', '=', zone);
      if (at !== undefined) q = q.where('deployed_at', '<=', at);
      return q.orderBy('seq', 'desc').limit(1).executeTakeFirst();
    },
    /** The most recent deployment (before position `beforeSeq`, if given) that put this version in the zone. */
    async lastDeploymentOf(tx: Executor, componentId: string, zone: string, versionId: string, beforeSeq?: number) {
      let q = tx.selectFrom('deployments').selectAll().where('component_id', '=', componentId).where('zone', '=', zone).where('version_id', '=', versionId);
      if (beforeSeq !== undefined) q = q.where('seq', '<', beforeSeq);
      return q.orderBy('seq', 'desc').limit(1).executeTakeFirst();
    },
    /** False when another deployment took this position first: the caller decided on a stale history. */
    async insertDeployment(tx: Executor, row: DeploymentRow): Promise<boolean> {
      return inserted(await tx.insertInto('deployments').values(row).onConflict((oc) => oc.columns(['component_id', 'zone', 'seq']).doNothing()).executeTakeFirst());
    },
    /** Fills in what is known only after the position was claimed: the signed manifest and its event. */
    async completeDeployment(tx: Executor, id: string, set: { manifest: string; manifest_digest: string; event_id: string }) {
      await tx.updateTable('deployments').set(set).where('id', '=', id).execute();
    },
    async deployments(tx: Executor, f: { componentId?: string | undefined; zone?: string | undefined }) {
      let q = tx.selectFrom('deployments').selectAll();
      if (f.componentId) q = q.where('component_id', '=', f.componentId);
      if (f.zone) q = q.where('zone', '=', f.zone);
      return q.orderBy('deployed_at', 'desc').orderBy('seq', 'desc').limit(1000).execute();
    },
    async deploymentById(tx: Executor, id: string) {
      return tx.selectFrom('deployments').selectAll().where('id', '=', id).executeTakeFirst();
    },
    /** Versions active now in a zone for every component whose latest deployment is there. */
    async activeIn(tx: Executor, kind: string, zone: string) {
      const rows = await tx
        .selectFrom('deployments as d')
        .innerJoin('components as k', 'k.id', 'd.component_id')
        .selectAll('d')
        .where('k.kind', '=', kind)
        .where('d.zone', '=', zone)
        .orderBy('d.seq', 'desc')
        .limit(5000)
        .execute();
      const latest = new Map<string, DeploymentRow>();
      for (const r of rows) if (!latest.has(r.component_id)) latest.set(r.component_id, r);
      return [...latest.values()];
    },
  };
}

export type ReleaseStore = ReturnType<typeof createReleaseStore>;

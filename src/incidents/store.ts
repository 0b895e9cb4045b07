// Incident persistence: incidents, notifications made, kill switches.
import type { Selectable } from 'kysely';
import type { Executor, IncidentsTable, KillSwitchesTable } from '../db/tables.js';

export type IncidentRow = Selectable<IncidentsTable>;
export type KillSwitchRow = Selectable<KillSwitchesTable>;

const affected = (r: { numInsertedOrUpdatedRows?: bigint | undefined }) => Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;

export function createIncidentStore() {
  return {
    async insertIncident(tx: Executor, row: IncidentRow) {
      await tx.insertInto('incidents').values(row).execute();
    },
    async lockIncident(tx: Executor, id: string, dialect: 'sqlite' | 'postgres') {
      const q = tx.selectFrom('incidents').selectAll().where('id', '=', id);
      return dialect === 'postgres' ? q.forUpdate().executeTakeFirst() : q.executeTakeFirst();
    },
    async incident(tx: Executor, id: string) {
      return tx.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async updateIncident(tx: Executor, id: string, revision: number, set: Partial<Omit<IncidentRow, 'id' | 'revision'>>): Promise<boolean> {
      const r = await tx.updateTable('incidents').set({ ...set, revision: revision + 1 }).where('id', '=', id).where('revision', '=', revision).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async listIncidents(tx: Executor, f: { statuses?: readonly string[] | undefined }) {
      let q = tx.selectFrom('incidents').selectAll();
      if (f.statuses) q = q.where('status', 'in', [...f.statuses]);
      return q.orderBy('detected_at', 'desc').limit(1000).execute();
    },
    async notifications(tx: Executor, incidentId: string) {
      return tx.selectFrom('incident_notifications').selectAll().where('incident_id', '=', incidentId).orderBy('notified_at').execute();
    },
    /** False when this regime's notification was already recorded. */
    async insertNotification(tx: Executor, row: { incident_id: string; regime: string; authority: string; reference: string | null; notified_at: string; recorded_by: string }): Promise<boolean> {
      return affected(await tx.insertInto('incident_notifications').values(row).onConflict((oc) => oc.columns(['incident_id', 'regime']).doNothing()).executeTakeFirst());
    },

    /** False when a switch on the same target is already engaged. */
    async insertKillSwitch(tx: Executor, row: KillSwitchRow): Promise<boolean> {
      return affected(await tx.insertInto('kill_switches').values(row).onConflict((oc) => oc.column('engaged').doNothing()).executeTakeFirst());
    },
    async killSwitch(tx: Executor, id: string) {
      return tx.selectFrom('kill_switches').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async releaseKillSwitch(tx: Executor, id: string, by: string, at: string): Promise<boolean> {
      const r = await tx.updateTable('kill_switches').set({ released_by: by, released_at: at, engaged: null }).where('id', '=', id).where('engaged', 'is not', null).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async killSwitches(tx: Executor, f: { engagedOnly?: boolean; scope?: string | undefined; target?: string | undefined; incidentId?: string | undefined }) {
      let q = tx.selectFrom('kill_switches').selectAll();
      if (f.engagedOnly) q = q.where('engaged', 'is not', null);
      if (f.scope) q = q.where('scope', '=', f.scope);
      if (f.target) q = q.where('target', '=', f.target);
      if (f.incidentId) q = q.where('incident_id', '=', f.incidentId);
      return q.orderBy('engaged_at', 'desc').limit(1000).execute();
    },
    /** Whether a switch covering this target was engaged at an instant (history, for point-in-time answers). */
    async engagedAt(tx: Executor, scope: string, target: string, at: string) {
      return tx
        .selectFrom('kill_switches')
        .selectAll()
        .where('scope', '=', scope)
        .where('target', '=', target)
        .where('engaged_at', '<=', at)
        .where((eb) => eb.or([eb('released_at', 'is', null), eb('released_at', '>', at)]))
        .orderBy('engaged_at', 'desc')
        .limit(1)
        .executeTakeFirst();
    },
  };
}

export type IncidentStore = ReturnType<typeof createIncidentStore>;

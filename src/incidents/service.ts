// Incident response: incidents with the notification deadlines of the regimes that apply, kill
// switches (a deployment, an LLM provider, a zone's external calls), rollback orders carried out
// through release management, and a timeline assembled from the ledger. Every step is a ledger
// event in its transaction; refusals are recorded after their transaction rolled back.
import { createHash } from 'node:crypto';
import type { Database } from '../db/database.js';
import type { Tx } from '../db/tables.js';
import type { LedgerService } from '../ledger/service.js';
import type { DenialRecorder } from '../identity/denials.js';
import { auditReason, recordingRefusals } from '../identity/denials.js';
import { envelopeOf, type RequestContext } from '../identity/context.js';
import { AppError, conflict, notFound } from '../errors.js';
import { uuidv7 } from '../util/ids.js';
import { canonicalBytes } from '../util/canonical-json.js';
import type { ReleaseService } from '../releases/service.js';
import { deploymentTarget, type ComponentKind } from '../releases/schema.js';
import { deadlines, type Regime } from './deadlines.js';
import { EngageSchema, INCIDENT_STATES, NotificationSchema, OpenIncidentSchema, RollbackOrderSchema, UpdateIncidentSchema, type Incident, type IncidentState, type KillScope, type KillSwitch } from './schema.js';
import type { IncidentRow, IncidentStore, KillSwitchRow } from './store.js';
import type { z } from 'zod';
import { parseInput } from '../util/parse-input.js';

export interface IncidentDeps {
  database: Database;
  store: IncidentStore;
  ledger: Pick<LedgerService, 'append' | 'record' | 'eventsAbout'>;
  denials: DenialRecorder;
  releases: Pick<ReleaseService, 'rollback' | 'deployments'>;
  now?: () => Date;
}

/** What a kill switch is on, as stored: `kind/name@zone`, a provider, or a zone. */
export function killTarget(scope: KillScope, v: { kind?: string | undefined; name?: string | undefined; zone?: string | undefined; provider?: string | undefined }): string {
  if (scope === 'deployment') return deploymentTarget(v.kind!, v.name!, v.zone!);
  return scope === 'provider' ? v.provider! : v.zone!;
}

const FORWARD: Record<IncidentState, readonly IncidentState[]> = { open: ['mitigated', 'resolved'], mitigated: ['open', 'resolved'], resolved: ['open', 'closed'], closed: [] };


export function createIncidentService(deps: IncidentDeps) {
  const { database, store, ledger } = deps;
  const now = deps.now ?? (() => new Date());
  const actorId = (ctx: RequestContext) => ctx.principal?.id ?? `system:${ctx.system ?? 'system'}`;

  const refusing = <T>(ctx: RequestContext, operation: string, target: { incidentId?: string; killSwitchId?: string }, fn: () => Promise<T>) =>
    recordingRefusals(
      deps.denials,
      ctx,
      { operation: `incidents.${operation}`, target: target.incidentId ? { type: 'incident', id: target.incidentId } : undefined },
      (e) =>
        ledger.record({
          action: 'incident.refused',
          outcome: 'denied',
          ...envelopeOf(ctx),
          reason: auditReason(e).slice(0, 2000),
          ...(target.incidentId ? { target: { type: 'incident', id: target.incidentId } } : {}),
          body: { operation, ...target, code: ((e.details as { step?: string } | undefined)?.step ?? e.code).slice(0, 32) },
        }),
      fn,
    );

  const toKillSwitch = (k: KillSwitchRow): KillSwitch => ({
    id: k.id,
    scope: k.scope as KillScope,
    target: k.target,
    incidentId: k.incident_id,
    reason: k.reason,
    engagedBy: k.engaged_by,
    engagedAt: k.engaged_at,
    releasedBy: k.released_by,
    releasedAt: k.released_at,
    engaged: k.engaged !== null,
  });

  async function view(id: string): Promise<Incident> {
    const db = database.db;
    const r = await store.incident(db, id);
    if (!r) throw notFound('incident', id);
    const notes = await store.notifications(db, id);
    return {
      id: r.id,
      title: r.title,
      description: r.description,
      severity: r.severity as Incident['severity'],
      status: r.status as IncidentState,
      revision: r.revision,
      detectedAt: r.detected_at,
      affected: JSON.parse(r.affected) as Incident['affected'],
      deadlines: deadlines(r.detected_at, JSON.parse(r.regimes) as Regime[], new Map(notes.map((n) => [n.regime, n.notified_at])), now()),
      notifications: notes.map((n) => ({ regime: n.regime, authority: n.authority, reference: n.reference, notifiedAt: n.notified_at, recordedBy: n.recorded_by })),
      killSwitches: (await store.killSwitches(db, { incidentId: id })).map(toKillSwitch),
      openedBy: r.opened_by,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      closedAt: r.closed_at,
    };
  }

  async function open(ctx: RequestContext, input: z.input<typeof OpenIncidentSchema>): Promise<Incident> {
    const m = parseInput(OpenIncidentSchema, input, 'the incident');
    return refusing(ctx, 'open', {}, async () => {
      const at = now().toISOString();
      const detectedAt = m.detectedAt ? new Date(m.detectedAt).toISOString() : at;
      if (detectedAt > at) throw new AppError('VALIDATION_FAILED', `detectedAt ${m.detectedAt} is in the future`);
      const id = uuidv7();
      const regimes = [...new Set(m.regimes)];
      await database.transact(async (tx) => {
        await store.insertIncident(tx, {
          id,
          title: m.title,
          description: m.description ?? null,
          severity: m.severity,
          status: 'open',
          revision: 1,
          detected_at: detectedAt,
          affected: JSON.stringify(m.affected),
          regimes: JSON.stringify(regimes),
          opened_by: actorId(ctx),
          created_at: at,
          updated_at: at,
          closed_at: null,
        });
        await ledger.append(tx, {
          action: 'incident.opened',
          outcome: 'allowed',
          ...envelopeOf(ctx),
          target: { type: 'incident', id },
          body: {
            incidentId: id,
            severity: m.severity,
            detectedAt,
            affected: m.affected,
            regimes,
            textDigest: `sha256:${createHash('sha256').update(canonicalBytes({ title: m.title, description: m.description ?? null })).digest('hex')}`,
            deadlines: deadlines(detectedAt, regimes, new Map(), now()).map((d) => ({ regime: d.regime, dueAt: d.dueAt })),
          },
        });
      });
      return view(id);
    });
  }

  async function lock(tx: Tx, id: string, revision?: number): Promise<IncidentRow> {
    const r = await store.lockIncident(tx, id, database.dialect);
    if (!r) throw notFound('incident', id);
    if (revision !== undefined && revision !== r.revision) throw conflict(`you edited revision ${revision} but incident ${id} is at revision ${r.revision}; read it again`);
    return r;
  }

  async function update(ctx: RequestContext, id: string, input: z.input<typeof UpdateIncidentSchema>): Promise<Incident> {
    const m = parseInput(UpdateIncidentSchema, input, 'the update');
    return refusing(ctx, 'update', { incidentId: id }, async () => {
      if (!m.status && !m.severity && !m.regimes && !m.affected) throw new AppError('VALIDATION_FAILED', 'the update changes nothing: give status, severity, regimes or affected');
      await database.transact(async (tx) => {
        const r = await lock(tx, id, m.revision);
        const from = r.status as IncidentState;
        if (from === 'closed') throw conflict(`incident ${id} is closed; open a new one`, { step: 'state' });
        if (m.status && m.status !== from && !FORWARD[from].includes(m.status)) {
          throw conflict(`incident ${id} is ${from}; it can become ${FORWARD[from].join(' or ')}, not ${m.status}`, { step: 'state' });
        }
        const regimes = m.regimes ? [...new Set(m.regimes)] : (JSON.parse(r.regimes) as Regime[]);
        if (m.status === 'closed') {
          // An incident is closed only when every obligation it carries was met (late or not).
          const missing = deadlines(r.detected_at, regimes, new Map((await store.notifications(tx, id)).map((n) => [n.regime, n.notified_at])), now()).filter((d) => !d.notifiedAt);
          if (missing.length) throw conflict(`incident ${id} cannot be closed: no notification recorded for ${missing.map((d) => `${d.regime} (due ${d.dueAt})`).join(', ')}`, { step: 'notification' });
          const engaged = (await store.killSwitches(tx, { incidentId: id, engagedOnly: true })).length;
          if (engaged) throw conflict(`incident ${id} cannot be closed: ${engaged} kill switch(es) it engaged are still engaged; release them first`, { step: 'kill-switch' });
        }
        const at = now().toISOString();
        const ok = await store.updateIncident(tx, id, r.revision, {
          ...(m.status ? { status: m.status } : {}),
          ...(m.severity ? { severity: m.severity } : {}),
          ...(m.regimes ? { regimes: JSON.stringify(regimes) } : {}),
          ...(m.affected ? { affected: JSON.stringify(m.affected) } : {}),
          updated_at: at,
          ...(m.status === 'closed' ? { closed_at: at } : {}),
        });
        if (!ok) throw conflict(`incident ${id} changed while this request was deciding; retry`);
        await ledger.append(tx, {
          action: 'incident.updated',
          outcome: 'allowed',
          ...envelopeOf(ctx),
          ...(m.note ? { reason: m.note } : {}),
          target: { type: 'incident', id },
          body: {
            incidentId: id,
            revision: r.revision + 1,
            ...(m.status && m.status !== from ? { status: { from, to: m.status } } : {}),
            ...(m.severity && m.severity !== r.severity ? { severity: { from: r.severity, to: m.severity } } : {}),
            ...(m.regimes ? { regimes } : {}),
            ...(m.affected ? { affected: m.affected } : {}),
          },
        });
      });
      return view(id);
    });
  }

  async function notify(ctx: RequestContext, id: string, input: unknown): Promise<Incident> {
    return refusing(ctx, 'notify', { incidentId: id }, async () => {
      const m = parseInput(NotificationSchema, input, 'the notification');
      await database.transact(async (tx) => {
        const r = await lock(tx, id);
        const regimes = JSON.parse(r.regimes) as Regime[];
        if (!regimes.includes(m.regime)) throw conflict(`incident ${id} does not carry the ${m.regime} regime (it has ${regimes.join(', ') || 'none'}); add it first`, { step: 'regime' });
        const notifiedAt = m.notifiedAt ? new Date(m.notifiedAt).toISOString() : now().toISOString();
        if (notifiedAt > now().toISOString()) throw new AppError('VALIDATION_FAILED', `notifiedAt ${m.notifiedAt} is in the future`);
        if (notifiedAt < r.detected_at) throw new AppError('VALIDATION_FAILED', `notifiedAt ${m.notifiedAt} is before the incident was detected (${r.detected_at})`);
        const inserted = await store.insertNotification(tx, { incident_id: id, regime: m.regime, authority: m.authority, reference: m.reference ?? null, notified_at: notifiedAt, recorded_by: actorId(ctx) });
        if (!inserted) throw conflict(`the ${m.regime} notification of incident ${id} is already recorded`, { step: 'notification' });
        const d = deadlines(r.detected_at, [m.regime], new Map([[m.regime, notifiedAt]]), now())[0]!;
        await ledger.append(tx, {
          action: 'incident.notified',
          outcome: 'allowed',
          ...envelopeOf(ctx),
          target: { type: 'incident', id },
          body: { incidentId: id, regime: m.regime, authority: m.authority, notifiedAt, dueAt: d.dueAt, late: d.late },
        });
      });
      return view(id);
    });
  }

  async function engage(ctx: RequestContext, input: z.input<typeof EngageSchema>): Promise<KillSwitch> {
    const m = parseInput(EngageSchema, input, 'the kill switch');
    return refusing(ctx, 'engage', m.incidentId ? { incidentId: m.incidentId } : {}, async () => {
      const target = killTarget(m.scope, m);
      const id = uuidv7();
      await database.transact(async (tx) => {
        if (m.incidentId) {
          const inc = await store.incident(tx, m.incidentId);
          if (!inc) throw notFound('incident', m.incidentId);
          if (inc.status === 'closed') throw conflict(`incident ${m.incidentId} is closed`, { step: 'state' });
        }
        const at = now().toISOString();
        const row: KillSwitchRow = { id, scope: m.scope, target, incident_id: m.incidentId ?? null, reason: m.reason, engaged_by: actorId(ctx), engaged_at: at, released_by: null, released_at: null, engaged: `${m.scope}:${target}` };
        if (!(await store.insertKillSwitch(tx, row))) throw conflict(`a ${m.scope} kill switch on ${target} is already engaged`, { step: 'kill-switch' });
        // The incident's timeline finds it through incident_id (see timeline()).
        await ledger.append(tx, { action: 'killswitch.engaged', outcome: 'allowed', ...envelopeOf(ctx), reason: m.reason, target: { type: 'killswitch', id }, body: { killSwitchId: id, scope: m.scope, target, incidentId: m.incidentId ?? null } });
      });
      return toKillSwitch((await store.killSwitch(database.db, id))!);
    });
  }

  async function release(ctx: RequestContext, id: string, reason: string): Promise<KillSwitch> {
    return refusing(ctx, 'release', { killSwitchId: id }, async () => {
      await database.transact(async (tx) => {
        const k = await store.killSwitch(tx, id);
        if (!k) throw notFound('kill switch', id);
        const at = now().toISOString();
        if (!(await store.releaseKillSwitch(tx, id, actorId(ctx), at))) throw conflict(`kill switch ${id} is already released`, { step: 'kill-switch' });
        await ledger.append(tx, {
          action: 'killswitch.released',
          outcome: 'allowed',
          ...envelopeOf(ctx),
          reason,
          target: { type: 'killswitch', id },
          body: { killSwitchId: id, scope: k.scope, target: k.target, incidentId: k.incident_id, engagedForSeconds: Math.max(0, Math.round((Date.parse(at) - Date.parse(k.engaged_at)) / 1000)) },
        });
      });
      return toKillSwitch((await store.killSwitch(database.db, id))!);
    });
  }

  /** A rollback ordered under an incident: carried out by release management, linked here. */
  async function orderRollback(ctx: RequestContext, incidentId: string, input: z.input<typeof RollbackOrderSchema>) {
    const m = parseInput(RollbackOrderSchema, input, 'the rollback order');
    return refusing(ctx, 'rollback', { incidentId }, async () => {
      const inc = await store.incident(database.db, incidentId);
      if (!inc) throw notFound('incident', incidentId);
      if (inc.status === 'closed') throw conflict(`incident ${incidentId} is closed`, { step: 'state' });
      const d = await deps.releases.rollback(ctx, { kind: m.kind as ComponentKind, name: m.name, zone: m.zone, reason: `incident ${incidentId}: ${m.reason}` });
      await database.transact((tx) =>
        ledger.append(tx, { action: 'incident.rollback-ordered', outcome: 'allowed', ...envelopeOf(ctx), target: { type: 'incident', id: incidentId }, body: { incidentId, deploymentId: d.id, component: { kind: m.kind, name: m.name }, zone: m.zone } }),
      );
      return d;
    });
  }

  async function list(f: { status?: IncidentState | undefined; overdue?: boolean | undefined }): Promise<Incident[]> {
    const rows = await store.listIncidents(database.db, { statuses: f.status ? [f.status] : undefined });
    const all = await Promise.all(rows.map((r) => view(r.id)));
    return f.overdue ? all.filter((i) => i.deadlines.some((d) => d.overdue)) : all;
  }

  /**
   * The incident's timeline from the ledger: its own events, its kill switches', its rollbacks',
   * and every deployment of an affected component in an affected zone from a week before
   * detection until it closed. Each entry carries the event id and leaf index to verify it by.
   */
  async function timeline(id: string) {
    const inc = await view(id);
    const events: { eventId: string; index: number | null; action: string; outcome: string; occurredAt: string; about: string }[] = [];
    const add = async (type: string, tid: string, about: string) => {
      for (const e of await ledger.eventsAbout({ type, id: tid })) events.push({ ...e, about });
    };
    await add('incident', id, `incident ${id}`);
    for (const k of inc.killSwitches) await add('killswitch', k.id, `kill switch ${k.scope} ${k.target}`);
    const from = new Date(Date.parse(inc.detectedAt) - 7 * 86_400_000).toISOString();
    const until = inc.closedAt ?? now().toISOString();
    for (const c of inc.affected.components) {
      for (const d of await deps.releases.deployments({ kind: c.kind as ComponentKind, name: c.name })) {
        if ((inc.affected.zones.length && !inc.affected.zones.includes(d.zone)) || d.deployedAt < from || d.deployedAt > until) continue;
        await add('deployment', d.id, `${d.action} ${c.kind}/${c.name} v${d.version.version} in ${d.zone}`);
      }
    }
    const unique = [...new Map(events.map((e) => [e.eventId, e])).values()].sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : 0));
    return { incident: inc, window: { from, until }, events: unique };
  }

  /** The engaged kill switch on a target at an instant (default now), if any: what deploys and answers consult. */
  async function engagedOn(scope: KillScope, target: string, tx: Tx | Database['db'] = database.db, at?: string): Promise<KillSwitch | undefined> {
    const k = at ? await store.engagedAt(tx, scope, target, at) : (await store.killSwitches(tx, { engagedOnly: true, scope, target }))[0];
    return k ? toKillSwitch(k) : undefined;
  }

  return {
    open,
    update,
    notify,
    engage,
    release,
    orderRollback,
    get: view,
    list,
    timeline,
    killSwitches: async (f: { engagedOnly?: boolean; scope?: KillScope | undefined }) => (await store.killSwitches(database.db, f)).map(toKillSwitch),
    engagedOn,
    states: INCIDENT_STATES,
  };
}

export type IncidentService = ReturnType<typeof createIncidentService>;

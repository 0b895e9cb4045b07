// Release management: one change-request flow for every kind of component. A change proposes a
// version (content digest, diff against what runs in the zone), is validated (kind rules, policy
// placement, registry status of its artifacts), carries evaluation evidence judged against the
// zone's thresholds, is approved by enough distinct approvers who are not its author, and is
// deployed by an operator, which signs a release manifest. The deployment history answers "what
// ran where, when, approved by whom". Every step is a ledger event in the step's transaction, and
// every refusal is recorded with the step that failed.
import { createHash } from 'node:crypto';
import type { Database } from '../db/database.js';
import type { Tx } from '../db/tables.js';
import type { LedgerService } from '../ledger/service.js';
import type { DenialRecorder } from '../identity/denials.js';
import { auditReason, recordingRefusals } from '../identity/denials.js';
import { envelopeOf, type RequestContext } from '../identity/context.js';
import { authorCannotApprove, distinctApprovers, enforceSod } from '../identity/sod.js';
import type { Role } from '../identity/roles.js';
import { AppError, conflict, notFound } from '../errors.js';
import { uuidv7 } from '../util/ids.js';
import { canonicalBytes } from '../util/canonical-json.js';
import type { ArtifactStatus } from '../policy/decide.js';
import type { ActivePolicy } from '../policy/service.js';
import type { Signer } from '../signing/keys.js';
import { issueAttestation } from '../signing/intoto.js';
import { artifactChecks, describeResult, judgeEvaluation, kindChecks, placementCheck, policySources, thresholdSources, type Thresholds } from './gates.js';
import type { PolicySource } from '../policy/model.js';
import { diffSpecs } from './diff.js';
import { edgesOf, versionRef } from './lineage.js';
import { CreateChangeSchema, deploymentTarget, GLOBAL_ZONE, EvaluationSchema, UpdateChangeSchema, VersionSpecSchema, type Change, type Check, type ComponentKind, type CreateChange, type EvaluationResult, type VersionSpec } from './schema.js';
import type { ChangeRow, ComponentRow, DeploymentRow, ReleaseStore, VersionRow } from './store.js';
import { toChange, toDeployment, versionOf } from './views.js';
import type { z } from 'zod';
import { parseInput } from '../util/parse-input.js';

export const EVIDENT_RELEASE_V1 = 'https://evident.dev/attestations/release/v1';

export interface ReleaseOptions {
  /** Distinct approvers every change needs at least; a zone may ask for more. */
  approvalsRequired: number;
  /** Days to approve an emergency change after it was deployed, unless the zone says otherwise. */
  emergencyApprovalDays: number;
}

export interface ReleaseDeps {
  database: Database;
  store: ReleaseStore;
  ledger: Pick<LedgerService, 'append' | 'record' | 'eventsAbout'>;
  denials: DenialRecorder;
  policy: () => Promise<ActivePolicy>;
  /** The registry's view of artifacts, keyed `name@digest`. */
  artifacts: (refs: readonly { repository: string; digest: string }[], tx: Tx | Database['db']) => Promise<ReadonlyMap<string, ArtifactStatus>>;
  /** The kill switch engaged on a deployment target (`kind/name@zone`) now or at an instant (incidents). */
  killSwitch?: (target: string, tx: Tx | Database['db'], at?: string) => Promise<{ id: string; reason: string; engagedAt: string } | undefined>;
  /** Puts an Evident policy in force inside the deployment's transaction (policy changes). */
  activatePolicy?: (tx: Tx, ctx: RequestContext, sources: PolicySource[], note: string) => Promise<{ version: number; digest: string; changed: boolean }>;
  /** Signs release manifests (the attestation key). */
  signer: Signer;
  options: ReleaseOptions;
  now?: () => Date;
}

const OPEN_STATES = ['open', 'approved'];
const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const specDigest = (spec: VersionSpec) => sha256(canonicalBytes(spec));
/** Checks as the ledger keeps them (bounded). */
const ledgerChecks = (checks: readonly Check[]) => checks.slice(0, 100).map((c) => ({ ...c, detail: c.detail.slice(0, 500) }));


export function createReleaseService(deps: ReleaseDeps) {
  const { database, store, ledger } = deps;
  const now = deps.now ?? (() => new Date());
  const actorId = (ctx: RequestContext) => ctx.principal?.id ?? `system:${ctx.system ?? 'system'}`;

  // ---- refusals -------------------------------------------------------------------------------

  type RefusalTarget = { changeId?: string; component?: { kind: string; name: string }; zone?: string };

  /** A refusal other than a denial, as change.refused with the step that failed and its blockers. */
  async function recordRefused(ctx: RequestContext, operation: string, target: RefusalTarget, e: AppError): Promise<void> {
    const d = e.details as { step?: string; blockers?: Check[] } | undefined;
    await ledger.record({
      action: 'change.refused',
      outcome: 'denied',
      ...envelopeOf(ctx),
      reason: auditReason(e).slice(0, 2000),
      ...(target.changeId ? { target: { type: 'change', id: target.changeId } } : {}),
      body: {
        operation,
        ...(target.changeId ? { changeId: target.changeId } : {}),
        ...(target.component ? { component: { kind: target.component.kind.slice(0, 32), name: target.component.name.slice(0, 128) } } : {}),
        ...(target.zone ? { zone: target.zone.slice(0, 63) } : {}),
        step: (d?.step ?? e.code).slice(0, 32),
        ...(d?.blockers ? { blockers: d.blockers.slice(0, 100).map((b) => ({ step: b.step, ok: b.ok, detail: b.detail.slice(0, 500) })) } : {}),
      },
    });
  }

  const refusing = <T>(ctx: RequestContext, operation: string, target: RefusalTarget, fn: () => Promise<T>) =>
    recordingRefusals(deps.denials, ctx, { operation: `releases.${operation}`, target: target.changeId ? { type: 'change', id: target.changeId } : undefined }, (e) => recordRefused(ctx, operation, target, e), fn);

  /** A refusal naming the step that failed, with every blocker, so "why blocked" has one answer. */
  const blocked = (what: string, blockers: Check[]) =>
    conflict(`${what}: ${blockers.map((b) => `[${b.step}] ${b.detail}`).join('; ')}`, { step: blockers[0]?.step ?? 'state', blockers });

  // ---- facts ----------------------------------------------------------------------------------

  async function componentOf(tx: Tx | Database['db'], id: string): Promise<ComponentRow> {
    const c = await store.componentById(tx, id);
    if (!c) throw notFound('component', id);
    return c;
  }
  async function versionRow(tx: Tx | Database['db'], id: string): Promise<VersionRow> {
    const v = await store.versionById(tx, id);
    if (!v) throw notFound('component version', id);
    return v;
  }
  const specOf = (v: VersionRow) => JSON.parse(v.spec) as VersionSpec;

  /**
   * Distinct approvers for a zone: the server's floor or the zone's, whichever is higher. Evident's
   * own policy governs every zone, so its changes need what the strictest zone asks.
   */
  function approvalsRequired(policy: ActivePolicy, zone: string): number {
    const zones = zone === GLOBAL_ZONE ? [...policy.compiled.zones.values()] : [policy.compiled.zones.get(zone)];
    return Math.max(deps.options.approvalsRequired, ...zones.map((z) => z?.releases.approvalsRequired ?? 0));
  }

  /** The zone's thresholds plus those of the evaluation-threshold components deployed there. */
  async function thresholdsFor(tx: Tx | Database['db'], policy: ActivePolicy, zone: string) {
    const sources: { source: string; thresholds: Thresholds }[] = [];
    const z = policy.compiled.zones.get(zone);
    if (z && Object.keys(z.releases.evaluation).length) sources.push({ source: `zone:${zone}`, thresholds: z.releases.evaluation });
    for (const d of await store.activeIn(tx, 'evaluation-threshold', zone)) {
      const [c, v] = [await componentOf(tx, d.component_id), await versionRow(tx, d.version_id)];
      const metrics = specOf(v).config?.metrics;
      if (metrics && typeof metrics === 'object') sources.push({ source: versionRef(c.kind, c.name, v.version), thresholds: metrics as Thresholds });
    }
    return thresholdSources(sources);
  }

  /** Steps 2 (validation) and 3 (evaluation) as they stand now. */
  async function automatedChecks(tx: Tx | Database['db'], policy: ActivePolicy, kind: ComponentKind, spec: VersionSpec, zone: string): Promise<Check[]> {
    // Read in the caller's transaction: on SQLite a read outside it would wait for it to end.
    if (kind === 'policy') return kindChecks(kind, spec);
    const statuses = spec.artifacts.length ? await deps.artifacts(spec.artifacts.map((a) => ({ repository: a.name, digest: a.digest })), tx) : new Map<string, ArtifactStatus>();
    return [...kindChecks(kind, spec), ...placementCheck(policy.compiled, zone, spec.dataClasses), ...artifactChecks(spec.artifacts, statuses, zone)];
  }

  function approvalState(c: ChangeRow, approvals: readonly { principal_id: string; controlled_by: string | null; roles: string; revision: number }[], required: number) {
    return distinctApprovers({
      authorId: c.author,
      approvals: approvals.filter((a) => a.revision === c.revision && a.principal_id !== c.author_controller).map((a) => ({ principalId: a.principal_id, roles: JSON.parse(a.roles) as Role[], controlledBy: a.controlled_by })),
      required,
    });
  }

  /** Everything that stands between a change and its deployment right now. */
  async function blockersOf(tx: Tx | Database['db'], c: ChangeRow, policy: ActivePolicy): Promise<{ blockers: Check[]; approvedEnough: boolean; required: number; evaluation: EvaluationResult | null }> {
    const component = await componentOf(tx, c.component_id);
    const version = await versionRow(tx, c.version_id);
    const out: Check[] = [];
    if (!OPEN_STATES.includes(c.state)) out.push({ step: 'state', ok: false, detail: `the change is ${c.state}` });
    out.push(...(await automatedChecks(tx, policy, component.kind as ComponentKind, specOf(version), c.zone)).filter((x) => !x.ok));
    // Evaluation: re-judged against the thresholds in force now (they may have changed).
    const bounds = await thresholdsFor(tx, policy, c.zone);
    let evaluation = c.evaluation ? (JSON.parse(c.evaluation) as EvaluationResult) : null;
    if (evaluation) {
      evaluation = { ...evaluation, ...judgeEvaluation(evaluation.metrics, bounds) };
      for (const r of evaluation.results) if (!r.ok) out.push({ step: 'evaluation', ok: false, detail: describeResult(r) });
    } else if (bounds.length && component.kind === 'model') {
      out.push({ step: 'evaluation', ok: false, detail: `no evaluation evidence attached; ${c.zone} requires ${[...new Set(bounds.map((b) => b.metric))].join(', ')}` });
    }
    const required = approvalsRequired(policy, c.zone);
    const approvals = approvalState(c, await store.approvals(tx, c.id), required);
    if (!approvals.satisfied && !(c.emergency === 1)) out.push({ step: 'approval', ok: false, detail: approvals.detail });
    if (component.kind === 'policy' && c.base_policy_digest !== policy.digest && OPEN_STATES.includes(c.state)) {
      out.push({ step: 'base', ok: false, detail: `the policy in force changed since this change was made (now v${policy.version}, ${policy.digest.slice(0, 19)}…); rebase it (approvals start over)` });
    }
    const killed = await deps.killSwitch?.(deploymentTarget(component.kind, component.name, c.zone), tx);
    if (killed) out.push({ step: 'kill-switch', ok: false, detail: `a kill switch stops ${component.kind}/${component.name} in ${c.zone} since ${killed.engagedAt} (${killed.reason}); an operator releases it, or rolls back` });
    const active = await store.latestDeployment(tx, c.component_id, c.zone);
    if ((active?.version_id ?? null) !== c.base_version_id && OPEN_STATES.includes(c.state)) {
      const now = active ? await versionRow(tx, active.version_id) : null;
      out.push({ step: 'base', ok: false, detail: `the change was made against ${c.base_version_id ? 'another version' : 'an empty zone'} but ${now ? `version ${now.version}` : 'nothing'} is active in ${c.zone} now; rebase it (approvals start over)` });
    }
    return { blockers: out, approvedEnough: approvals.satisfied, required, evaluation };
  }

  async function view(id: string): Promise<Change> {
    const db = database.db;
    const c = await store.changeById(db, id);
    if (!c) throw notFound('change', id);
    const policy = await deps.policy();
    const b = await blockersOf(db, c, policy);
    const base = c.base_version_id ? await versionRow(db, c.base_version_id) : null;
    const out = toChange(c, {
      component: await componentOf(db, c.component_id),
      version: await versionRow(db, c.version_id),
      base,
      approvals: await store.approvals(db, c.id),
      approvalsRequired: b.required,
      approvedEnough: b.approvedEnough,
      blockers: c.state === 'deployed' ? [] : b.blockers,
      now: now(),
    });
    if (b.evaluation) out.evaluation = b.evaluation;
    return out;
  }

  // ---- steps ----------------------------------------------------------------------------------

  /** Gets or creates the component and the version of this spec, with its lineage edges. */
  async function versionFor(tx: Tx, ctx: RequestContext, kind: ComponentKind, name: string, spec: VersionSpec): Promise<{ component: ComponentRow; version: VersionRow }> {
    const at = now().toISOString();
    let component = await store.component(tx, kind, name);
    if (!component) {
      const row: ComponentRow = { id: uuidv7(), kind, name, description: spec.description ?? null, created_by: actorId(ctx), created_at: at };
      if (!(await store.insertComponent(tx, row))) throw conflict(`component ${kind}/${name} was being created concurrently; retry`);
      component = row;
    }
    const digest = specDigest(spec);
    const existing = await store.versionByDigest(tx, component.id, digest);
    if (existing) return { component, version: existing };
    const version: VersionRow = { id: uuidv7(), component_id: component.id, version: (await store.lastVersionNumber(tx, component.id)) + 1, digest, spec: JSON.stringify(spec), created_by: actorId(ctx), created_at: at };
    if (!(await store.insertVersion(tx, version))) throw conflict(`another version of ${kind}/${name} was being created concurrently; retry`);
    await store.addEdges(tx, edgesOf(versionRef(kind, name, version.version), spec), at);
    return { component, version };
  }

  /** Paths the version changes against the base, for the ledger event (the API serves the full diff). */
  const changedPaths = (base: VersionRow | null, version: VersionRow) => diffSpecs(base ? specOf(base) : {}, specOf(version)).slice(0, 200).map((d) => d.path.slice(0, 300));

  async function create(ctx: RequestContext, input: CreateChange): Promise<Change> {
    const m = parseInput(CreateChangeSchema, input, 'the change');
    const zone = m.kind === 'policy' ? GLOBAL_ZONE : m.zone!;
    return refusing(ctx, 'create', { component: { kind: m.kind, name: m.name }, zone }, async () => {
      if (m.emergency && !m.reason) throw new AppError('VALIDATION_FAILED', 'an emergency change needs a reason: what is broken and why it cannot wait for approval');
      const policy = await deps.policy();
      if (m.kind !== 'policy' && !policy.compiled.zones.has(zone)) throw new AppError('VALIDATION_FAILED', `zone ${zone} is not in the policy in force; known zones: ${[...policy.compiled.zones.keys()].join(', ')}`);
      const validation = await automatedChecks(database.db, policy, m.kind, m.spec, zone);
      const id = uuidv7();
      await database.transact(async (tx) => {
        const { component, version } = await versionFor(tx, ctx, m.kind, m.name, m.spec);
        const active = await store.latestDeployment(tx, component.id, zone);
        const base = active ? await versionRow(tx, active.version_id) : null;
        if (base?.id === version.id) throw conflict(`version ${version.version} of ${m.kind}/${m.name} is already active in ${zone}; nothing to change`);
        const at = now().toISOString();
        await store.insertChange(tx, {
          id,
          component_id: component.id,
          version_id: version.id,
          zone: zone,
          base_version_id: base?.id ?? null,
          base_policy_digest: m.kind === 'policy' ? policy.digest : null,
          state: 'open',
          revision: 1,
          title: m.title,
          emergency: m.emergency ? 1 : 0,
          reason: m.reason ?? null,
          author: actorId(ctx),
          author_controller: ctx.principal?.controlledBy ?? null,
          validation: JSON.stringify(validation),
          evaluation: null,
          approval_due_at: null,
          created_at: at,
          updated_at: at,
        });
        await ledger.append(tx, {
          action: 'change.created',
          outcome: 'allowed',
          ...envelopeOf(ctx),
          target: { type: 'change', id },
          body: {
            changeId: id,
            component: { kind: m.kind, name: m.name },
            zone: zone,
            version: versionOf(version),
            base: base ? versionOf(base) : null,
            changed: changedPaths(base, version),
            emergency: !!m.emergency,
            validation: ledgerChecks(validation),
          },
        });
      });
      return view(id);
    });
  }

  /** Loads and locks a change that may still move (open or approved), checking the caller's revision. */
  async function lockOpen(tx: Tx, id: string, revision: number | undefined, what: string): Promise<ChangeRow> {
    const c = await store.lockChange(tx, id, database.dialect);
    if (!c) throw notFound('change', id);
    if (revision !== undefined && revision !== c.revision) throw conflict(`you ${what} revision ${revision} but the change is at revision ${c.revision} (it was edited since); read it again`, { step: 'revision' });
    return c;
  }

  async function cas(tx: Tx, c: ChangeRow, set: Partial<Omit<ChangeRow, 'id' | 'revision'>>, bump: boolean): Promise<void> {
    if (!(await store.updateChange(tx, c.id, c.revision, { ...set, updated_at: now().toISOString() }, bump))) {
      throw conflict(`change ${c.id} changed while this request was deciding; read it again and retry`);
    }
  }

  const mustBeOpen = (c: ChangeRow, doing: string) => {
    if (!OPEN_STATES.includes(c.state)) throw conflict(`change ${c.id} is ${c.state}; it cannot be ${doing}`, { step: 'state' });
  };
  const mustBeAuthor = (ctx: RequestContext, c: ChangeRow, doing: string) => {
    if (actorId(ctx) !== c.author) throw new AppError('FORBIDDEN', `only the author (${c.author}) may ${doing} this change; propose your own change instead`);
  };

  /** Edits a change: a new spec (a new version) or a rebase onto what is active now. Approvals start over. */
  async function update(ctx: RequestContext, id: string, input: z.input<typeof UpdateChangeSchema>): Promise<Change> {
    const m = parseInput(UpdateChangeSchema, input, 'the edit');
    return refusing(ctx, 'update', { changeId: id }, async () => {
      if (!m.spec && !m.rebase && !m.title) throw new AppError('VALIDATION_FAILED', 'the edit changes nothing: give spec, title or rebase: true');
      const policy = await deps.policy();
      const pre = await store.changeById(database.db, id);
      if (!pre) throw notFound('change', id);
      const component = await componentOf(database.db, pre.component_id);
      const validation = m.spec ? await automatedChecks(database.db, policy, component.kind as ComponentKind, m.spec, pre.zone) : null;
      await database.transact(async (tx) => {
        const c = await lockOpen(tx, id, m.revision, 'edited');
        mustBeAuthor(ctx, c, 'edit');
        mustBeOpen(c, 'edited');
        const version = m.spec ? (await versionFor(tx, ctx, component.kind as ComponentKind, component.name, m.spec)).version : await versionRow(tx, c.version_id);
        const active = await store.latestDeployment(tx, c.component_id, c.zone);
        const baseId = m.rebase ? (active?.version_id ?? null) : c.base_version_id;
        const base = baseId ? await versionRow(tx, baseId) : null;
        const checks = validation ?? (await automatedChecks(tx, policy, component.kind as ComponentKind, specOf(version), c.zone));
        // A new version invalidates evaluation evidence about the old one.
        const evaluation = version.id === c.version_id ? c.evaluation : null;
        const basePolicy = m.rebase && component.kind === 'policy' ? policy.digest : c.base_policy_digest;
        await cas(tx, c, { version_id: version.id, base_version_id: baseId, base_policy_digest: basePolicy, title: m.title ?? c.title, validation: JSON.stringify(checks), evaluation, state: 'open' }, true);
        await ledger.append(tx, {
          action: 'change.updated',
          outcome: 'allowed',
          ...envelopeOf(ctx),
          target: { type: 'change', id },
          body: {
            changeId: id,
            component: { kind: component.kind, name: component.name },
            zone: c.zone,
            revision: c.revision + 1,
            version: versionOf(version),
            base: base ? versionOf(base) : null,
            changed: changedPaths(base, version),
            validation: ledgerChecks(checks),
          },
        });
      });
      return view(id);
    });
  }

  /** Attaches evaluation evidence (step 3); a new revision, so earlier approvals no longer count. */
  async function evaluate(ctx: RequestContext, id: string, input: z.input<typeof EvaluationSchema>): Promise<Change> {
    const m = parseInput(EvaluationSchema, input, 'the evaluation');
    return refusing(ctx, 'evaluate', { changeId: id }, async () => {
      const policy = await deps.policy();
      await database.transact(async (tx) => {
        const c = await lockOpen(tx, id, m.revision, 'evaluated');
        mustBeOpen(c, 'evaluated');
        const judged = judgeEvaluation(m.metrics, await thresholdsFor(tx, policy, c.zone));
        const result: EvaluationResult = {
          metrics: m.metrics,
          ...(m.dataset ? { dataset: m.dataset } : {}),
          ...(m.reportDigest ? { reportDigest: m.reportDigest } : {}),
          ...judged,
          submittedBy: actorId(ctx),
          submittedAt: now().toISOString(),
        };
        await cas(tx, c, { evaluation: JSON.stringify(result), state: 'open' }, true);
        await ledger.append(tx, {
          action: 'change.evaluated',
          outcome: judged.passed ? 'allowed' : 'denied',
          ...envelopeOf(ctx),
          target: { type: 'change', id },
          body: {
            changeId: id,
            revision: c.revision + 1,
            metrics: m.metrics,
            ...(m.dataset ? { datasetDigest: m.dataset.digest } : {}),
            ...(m.reportDigest ? { reportDigest: m.reportDigest } : {}),
            passed: judged.passed,
            failed: [...new Set(judged.results.filter((r) => !r.ok).map((r) => r.metric))].slice(0, 100),
          },
        });
      });
      return view(id);
    });
  }

  /** Step 4: an approval by someone other than the author, for the revision they reviewed. */
  async function approve(ctx: RequestContext, id: string, body: { note?: string | undefined; revision?: number | undefined }): Promise<Change> {
    return refusing(ctx, 'approve', { changeId: id }, async () => {
      const p = ctx.principal;
      if (!p?.roles.includes('approver')) throw new AppError('FORBIDDEN', 'approving a change needs the approver role', { requiredRoles: ['approver'] });
      const policy = await deps.policy();
      await database.transact(async (tx) => {
        const c = await lockOpen(tx, id, body.revision, 'reviewed');
        const afterTheFact = c.state === 'deployed' && c.emergency === 1;
        if (!OPEN_STATES.includes(c.state) && !afterTheFact) throw conflict(`change ${id} is ${c.state}; it cannot be approved`, { step: 'state' });
        const author = authorCannotApprove(c.author, { principalId: p.id, controlledBy: p.controlledBy });
        enforceSod(author);
        // The author's controller (whoever minted the author's token) counts as the author too.
        if (c.author_controller) enforceSod(authorCannotApprove(c.author_controller, { principalId: p.id, controlledBy: p.controlledBy }));
        if (!afterTheFact) {
          // Approvers sign off on evidence: validation and evaluation must hold first.
          const pre = (await blockersOf(tx, c, policy)).blockers.filter((b) => b.step !== 'approval');
          if (pre.length) throw blocked(`change ${id} cannot be approved yet`, pre);
        }
        const required = approvalsRequired(policy, c.zone);
        const before = approvalState(c, await store.approvals(tx, id), required);
        if (afterTheFact && before.satisfied) throw conflict(`emergency change ${id} already has its ${required} approval(s)`, { step: 'state' });
        const inserted = await store.insertApproval(tx, { change_id: id, principal_id: p.id, controlled_by: p.controlledBy ?? null, roles: JSON.stringify(p.roles), revision: c.revision, note: body.note ?? null, decided_at: now().toISOString() });
        if (!inserted) throw conflict(`you already approved revision ${c.revision} of change ${id}; another approver must`, { step: 'approval' });
        const count = approvalState(c, await store.approvals(tx, id), required);
        if (count.satisfied && c.state === 'open') await cas(tx, c, { state: 'approved' }, false);
        const [component, version] = [await componentOf(tx, c.component_id), await versionRow(tx, c.version_id)];
        await ledger.append(tx, {
          action: 'change.approved',
          outcome: 'allowed',
          ...envelopeOf(ctx),
          target: { type: 'change', id },
          body: { changeId: id, component: { kind: component.kind, name: component.name }, zone: c.zone, revision: c.revision, version: versionOf(version), sod: [author, count], complete: count.satisfied, afterTheFact },
        });
      });
      return view(id);
    });
  }

  function exit(to: 'rejected' | 'withdrawn') {
    return async (ctx: RequestContext, id: string, reason?: string): Promise<Change> =>
      refusing(ctx, to === 'rejected' ? 'reject' : 'withdraw', { changeId: id }, async () => {
        await database.transact(async (tx) => {
          const c = await lockOpen(tx, id, undefined, '');
          if (to === 'withdrawn') mustBeAuthor(ctx, c, 'withdraw');
          if (to === 'rejected' && actorId(ctx) === c.author) throw new AppError('FORBIDDEN', 'the author withdraws a change; rejecting is for approvers');
          mustBeOpen(c, to);
          await cas(tx, c, { state: to, ...(reason ? { reason: (c.reason ? `${c.reason}\n${to}: ${reason}` : `${to}: ${reason}`).slice(0, 2000) } : {}) }, true);
          await ledger.append(tx, { action: to === 'rejected' ? 'change.rejected' : 'change.withdrawn', outcome: 'allowed', ...envelopeOf(ctx), ...(reason ? { reason } : {}), target: { type: 'change', id }, body: { changeId: id, revision: c.revision + 1, from: c.state } });
        });
        return view(id);
      });
  }

  // ---- deployment -----------------------------------------------------------------------------

  /**
   * Records a deployment at the next position of the (component, zone) history with its signed
   * release manifest. The unique position makes racing deployments serial: one wins, the other
   * is refused and rolled back.
   */
  async function recordDeployment(
    tx: Tx,
    ctx: RequestContext,
    x: { action: 'deploy' | 'rollback'; component: ComponentRow; zone: string; version: VersionRow; current: DeploymentRow | undefined; change: ChangeRow | null; reason: string | null; approvers: { principalId: string; decidedAt: string; revision: number }[]; evaluation: EvaluationResult | null; validation: Check[]; policy: ActivePolicy },
  ): Promise<DeploymentRow> {
    const at = now().toISOString();
    const previous = x.current ? await versionRow(tx, x.current.version_id) : null;
    const deploymentId = uuidv7();
    // Claim the next position in the history first: of two racing deployments the loser stops
    // here, before it puts a policy in force or writes anything else.
    const row: DeploymentRow = {
      id: deploymentId,
      component_id: x.component.id,
      zone: x.zone,
      seq: (x.current?.seq ?? 0) + 1,
      action: x.action,
      version_id: x.version.id,
      previous_version_id: previous?.id ?? null,
      change_id: x.change?.id ?? null,
      reason: x.reason,
      deployed_by: actorId(ctx),
      deployed_at: at,
      policy_version: x.policy.version,
      manifest_digest: '',
      manifest: '',
      event_id: '',
    };
    if (!(await store.insertDeployment(tx, row))) {
      throw conflict(`another deployment of ${x.component.kind}/${x.component.name} to ${x.zone} happened at the same time; read the change again`, { step: 'base' });
    }
    // An Evident policy version is put in force in this same transaction: both happen or neither.
    let activated: { version: number; digest: string } | undefined;
    if (x.component.kind === 'policy') {
      const sources = policySources(specOf(x.version));
      if (!sources || !deps.activatePolicy) throw conflict('this policy version carries no policy files to put in force', { step: 'schema' });
      const r = await deps.activatePolicy(tx, ctx, sources, `${x.action} of ${x.component.kind}/${x.component.name} v${x.version.version}${x.change ? ` (change ${x.change.id})` : ''}`);
      if (!r.changed) throw conflict(`these policy files are already in force (v${r.version}); nothing to deploy`, { step: 'state' });
      activated = { version: r.version, digest: r.digest };
    }
    const spec = specOf(x.version);
    const node = versionRef(x.component.kind, x.component.name, x.version.version);
    const subject = [{ name: node, digest: { sha256: x.version.digest.slice(7) } }, ...spec.artifacts.map((a) => ({ name: a.name, digest: { sha256: a.digest.slice(7) } }))];
    const envelope = issueAttestation(
      {
        subject,
        predicateType: EVIDENT_RELEASE_V1,
        predicate: {
          deploymentId,
          action: x.action,
          component: { kind: x.component.kind, name: x.component.name },
          zone: x.zone,
          version: versionOf(x.version),
          previous: previous ? versionOf(previous) : null,
          change: x.change ? { id: x.change.id, title: x.change.title, revision: x.change.revision, author: x.change.author, emergency: x.change.emergency === 1 } : null,
          reason: x.reason,
          approvals: x.approvers,
          evaluation: x.evaluation ? { passed: x.evaluation.passed, metrics: x.evaluation.metrics, results: x.evaluation.results, ...(x.evaluation.reportDigest ? { reportDigest: x.evaluation.reportDigest } : {}) } : null,
          validation: x.validation,
          policy: { version: x.policy.version, digest: x.policy.digest },
          ...(activated ? { activated } : {}),
          deployedBy: actorId(ctx),
          deployedAt: at,
        },
      },
      deps.signer,
    );
    const manifest = JSON.stringify(envelope);
    const manifestDigest = sha256(Buffer.from(manifest));
    const { eventId } = await ledger.append(tx, {
      action: 'release.deployed',
      outcome: 'allowed',
      ...envelopeOf(ctx),
      ...(x.reason ? { reason: x.reason } : {}),
      target: { type: 'deployment', id: deploymentId },
      body: {
        deploymentId,
        action: x.action,
        component: { kind: x.component.kind, name: x.component.name },
        zone: x.zone,
        version: versionOf(x.version),
        previous: previous ? versionOf(previous) : null,
        changeId: x.change?.id ?? null,
        approvers: x.approvers.map((a) => a.principalId).slice(0, 20),
        emergency: x.change?.emergency === 1,
        evaluation: x.evaluation ? { passed: x.evaluation.passed, metrics: x.evaluation.metrics } : null,
        policy: { version: x.policy.version, digest: x.policy.digest },
        ...(activated ? { activatedPolicy: activated } : {}),
        manifestDigest,
        subjects: [...new Set([x.version.digest, ...spec.artifacts.map((a) => a.digest)])].slice(0, 60),
      },
    });
    await store.completeDeployment(tx, deploymentId, { manifest, manifest_digest: manifestDigest, event_id: eventId });
    return { ...row, manifest, manifest_digest: manifestDigest, event_id: eventId };
  }

  /** Step 5: an operator deploys an approved (or emergency) change whose checks hold now. */
  async function deploy(ctx: RequestContext, id: string): Promise<{ change: Change; deployment: ReturnType<typeof toDeployment> }> {
    return refusing(ctx, 'deploy', { changeId: id }, async () => {
      const p = ctx.principal;
      if (!p?.roles.includes('operator')) throw new AppError('FORBIDDEN', 'deploying needs the operator role', { requiredRoles: ['operator'] });
      const policy = await deps.policy();
      const row = await database.transact(async (tx) => {
        const c = await lockOpen(tx, id, undefined, '');
        const b = await blockersOf(tx, c, policy);
        if (b.blockers.length) throw blocked(`change ${id} cannot be deployed`, b.blockers);
        const component = await componentOf(tx, c.component_id);
        const version = await versionRow(tx, c.version_id);
        const current = await store.latestDeployment(tx, c.component_id, c.zone);
        const approvals = (await store.approvals(tx, id)).filter((a) => a.revision === c.revision);
        const d = await recordDeployment(tx, ctx, {
          action: 'deploy',
          component,
          zone: c.zone,
          version,
          current,
          change: c,
          reason: c.emergency === 1 ? c.reason : null,
          approvers: approvals.map((a) => ({ principalId: a.principal_id, decidedAt: a.decided_at, revision: a.revision })),
          evaluation: b.evaluation,
          validation: JSON.parse(c.validation) as Check[],
          policy,
        });
        const days = policy.compiled.zones.get(c.zone)?.releases.emergencyApprovalDays ?? deps.options.emergencyApprovalDays;
        const due = c.emergency === 1 && !b.approvedEnough ? new Date(Date.parse(d.deployed_at) + days * 86_400_000).toISOString() : null;
        await cas(tx, c, { state: 'deployed', approval_due_at: due }, false);
        return d;
      });
      return { change: await view(id), deployment: await deploymentView(row) };
    });
  }

  /**
   * Where a rollback from the deployment `d` goes: what `d` replaced; for a rollback, what the
   * restored version had replaced when it was deployed, so rolling back again keeps going back.
   */
  async function rollbackTarget(tx: Tx | Database['db'], d: DeploymentRow): Promise<string | null> {
    let cur: DeploymentRow | undefined = d;
    for (let i = 0; cur && i < 1000; i++) {
      if (cur.action === 'deploy') return cur.previous_version_id;
      cur = await store.lastDeploymentOf(tx, cur.component_id, cur.zone, cur.version_id, cur.seq);
    }
    return null;
  }

  /** Step 7: puts the rollback target back in the zone, as a recorded change of its own. */
  async function rollback(ctx: RequestContext, input: { kind: ComponentKind; name: string; zone: string; reason: string }) {
    return refusing(ctx, 'rollback', { component: { kind: input.kind, name: input.name }, zone: input.zone }, async () => {
      const p = ctx.principal;
      if (!p?.roles.includes('operator')) throw new AppError('FORBIDDEN', 'rolling back needs the operator role', { requiredRoles: ['operator'] });
      const policy = await deps.policy();
      const component = await store.component(database.db, input.kind, input.name);
      if (!component) throw notFound('component', `${input.kind}/${input.name}`);
      const row = await database.transact(async (tx) => {
        const current = await store.latestDeployment(tx, component.id, input.zone);
        if (!current) throw conflict(`nothing of ${input.kind}/${input.name} was ever deployed to ${input.zone}`, { step: 'state' });
        const targetId = await rollbackTarget(tx, current);
        if (!targetId) throw conflict(`${input.kind}/${input.name} has no earlier version in ${input.zone} to roll back to`, { step: 'state' });
        const target = await versionRow(tx, targetId);
        // It was approved once; it must still be placeable and its artifacts still promoted and unexpired.
        const checks = (await automatedChecks(tx, policy, input.kind, specOf(target), input.zone)).filter((x) => !x.ok);
        if (checks.length) throw blocked(`version ${target.version} of ${input.kind}/${input.name} cannot be restored in ${input.zone}`, checks);
        const restored = await store.lastDeploymentOf(tx, component.id, input.zone, targetId);
        const change = restored?.change_id ? ((await store.changeById(tx, restored.change_id)) ?? null) : null;
        const approvals = change ? (await store.approvals(tx, change.id)).filter((a) => a.revision === change.revision) : [];
        return recordDeployment(tx, ctx, {
          action: 'rollback',
          component,
          zone: input.zone,
          version: target,
          current,
          change,
          reason: input.reason,
          approvers: approvals.map((a) => ({ principalId: a.principal_id, decidedAt: a.decided_at, revision: a.revision })),
          evaluation: change?.evaluation ? (JSON.parse(change.evaluation) as EvaluationResult) : null,
          validation: await automatedChecks(tx, policy, input.kind, specOf(target), input.zone),
          policy,
        });
      });
      return deploymentView(row);
    });
  }

  // ---- reading --------------------------------------------------------------------------------

  async function deploymentView(d: DeploymentRow) {
    const db = database.db;
    return toDeployment(d, { component: await componentOf(db, d.component_id), version: await versionRow(db, d.version_id), previous: d.previous_version_id ? await versionRow(db, d.previous_version_id) : null });
  }

  async function list(f: { state?: string | undefined; kind?: string | undefined; name?: string | undefined; zone?: string | undefined; pendingApproval?: boolean | undefined; overdue?: boolean | undefined }): Promise<Change[]> {
    const db = database.db;
    const component = f.kind && f.name ? await store.component(db, f.kind, f.name) : undefined;
    if (f.kind && f.name && !component) return [];
    const states = f.state ? [f.state] : f.pendingApproval ? ['open', 'deployed'] : f.overdue ? ['deployed'] : undefined;
    const rows = await store.listChanges(db, { states, componentId: component?.id, kind: f.kind, zone: f.zone });
    const out = await Promise.all(rows.map((r) => view(r.id)));
    return out.filter((c) => {
      if (f.overdue && !c.overdue) return false;
      if (f.pendingApproval) return c.state === 'open' ? !c.blockers.length || c.blockers.every((b) => b.step === 'approval') : c.emergency && c.approvals.filter((a) => a.current).length < c.approvalsRequired;
      return true;
    });
  }

  async function componentView(kind: ComponentKind, name: string) {
    const db = database.db;
    const c = await store.component(db, kind, name);
    if (!c) throw notFound('component', `${kind}/${name}`);
    const versions = await store.versions(db, c.id);
    const zones = [...new Set((await store.deployments(db, { componentId: c.id })).map((d) => d.zone))].sort();
    const active: Record<string, { version: number; deploymentId: string; since: string; rollbackTo: number | null }> = {};
    for (const z of zones) {
      const d = (await store.latestDeployment(db, c.id, z))!;
      const target = await rollbackTarget(db, d);
      active[z] = { version: versions.find((v) => v.id === d.version_id)!.version, deploymentId: d.id, since: d.deployed_at, rollbackTo: target ? (versions.find((v) => v.id === target)?.version ?? null) : null };
    }
    return {
      id: c.id,
      kind: c.kind,
      name: c.name,
      description: c.description,
      createdBy: c.created_by,
      createdAt: c.created_at,
      versions: versions.map((v) => ({ ...versionOf(v), createdBy: v.created_by, createdAt: v.created_at, spec: specOf(v) })),
      active,
    };
  }

  /** Components with their latest version and what is active in each zone. */
  async function components(kind?: ComponentKind) {
    const db = database.db;
    return Promise.all(
      (await store.listComponents(db, kind)).map(async (c) => {
        const active: Record<string, number> = {};
        for (const d of [...(await store.deployments(db, { componentId: c.id }))].reverse()) active[d.zone] = (await versionRow(db, d.version_id)).version;
        return { kind: c.kind, name: c.name, description: c.description, latestVersion: await store.lastVersionNumber(db, c.id), active };
      }),
    );
  }

  async function diff(kind: ComponentKind, name: string, from: number, to: number) {
    const db = database.db;
    const c = await store.component(db, kind, name);
    if (!c) throw notFound('component', `${kind}/${name}`);
    const [a, b] = [await store.versionByNumber(db, c.id, from), await store.versionByNumber(db, c.id, to)];
    if (!a) throw notFound(`version of ${kind}/${name}`, String(from));
    if (!b) throw notFound(`version of ${kind}/${name}`, String(to));
    return { component: { kind, name }, from: versionOf(a), to: versionOf(b), changes: diffSpecs(specOf(a), specOf(b)) };
  }

  /**
   * "Which version of C was active in zone Z at time T, who approved it, with which evidence":
   * the last deployment at or before T, with the change behind it and the ledger events (with
   * their leaf indices) that prove each part.
   */
  async function activeAt(kind: ComponentKind, name: string, zone: string, atIso?: string) {
    const db = database.db;
    const at = atIso ? new Date(atIso) : now();
    const c = await store.component(db, kind, name);
    if (!c) throw notFound('component', `${kind}/${name}`);
    const d = await store.latestDeployment(db, c.id, zone, at.toISOString());
    const base = { component: { kind, name }, zone, at: at.toISOString() };
    if (!d) return { ...base, active: null };
    const change = d.change_id ? await store.changeById(db, d.change_id) : undefined;
    const approvals = change ? (await store.approvals(db, change.id)).filter((a) => a.revision === change.revision) : [];
    const events = [...(await ledger.eventsAbout({ type: 'deployment', id: d.id })), ...(change ? await ledger.eventsAbout({ type: 'change', id: change.id }) : [])];
    const killed = await deps.killSwitch?.(deploymentTarget(kind, name, zone), db, at.toISOString());
    if (killed) events.push(...(await ledger.eventsAbout({ type: 'killswitch', id: killed.id })));
    return {
      ...base,
      active: {
        ...(await deploymentView(d)),
        /** Deployed but stopped by a kill switch at that instant. */
        disabledBy: killed ? { killSwitchId: killed.id, reason: killed.reason, since: killed.engagedAt } : null,
        spec: specOf(await versionRow(db, d.version_id)),
        change: change
          ? {
              id: change.id,
              title: change.title,
              author: change.author,
              emergency: change.emergency === 1,
              approvals: approvals.map((a) => ({ principalId: a.principal_id, decidedAt: a.decided_at, afterTheFact: a.decided_at > d.deployed_at })),
              evaluation: change.evaluation ? (JSON.parse(change.evaluation) as EvaluationResult) : null,
            }
          : null,
        evidence: events.map((e) => ({ eventId: e.eventId, action: e.action, index: e.index, occurredAt: e.occurredAt })),
      },
    };
  }

  async function deployments(f: { kind?: ComponentKind | undefined; name?: string | undefined; zone?: string | undefined }) {
    const db = database.db;
    const c = f.kind && f.name ? await store.component(db, f.kind, f.name) : undefined;
    if (f.kind && f.name && !c) return [];
    return Promise.all((await store.deployments(db, { componentId: c?.id, zone: f.zone })).map(deploymentView));
  }

  /** The signed release manifest of a deployment, for offline verification. */
  async function manifest(deploymentId: string): Promise<{ digest: string; envelope: unknown }> {
    const d = await store.deploymentById(database.db, deploymentId);
    if (!d) throw notFound('deployment', deploymentId);
    return { digest: d.manifest_digest, envelope: JSON.parse(d.manifest) as unknown };
  }

  /** Walks lineage from a reference: upstream (what fed it) or downstream (what was built from it). */
  async function lineage(ref: string, direction: 'upstream' | 'downstream', depth: number) {
    const db = database.db;
    const edges: { from: string; to: string; relation: string }[] = [];
    const seen = new Set([ref]);
    let frontier = [ref];
    for (let level = 0; level < depth && frontier.length && edges.length < 5000; level++) {
      const rows = direction === 'upstream' ? await store.edgesInto(db, frontier) : await store.edgesOutOf(db, frontier);
      const next: string[] = [];
      for (const r of rows) {
        edges.push({ from: r.from_ref, to: r.to_ref, relation: r.relation });
        const other = direction === 'upstream' ? r.from_ref : r.to_ref;
        if (!seen.has(other)) {
          seen.add(other);
          next.push(other);
        }
      }
      frontier = next.slice(0, 500);
    }
    return { ref, direction, depth, nodes: [...seen], edges };
  }

  return {
    create,
    update,
    evaluate,
    approve,
    reject: exit('rejected'),
    withdraw: exit('withdrawn'),
    deploy,
    rollback,
    get: view,
    list,
    component: componentView,
    components,
    diff,
    activeAt,
    deployments,
    manifest,
    lineage,
    parseSpec: (v: unknown) => parseInput(VersionSpecSchema, v, 'the spec'),
  };
}

export type ReleaseService = ReturnType<typeof createReleaseService>;

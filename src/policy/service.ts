// The policy service: versions (each activation is a recorded change), the policy in force
// (compiled once per version and cached), and decisions, each recorded with the version it used.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from '../db/database.js';
import type { Tx } from '../db/tables.js';
import type { DenialRecorder } from '../identity/denials.js';
import type { LedgerService } from '../ledger/service.js';
import { AppError, notFound } from '../errors.js';
import { envelopeOf, type RequestContext } from '../identity/context.js';
import { compilePolicy, type CompiledPolicy, type PolicySource } from './model.js';
import { decide, type Decision, type DecisionInput, type Violation } from './decide.js';
import type { PolicyStore } from './store.js';
import type { K8sObject } from './workload.js';
import { pinnedImages, type ArtifactLookup } from './admission/service.js';
import { canonicalBytes } from '../util/canonical-json.js';

/** The example policy shipped in the package (loaded by `npm start` when none is in force). */
export const EXAMPLES_DIR = fileURLToPath(new URL('../../examples/policy/', import.meta.url));

export function readPolicyDir(dir: string): PolicySource[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.ya?ml$/u.test(n)).sort();
  } catch {
    throw new AppError('CONFIG_INVALID', `cannot read the policy directory ${dir}`);
  }
  if (names.length === 0) throw new AppError('CONFIG_INVALID', `the policy directory ${dir} holds no .yaml files`);
  return names.map((n) => ({ name: n, text: readFileSync(join(dir, n), 'utf8') }));
}

export interface ActivePolicy {
  version: number;
  digest: string;
  compiled: CompiledPolicy;
  createdAt: string;
  createdBy: string | null;
  note: string | null;
  files: string[];
}

const ruleRefs = (vs: Violation[]) => vs.map((v) => ({ rule: v.rule, mode: v.mode, source: v.source.slice(0, 128), field: v.field.slice(0, 256) }));

export function createPolicyService(deps: {
  database: Database;
  store: PolicyStore;
  ledger: Pick<LedgerService, 'append' | 'record'>;
  /** What the registry knows of images (wired after the registry exists). */
  artifacts?: () => ArtifactLookup | undefined;
  /** Policy changes need a change request (releases); the direct API route is refused. */
  changeControl?: boolean;
  denials?: Pick<DenialRecorder, 'record'>;
  now?: () => Date;
  refreshMs?: number;
}) {
  const { database, store } = deps;
  const now = deps.now ?? (() => new Date());
  const refreshMs = deps.refreshMs ?? 2000;
  let cached: ActivePolicy | null = null;
  let checkedAt = 0;
  let activatedSinceCommit = false;
  database.onCommit(() => {
    if (activatedSinceCommit) {
      activatedSinceCommit = false;
      checkedAt = 0;
    }
  });

  function load(row: { version: number; digest: string; sources: string; note: string | null; created_at: string; created_by: string | null }): ActivePolicy {
    const sources = JSON.parse(row.sources) as PolicySource[];
    return { version: row.version, digest: row.digest, compiled: compilePolicy(sources), createdAt: row.created_at, createdBy: row.created_by, note: row.note, files: sources.map((s) => s.name) };
  }

  /** The policy in force. Other replicas' activations are picked up within `refreshMs`. */
  async function active(): Promise<ActivePolicy> {
    if (cached && Date.now() - checkedAt < refreshMs) return cached;
    const latest = await store.latestVersion(database.db);
    checkedAt = Date.now();
    if (latest === null) throw new AppError('UNAVAILABLE', 'no policy is in force yet; apply one with "evident policy apply" or POST /api/v1/policy/versions');
    if (cached?.version !== latest) {
      const row = await store.get(database.db, latest);
      cached = load(row!);
    }
    return cached!;
  }

  /**
   * Validates and activates a policy as the next version, recorded with its author. The previous
   * version stays in force if anything is wrong. Re-applying the policy in force changes nothing.
   */
  /** Validates and activates a policy as the next version inside the caller's transaction. */
  async function applyIn(tx: Tx, ctx: RequestContext, sources: PolicySource[], note?: string): Promise<{ version: number; digest: string; changed: boolean }> {
    const compiled = compilePolicy(sources); // throws VALIDATION_FAILED with file:line:column
    const prev = await store.latest(tx);
    if (prev && prev.digest === compiled.digest) return { version: prev.version, digest: prev.digest, changed: false };
    const version = (prev?.version ?? 0) + 1;
    await store.insert(tx, {
      version,
      digest: compiled.digest,
      sources: JSON.stringify(sources.map((s) => ({ name: s.name, text: s.text }))),
      note: note ?? null,
      created_at: now().toISOString(),
      created_by: ctx.principal?.id ?? ctx.system ?? null,
    });
    await deps.ledger.append(tx, {
      action: 'policy.activated',
      outcome: 'allowed',
      ...envelopeOf(ctx),
      target: { type: 'policy', id: String(version) },
      body: {
        policy: { version, digest: compiled.digest },
        ...(prev ? { previous: { version: prev.version, digest: prev.digest } } : {}),
        files: sources.map((s) => s.name.slice(0, 256)),
        zones: [...compiled.zones.keys()],
        classes: [...compiled.classes.keys()],
        ...(note ? { note: note.slice(0, 2000) } : {}),
      },
    });
    // Re-read the policy in force once this transaction has committed (see onCommit below).
    activatedSinceCommit = true;
    return { version, digest: compiled.digest, changed: true };
  }

  /**
   * Validates and activates a policy as the next version, recorded with its author. The previous
   * version stays in force if anything is wrong. Re-applying the policy in force changes nothing.
   */
  async function apply(ctx: RequestContext, sources: PolicySource[], note?: string): Promise<{ version: number; digest: string; changed: boolean }> {
    compilePolicy(sources); // bad files fail before any transaction
    const result = await database.transact((tx) => applyIn(tx, ctx, sources, note));
    checkedAt = 0;
    return result;
  }

  /**
   * The API's direct route: with change control on (the default), policy changes go through a
   * change request with approvals instead, and a direct attempt is refused and recorded.
   */
  async function applyDirect(ctx: RequestContext, sources: PolicySource[], note?: string) {
    if (deps.changeControl) {
      const e = new AppError('FORBIDDEN', 'policy changes go through a change request with approvals: evident change create --kind policy --name evident --spec FILE (policy.changeControl is on)');
      await deps.denials?.record(ctx, { operation: 'policy.apply', code: 'FORBIDDEN', reason: e.message });
      throw e;
    }
    return apply(ctx, sources, note);
  }

  /** On a fresh installation, puts the given files (the shipped examples by default) in force. */
  async function ensureInitial(ctx: RequestContext, sources: () => PolicySource[]): Promise<void> {
    if ((await store.latestVersion(database.db)) === null) await apply(ctx, sources(), 'initial policy');
  }

  /** Decides a placement and records the decision with the policy version it used. */
  async function decidePlacement(
    ctx: RequestContext,
    input: { zone: string; classes: string[]; objects: K8sObject[]; llmProviders?: string[] },
  ): Promise<Decision & { policyVersion: number; objects: Decision[] }> {
    const p = await active();
    const lookup = deps.artifacts?.();
    const artifacts = lookup && input.objects.length ? await lookup(input.objects.flatMap((o) => pinnedImages(o))) : undefined;
    const base: DecisionInput = { zone: input.zone, classes: input.classes, ...(input.llmProviders ? { llmProviders: input.llmProviders } : {}), ...(artifacts ? { artifacts } : {}) };
    const perObject = input.objects.length ? input.objects.map((o) => decide(p.compiled, { ...base, object: o })) : [decide(p.compiled, base)];
    const merge = (k: 'violations' | 'warnings' | 'audit') => perObject.flatMap((d) => d[k]);
    const decision: Decision = {
      allowed: perObject.every((d) => d.allowed),
      zone: input.zone,
      classes: [...new Set(perObject.flatMap((d) => d.classes))].sort(),
      policyDigest: p.digest,
      violations: merge('violations'),
      warnings: merge('warnings'),
      audit: merge('audit'),
      images: perObject.flatMap((d) => d.images),
    };
    const names = input.objects.slice(0, 100).map((o) => String((o.metadata as { name?: unknown } | undefined)?.name ?? ''));
    await deps.ledger.record({
      action: 'placement.decided',
      outcome: decision.allowed ? 'allowed' : 'denied',
      ...envelopeOf(ctx),
      // Object names can name people: sealed under the caller's subject key, erasable with it.
      ...(names.some(Boolean) ? { subject: { id: ctx.principal ? `principal:${ctx.principal.id}` : `system:${ctx.system ?? 'system'}`, data: Object.fromEntries(names.map((n, i) => [`object${i}`, n])) } } : {}),
      target: { type: 'zone', id: input.zone.slice(0, 256) || '(none)' },
      body: {
        policy: { version: p.version, digest: p.digest },
        zone: input.zone,
        classes: decision.classes,
        allowed: decision.allowed,
        violations: ruleRefs(decision.violations).slice(0, 200),
        warnings: ruleRefs(decision.warnings).slice(0, 200),
        audit: ruleRefs(decision.audit).slice(0, 200),
        // Each manifest by the digest of its RFC 8785 JSON, which whoever holds it can match.
        objects: input.objects.slice(0, 100).map((o, i) => ({
          kind: String(o.kind ?? '').slice(0, 63),
          digest: `sha256:${createHash('sha256').update(canonicalBytes(o)).digest('hex')}`,
          images: perObject[i]!.images.slice(0, 100),
        })),
      },
    });
    return { ...decision, policyVersion: p.version, objects: input.objects.length > 1 ? perObject : [] };
  }

  async function version(v: number) {
    const row = await store.get(database.db, v);
    if (!row) throw notFound('policy version', String(v));
    return { version: row.version, digest: row.digest, note: row.note, createdAt: row.created_at, createdBy: row.created_by, files: JSON.parse(row.sources) as PolicySource[] };
  }

  async function versions() {
    return (await store.list(database.db)).map((r) => ({ version: r.version, digest: r.digest, note: r.note, createdAt: r.created_at, createdBy: r.created_by }));
  }

  return { active, apply, applyIn, applyDirect, ensureInitial, decidePlacement, version, versions, ruleRefs };
}

export type PolicyService = ReturnType<typeof createPolicyService>;
export { ruleRefs };

// The automated steps of a change, as pure judgements over facts the service gathered: the kind's
// own rules, the placement decision for the target zone, the registry status of every referenced
// artifact, and evaluation metrics against the zone's thresholds. Each check says what is wrong
// and what would fix it; the service decides what to do with failures.
import { decide, imageKey, type ArtifactStatus } from '../policy/decide.js';
import { compilePolicy, type CompiledPolicy, type PolicySource } from '../policy/model.js';
import { isAppError } from '../errors.js';
import type { Check, ComponentKind, EvaluationResult, VersionSpec } from './schema.js';

export type Thresholds = Record<string, { min?: number; max?: number }>;

/** What each kind must carry: something to deploy. */
export function kindChecks(kind: ComponentKind, spec: VersionSpec): Check[] {
  const out: Check[] = [];
  const fail = (detail: string) => out.push({ step: 'schema', ok: false, detail });
  if ((kind === 'model' || kind === 'prompt') && spec.artifacts.length === 0) {
    fail(`a ${kind} version names the registry artifacts it consists of (spec.artifacts): ${kind === 'model' ? 'weights at least' : 'its prompt template'}`);
  }
  if (kind === 'evaluation-threshold') {
    const metrics = spec.config?.metrics;
    const ok =
      !!metrics &&
      typeof metrics === 'object' &&
      !Array.isArray(metrics) &&
      Object.keys(metrics).length > 0 &&
      Object.values(metrics).every((b) => {
        if (!b || typeof b !== 'object') return false;
        const { min, max, ...rest } = b as Record<string, unknown>;
        return Object.keys(rest).length === 0 && (typeof min === 'number' || typeof max === 'number') && (min === undefined || typeof min === 'number') && (max === undefined || typeof max === 'number');
      });
    if (!ok) fail('an evaluation-threshold version sets spec.config.metrics to { "<metric>": { "min": n, "max": n } } (min, max or both per metric)');
  }
  if (kind === 'policy') {
    const files = policySources(spec);
    if (!files) fail('an Evident policy version sets spec.config.files to [{ "name": "zones.yaml", "text": "…" }] (the whole policy)');
    else {
      try {
        compilePolicy(files);
      } catch (e) {
        // Each problem comes back as file:line:column, as `evident policy validate` prints it.
        fail(`the policy does not compile: ${isAppError(e) ? e.message : String(e)}`.slice(0, 4000));
      }
    }
    if (spec.artifacts.length || spec.dataClasses.length) fail('an Evident policy version carries only its files (spec.config.files): no artifacts, no data classes');
  }
  if (kind !== 'model' && kind !== 'prompt' && kind !== 'evaluation-threshold' && kind !== 'policy' && spec.artifacts.length === 0 && !spec.config) {
    fail(`a ${kind} version carries its content as spec.config or as registry artifacts (spec.artifacts)`);
  }
  if (spec.lineage && kind !== 'model') fail('lineage (training data, code, run, base model) describes models; put it on the model component');
  return out.length ? out : [{ step: 'schema', ok: true, detail: `a well-formed ${kind} version` }];
}

/** The files of an Evident policy version, when spec.config.files has the right shape. */
export function policySources(spec: VersionSpec): PolicySource[] | null {
  const files = spec.config?.files;
  if (!Array.isArray(files) || files.length === 0 || files.length > 100) return null;
  const ok = files.every((f) => !!f && typeof f === 'object' && typeof (f as PolicySource).name === 'string' && typeof (f as PolicySource).text === 'string' && Object.keys(f as object).length === 2);
  return ok ? (files as PolicySource[]).map((f) => ({ name: f.name, text: f.text })) : null;
}

/** The policy's placement decision for the data classes the version touches, in the target zone. */
export function placementCheck(policy: CompiledPolicy, zone: string, classes: readonly string[]): Check[] {
  if (!policy.zones.has(zone)) return [{ step: 'placement', ok: false, detail: `zone ${zone} is not in the policy in force; known zones: ${[...policy.zones.keys()].join(', ')}` }];
  const d = decide(policy, { zone, classes });
  if (d.allowed) return [{ step: 'placement', ok: true, detail: `data classes [${classes.join(', ') || 'none'}] may be placed in ${zone}` }];
  return d.violations.map((v) => ({ step: 'placement' as const, ok: false, detail: `${v.rule} (${v.source}): ${v.message}; fix: ${v.fix}` }));
}

/** Every referenced artifact must be in the registry, promoted to the zone and unexpired. */
export function artifactChecks(refs: readonly { name: string; digest: string }[], statuses: ReadonlyMap<string, ArtifactStatus>, zone: string): Check[] {
  if (refs.length === 0) return [];
  const out: Check[] = [];
  for (const r of refs) {
    const at = `${r.name}@${r.digest.slice(0, 19)}…`;
    const s = statuses.get(imageKey(r.name, r.digest));
    if (!s) out.push({ step: 'artifacts', ok: false, detail: `${at} is not in the registry; push it through intake first` });
    else if (s.state !== 'promoted' || !s.promotedTo.includes(zone)) {
      out.push({ step: 'artifacts', ok: false, detail: `${at} is ${s.state}${s.promotedTo.length ? ` (promoted to ${s.promotedTo.join(', ')})` : ''}, not promoted to ${zone}; approve and promote it there first` });
    } else if (s.expired) out.push({ step: 'artifacts', ok: false, detail: `${at} is past its review date; an approver must review it (evident artifact review)` });
  }
  return out.length ? out : [{ step: 'artifacts', ok: true, detail: `${refs.length} artifact(s) promoted to ${zone} and unexpired` }];
}

/** Thresholds from several sources (zone policy, deployed evaluation-threshold components): all apply. */
export function thresholdSources(sources: readonly { source: string; thresholds: Thresholds }[]): { metric: string; min?: number; max?: number; source: string }[] {
  return sources.flatMap(({ source, thresholds }) => Object.entries(thresholds).map(([metric, b]) => ({ metric, ...b, source })));
}

/** Metrics against every bound; a metric a bound needs but the evidence lacks fails. */
export function judgeEvaluation(metrics: Readonly<Record<string, number>>, bounds: ReturnType<typeof thresholdSources>): Pick<EvaluationResult, 'passed' | 'results'> {
  const results = bounds.map((b) => {
    const value = Object.hasOwn(metrics, b.metric) ? metrics[b.metric]! : null;
    const ok = value !== null && (b.min === undefined || value >= b.min) && (b.max === undefined || value <= b.max);
    return { metric: b.metric, value, ...(b.min !== undefined ? { min: b.min } : {}), ...(b.max !== undefined ? { max: b.max } : {}), ok, source: b.source };
  });
  return { passed: results.every((r) => r.ok), results };
}

/** Human wording of a failed metric, for blockers and refusals. */
export function describeResult(r: EvaluationResult['results'][number]): string {
  const bound = [r.min !== undefined ? `>= ${r.min}` : '', r.max !== undefined ? `<= ${r.max}` : ''].filter(Boolean).join(' and ');
  return r.value === null ? `${r.metric} is required (${bound}, ${r.source}) but was not reported` : `${r.metric} = ${r.value} must be ${bound} (${r.source})`;
}

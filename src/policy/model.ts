// Compiles policy files into one validated, immutable policy: zones with `extends` resolved,
// cross references checked (with the file:line:column of the reference at fault), rule modes,
// custom CEL rules compiled, and a digest over the normalized document that identifies the version.
import { createHash } from 'node:crypto';
import type { Role } from '../identity/roles.js';
import { AppError } from '../errors.js';
import { canonicalJson } from '../util/canonical-json.js';
import { formatProblems, parseYamlDocument, type InputProblem, type ParsedYaml } from '../util/yaml-input.js';
import { AdmissionSettingsSchema, DEFAULT_RULE_MODES, POLICY_LEVEL_RULES, PolicyFileSchema, RULE_IDS, type DataClassInput, type Mode, type ModeOverrides, type PolicyFileParsed, type RuleId, type ZoneInput } from './schema.js';
import { compileCustomRule, type CompiledCustomRule } from './cel.js';

export interface Zone {
  name: string;
  description?: string;
  region?: string;
  jurisdiction?: string;
  ingress: 'private_only' | 'internal' | 'public';
  egress: { default: 'deny' | 'allow'; allowedDestinations: string[] };
  internalIngressClasses: string[];
  requireSignedImages: boolean;
  requireImageDigest: boolean;
  requireEncryptedVolumes: boolean;
  requireRuntimeIdentity: boolean;
  forbidHostAccess: boolean;
  /** Regulated: private ingress, default-deny egress or any workload requirement. */
  regulated: boolean;
  storageClasses: string[];
  registries: string[] | null;
  gpu: { nodeSelector: Record<string, string>; tolerations: { key?: string; operator?: string; value?: string; effect?: string }[]; resources: string[] } | null;
  llmProviders: string[];
  logging: {
    redactedLogs: boolean;
    auditLogging: boolean;
    sensitivePayloads: { retentionDays: number; readers: Role[] } | null;
    debug: { maxTtlHours: number; readers: Role[] } | null;
  };
  retention: { logsDays?: number; auditDays?: number; dataDays?: number };
  artifacts: { licenses: { allow?: string[]; deny?: string[] }; blockAdvisoriesFrom: 'low' | 'medium' | 'high' | 'critical' | null; trustedSigners: string[] | null; maxReviewDays: number | null; provenanceBuilders: string[] | null };
  reversibleTokens: { retentionDays: number; readers: Role[] } | null;
  releases: { approvalsRequired: number | null; emergencyApprovalDays: number | null; evaluation: Record<string, { min?: number; max?: number }> };
  modes: Partial<Record<RuleId, Mode>>;
}

export interface DataClass {
  name: string;
  description?: string;
  regimes: string[];
  allowedZones: string[];
  requireRedactedLogs: boolean;
  requirePrivateIngress: boolean;
  requireAuditLogging: boolean;
  requireNetworkSegmentation: boolean;
  prohibitExternalLlmCalls: boolean;
}

export interface Destination {
  cidrs: string[];
  namespace?: string;
  podLabels?: Record<string, string>;
  ports: { port: number; protocol: 'TCP' | 'UDP' | 'SCTP' }[];
}

export interface CompiledPolicy {
  digest: string;
  zones: ReadonlyMap<string, Zone>;
  classes: ReadonlyMap<string, DataClass>;
  destinations: ReadonlyMap<string, Destination>;
  llmProviders: ReadonlyMap<string, { external: boolean; endpoint?: string }>;
  modes: Record<RuleId, Mode>;
  customRules: CompiledCustomRule[];
  admission: { defaultZone?: string; unknownKinds: 'deny' | 'allow'; exemptNamespaces: string[]; unregulatedFailurePolicy: 'Fail' | 'Ignore' };
  namespaceZones: ReadonlyMap<string, string>;
  /** The merged, normalized document the digest is computed over. */
  document: Record<string, unknown>;
}

/** The namespaces the policy places in a zone (every zone when `zone` is null), sorted. */
export function namespacesIn(policy: Pick<CompiledPolicy, 'namespaceZones'>, zone: string | null): string[] {
  return [...policy.namespaceZones]
    .filter(([, z]) => zone === null || z === zone)
    .map(([ns]) => ns)
    .sort();
}

/** A zone's name as an RFC 1123 label (for namespaces and webhook names): "_" becomes "-". */
export function zoneLabel(zone: string): string {
  return zone.replace(/_/gu, '-');
}

export interface PolicySource {
  name: string;
  text: string;
}

const DEFAULT_MODES = Object.fromEntries(RULE_IDS.map((r) => [r, DEFAULT_RULE_MODES[r] ?? 'enforce'])) as Record<RuleId, Mode>;
/** Accelerator resource names (prefix match with a trailing "*"). */
export const DEFAULT_GPU_RESOURCES = ['nvidia.com/*', 'amd.com/gpu', 'gpu.intel.com/*', 'habana.ai/*', 'aws.amazon.com/neuron*', 'google.com/tpu'];

function mergeZone(base: ZoneInput, child: ZoneInput): ZoneInput {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(child)) {
    if (k === 'extends' || v === undefined) continue;
    const b = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b) ? { ...b, ...v } : v;
  }
  return out as ZoneInput;
}

function toZone(name: string, z: ZoneInput): Zone {
  const w = z.workloads ?? {};
  const ingress = z.ingress ?? 'internal';
  const egress = { default: z.egress?.default ?? 'allow', allowedDestinations: z.egress?.allowed_destinations ?? [] } as Zone['egress'];
  const regulated = ingress === 'private_only' || egress.default === 'deny' || !!(w.require_signed_images || w.require_encrypted_volumes || w.require_runtime_identity);
  return {
    name,
    ...(z.description ? { description: z.description } : {}),
    ...(z.region ? { region: z.region } : {}),
    ...(z.jurisdiction ? { jurisdiction: z.jurisdiction } : {}),
    ingress,
    egress,
    requireSignedImages: w.require_signed_images ?? false,
    // A signature is over a digest: requiring signed images requires pinned images, always.
    requireImageDigest: (w.require_image_digest ?? false) || (w.require_signed_images ?? false),
    requireEncryptedVolumes: w.require_encrypted_volumes ?? false,
    requireRuntimeIdentity: w.require_runtime_identity ?? false,
    forbidHostAccess: w.forbid_host_access ?? regulated,
    regulated,
    storageClasses: z.storage_classes ?? [],
    registries: z.registries ?? null,
    gpu: z.gpu ? { nodeSelector: z.gpu.node_selector ?? {}, tolerations: z.gpu.tolerations ?? [], resources: z.gpu.resources ?? DEFAULT_GPU_RESOURCES } : null,
    internalIngressClasses: z.internal_ingress_classes ?? [],
    llmProviders: z.llm_providers ?? [],
    logging: {
      redactedLogs: z.logging?.redacted_logs ?? false,
      auditLogging: z.logging?.audit_logging ?? false,
      sensitivePayloads: z.logging?.sensitive_payloads ? { retentionDays: z.logging.sensitive_payloads.retention_days, readers: z.logging.sensitive_payloads.readers } : null,
      debug: z.logging?.debug ? { maxTtlHours: z.logging.debug.max_ttl_hours, readers: z.logging.debug.readers } : null,
    },
    retention: {
      ...(z.retention?.logs_days ? { logsDays: z.retention.logs_days } : {}),
      ...(z.retention?.audit_days ? { auditDays: z.retention.audit_days } : {}),
      ...(z.retention?.data_days ? { dataDays: z.retention.data_days } : {}),
    },
    artifacts: {
      licenses: { ...(z.artifacts?.licenses?.allow ? { allow: z.artifacts.licenses.allow } : {}), ...(z.artifacts?.licenses?.deny ? { deny: z.artifacts.licenses.deny } : {}) },
      blockAdvisoriesFrom: z.artifacts?.advisory_threshold ?? null,
      trustedSigners: z.artifacts?.trusted_signers ?? null,
      maxReviewDays: z.artifacts?.max_review_days ?? null,
      provenanceBuilders: z.artifacts?.provenance?.builders ?? null,
    },
    reversibleTokens: z.reversible_tokens ? { retentionDays: z.reversible_tokens.retention_days, readers: z.reversible_tokens.readers } : null,
    releases: {
      approvalsRequired: z.releases?.approvals_required ?? null,
      emergencyApprovalDays: z.releases?.emergency_approval_days ?? null,
      evaluation: z.releases?.evaluation ?? {},
    },
    modes: Object.fromEntries(Object.entries(z.rules ?? {}).map(([k, v]) => [k, v!.mode])) as Zone['modes'],
  };
}

function toClass(name: string, c: DataClassInput): DataClass {
  return {
    name,
    ...(c.description ? { description: c.description } : {}),
    regimes: c.regimes ?? [],
    allowedZones: c.allowed_zones,
    requireRedactedLogs: c.require_redacted_logs ?? false,
    requirePrivateIngress: c.require_private_ingress ?? false,
    requireAuditLogging: c.require_audit_logging ?? false,
    requireNetworkSegmentation: c.require_network_segmentation ?? false,
    prohibitExternalLlmCalls: c.prohibit_external_llm_calls ?? false,
  };
}

interface Located<T> {
  value: T;
  file: ParsedYaml<PolicyFileParsed>;
  path: PropertyKey[];
}

/** Parses and compiles policy files; every problem in every file is reported at once. */
export function compilePolicy(sources: readonly PolicySource[]): CompiledPolicy {
  if (sources.length === 0) throw new AppError('VALIDATION_FAILED', 'no policy files were given');
  const problems: InputProblem[] = [];
  const parsed: ParsedYaml<PolicyFileParsed>[] = [];
  for (const src of sources) {
    try {
      parsed.push(parseYamlDocument(src.text, PolicyFileSchema, src.name));
    } catch (e) {
      if (e instanceof AppError && Array.isArray((e.details as { problems?: unknown })?.problems)) {
        problems.push(...(e.details as { problems: InputProblem[] }).problems);
      } else throw e;
    }
  }
  if (problems.length) throw invalid(problems);

  const at = (l: Located<unknown>, extra: PropertyKey[] = []) => l.file.locate([...l.path, ...extra]);
  const problem = (l: Located<unknown>, message: string, extra: PropertyKey[] = [], path = [...l.path, ...extra].join('.')) =>
    problems.push({ ...at(l, extra), path, message });

  // Gather every definition with where it came from; a name defined twice is an error.
  const zonesIn = new Map<string, Located<ZoneInput>>();
  const classesIn = new Map<string, Located<DataClassInput>>();
  const collect = <T>(into: Map<string, Located<T>>, file: ParsedYaml<PolicyFileParsed>, section: string, entries: Record<string, T> | undefined) => {
    for (const [name, value] of Object.entries(entries ?? {})) {
      const loc = { value, file, path: [section, name] };
      const prior = into.get(name);
      if (prior) {
        const p = at(prior);
        problem(loc, `"${name}" is already defined at ${p.file}:${p.line}:${p.column}`);
        continue;
      }
      into.set(name, loc);
    }
  };
  const merged: Omit<PolicyFileParsed, 'zones' | 'rootZones'> = {};
  for (const file of parsed) {
    const v = file.value;
    for (const [name, zone] of Object.entries(v.zones)) {
      const loc: Located<ZoneInput> = { value: zone, file, path: v.rootZones.includes(name) ? [name] : ['zones', name] };
      const prior = zonesIn.get(name);
      if (prior) {
        const p = at(prior);
        problem(loc, `zone "${name}" is already defined at ${p.file}:${p.line}:${p.column}`);
      } else zonesIn.set(name, loc);
    }
    collect(classesIn, file, 'data_class_policy', v.data_class_policy);
    for (const key of ['destinations', 'llm_providers', 'namespaces'] as const) {
      for (const [name, value] of Object.entries(v[key] ?? {})) {
        // Null-prototype buckets: names come from files, and "__proto__" is just a name here.
        const bucket = ((merged as Record<string, Record<string, unknown>>)[key] ??= Object.create(null) as Record<string, unknown>);
        if (Object.hasOwn(bucket, name)) problem({ value, file, path: [key, name] }, `"${name}" is defined in more than one file`);
        bucket[name] = value;
      }
    }
    for (const [rule, mode] of Object.entries(v.rules ?? {})) {
      // One mode per rule across the whole policy: a later file must not quietly soften an earlier one.
      if (merged.rules && Object.hasOwn(merged.rules, rule)) problem({ value: mode, file, path: ['rules', rule] }, `the mode of rule ${rule} is set in more than one file`);
      merged.rules = { ...(merged.rules ?? {}), [rule]: mode };
    }
    if (v.custom_rules) merged.custom_rules = [...(merged.custom_rules ?? []), ...v.custom_rules];
    if (v.admission) {
      if (merged.admission) problem({ value: v.admission, file, path: ['admission'] }, 'admission settings are defined in more than one file');
      merged.admission = v.admission;
    }
  }

  // Resolve `extends` (a chain of zones, no cycles).
  const resolved = new Map<string, ZoneInput>();
  const resolve = (name: string, seen: string[]): ZoneInput | undefined => {
    const done = resolved.get(name);
    if (done) return done;
    const loc = zonesIn.get(name)!;
    let z = loc.value;
    if (z.extends) {
      if (seen.includes(z.extends)) {
        problem(loc, `zones extend each other in a cycle: ${[...seen, name, z.extends].join(' -> ')}`, ['extends']);
        return undefined;
      }
      if (!zonesIn.has(z.extends)) {
        problem(loc, `extends unknown zone "${z.extends}"; known zones: ${[...zonesIn.keys()].join(', ')}`, ['extends']);
        return undefined;
      }
      const base = resolve(z.extends, [...seen, name]);
      if (!base) return undefined;
      z = mergeZone(base, z);
    }
    resolved.set(name, z);
    return z;
  };
  // Rendered names turn "_" into "-": two zones must not become one Kubernetes object.
  const rendered = new Map<string, string>();
  for (const [name, loc] of zonesIn) {
    const key = zoneLabel(name);
    const other = rendered.get(key);
    if (other) problem(loc, `zone "${name}" and zone "${other}" would render to the same Kubernetes names; rename one`);
    rendered.set(key, name);
  }
  const zones = new Map<string, Zone>();
  for (const name of zonesIn.keys()) {
    const z = resolve(name, []);
    if (z) zones.set(name, toZone(name, z));
  }

  for (const [name, loc] of zonesIn) {
    for (const rule of Object.keys(loc.value.rules ?? {})) {
      if (POLICY_LEVEL_RULES.has(rule)) problem(loc, `zone ${name} cannot change the mode of ${rule}: data classes and the policy impose it, so it is set under the top-level rules:`, ['rules', rule]);
    }
  }
  const providers = new Map(Object.entries(merged.llm_providers ?? {}).map(([k, v]) => [k, { external: v.external, ...(v.endpoint ? { endpoint: v.endpoint } : {}) }]));
  for (const [name, loc] of zonesIn) {
    (loc.value.llm_providers ?? []).forEach((p, i) => {
      if (!providers.has(p)) problem(loc, `unknown LLM provider "${p}" in zone ${name}; declare it under llm_providers:`, ['llm_providers', i]);
    });
  }

  const classes = new Map<string, DataClass>();
  for (const [name, loc] of classesIn) {
    loc.value.allowed_zones.forEach((z, i) => {
      if (!zonesIn.has(z)) problem(loc, `allowed zone "${z}" of data class ${name} is not defined; known zones: ${[...zonesIn.keys()].join(', ') || 'none'}`, ['allowed_zones', i]);
    });
    classes.set(name, toClass(name, loc.value));
  }

  const namespaceZones = new Map<string, string>();
  const nsOwner = (ns: string, zone: string, loc: Located<unknown>, extra: PropertyKey[]) => {
    const prior = namespaceZones.get(ns);
    if (prior && prior !== zone) problem(loc, `namespace "${ns}" is mapped to both ${prior} and ${zone}`, extra);
    namespaceZones.set(ns, zone);
  };
  for (const [name, loc] of zonesIn) (loc.value.namespaces ?? []).forEach((ns, i) => nsOwner(ns, name, loc, ['namespaces', i]));
  for (const file of parsed) {
    for (const [ns, zone] of Object.entries(file.value.namespaces ?? {})) {
      const loc = { value: zone, file, path: ['namespaces', ns] };
      if (!zonesIn.has(zone)) problem(loc, `namespace ${ns} is mapped to unknown zone "${zone}"`);
      else nsOwner(ns, zone, loc, []);
    }
    const adm = file.value.admission;
    if (adm?.default_zone && !zonesIn.has(adm.default_zone)) problem({ value: adm, file, path: ['admission'] }, `default_zone "${adm.default_zone}" is not a defined zone`, ['default_zone']);
  }
  // A zone that lists no namespaces owns one named after it (render creates it), so that every
  // zone's namespaces are known: only those may claim a regulated zone's label.
  const owning = new Set(namespaceZones.values());
  for (const [name, loc] of zonesIn) {
    if (owning.has(name)) continue;
    const ns = zoneLabel(name);
    const prior = namespaceZones.get(ns);
    if (prior) problem(loc, `zone ${name} lists no namespaces and its default namespace "${ns}" belongs to zone ${prior}; list the zone's namespaces`);
    else namespaceZones.set(ns, name);
  }

  const customRules: CompiledCustomRule[] = [];
  const ruleIds = new Set<string>();
  for (const file of parsed) {
    (file.value.custom_rules ?? []).forEach((r, i) => {
      const loc = { value: r, file, path: ['custom_rules', i] };
      if (ruleIds.has(r.id) || (RULE_IDS as readonly string[]).includes(r.id)) problem(loc, `rule id "${r.id}" is already used`, ['id']);
      ruleIds.add(r.id);
      for (const z of r.match.zones ?? []) if (!zonesIn.has(z)) problem(loc, `matches unknown zone "${z}"`, ['match', 'zones']);
      for (const c of r.match.classes ?? []) if (!classesIn.has(c)) problem(loc, `matches unknown data class "${c}"`, ['match', 'classes']);
      try {
        customRules.push(compileCustomRule(r));
      } catch (e) {
        problem(loc, `expression does not compile: ${(e as Error).message}`, ['expression']);
      }
    });
  }

  if (problems.length) throw invalid(problems);

  const modes = { ...DEFAULT_MODES, ...Object.fromEntries(Object.entries(merged.rules ?? {}).map(([k, v]) => [k, (v as { mode: Mode }).mode])) } as Record<RuleId, Mode>;
  const admission = merged.admission ?? AdmissionSettingsSchema.parse({});
  const document = {
    zones: Object.fromEntries([...resolved].sort(([a], [b]) => (a < b ? -1 : 1))),
    data_class_policy: Object.fromEntries([...classesIn].map(([k, v]) => [k, v.value])),
    destinations: merged.destinations ?? {},
    llm_providers: merged.llm_providers ?? {},
    rules: merged.rules ?? {},
    custom_rules: merged.custom_rules ?? [],
    admission,
    namespaces: Object.fromEntries(namespaceZones),
  };
  const digest = 'sha256:' + createHash('sha256').update(canonicalJson(JSON.parse(JSON.stringify(document)))).digest('hex');
  const destinations = new Map(
    Object.entries(merged.destinations ?? {}).map(([k, d]) => [
      k,
      { cidrs: d.cidrs ?? [], ...(d.namespace ? { namespace: d.namespace } : {}), ...(d.pod_labels ? { podLabels: d.pod_labels } : {}), ports: d.ports ?? [] },
    ]),
  );
  return deepFreeze({
    digest,
    zones,
    classes,
    destinations,
    llmProviders: providers,
    modes,
    customRules,
    admission: { ...(admission.default_zone ? { defaultZone: admission.default_zone } : {}), unknownKinds: admission.unknown_kinds, exemptNamespaces: admission.exempt_namespaces, unregulatedFailurePolicy: admission.unregulated_failure_policy },
    namespaceZones,
    document,
  });
}

function invalid(problems: InputProblem[]): AppError {
  return new AppError('VALIDATION_FAILED', `the policy has ${problems.length} problem(s):\n${formatProblems(problems)}`, { problems });
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    if (v instanceof Map) for (const x of v.values()) deepFreeze(x);
    else for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

export type { ModeOverrides };

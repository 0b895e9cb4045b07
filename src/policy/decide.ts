// The decision engine: pure, synchronous, no I/O. Given the compiled policy, a zone, declared data
// classes and optionally a Kubernetes object, it lists every rule the placement breaks, each with
// the rule id, who imposed it (zone, class, custom rule), the field at fault and what would fix
// it, and splits them by mode: enforce (deny), warn (allowed, with warnings), audit (recorded only).
import type { CompiledPolicy, DataClass, Zone } from './model.js';
import { POLICY_LEVEL_RULES, type Mode, type RuleId } from './schema.js';

import { fromAllowedRegistry, parseImageRef } from './image-ref.js';
import { UNDERSTOOD_KINDS, workloadFacts, type K8sObject, type WorkloadFacts } from './workload.js';
import { InputTooLarge, runCustomRule, toCel, type CelActivation } from './cel.js';

// Volume sources that are not storage of their own: claims (checked for their class) and config.
const SAFE_VOLUME_TYPES = new Set(['configMap', 'secret', 'projected', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim']);

export interface Violation {
  rule: string;
  mode: Mode;
  /** Who imposed the rule: zone:<name>, class:<name>, custom:<id> or policy. */
  source: string;
  /** The field at fault: a path in the manifest, or in the request/policy when there is none. */
  field: string;
  message: string;
  fix: string;
}

export interface Decision {
  allowed: boolean;
  zone: string | null;
  classes: string[];
  policyDigest: string;
  /** Enforced rules that were broken: any one denies. */
  violations: Violation[];
  /** Broken rules in warn mode: allowed, and told. */
  warnings: Violation[];
  /** Broken rules in audit mode: allowed, recorded as what would have been denied. */
  audit: Violation[];
  /** Images the object runs, as found (for the record). */
  images: string[];
}

export interface DecisionInput {
  zone: string | null;
  classes?: readonly string[];
  llmProviders?: readonly string[];
  object?: K8sObject;
  /** The object's kind when the object does not carry it (AdmissionRequest.kind.kind). */
  kind?: string;
  oldObject?: K8sObject;
  request?: { operation: string; namespace: string; name: string };
  /** Rules the caller found broken itself (e.g. about the request's namespace), judged by mode here. */
  findings?: readonly Finding[];
  /** What the registry knows of the images, keyed `repository@digest` (see imageKey). */
  artifacts?: ReadonlyMap<string, ArtifactStatus>;
}

/** The registry's view of one image: enough to judge it without calling the registry. */
export interface ArtifactStatus {
  id: string;
  state: string;
  promotedTo: readonly string[];
  expired: boolean;
  signed: boolean;
}

export const imageKey = (repository: string, digest: string) => `${repository}@${digest}`;

export type Finding = Omit<Violation, 'mode' | 'rule'> & { rule: RuleId };

type Emit = (rule: RuleId, source: string, field: string, message: string, fix: string) => void;

const list = (xs: readonly string[]) => (xs.length ? xs.join(', ') : 'none');

const WIDE_CIDRS = new Set(['0.0.0.0/0', '::/0', '0.0.0.0/1', '128.0.0.0/1']);

/** Destinations that open egress to the whole internet: a wide CIDR, written or behind a name. */
function egressAnywhere(policy: CompiledPolicy, z: Zone): string[] {
  return z.egress.allowedDestinations.filter((d) => WIDE_CIDRS.has(d) || d === '*' || (policy.destinations.get(d)?.cidrs ?? []).some((c) => WIDE_CIDRS.has(c)));
}

/** Whether an egress destination (host, host:port, *.suffix) reaches a host. */
export function destinationMatches(destination: string, host: string): boolean {
  const d = destination.toLowerCase().replace(/:\d+$/u, '');
  if (d === host) return true;
  if (d.startsWith('*.')) return host.endsWith(d.slice(1));
  return false;
}

/** Zones where every given class may go and whose properties satisfy every class requirement. */
export function zonesFor(policy: CompiledPolicy, classes: readonly DataClass[]): string[] {
  return [...policy.zones.values()].filter((z) => classes.every((c) => c.allowedZones.includes(z.name) && classRequirementGaps(policy, c, z).length === 0)).map((z) => z.name);
}

interface Gap {
  rule: RuleId;
  field: string;
  message: string;
}

/** What a zone lacks for a class's requirements (rules class-requires-* and prohibits-external-llm). */
export function classRequirementGaps(policy: CompiledPolicy, c: DataClass, z: Zone): Gap[] {
  const gaps: Gap[] = [];
  const zf = (f: string) => `zones.${z.name}.${f}`;
  if (c.requirePrivateIngress && z.ingress !== 'private_only') gaps.push({ rule: 'class-requires-private-ingress', field: zf('ingress'), message: `${c.name} requires private ingress; zone ${z.name} has ingress: ${z.ingress}` });
  if (c.requireRedactedLogs && !z.logging.redactedLogs) gaps.push({ rule: 'class-requires-redacted-logs', field: zf('logging.redacted_logs'), message: `${c.name} requires redacted logs; zone ${z.name} does not redact them` });
  if (c.requireAuditLogging && !z.logging.auditLogging) gaps.push({ rule: 'class-requires-audit-logging', field: zf('logging.audit_logging'), message: `${c.name} requires audit logging; zone ${z.name} does not provide it` });
  if (c.requireNetworkSegmentation && z.egress.default !== 'deny') gaps.push({ rule: 'class-requires-network-segmentation', field: zf('egress.default'), message: `${c.name} requires network segmentation; zone ${z.name} allows egress by default` });
  const anywhere = egressAnywhere(policy, z);
  if (c.requireNetworkSegmentation && z.egress.default === 'deny' && anywhere.length) {
    gaps.push({ rule: 'class-requires-network-segmentation', field: zf('egress.allowed_destinations'), message: `${c.name} requires network segmentation; zone ${z.name} lets egress reach ${list(anywhere)}` });
  }
  if (c.prohibitExternalLlmCalls) {
    const external = z.llmProviders.filter((p) => policy.llmProviders.get(p)?.external !== false);
    const hosts = [...policy.llmProviders.values()].filter((p) => p.external && p.endpoint).map((p) => new URL(p.endpoint!).hostname.toLowerCase());
    const reachable = [...z.egress.allowedDestinations.filter((d) => hosts.some((h) => destinationMatches(d, h))), ...anywhere];
    if (external.length || reachable.length || z.egress.default !== 'deny') {
      gaps.push({
        rule: 'class-prohibits-external-llm-calls',
        field: external.length ? zf('llm_providers') : reachable.length ? zf('egress.allowed_destinations') : zf('egress.default'),
        message: `${c.name} prohibits external LLM calls; zone ${z.name} ${external.length ? `allows external providers ${list(external)}` : reachable.length ? `lets egress reach ${list(reachable)}` : 'allows egress to anywhere'}`,
      });
    }
  }
  return gaps;
}

function checkClasses(policy: CompiledPolicy, zone: Zone | undefined, zoneName: string | null, classes: readonly string[], labelField: string, emit: Emit): void {
  const known: DataClass[] = [];
  for (const name of classes) {
    const c = policy.classes.get(name);
    // (unknown classes are reported below; malformed labels by the caller)
    if (!c) {
      emit('unknown-data-class', 'policy', labelField, `data class "${name}" is not defined by the policy`, `use one of: ${list([...policy.classes.keys()])}`);
      continue;
    }
    known.push(c);
  }
  if (!zone) return;
  const candidates = zonesFor(policy, known);
  const elsewhere = candidates.length ? `deploy to ${candidates.length === 1 ? 'zone' : 'one of the zones'} ${list(candidates)}` : 'no zone satisfies every data class together; split the workload';
  for (const c of known) {
    if (!c.allowedZones.includes(zone.name)) {
      emit('class-allowed-in-zone', `class:${c.name}`, 'zone', `data class ${c.name} may not be placed in zone ${zoneName}; it is allowed in ${list(c.allowedZones)}`, elsewhere);
      continue;
    }
    for (const g of classRequirementGaps(policy, c, zone)) emit(g.rule, `class:${c.name}`, g.field, g.message, `${elsewhere}, or change ${g.field}`);
  }
}

function checkWorkload(zone: Zone, f: WorkloadFacts, llmProviders: readonly string[], artifacts: ReadonlyMap<string, ArtifactStatus>, emit: Emit): void {
  const src = `zone:${zone.name}`;
  const isGpu = (resource: string) => (zone.gpu?.resources ?? []).some((r) => (r.endsWith('*') ? resource.startsWith(r.slice(0, -1)) : resource === r));
  for (const c of f.containers) {
    const ref = parseImageRef(c.image);
    if (!ref) {
      emit('image-registry-allowed', src, `${c.path}.image`, `container ${c.name} has an image reference that cannot be parsed: ${JSON.stringify(c.image)}`, 'use registry/repository:tag@sha256:<digest>');
      continue;
    }
    if (zone.registries && !fromAllowedRegistry(ref, zone.registries)) {
      emit('image-registry-allowed', src, `${c.path}.image`, `container ${c.name} pulls ${ref.registry}/${ref.repository}, which is not an allowed registry of zone ${zone.name}`, `pull it from ${list(zone.registries)}`);
    }
    if (zone.requireImageDigest && !ref.digest) {
      emit('image-digest-pinned', src, `${c.path}.image`, `container ${c.name} runs ${c.image}, not pinned by digest`, `reference the image as ${ref.registry}/${ref.repository}@sha256:<digest>`);
    }
    const artifact = ref.digest ? artifacts.get(imageKey(ref.repository, ref.digest)) : undefined;
    if (artifact) {
      // An image that went through intake runs only where it was promoted, and only until its review date.
      const here = artifact.state === 'promoted' && artifact.promotedTo.includes(zone.name);
      if (!here || artifact.expired) {
        const why = artifact.state !== 'promoted' ? `is ${artifact.state} in the registry, not promoted` : !here ? `is promoted to ${list([...artifact.promotedTo])}, not to ${zone.name}` : 'is past its review date';
        const fix = artifact.expired ? `have an approver review artifact ${artifact.id} (evident artifact review)` : `approve and promote artifact ${artifact.id} to ${zone.name} (evident artifact promote ${artifact.id} --env ${zone.name})`;
        emit('image-not-promoted', src, `${c.path}.image`, `container ${c.name} runs ${ref.repository}@${ref.digest}, which ${why}`, fix);
      } else if (zone.requireSignedImages && !artifact.signed) {
        emit('image-signature-unverified', src, `${c.path}.image`, `${c.image} was approved without a verified signature; zone ${zone.name} requires signed images`, `attach a signature to artifact ${artifact.id} that verifies, then approve it again`);
      }
    } else if (zone.requireSignedImages) {
      emit(
        'image-signature-unverified',
        src,
        `${c.path}.image`,
        `${c.image} is not an artifact of the Evident registry, so nothing verified its signature; zone ${zone.name} requires signed images`,
        'push it through the Evident registry (intake verifies signatures) and reference it by digest',
      );
    }
    if (zone.forbidHostAccess) {
      if (c.privileged) emit('no-host-access', src, `${c.path}.securityContext.privileged`, `container ${c.name} is privileged in regulated zone ${zone.name}`, 'remove securityContext.privileged (or set it to false)');
      // As Pod Security "restricted": only NET_BIND_SERVICE may be added.
      const caps = c.addedCapabilities.filter((cap) => cap.replace(/^CAP_/u, '') !== 'NET_BIND_SERVICE');
      if (caps.length) emit('no-host-access', src, `${c.path}.securityContext.capabilities.add`, `container ${c.name} adds capabilities ${list(caps)} in regulated zone ${zone.name}`, 'add no capability beyond NET_BIND_SERVICE');
      if (c.hostPorts.length) emit('no-host-access', src, `${c.path}.ports`, `container ${c.name} binds host ports ${c.hostPorts.join(', ')} in regulated zone ${zone.name}`, 'remove hostPort and reach the pod through a Service');
      if (c.hostProcess) emit('no-host-access', src, `${c.path}.securityContext.windowsOptions.hostProcess`, `container ${c.name} runs as a Windows host process in regulated zone ${zone.name}`, 'remove windowsOptions.hostProcess');
    }
    if (zone.gpu && c.resources.some(isGpu)) {
      const sel = (f.podSpec?.nodeSelector ?? {}) as Record<string, unknown>;
      const missing = Object.entries(zone.gpu.nodeSelector).filter(([k, v]) => sel[k] !== v);
      const tolerations = Array.isArray(f.podSpec?.tolerations) ? (f.podSpec!.tolerations as Record<string, unknown>[]) : [];
      const untolerated = zone.gpu.tolerations.filter(
        (t) => !tolerations.some((x) => x.key === t.key && (x.operator ?? 'Equal') === (t.operator ?? 'Equal') && (x.value ?? '') === (t.value ?? '') && (x.effect ?? t.effect) === t.effect),
      );
      if (missing.length || untolerated.length) {
        emit(
          'gpu-node-pool',
          src,
          `${f.podSpecPath}.nodeSelector`,
          `container ${c.name} requests GPUs but the pod is not pinned to zone ${zone.name}'s GPU pool`,
          `add nodeSelector ${JSON.stringify(zone.gpu.nodeSelector)}${zone.gpu.tolerations.length ? ` and tolerations ${JSON.stringify(zone.gpu.tolerations)}` : ''}`,
        );
      }
    }
  }
  const spec = f.podSpec;
  if (spec && zone.forbidHostAccess) {
    for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
      if (spec[field] === true) emit('no-host-access', src, `${f.podSpecPath}.${field}`, `the pod uses ${field} in regulated zone ${zone.name}`, `remove ${field}`);
    }
    for (const v of f.hostPathVolumes) emit('no-host-access', src, v.path, `volume ${v.name} mounts a hostPath in regulated zone ${zone.name}`, 'use a PersistentVolumeClaim on an allowed StorageClass, or an emptyDir');
  }
  if (spec && zone.requireRuntimeIdentity) {
    const sa = typeof spec.serviceAccountName === 'string' ? spec.serviceAccountName : typeof spec.serviceAccount === 'string' ? spec.serviceAccount : '';
    if (!sa || sa === 'default') {
      emit('runtime-identity', src, `${f.podSpecPath}.serviceAccountName`, `the pod runs as the ${sa ? 'default' : 'implicit default'} service account; zone ${zone.name} requires a runtime identity of its own`, 'set serviceAccountName to a service account created for this workload');
    }
    if (spec.automountServiceAccountToken !== false) {
      emit('runtime-identity', src, `${f.podSpecPath}.automountServiceAccountToken`, `the pod auto-mounts a long-lived service account token in zone ${zone.name}`, 'set automountServiceAccountToken: false and mount a projected, audience-bound token if one is needed');
    }
  }
  if (zone.requireEncryptedVolumes) {
    // Storage either comes from a claim (checked for its class, here or when the PVC is admitted)
    // or is ephemeral/config; anything mounted straight from a network or cloud disk is neither.
    for (const v of f.volumes) {
      if (!SAFE_VOLUME_TYPES.has(v.type)) {
        emit('encrypted-volumes', src, v.path, `volume ${v.name} mounts ${v.type} storage directly, outside the encrypted StorageClasses of zone ${zone.name}`, 'use a PersistentVolumeClaim on one of the zone\'s storage_classes');
      }
    }
    for (const claim of f.claims) {
      if (!claim.storageClassName || !zone.storageClasses.includes(claim.storageClassName)) {
        emit(
          'encrypted-volumes',
          src,
          claim.path,
          `volume claim ${claim.name || '(unnamed)'} uses ${claim.storageClassName ? `StorageClass ${claim.storageClassName}` : 'the cluster default StorageClass'}, not an encrypted class of zone ${zone.name}`,
          zone.storageClasses.length ? `set storageClassName to ${list(zone.storageClasses)}` : `zone ${zone.name} lists no encrypted StorageClass: add one under storage_classes`,
        );
      }
    }
  }
  if (f.exposure && zone.ingress === 'private_only') {
    const internal = f.exposure.kind === 'Ingress' && f.exposure.ingressClassName !== null && zone.internalIngressClasses.includes(f.exposure.ingressClassName);
    if (!internal) {
      emit(
        'private-ingress-services',
        src,
        f.exposure.kind === 'Ingress' ? 'spec.ingressClassName' : 'spec',
        `a ${f.exposure.kind} would expose workloads of zone ${zone.name}, which is private_only`,
        zone.internalIngressClasses.length ? `use an Ingress with ingressClassName ${list(zone.internalIngressClasses)}` : 'reach the workload through a ClusterIP Service from inside the zone',
      );
    }
  }
  if (f.service && zone.ingress === 'private_only') {
    if (f.service.type === 'LoadBalancer' || f.service.type === 'NodePort') {
      emit('private-ingress-services', src, 'spec.type', `a Service of type ${f.service.type} exposes the workload outside zone ${zone.name}, which is private_only`, 'use type: ClusterIP behind the internal ingress');
    }
    if (f.service.externalIPs.length) emit('private-ingress-services', src, 'spec.externalIPs', `the Service sets externalIPs in private_only zone ${zone.name}`, 'remove spec.externalIPs');
  }
  for (const p of llmProviders) {
    if (!zone.llmProviders.includes(p)) {
      emit('llm-provider-allowed', src, 'metadata.annotations["evident.io/llm-providers"]', `LLM provider ${p} is not allowed in zone ${zone.name}`, `use ${list(zone.llmProviders)}`);
    }
  }
}

/** Decides one placement: a zone, data classes, and optionally the Kubernetes object itself. */
export function decide(policy: CompiledPolicy, input: DecisionInput): Decision {
  const violations: Violation[] = [];
  const warnings: Violation[] = [];
  const audit: Violation[] = [];
  const record = (v: Violation) => (v.mode === 'enforce' ? violations : v.mode === 'warn' ? warnings : audit).push(v);
  const zone = input.zone ? policy.zones.get(input.zone) : undefined;
  const emit: Emit = (rule, source, field, message, fix) => {
    // A zone tunes its own rules; what classes and the policy impose it cannot soften.
    const mode = (POLICY_LEVEL_RULES.has(rule) ? policy.modes[rule] : (zone?.modes[rule] ?? policy.modes[rule])) as Mode;
    record({ rule, mode, source, field, message, fix });
  };
  const facts = input.object ? workloadFacts(input.object, input.kind) : null;
  const classes = [...new Set([...(input.classes ?? []), ...(facts?.dataClasses ?? [])])].sort();
  const providers = [...new Set([...(input.llmProviders ?? []), ...(facts?.llmProviders ?? [])])];

  for (const f of input.findings ?? []) emit(f.rule, f.source, f.field, f.message, f.fix);
  if (input.zone && !zone) {
    emit('unknown-zone', 'policy', 'zone', `zone "${input.zone}" is not defined by the policy`, `use one of: ${list([...policy.zones.keys()])}`);
  }
  const classField = facts ? `metadata.labels["evident.io/data-class"]` : 'classes';
  if (!input.zone && classes.length) {
    emit('unknown-zone', 'policy', 'zone', `the workload carries data classes (${list(classes)}) but is in no zone`, 'label the namespace with evident.io/zone, or set admission.default_zone');
  }
  for (const label of facts?.malformedClassLabels ?? []) {
    emit('unknown-data-class', 'policy', `metadata.labels["${label}"]`, `label ${label} must be "true" or "false"; the data class it declares cannot be read`, `set ${label}: "true"`);
  }
  checkClasses(policy, zone, input.zone, classes, classField, emit);

  if (zone && facts) {
    if (!UNDERSTOOD_KINDS.has(facts.kind) && zone.regulated && policy.admission.unknownKinds === 'deny') {
      emit(
        'unknown-kind',
        `zone:${zone.name}`,
        'kind',
        facts.kind ? `kind ${facts.kind} is not understood by the policy and zone ${zone.name} is regulated` : `the object names no kind, and zone ${zone.name} is regulated`,
        facts.kind ? 'ask the policy owners to allow this kind (admission.unknown_kinds), or place it in an unregulated zone' : 'set apiVersion and kind on the object',
      );
    }
    checkWorkload(zone, facts, providers, input.artifacts ?? new Map(), emit);
  }

  if (policy.customRules.length && facts) {
    let activation: CelActivation | undefined;
    for (const rule of policy.customRules) {
      if (rule.match.kinds && !rule.match.kinds.includes(facts.kind)) continue;
      if (rule.match.zones && (!zone || !rule.match.zones.includes(zone.name))) continue;
      if (rule.match.classes && !rule.match.classes.some((c) => classes.includes(c))) continue;
      let r: ReturnType<typeof runCustomRule>;
      try {
        activation ??= {
          object: toCel(input.object),
          oldObject: input.oldObject ? toCel(input.oldObject, 0, 'oldObject') : null,
          zone: toCel(zone ? zone : {}, 0, 'zone'),
          classes,
          request: { namespace: input.request?.namespace ?? facts.namespace ?? '', operation: input.request?.operation ?? 'CREATE', kind: facts.kind, name: input.request?.name ?? facts.name },
        };
        r = runCustomRule(rule, activation);
      } catch (e) {
        if (!(e instanceof InputTooLarge)) throw e;
        r = { pass: false, error: `the object is too large for custom rules: ${e.message}` };
      }
      if (!r.pass) {
        record({ rule: rule.id, mode: rule.mode, source: `custom:${rule.id}`, field: 'object', message: r.error ? `${rule.message} (${r.error})` : rule.message, fix: rule.fix ?? rule.description ?? 'see the rule' });
      }
    }
  }

  return {
    allowed: violations.length === 0,
    zone: input.zone,
    classes,
    policyDigest: policy.digest,
    violations,
    warnings,
    audit,
    images: facts ? facts.containers.map((c) => c.image) : [],
  };
}

// Which zone a request is in, and whether the namespace's zone label can be trusted. The label is
// what unmapped namespaces are routed by, and what people read, so it must not lie; the rendered
// webhooks and NetworkPolicies of mapped namespaces select by name, which cannot be relabelled. The
// policy is the truth: a namespace it maps must carry exactly its zone; one it does not map may not
// claim a regulated zone; a regulated zone's namespaces keep Pod Security "restricted".
import type { Finding } from '../decide.js';
import type { CompiledPolicy } from '../model.js';
import { labelsOf, ZONE_LABEL } from '../workload.js';

export const PSA_ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';
const zoneField = `metadata.labels["${ZONE_LABEL}"]`;

/**
 * What a Namespace object may say about its zone; `zone` is the one it is in after the change. An
 * update that leaves both labels as they were is not judged: a namespace labelled before Evident
 * came can still be updated and deleted (routing and NetworkPolicies select by name anyway).
 */
export function namespaceObjectFindings(policy: CompiledPolicy, name: string, object: unknown, oldObject?: unknown): { zone: string | null; findings: Finding[] } {
  const labels = labelsOf(object);
  const claimed = labels[ZONE_LABEL] ?? null;
  const mapped = policy.namespaceZones.get(name) ?? null;
  const findings: Finding[] = [];
  if (oldObject !== undefined) {
    const old = labelsOf(oldObject);
    if (old[ZONE_LABEL] === labels[ZONE_LABEL] && old[PSA_ENFORCE_LABEL] === labels[PSA_ENFORCE_LABEL]) {
      return { zone: mapped ?? (claimed && policy.zones.has(claimed) ? claimed : null), findings };
    }
  }
  if (claimed !== null && !policy.zones.has(claimed)) {
    findings.push({ rule: 'unknown-zone', source: 'policy', field: zoneField, message: `namespace ${name} claims zone "${claimed}", which the policy does not define`, fix: `use one of: ${[...policy.zones.keys()].join(', ')}` });
  }
  if (mapped && claimed !== mapped) {
    findings.push({
      rule: 'namespace-zone',
      source: 'policy',
      field: zoneField,
      message: claimed === null ? `namespace ${name} belongs to zone ${mapped} by policy and must say so in its ${ZONE_LABEL} label` : `namespace ${name} belongs to zone ${mapped} by policy; it may not claim zone ${claimed}`,
      fix: `set ${ZONE_LABEL}=${mapped} (evident policy render ${mapped} writes the namespace), or move the namespace in the policy`,
    });
  } else if (!mapped && claimed && policy.zones.get(claimed)?.regulated) {
    findings.push({
      rule: 'namespace-zone',
      source: `zone:${claimed}`,
      field: zoneField,
      message: `namespace ${name} claims regulated zone ${claimed}, but the policy does not place it there`,
      fix: `add ${name} to zones.${claimed}.namespaces in the policy, or remove the label`,
    });
  }
  const zone = mapped ?? (claimed && policy.zones.has(claimed) ? claimed : null);
  if (zone && policy.zones.get(zone)?.regulated && labels[PSA_ENFORCE_LABEL] !== 'restricted') {
    findings.push({
      rule: 'namespace-zone',
      source: `zone:${zone}`,
      field: `metadata.labels["${PSA_ENFORCE_LABEL}"]`,
      message: `namespace ${name} is in regulated zone ${zone}, where Pod Security must enforce "restricted"${labels[PSA_ENFORCE_LABEL] !== undefined ? `, not "${labels[PSA_ENFORCE_LABEL]}"` : ''}`,
      fix: `set ${PSA_ENFORCE_LABEL}=restricted`,
    });
  }
  return { zone, findings };
}

/**
 * The zone a namespaced object is decided in. The policy's mapping wins over the zone the webhook
 * was called for (which comes from the namespace's label); a disagreement, or an unmapped namespace
 * on a regulated zone's path, means the label was changed behind the policy's back.
 */
export function workloadZone(policy: CompiledPolicy, namespace: string | null, pathZone: string | undefined): { zone: string | null; findings: Finding[] } {
  const mapped = namespace ? policy.namespaceZones.get(namespace) : undefined;
  const findings: Finding[] = [];
  if (pathZone && mapped && pathZone !== mapped) {
    findings.push({ rule: 'namespace-zone', source: 'policy', field: 'request.namespace', message: `namespace ${namespace} belongs to zone ${mapped} by policy but is labelled ${pathZone}`, fix: `set ${ZONE_LABEL}=${mapped} on the namespace` });
  } else if (pathZone && !mapped && policy.zones.get(pathZone)?.regulated) {
    findings.push({
      rule: 'namespace-zone',
      source: `zone:${pathZone}`,
      field: 'request.namespace',
      message: `namespace ${namespace ?? '(none)'} is labelled with regulated zone ${pathZone}, but the policy does not place it there`,
      fix: `add ${namespace ?? 'the namespace'} to zones.${pathZone}.namespaces in the policy, or deploy to one of its namespaces`,
    });
  }
  return { zone: mapped ?? pathZone ?? policy.admission.defaultZone ?? null, findings };
}

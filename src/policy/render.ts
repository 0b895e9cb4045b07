// Renders a zone as Kubernetes objects: its Namespaces (labelled with the zone, Pod Security
// Admission on top), default-deny NetworkPolicies with the allow rules the zone grants (DNS, its
// egress destinations, traffic inside the zone), and the ValidatingWebhookConfiguration that sends
// the zone's workloads to Evident: fail closed, short timeout, system namespaces exempt.
import { stringify } from 'yaml';
import type { CompiledPolicy, Zone } from './model.js';
import { ZONE_LABEL } from './workload.js';

export interface RenderOptions {
  /** Evident's namespace and webhook Service. */
  namespace: string;
  service: string;
  port?: number;
  caBundle: string;
  timeoutSeconds: number;
}

export interface Rendered {
  objects: Record<string, unknown>[];
  /** Things the policy asks for that NetworkPolicy cannot express, said out loud. */
  warnings: string[];
  yaml: string;
}

const WORKLOAD_RESOURCES = [
  { apiGroups: [''], resources: ['pods', 'pods/ephemeralcontainers', 'services', 'persistentvolumeclaims'] },
  { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'] },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'] },
];

function namespacesOf(policy: CompiledPolicy, zone: Zone): string[] {
  const mapped = [...policy.namespaceZones].filter(([, z]) => z === zone.name).map(([ns]) => ns);
  return mapped.length ? mapped.sort() : [zone.name.replace(/_/gu, '-')];
}

function networkPolicies(policy: CompiledPolicy, zone: Zone, ns: string, warnings: string[]): Record<string, unknown>[] {
  const meta = (name: string) => ({ name, namespace: ns, labels: { 'app.kubernetes.io/managed-by': 'evident', [ZONE_LABEL]: zone.name } });
  const denyEgress = zone.egress.default === 'deny';
  const out: Record<string, unknown>[] = [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('evident-default-deny'),
      spec: { podSelector: {}, policyTypes: denyEgress ? ['Ingress', 'Egress'] : ['Ingress'] },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('evident-allow-within-zone'),
      spec: {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { [ZONE_LABEL]: zone.name } } }] }],
      },
    },
  ];
  if (!denyEgress) return out;
  out.push({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta('evident-allow-dns'),
    spec: {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    },
  });
  const egress: Record<string, unknown>[] = [];
  for (const d of zone.egress.allowedDestinations) {
    const dest = policy.destinations.get(d);
    if (!dest) {
      warnings.push(`zone ${zone.name}: egress destination ${d} has no entry under destinations:, and NetworkPolicy cannot match host names; traffic to it stays denied`);
      continue;
    }
    const to: Record<string, unknown>[] = dest.cidrs.map((cidr) => ({ ipBlock: { cidr } }));
    if (dest.namespace || dest.podLabels) {
      to.push({
        ...(dest.namespace ? { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': dest.namespace } } } : {}),
        ...(dest.podLabels ? { podSelector: { matchLabels: dest.podLabels } } : {}),
      });
    }
    if (to.length === 0) {
      warnings.push(`zone ${zone.name}: destination ${d} names neither CIDRs nor a namespace or pod labels; nothing to allow`);
      continue;
    }
    egress.push({ to, ...(dest.ports.length ? { ports: dest.ports.map((p) => ({ protocol: p.protocol, port: p.port })) } : {}) });
  }
  if (egress.length) {
    out.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta('evident-allow-egress-destinations'), spec: { podSelector: {}, policyTypes: ['Egress'], egress } });
  }
  return out;
}

function webhookConfiguration(policy: CompiledPolicy, zone: Zone, o: RenderOptions): Record<string, unknown> {
  const exempt = [...new Set([...policy.admission.exemptNamespaces, 'kube-system', o.namespace])].sort();
  const clientConfig = (path: string) => ({ service: { namespace: o.namespace, name: o.service, path, port: o.port ?? 443 }, caBundle: o.caBundle });
  const common = {
    admissionReviewVersions: ['v1', 'v1beta1'],
    // Decisions are recorded in the ledger, except for dry runs.
    sideEffects: 'NoneOnDryRun',
    failurePolicy: 'Fail',
    matchPolicy: 'Equivalent',
    timeoutSeconds: o.timeoutSeconds,
  };
  const notExempt = { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: exempt };
  const webhooks: Record<string, unknown>[] = [
    {
      name: `${zone.name.replace(/_/gu, '-')}.zones.evident.io`,
      clientConfig: clientConfig(`/admission/validate/${zone.name}`),
      rules: WORKLOAD_RESOURCES.map((r) => ({ ...r, apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], scope: 'Namespaced' })),
      namespaceSelector: { matchExpressions: [{ key: ZONE_LABEL, operator: 'In', values: [zone.name] }, notExempt] },
      ...common,
    },
    {
      name: `${zone.name.replace(/_/gu, '-')}.namespaces.evident.io`,
      clientConfig: clientConfig('/admission/validate'),
      rules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['namespaces'], operations: ['CREATE', 'UPDATE'], scope: 'Cluster' }],
      objectSelector: { matchExpressions: [{ key: ZONE_LABEL, operator: 'Exists' }, notExempt] },
      ...common,
    },
  ];
  if (policy.admission.defaultZone === zone.name) {
    // Namespaces that name no zone fall to the default zone.
    webhooks.push({
      name: 'unzoned.zones.evident.io',
      clientConfig: clientConfig('/admission/validate'),
      rules: WORKLOAD_RESOURCES.map((r) => ({ ...r, apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], scope: 'Namespaced' })),
      namespaceSelector: { matchExpressions: [{ key: ZONE_LABEL, operator: 'DoesNotExist' }, notExempt] },
      ...common,
    });
  }
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: `evident-zone-${zone.name.replace(/_/gu, '-')}`, labels: { 'app.kubernetes.io/managed-by': 'evident', [ZONE_LABEL]: zone.name } },
    webhooks,
  };
}

export function renderZone(policy: CompiledPolicy, zoneName: string, o: RenderOptions): Rendered {
  const zone = policy.zones.get(zoneName);
  if (!zone) throw new Error(`zone "${zoneName}" is not defined; known zones: ${[...policy.zones.keys()].join(', ')}`);
  const warnings: string[] = [];
  const objects: Record<string, unknown>[] = [];
  for (const ns of namespacesOf(policy, zone)) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: ns,
        labels: {
          [ZONE_LABEL]: zone.name,
          'app.kubernetes.io/managed-by': 'evident',
          // Pod Security Admission backs the same intent inside the API server itself.
          'pod-security.kubernetes.io/enforce': zone.regulated ? 'restricted' : 'baseline',
          'pod-security.kubernetes.io/enforce-version': 'latest',
        },
        annotations: {
          ...(zone.description ? { 'evident.io/zone-description': zone.description } : {}),
          ...(zone.region ? { 'evident.io/region': zone.region } : {}),
          'evident.io/policy-digest': policy.digest,
        },
      },
    });
    objects.push(...networkPolicies(policy, zone, ns, warnings));
  }
  objects.push(webhookConfiguration(policy, zone, o));
  const header = `# Rendered by Evident for zone ${zone.name} (policy ${policy.digest})\n${warnings.map((w) => `# WARNING: ${w}\n`).join('')}`;
  return { objects, warnings, yaml: header + objects.map((obj) => '---\n' + stringify(obj, { lineWidth: 0 })).join('') };
}

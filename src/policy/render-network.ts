// A zone's NetworkPolicies, per namespace: deny by default, then allow what the zone grants.
// Ingress follows zone.ingress (private_only: from the zone's namespaces, by name; internal: from any
// namespace; public: from anywhere). Where egress is deny: DNS, the zone's own namespaces, its
// named destinations and the in-cluster LLM providers it may use. Whatever NetworkPolicy cannot
// express (host names) is returned as a warning instead of being silently dropped.
import { namespacesIn, type CompiledPolicy, type Zone } from './model.js';
import { NAME_LABEL, ZONE_LABEL } from './workload.js';

type Obj = Record<string, unknown>;
// The zone's namespaces by name, which the API server sets itself: a namespace that relabels itself
// into the zone gains nothing.
const inZone = (policy: CompiledPolicy, zone: Zone) => ({
  namespaceSelector: {
    matchExpressions: [
      {
        key: NAME_LABEL,
        operator: 'In',
        values: namespacesIn(policy, zone.name),
      },
    ],
  },
});
const namespaceNamed = (ns: string) => ({ namespaceSelector: { matchLabels: { [NAME_LABEL]: ns } } });
// <service>.<namespace>.svc[.cluster.local]: a Service inside the cluster.
const SERVICE_HOST = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(\.cluster\.local)?\.?$/u;

function ingressPeers(policy: CompiledPolicy, zone: Zone): Obj {
  if (zone.ingress === 'public') return {}; // no `from`: any source
  if (zone.ingress === 'internal') return { from: [{ namespaceSelector: {} }] };
  return { from: [inZone(policy, zone)] };
}

function destinationRules(policy: CompiledPolicy, zone: Zone, warnings: string[]): Obj[] {
  const egress: Obj[] = [];
  for (const d of zone.egress.allowedDestinations) {
    const dest = policy.destinations.get(d);
    if (!dest) {
      warnings.push(`zone ${zone.name}: egress destination ${d} has no entry under destinations:, and NetworkPolicy cannot match host names; traffic to it stays denied`);
      continue;
    }
    const to: Obj[] = dest.cidrs.map((cidr) => ({ ipBlock: { cidr } }));
    if (dest.namespace || dest.podLabels) {
      to.push({
        ...(dest.namespace ? namespaceNamed(dest.namespace) : {}),
        ...(dest.podLabels ? { podSelector: { matchLabels: dest.podLabels } } : {}),
      });
    }
    if (to.length === 0) {
      warnings.push(`zone ${zone.name}: destination ${d} names neither CIDRs nor a namespace or pod labels; nothing to allow`);
      continue;
    }
    egress.push({ to, ...(dest.ports.length ? { ports: dest.ports.map((p) => ({ protocol: p.protocol, port: p.port })) } : {}) });
  }
  for (const name of zone.llmProviders) {
    const provider = policy.llmProviders.get(name);
    const url = provider?.endpoint ? new URL(provider.endpoint) : null;
    const host = url?.hostname.toLowerCase() ?? '';
    const service = SERVICE_HOST.exec(host);
    if (url && service) {
      // No port: NetworkPolicy sees the pod's port after the Service maps it, which the URL does not say.
      egress.push({ to: [namespaceNamed(service[2]!)] });
      continue;
    }
    const reachedAs = zone.egress.allowedDestinations.includes(host);
    if (!reachedAs) {
      warnings.push(
        `zone ${zone.name}: LLM provider ${name} (${host || 'no endpoint'}) is outside the cluster and NetworkPolicy cannot match host names; its traffic stays denied unless it goes through an allowed destination (e.g. an internal LLM gateway)`,
      );
    }
  }
  return egress;
}

export function networkPolicies(policy: CompiledPolicy, zone: Zone, ns: string, warnings: string[]): Obj[] {
  const np = (name: string, spec: Obj): Obj => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: ns, labels: { 'app.kubernetes.io/managed-by': 'evident', [ZONE_LABEL]: zone.name } },
    spec,
  });
  const denyEgress = zone.egress.default === 'deny';
  const out = [
    np('evident-default-deny', { podSelector: {}, policyTypes: denyEgress ? ['Ingress', 'Egress'] : ['Ingress'] }),
    np('evident-allow-ingress', { podSelector: {}, policyTypes: ['Ingress'], ingress: [ingressPeers(policy, zone)] }),
  ];
  if (!denyEgress) return out;
  out.push(
    np('evident-allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [{ ...namespaceNamed('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    }),
    np('evident-allow-egress-within-zone', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [inZone(policy, zone)] }] }),
  );
  const egress = destinationRules(policy, zone, warnings);
  if (egress.length) out.push(np('evident-allow-egress-destinations', { podSelector: {}, policyTypes: ['Egress'], egress }));
  return out;
}

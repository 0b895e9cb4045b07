// The ValidatingWebhookConfigurations that send objects to Evident. One per zone, for the zone's
// workloads (regulated zones fail closed; others follow admission.unregulated_failure_policy), and
// one for the cluster, identical in every zone's render so applying any number of renders agrees:
// every Namespace change (a zone label is what the webhooks and NetworkPolicies trust), and the
// workloads of namespaces that name no known zone, decided by the policy's namespace mapping.
import type { CompiledPolicy, Zone } from './model.js';
import type { RenderOptions } from './render.js';
import { ZONE_LABEL } from './workload.js';

type Obj = Record<string, unknown>;

/** Everything the policy judges: workloads, their storage, and how traffic reaches them. */
export const WORKLOAD_RESOURCES = [
  { apiGroups: [''], resources: ['pods', 'pods/ephemeralcontainers', 'services', 'persistentvolumeclaims', 'replicationcontrollers'] },
  { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'] },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'] },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses'] },
  { apiGroups: ['gateway.networking.k8s.io'], resources: ['gateways', 'httproutes', 'grpcroutes', 'tlsroutes', 'tcproutes', 'udproutes'] },
];

export const dashed = (zone: string) => zone.replace(/_/gu, '-');

function webhookParts(policy: CompiledPolicy, o: RenderOptions) {
  const exempt = [...new Set([...policy.admission.exemptNamespaces, 'kube-system', o.namespace])].sort();
  return {
    notExempt: { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: exempt },
    clientConfig: (path: string) => ({ service: { namespace: o.namespace, name: o.service, path, port: o.port ?? 443 }, caBundle: o.caBundle }),
    common: {
      admissionReviewVersions: ['v1', 'v1beta1'],
      // Decisions are recorded in the ledger, except for dry runs.
      sideEffects: 'NoneOnDryRun',
      matchPolicy: 'Equivalent',
      timeoutSeconds: o.timeoutSeconds,
    },
    workloadRules: WORKLOAD_RESOURCES.map((r) => ({ ...r, apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], scope: 'Namespaced' })),
  };
}

const failurePolicy = (policy: CompiledPolicy, zone: Zone | undefined) => (zone?.regulated ? 'Fail' : policy.admission.unregulatedFailurePolicy);

const configuration = (name: string, labels: Record<string, string>, webhooks: Obj[]): Obj => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingWebhookConfiguration',
  metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'evident', ...labels } },
  webhooks,
});

export function zoneWebhookConfiguration(policy: CompiledPolicy, zone: Zone, o: RenderOptions): Obj {
  const { notExempt, clientConfig, common, workloadRules } = webhookParts(policy, o);
  return configuration(`evident-zone-${dashed(zone.name)}`, { [ZONE_LABEL]: zone.name }, [
    {
      name: `${dashed(zone.name)}.zones.evident.io`,
      clientConfig: clientConfig(`/admission/validate/${zone.name}`),
      rules: workloadRules,
      namespaceSelector: { matchExpressions: [{ key: ZONE_LABEL, operator: 'In', values: [zone.name] }, notExempt] },
      failurePolicy: failurePolicy(policy, zone),
      ...common,
    },
  ]);
}

export function clusterWebhookConfiguration(policy: CompiledPolicy, o: RenderOptions): Obj {
  const { notExempt, clientConfig, common, workloadRules } = webhookParts(policy, o);
  const defaultZone = policy.admission.defaultZone ? policy.zones.get(policy.admission.defaultZone) : undefined;
  return configuration('evident-cluster', {}, [
    {
      name: 'namespaces.evident.io',
      clientConfig: clientConfig('/admission/validate'),
      rules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['namespaces'], operations: ['CREATE', 'UPDATE'], scope: 'Cluster' }],
      // For a Namespace, the selector is matched against the namespace itself.
      namespaceSelector: { matchExpressions: [notExempt] },
      failurePolicy: 'Fail',
      ...common,
    },
    {
      name: 'unzoned.evident.io',
      clientConfig: clientConfig('/admission/validate'),
      rules: workloadRules,
      // NotIn also matches namespaces without the label.
      namespaceSelector: { matchExpressions: [{ key: ZONE_LABEL, operator: 'NotIn', values: [...policy.zones.keys()].sort() }, notExempt] },
      failurePolicy: failurePolicy(policy, defaultZone),
      ...common,
    },
  ]);
}

// The ValidatingWebhookConfigurations that send objects to Evident. One per zone, for the
// workloads of the namespaces the policy places there, selected by name (the label could be
// changed; the name cannot). And one for the cluster, identical in every zone's render so applying
// any number of renders agrees: every Namespace change, the workloads of unmapped namespaces that
// claim a zone by label, and those of namespaces in no known zone. Regulated zones fail closed;
// others follow admission.unregulated_failure_policy.
import { namespacesIn, zoneLabel, type CompiledPolicy, type Zone } from './model.js';
import type { RenderOptions } from './render.js';
import { NAME_LABEL, ZONE_LABEL } from './workload.js';

type Obj = Record<string, unknown>;

/** Everything the policy judges: workloads, their storage, and how traffic reaches them. */
export const WORKLOAD_RESOURCES = [
  { apiGroups: [''], resources: ['pods', 'pods/ephemeralcontainers', 'services', 'persistentvolumeclaims', 'replicationcontrollers'] },
  { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'] },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'] },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses'] },
  { apiGroups: ['gateway.networking.k8s.io'], resources: ['gateways', 'httproutes', 'grpcroutes', 'tlsroutes', 'tcproutes', 'udproutes'] },
];


function webhookParts(policy: CompiledPolicy, o: RenderOptions) {
  const exempt = [...new Set([...policy.admission.exemptNamespaces, 'kube-system', o.namespace])].sort();
  return {
    exempt,
    notExempt: { key: NAME_LABEL, operator: 'NotIn', values: exempt },
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

/** The workloads of the namespaces the policy places in the zone, selected by name (not by label). */
export function zoneWebhookConfiguration(policy: CompiledPolicy, zone: Zone, o: RenderOptions): Obj {
  const { exempt, clientConfig, common, workloadRules } = webhookParts(policy, o);
  const names = namespacesIn(policy, zone.name).filter((ns) => !exempt.includes(ns));
  return configuration(
    `evident-zone-${zoneLabel(zone.name)}`,
    { [ZONE_LABEL]: zone.name },
    names.length
      ? [
          {
            name: `${zoneLabel(zone.name)}.zones.evident.io`,
            clientConfig: clientConfig(`/admission/validate/${zone.name}`),
            rules: workloadRules,
            // The API server sets kubernetes.io/metadata.name itself: it cannot be forged.
            namespaceSelector: { matchExpressions: [{ key: NAME_LABEL, operator: 'In', values: names }] },
            failurePolicy: failurePolicy(policy, zone),
            ...common,
          },
        ]
      : [],
  );
}

export function clusterWebhookConfiguration(policy: CompiledPolicy, o: RenderOptions): Obj {
  const { exempt, notExempt, clientConfig, common, workloadRules } = webhookParts(policy, o);
  const defaultZone = policy.admission.defaultZone ? policy.zones.get(policy.admission.defaultZone) : undefined;
  // Namespaces the policy does not place anywhere: their label says which zone they claim.
  const unmapped = { key: NAME_LABEL, operator: 'NotIn', values: [...new Set([...namespacesIn(policy, null), ...exempt])].sort() };
  // Code-unit order, not the locale's: the render must be the same on every machine.
  const zones = [...policy.zones.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  return configuration('evident-cluster', {}, [
    {
      name: 'namespaces.evident.io',
      clientConfig: clientConfig('/admission/validate'),
      // status and finalize too: whatever route a label change takes, it is seen.
      rules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['namespaces', 'namespaces/status', 'namespaces/finalize'], operations: ['CREATE', 'UPDATE'], scope: 'Cluster' }],
      // For a Namespace, the selector is matched against the namespace itself.
      namespaceSelector: { matchExpressions: [notExempt] },
      failurePolicy: 'Fail',
      ...common,
    },
    ...zones.map((zone) => ({
      name: `${zoneLabel(zone.name)}.claimed.evident.io`,
      clientConfig: clientConfig(`/admission/validate/${zone.name}`),
      rules: workloadRules,
      namespaceSelector: { matchExpressions: [{ key: ZONE_LABEL, operator: 'In', values: [zone.name] }, unmapped] },
      failurePolicy: failurePolicy(policy, zone),
      ...common,
    })),
    {
      name: 'unzoned.evident.io',
      clientConfig: clientConfig('/admission/validate'),
      rules: workloadRules,
      // NotIn also matches namespaces without the label.
      namespaceSelector: { matchExpressions: [{ key: ZONE_LABEL, operator: 'NotIn', values: zones.map((z) => z.name) }, unmapped] },
      failurePolicy: failurePolicy(policy, defaultZone),
      ...common,
    },
  ]);
}

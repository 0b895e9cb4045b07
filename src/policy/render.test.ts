import { describe, expect, it } from 'vitest';
import { Namespace } from 'kubernetes-models/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { ValidatingWebhookConfiguration } from 'kubernetes-models/admissionregistration.k8s.io/v1';
import { parseAllDocuments } from 'yaml';
import { renderZone } from './render.js';
import { examplePolicy, exampleSources } from '../../test/helpers/policy.js';
import { compilePolicy } from './model.js';

const policy = examplePolicy();
const opts = { namespace: 'evident-system', service: 'evident-webhook', timeoutSeconds: 5, caBundle: Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64') };
const MODELS: Record<string, new (o: never) => { validate(): void }> = { Namespace, NetworkPolicy, ValidatingWebhookConfiguration } as never;

describe('rendering zones as Kubernetes objects', () => {
  it.each([...policy.zones.keys()])('zone %s renders objects the Kubernetes schemas accept', (zone) => {
    const r = renderZone(policy, zone, opts);
    const docs = parseAllDocuments(r.yaml).map((d) => d.toJS());
    expect(docs).toEqual(r.objects);
    for (const obj of docs) {
      const Model = MODELS[obj.kind];
      expect(Model, obj.kind).toBeDefined();
      expect(() => new Model!(obj as never).validate(), `${obj.kind}/${obj.metadata.name}`).not.toThrow();
    }
  });

  it('labels the namespaces with their zone and enforces Pod Security where regulated', () => {
    const ns = renderZone(policy, 'hipaa-ai', opts).objects.filter((o) => o.kind === 'Namespace');
    expect(ns).toEqual([
      expect.objectContaining({
        metadata: expect.objectContaining({
          name: 'clinical-ml',
          labels: expect.objectContaining({ 'evident.io/zone': 'hipaa-ai', 'pod-security.kubernetes.io/enforce': 'restricted' }),
        }),
      }),
    ]);
    const std = renderZone(policy, 'standard-ai', opts).objects.filter((o) => o.kind === 'Namespace');
    expect(std.map((o) => (o.metadata as { name: string }).name)).toEqual(['demos', 'ml-sandbox']);
    expect((std[0]!.metadata as { labels: Record<string, string> }).labels['pod-security.kubernetes.io/enforce']).toBe('baseline');
  });

  it('denies by default and allows only DNS and the named destinations where egress is deny', () => {
    const nps = renderZone(policy, 'pci-ai', opts).objects.filter((o) => o.kind === 'NetworkPolicy') as { metadata: { name: string }; spec: any }[];
    const byName = Object.fromEntries(nps.map((n) => [n.metadata.name, n.spec]));
    expect(byName['evident-default-deny']).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(byName['evident-allow-dns'].egress[0].ports).toEqual([
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
    ]);
    expect(byName['evident-allow-egress-destinations'].egress).toEqual([
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'model-registry' } }, podSelector: { matchLabels: { app: 'model-registry' } } }], ports: [{ protocol: 'TCP', port: 443 }] },
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'feature-store' } }, podSelector: { matchLabels: { app: 'feature-store' } } }], ports: [{ protocol: 'TCP', port: 6566 }] },
      { to: [{ ipBlock: { cidr: '10.20.0.0/24' } }], ports: [{ protocol: 'TCP', port: 6514 }] },
      // internal-llm, http://llm-gateway.evident-system.svc:8080/v1
      // (no port: NetworkPolicy sees the pod's port, which the Service may map from 8080)
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'evident-system' } } }] },
    ]);
    // Peers by name, which the API server sets: relabelling a namespace into the zone opens nothing.
    const inZone = [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['payments-ml'] }] } }];
    expect(byName['evident-allow-egress-within-zone'].egress).toEqual([{ to: inZone }]);
    expect(byName['evident-allow-ingress'].ingress).toEqual([{ from: inZone }]); // private_only
    const std = renderZone(policy, 'standard-ai', opts).objects.filter((o) => o.kind === 'NetworkPolicy') as { spec: { policyTypes: string[] } }[];
    expect(std.every((n) => !n.spec.policyTypes.includes('Egress'))).toBe(true);
    // standard-ai is "internal": any namespace of the cluster may reach it, nothing outside.
    expect((std as unknown as { metadata: { name: string }; spec: any }[]).find((n) => n.metadata.name === 'evident-allow-ingress')!.spec.ingress).toEqual([{ from: [{ namespaceSelector: {} }] }]);
  });

  it('sends each zone to its own path, failing closed where regulated, with a short timeout that spares system namespaces', () => {
    const vwcs = (zone: string) => renderZone(policy, zone, opts).objects.filter((o) => o.kind === 'ValidatingWebhookConfiguration') as { metadata: { name: string }; webhooks: any[] }[];
    const [hipaa, cluster] = vwcs('hipaa-ai');
    expect(hipaa!.metadata.name).toBe('evident-zone-hipaa-ai');
    expect(hipaa!.webhooks).toHaveLength(1);
    expect(hipaa!.webhooks[0]).toMatchObject({ failurePolicy: 'Fail', clientConfig: { service: { path: '/admission/validate/hipaa-ai' } } });
    // Mapped namespaces are selected by name: a wrong or missing label cannot move them.
    expect(hipaa!.webhooks[0].namespaceSelector).toEqual({ matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['clinical-ml'] }] });
    // Closed by default everywhere; policy owners may let unregulated zones through an outage.
    expect(vwcs('standard-ai')[0]!.webhooks[0].failurePolicy).toBe('Fail');
    const open = compilePolicy(exampleSources().map((f) => ({ ...f, text: f.text.replace('  default_zone: standard-ai', '  default_zone: standard-ai\n  unregulated_failure_policy: Ignore') })));
    const policies = renderZone(open, 'standard-ai', opts).objects.filter((o) => o.kind === 'ValidatingWebhookConfiguration').flatMap((c) => (c as { webhooks: { name: string; failurePolicy: string }[] }).webhooks.map((w) => [w.name, w.failurePolicy]));
    expect(policies).toEqual(expect.arrayContaining([['standard-ai.zones.evident.io', 'Ignore'], ['namespaces.evident.io', 'Fail'], ['standard-ai.claimed.evident.io', 'Ignore'], ['unzoned.evident.io', 'Ignore']]));
    expect((renderZone(open, 'hipaa-ai', opts).objects.find((o) => o.kind === 'ValidatingWebhookConfiguration') as { webhooks: { failurePolicy: string }[] }).webhooks[0]!.failurePolicy).toBe('Fail');
    for (const w of [...hipaa!.webhooks, ...cluster!.webhooks]) {
      expect(w).toMatchObject({ timeoutSeconds: 5, sideEffects: 'NoneOnDryRun', admissionReviewVersions: ['v1', 'v1beta1'] });
      expect(w.clientConfig.caBundle).toBe(opts.caBundle);
    }
    for (const w of cluster!.webhooks) {
      const names = w.namespaceSelector.matchExpressions.find((e: { key: string }) => e.key === 'kubernetes.io/metadata.name');
      expect(names).toEqual({ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: expect.arrayContaining(['kube-system', 'evident-system']) });
    }
    const resources = hipaa!.webhooks[0].rules.flatMap((r: { resources: string[] }) => r.resources);
    expect(resources).toEqual(
      expect.arrayContaining(['pods', 'pods/ephemeralcontainers', 'replicationcontrollers', 'deployments', 'statefulsets', 'daemonsets', 'replicasets', 'jobs', 'cronjobs', 'services', 'persistentvolumeclaims', 'ingresses', 'gateways', 'httproutes']),
    );
  });

  it('renders one cluster configuration, the same in every zone: every Namespace, and workloads in no known zone', () => {
    const clusters = [...policy.zones.keys()].map((z) => renderZone(policy, z, opts).objects.find((o) => (o.metadata as { name: string }).name === 'evident-cluster'));
    expect(new Set(clusters.map((c) => JSON.stringify(c))).size).toBe(1);
    const webhooks = (clusters[0] as { webhooks: any[] }).webhooks;
    const [namespaces, unzoned] = [webhooks[0], webhooks.at(-1)];
    expect(namespaces).toMatchObject({ failurePolicy: 'Fail', rules: [{ resources: ['namespaces', 'namespaces/status', 'namespaces/finalize'], operations: ['CREATE', 'UPDATE'] }], clientConfig: { service: { path: '/admission/validate' } } });
    expect(namespaces.objectSelector).toBeUndefined(); // a namespace dropping its label is seen too
    // Unmapped namespaces are routed by the zone they claim; mapped ones never come here.
    const mapped = [...policy.namespaceZones.keys()];
    const unmapped = { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: expect.arrayContaining([...mapped, 'kube-system', 'evident-system']) };
    const claimed = webhooks.slice(1, -1);
    expect(claimed.map((w) => [w.name, w.clientConfig.service.path, w.failurePolicy])).toEqual(
      [...policy.zones.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map((z) => [`${z.name.replace(/_/gu, '-')}.claimed.evident.io`, `/admission/validate/${z.name}`, 'Fail']),
    );
    expect(claimed[0].namespaceSelector.matchExpressions).toEqual([{ key: 'evident.io/zone', operator: 'In', values: ['hipaa-ai'] }, unmapped]);
    expect(unzoned.namespaceSelector.matchExpressions).toEqual([{ key: 'evident.io/zone', operator: 'NotIn', values: [...policy.zones.keys()].sort() }, unmapped]);
    expect(unzoned.failurePolicy).toBe('Fail');
    // Even where owners accept Ignore, a regulated default zone keeps the catch-all closed.
    const open = compilePolicy(exampleSources().map((f) => ({ ...f, text: f.text.replace('  default_zone: standard-ai', '  default_zone: hipaa-ai\n  unregulated_failure_policy: Ignore') })));
    const openCluster = (renderZone(open, 'standard-ai', opts).objects.at(-1) as { webhooks: { name: string; failurePolicy: string }[] }).webhooks;
    expect(openCluster.map((w) => [w.name, w.failurePolicy])).toEqual(expect.arrayContaining([['namespaces.evident.io', 'Fail'], ['hipaa-ai.claimed.evident.io', 'Fail'], ['standard-ai.claimed.evident.io', 'Ignore'], ['unzoned.evident.io', 'Fail']]));
  });

  it('says when a destination cannot be expressed as a NetworkPolicy', () => {
    expect(renderZone(policy, 'regulated_ai_zone', opts).warnings).toEqual([]);
    const p = compilePolicy([...exampleSources(), { name: 'x.yaml', text: 'zones:\n  edge:\n    egress: { default: deny, allowed_destinations: [api.partner.example] }\n' }]);
    const r = renderZone(p, 'edge', opts);
    expect(r.warnings).toEqual([expect.stringContaining('api.partner.example has no entry under destinations:')]);
    expect(r.yaml).toContain('# WARNING: zone edge: egress destination api.partner.example');
    expect(() => renderZone(policy, 'mars', opts)).toThrow(/not defined/u);
    // regulated-ai-eu may use Azure OpenAI but denies egress: said once, not per namespace.
    expect(renderZone(policy, 'regulated-ai-eu', opts).warnings).toEqual([expect.stringMatching(/^zone regulated-ai-eu: LLM provider azure-openai-eu \(bank-eu\.openai\.azure\.com\) is outside the cluster/u)]);
  });
});

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
    ]);
    const std = renderZone(policy, 'standard-ai', opts).objects.filter((o) => o.kind === 'NetworkPolicy') as { spec: { policyTypes: string[] } }[];
    expect(std.every((n) => !n.spec.policyTypes.includes('Egress'))).toBe(true);
  });

  it('renders a fail-closed webhook with a short timeout that spares system namespaces', () => {
    const vwc = renderZone(policy, 'standard-ai', opts).objects.at(-1) as { webhooks: any[] };
    for (const w of vwc.webhooks) {
      expect(w).toMatchObject({ failurePolicy: 'Fail', timeoutSeconds: 5, sideEffects: 'NoneOnDryRun', admissionReviewVersions: ['v1', 'v1beta1'] });
      expect(w.clientConfig.caBundle).toBe(opts.caBundle);
      const selector = w.namespaceSelector ?? w.objectSelector;
      expect(selector.matchExpressions).toContainEqual({ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: expect.arrayContaining(['kube-system', 'evident-system']) });
    }
    expect(vwc.webhooks.map((w) => w.clientConfig.service.path)).toEqual(['/admission/validate/standard-ai', '/admission/validate', '/admission/validate']);
    // standard-ai is the default zone: it also takes namespaces that name no zone.
    expect(vwc.webhooks[2].namespaceSelector.matchExpressions[0]).toEqual({ key: 'evident.io/zone', operator: 'DoesNotExist' });
    const resources = vwc.webhooks[0].rules.flatMap((r: { resources: string[] }) => r.resources);
    expect(resources).toEqual(expect.arrayContaining(['pods', 'pods/ephemeralcontainers', 'deployments', 'statefulsets', 'daemonsets', 'replicasets', 'jobs', 'cronjobs', 'services', 'persistentvolumeclaims']));
  });

  it('says when a destination cannot be expressed as a NetworkPolicy', () => {
    expect(renderZone(policy, 'regulated_ai_zone', opts).warnings).toEqual([]);
    const p = compilePolicy([...exampleSources(), { name: 'x.yaml', text: 'zones:\n  edge:\n    egress: { default: deny, allowed_destinations: [api.partner.example] }\n' }]);
    const r = renderZone(p, 'edge', opts);
    expect(r.warnings).toEqual([expect.stringContaining('api.partner.example has no entry under destinations:')]);
    expect(r.yaml).toContain('# WARNING: zone edge: egress destination api.partner.example');
    expect(() => renderZone(policy, 'mars', opts)).toThrow(/not defined/u);
  });
});

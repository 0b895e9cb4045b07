// Renders a zone as Kubernetes objects: its Namespaces (labelled with the zone, Pod Security
// Admission on top), their NetworkPolicies (render-network.ts) and the webhook configurations that
// send objects to Evident (render-webhooks.ts). Rendering reads the policy only: the same policy
// renders the same objects.
import { stringify } from 'yaml';
import { namespacesIn, type CompiledPolicy } from './model.js';
import { networkPolicies } from './render-network.js';
import { clusterWebhookConfiguration, zoneWebhookConfiguration } from './render-webhooks.js';
import { PSA_ENFORCE_LABEL } from './admission/namespace-zone.js';
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

export function renderZone(policy: CompiledPolicy, zoneName: string, o: RenderOptions): Rendered {
  const zone = policy.zones.get(zoneName);
  if (!zone) throw new Error(`zone "${zoneName}" is not defined; known zones: ${[...policy.zones.keys()].join(', ')}`);
  const found: string[] = [];
  const objects: Record<string, unknown>[] = [];
  for (const ns of namespacesIn(policy, zone.name)) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: ns,
        labels: {
          [ZONE_LABEL]: zone.name,
          'app.kubernetes.io/managed-by': 'evident',
          // Pod Security Admission backs the same intent inside the API server itself.
          [PSA_ENFORCE_LABEL]: zone.regulated ? 'restricted' : 'baseline',
          'pod-security.kubernetes.io/enforce-version': 'latest',
        },
        annotations: {
          ...(zone.description ? { 'evident.io/zone-description': zone.description } : {}),
          ...(zone.region ? { 'evident.io/region': zone.region } : {}),
          'evident.io/policy-digest': policy.digest,
        },
      },
    });
    objects.push(...networkPolicies(policy, zone, ns, found));
  }
  objects.push(zoneWebhookConfiguration(policy, zone, o), clusterWebhookConfiguration(policy, o));
  const warnings = [...new Set(found)];
  const header = `# Rendered by Evident for zone ${zone.name} (policy ${policy.digest})\n${warnings.map((w) => `# WARNING: ${w}\n`).join('')}`;
  return { objects, warnings, yaml: header + objects.map((obj) => '---\n' + stringify(obj, { lineWidth: 0 })).join('') };
}

import { describe, expect, it } from 'vitest';
import { compilePolicy } from './model.js';
import { decide } from './decide.js';
import { parseImageRef } from './image-ref.js';
import { admissionFixture, admissionFixtureNames, examplePolicy, exampleSources } from '../../test/helpers/policy.js';

const policy = examplePolicy();
const DIGEST = 'sha256:' + 'a'.repeat(64);

/** A Deployment that satisfies every rule of hipaa-ai. */
function compliantDeployment(): Record<string, any> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'triage-model', namespace: 'clinical-ml', labels: { 'evident.io/data-class': 'ephi' } },
    spec: {
      template: {
        metadata: { labels: { app: 'triage' } },
        spec: {
          serviceAccountName: 'triage-model',
          automountServiceAccountToken: false,
          nodeSelector: { 'evident.io/node-pool': 'gpu-hipaa' },
          tolerations: [{ key: 'evident.io/gpu-hipaa', operator: 'Exists', effect: 'NoSchedule' }],
          initContainers: [{ name: 'fetch', image: `registry.evident.internal/tools/fetch@${DIGEST}` }],
          containers: [{ name: 'server', image: `registry.evident.internal/models/triage:1.4@${DIGEST}`, resources: { limits: { 'nvidia.com/gpu': 1 } } }],
          volumes: [{ name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: { storageClassName: 'encrypted-gp3' } } } }],
        },
      },
    },
  };
}

describe('placement decisions by data class and zone', () => {
  it('allows each seed class in its zones and names the right zone when it is elsewhere', () => {
    expect(decide(policy, { zone: 'hipaa-ai', classes: ['ephi'] }).allowed).toBe(true);
    expect(decide(policy, { zone: 'pci-ai', classes: ['cardholder_data'] }).allowed).toBe(true);
    expect(decide(policy, { zone: 'regulated-ai-us', classes: ['personal_data'] }).allowed).toBe(true);
    const d = decide(policy, { zone: 'standard-ai', classes: ['ephi'] });
    expect(d.allowed).toBe(false);
    expect(d.violations).toEqual([
      {
        rule: 'class-allowed-in-zone',
        mode: 'enforce',
        source: 'class:ephi',
        field: 'zone',
        message: 'data class ephi may not be placed in zone standard-ai; it is allowed in hipaa-ai',
        fix: 'deploy to zone hipaa-ai',
      },
    ]);
    expect(d.policyDigest).toBe(policy.digest);
  });

  it('says when no zone can hold every class of one workload', () => {
    const d = decide(policy, { zone: 'hipaa-ai', classes: ['ephi', 'cardholder_data'] });
    expect(d.violations.map((v) => [v.rule, v.source, v.fix])).toEqual([['class-allowed-in-zone', 'class:cardholder_data', 'no zone satisfies every data class together; split the workload']]);
  });

  it('checks class requirements against the zone, naming the zone field at fault', () => {
    const p = compilePolicy([
      ...exampleSources(),
      {
        name: 'extra.yaml',
        text: `zones:
  loose-eu:
    ingress: public
    egress: { default: allow }
    llm_providers: [openai]
data_class_policy:
  strict:
    allowed_zones: [loose-eu, pci-ai]
    require_private_ingress: true
    require_redacted_logs: true
    require_audit_logging: true
    require_network_segmentation: true
    prohibit_external_llm_calls: true
`,
      },
    ]);
    const d = decide(p, { zone: 'loose-eu', classes: ['strict'] });
    expect(d.violations.map((v) => [v.rule, v.field])).toEqual([
      ['class-requires-private-ingress', 'zones.loose-eu.ingress'],
      ['class-requires-redacted-logs', 'zones.loose-eu.logging.redacted_logs'],
      ['class-requires-audit-logging', 'zones.loose-eu.logging.audit_logging'],
      ['class-requires-network-segmentation', 'zones.loose-eu.egress.default'],
      ['class-prohibits-external-llm-calls', 'zones.loose-eu.llm_providers'],
    ]);
    expect(d.violations.every((v) => v.source === 'class:strict' && v.fix.startsWith('deploy to zone pci-ai'))).toBe(true);
  });

  it('refuses unknown classes and zones, and regulated data outside any zone', () => {
    expect(decide(policy, { zone: 'hipaa-ai', classes: ['secret_sauce'] }).violations[0]).toMatchObject({ rule: 'unknown-data-class', fix: expect.stringContaining('ephi') });
    expect(decide(policy, { zone: 'moon-ai', classes: [] }).violations[0]).toMatchObject({ rule: 'unknown-zone', fix: expect.stringContaining('hipaa-ai') });
    expect(decide(policy, { zone: null, classes: ['ephi'] }).violations[0]).toMatchObject({ rule: 'unknown-zone', fix: expect.stringContaining('evident.io/zone') });
  });
});

describe('workload checks', () => {
  it('admits a workload that meets every rule of a regulated zone', () => {
    const d = decide(policy, { zone: 'hipaa-ai', object: compliantDeployment() });
    expect(d.violations).toEqual([]);
    expect(d.classes).toEqual(['ephi']);
    expect(d.images).toHaveLength(2);
  });

  it('names the field at fault and the fix for every rule it breaks', () => {
    const obj = compliantDeployment();
    const spec = obj.spec.template.spec;
    spec.containers[0].image = 'docker.io/library/python:3.12';
    spec.containers[0].securityContext = { privileged: true };
    spec.initContainers[0].image = `ghcr.io/acme/fetch@${DIGEST}`;
    spec.hostNetwork = true;
    spec.volumes.push({ name: 'host', hostPath: { path: '/var/run' } });
    spec.serviceAccountName = 'default';
    delete spec.automountServiceAccountToken;
    delete spec.nodeSelector;
    spec.volumes[0].ephemeral.volumeClaimTemplate.spec.storageClassName = 'gp2';
    obj.metadata.annotations = { 'evident.io/llm-providers': 'openai' };
    const d = decide(policy, { zone: 'hipaa-ai', object: obj });
    expect(d.violations.map((v) => [v.rule, v.field])).toEqual([
      ['image-registry-allowed', 'spec.template.spec.initContainers[0].image'],
      ['image-registry-allowed', 'spec.template.spec.containers[0].image'],
      ['image-digest-pinned', 'spec.template.spec.containers[0].image'],
      ['no-host-access', 'spec.template.spec.containers[0].securityContext.privileged'],
      ['gpu-node-pool', 'spec.template.spec.nodeSelector'],
      ['no-host-access', 'spec.template.spec.hostNetwork'],
      ['no-host-access', 'spec.template.spec.volumes[1].hostPath'],
      ['runtime-identity', 'spec.template.spec.serviceAccountName'],
      ['runtime-identity', 'spec.template.spec.automountServiceAccountToken'],
      ['encrypted-volumes', 'spec.template.spec.volumes[1].hostPath'],
      ['encrypted-volumes', 'spec.template.spec.volumes[0].ephemeral.volumeClaimTemplate.spec.storageClassName'],
      ['llm-provider-allowed', 'metadata.annotations["evident.io/llm-providers"]'],
    ]);
    for (const v of d.violations) {
      expect(v.source).toBe('zone:hipaa-ai');
      expect(v.fix.length).toBeGreaterThan(10);
    }
    expect(d.violations.find((v) => v.rule === 'image-digest-pinned')!.fix).toBe('reference the image as docker.io/library/python@sha256:<digest>');
    expect(d.violations.filter((v) => v.rule === 'encrypted-volumes').map((v) => v.fix)).toEqual(["use a PersistentVolumeClaim on one of the zone's storage_classes", 'set storageClassName to encrypted-gp3, encrypted-io2']);
  });

  it('reads data classes from labels and annotations, and checks them against the zone', () => {
    const obj = compliantDeployment();
    obj.metadata.labels = { 'data-class.evident.io/personal_data': 'true' };
    obj.metadata.annotations = { 'evident.io/data-classes': 'ephi, cardholder_data' };
    const d = decide(policy, { zone: 'hipaa-ai', object: obj });
    expect(d.classes).toEqual(['cardholder_data', 'ephi', 'personal_data']);
    expect(d.violations.map((v) => v.source)).toEqual(['class:cardholder_data', 'class:personal_data']);
  });

  it('checks every Kubernetes fixture the way the peers expect', () => {
    const expected: Record<string, [string[], string[]]> = {
      'connaisseur__01_deployment.review-v1beta1.json': [['image-registry-allowed', 'image-digest-pinned', 'runtime-identity'], []],
      'connaisseur__02_pod.review.json': [['image-registry-allowed', 'runtime-identity'], []],
      'connaisseur__07_statefulset.review.json': [['image-registry-allowed', 'image-digest-pinned', 'runtime-identity', 'encrypted-volumes'], []],
      'connaisseur__09_dply_multi_image.review-v1beta1.json': [['image-registry-allowed', 'image-digest-pinned', 'runtime-identity'], []],
      'connaisseur__10_update_replicaset.review.json': [['image-registry-allowed', 'runtime-identity'], []],
      'connaisseur__18_allow_me_pod.review.json': [['image-registry-allowed', 'runtime-identity'], []],
      'connaisseur__19_pod_initcontainer.review.json': [['image-registry-allowed', 'image-digest-pinned', 'runtime-identity'], []],
      'connaisseur__20_pod_ephemeralcontainer.review.json': [['image-registry-allowed', 'image-digest-pinned', 'runtime-identity'], []],
      'kubewarden-disallow-service-loadbalancer__service_clusterip.request.json': [[], []],
      'kubewarden-disallow-service-loadbalancer__service_loadbalancer.request.json': [['private-ingress-services'], []],
      'kubewarden-hostpaths-psp__request_pod_hostpaths.request.json': [['image-registry-allowed', 'image-digest-pinned', 'no-host-access', 'runtime-identity', 'encrypted-volumes'], ['no-host-access']],
      'kubewarden-pod-privileged__deployment_with_privileged_containers.request.json': [['image-registry-allowed', 'image-digest-pinned', 'no-host-access', 'runtime-identity'], ['no-host-access']],
      'kubewarden-pod-privileged__no_privileged_containers.request.json': [['image-registry-allowed', 'image-digest-pinned', 'runtime-identity'], []],
      'kubewarden-pod-privileged__privileged_container.request.json': [['image-registry-allowed', 'image-digest-pinned', 'no-host-access', 'runtime-identity'], ['no-host-access']],
      'kubewarden-pvc-storageclass__pvc_fast_storage_class.request.json': [['encrypted-volumes'], []],
      'kubewarden-verify-image-signatures__deployment_creation_signed.request.json': [['image-registry-allowed', 'image-digest-pinned', 'runtime-identity'], []],
      'kubewarden-verify-image-signatures__deployment_creation_unsigned.request.json': [['image-registry-allowed', 'image-digest-pinned', 'runtime-identity'], []],
      'kubewarden-verify-image-signatures__pod_creation_signed.request.json': [['image-registry-allowed', 'image-digest-pinned', 'runtime-identity'], []],
      'kubewarden-verify-image-signatures__pod_creation_with_digest.request.json': [['image-registry-allowed', 'runtime-identity'], []],
    };
    expect(Object.keys(expected).sort()).toEqual(admissionFixtureNames());
    for (const [name, [regulated, standard]] of Object.entries(expected)) {
      const r = admissionFixture(name).request;
      const rules = (zone: string) => [...new Set(decide(policy, { zone, object: r.object, kind: r.kind.kind }).violations.map((v) => v.rule))];
      expect(rules('hipaa-ai'), `${name} in hipaa-ai`).toEqual(regulated);
      expect(rules('standard-ai'), `${name} in standard-ai`).toEqual(standard);
    }
  });

  it('checks ephemeral containers, and hostPID/hostIPC', () => {
    const r = admissionFixture('connaisseur__20_pod_ephemeralcontainer.review.json').request;
    const d = decide(policy, { zone: 'hipaa-ai', object: r.object });
    expect(d.violations.some((v) => v.field === 'spec.ephemeralContainers[0].image')).toBe(true);
    const pod = { kind: 'Pod', metadata: { name: 'x' }, spec: { hostPID: true, hostIPC: true, containers: [] } };
    expect(decide(policy, { zone: 'standard-ai', object: pod }).violations.map((v) => v.field)).toEqual(['spec.hostPID', 'spec.hostIPC']);
  });

  it('denies kinds it does not understand in regulated zones only', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
    expect(decide(policy, { zone: 'hipaa-ai', object: cm }).violations.map((v) => v.rule)).toEqual(['unknown-kind']);
    expect(decide(policy, { zone: 'standard-ai', object: cm }).allowed).toBe(true);
  });
});

describe('rule modes and custom rules', () => {
  const withRules = (text: string) => compilePolicy([...exampleSources(), { name: 'rules.yaml', text }]);

  it('moves broken rules to warnings or audit by mode, globally or per zone', () => {
    const p = withRules('rules:\n  image-digest-pinned: { mode: warn }\n  runtime-identity: { mode: audit }\n');
    const r = admissionFixture('connaisseur__01_deployment.review-v1beta1.json').request;
    const d = decide(p, { zone: 'hipaa-ai', object: r.object, kind: 'Deployment' });
    expect(d.violations.map((v) => v.rule)).toEqual(['image-registry-allowed']);
    expect(d.warnings.map((v) => [v.rule, v.mode])).toEqual([['image-digest-pinned', 'warn']]);
    expect(d.audit.map((v) => v.rule)).toEqual(['image-signature-unverified', 'runtime-identity', 'runtime-identity']);
    const perZone = compilePolicy([
      ...exampleSources().filter((s) => !s.name.endsWith('zones.yaml')),
      { name: 'zones.yaml', text: exampleSources().find((s) => s.name.endsWith('zones.yaml'))!.text.replace('    namespaces: [clinical-ml]', '    namespaces: [clinical-ml]\n    rules: { image-registry-allowed: { mode: audit } }') },
    ]);
    expect(decide(perZone, { zone: 'hipaa-ai', object: r.object, kind: 'Deployment' }).audit.map((v) => v.rule)).toContain('image-registry-allowed');
  });

  it('runs custom CEL rules, with their own mode, match and message', () => {
    const p = withRules(`custom_rules:
  - id: require-owner
    match: { kinds: [Deployment], zones: [hipaa-ai] }
    expression: "has(object.metadata.labels) && 'owner' in object.metadata.labels"
    message: every clinical workload names its owner
    fix: add metadata.labels.owner
  - id: few-replicas
    mode: warn
    expression: "!has(object.spec.replicas) || object.spec.replicas + 0 <= 3"
    message: keep replicas at 3 or fewer
  - id: ephi-namespace
    match: { classes: [ephi] }
    expression: "request.namespace == 'clinical-ml' && 'ephi' in classes && zone.region == 'us-east-1'"
    message: ePHI workloads live in clinical-ml
`);
    const obj = compliantDeployment();
    obj.spec.replicas = 5;
    const d = decide(p, { zone: 'hipaa-ai', object: obj, request: { operation: 'CREATE', namespace: 'other', name: 'triage-model' } });
    expect(d.violations.map((v) => [v.rule, v.source, v.fix])).toEqual([
      ['require-owner', 'custom:require-owner', 'add metadata.labels.owner'],
      ['ephi-namespace', 'custom:ephi-namespace', 'see the rule'],
    ]);
    expect(d.warnings.map((v) => v.rule)).toEqual(['few-replicas']);
    obj.metadata.labels.owner = 'clinical-ai';
    obj.spec.replicas = 2;
    expect(decide(p, { zone: 'hipaa-ai', object: obj, request: { operation: 'CREATE', namespace: 'clinical-ml', name: 'x' } })).toMatchObject({ allowed: true, warnings: [] });
    expect(decide(p, { zone: 'standard-ai', object: { kind: 'Deployment', metadata: {} } }).violations).toEqual([]);
  });

  it('counts a rule that errs as failed, saying why', () => {
    const p = withRules(`custom_rules:
  - id: needs-field
    expression: "object.spec.missing.deeper == 'x'"
    message: needs a field
`);
    const d = decide(p, { zone: 'standard-ai', object: { kind: 'Pod', metadata: {}, spec: {} } });
    expect(d.violations[0]!.message).toMatch(/^needs a field \(the rule could not be evaluated: /u);
  });

  it('refuses rules that do not evaluate to bool or exceed the structural limits', () => {
    expect(() => withRules('custom_rules:\n  - id: not-bool\n    expression: "1 + 2"\n    message: m\n')).toThrow(/must evaluate to bool/u);
    const huge = `${Array(2000).fill('1').join('+')} == 2000`;
    expect(() => withRules(`custom_rules:\n  - id: huge\n    expression: "${huge}"\n    message: m\n`)).toThrow(/does not compile/u);
  });
});

describe('image references', () => {
  it('parses what kubelets pull', () => {
    expect(parseImageRef('nginx')).toEqual({ original: 'nginx', registry: 'docker.io', repository: 'library/nginx' });
    expect(parseImageRef('redis:alpine')).toMatchObject({ registry: 'docker.io', repository: 'library/redis', tag: 'alpine' });
    expect(parseImageRef(`localhost:5000/a/b:1@${DIGEST}`)).toMatchObject({ registry: 'localhost:5000', repository: 'a/b', tag: '1', digest: DIGEST });
    expect(parseImageRef('registry.k8s.io/nginx-slim:0.8')).toMatchObject({ registry: 'registry.k8s.io', repository: 'nginx-slim' });
    for (const bad of ['', 'UPPER/case', 'a@sha256:short', 'has space', 'a:tag:tag']) expect(parseImageRef(bad), bad).toBeNull();
  });
});

describe('rules the first review asked for', () => {
  const withFiles = (text: string) => compilePolicy([...exampleSources(), { name: 'extra.yaml', text }]);
  const pod = (spec: Record<string, unknown>, labels: Record<string, string> = {}) => ({ kind: 'Pod', metadata: { name: 'p', labels }, spec });
  const image = `registry.evident.internal/m/x@${DIGEST}`;
  const safe = { serviceAccountName: 'sa', automountServiceAccountToken: false };

  it('a zone cannot soften what a data class imposes', () => {
    const zones = exampleSources().find((s) => s.name.endsWith('zones.yaml'))!;
    expect(() =>
      compilePolicy([
        ...exampleSources().filter((s) => s.name !== zones.name),
        { ...zones, text: zones.text.replace('    namespaces: [ml-sandbox, demos]', '    namespaces: [ml-sandbox, demos]\n    rules: { class-allowed-in-zone: { mode: audit } }') },
      ]),
    ).toThrow(/cannot change the mode of class-allowed-in-zone/u);
    expect(() => withFiles('rules:\n  image-digest-pinned: { mode: audit }\n') && compilePolicy([...exampleSources(), { name: 'a.yaml', text: 'rules:\n  image-digest-pinned: { mode: warn }\n' }, { name: 'b.yaml', text: 'rules:\n  image-digest-pinned: { mode: audit }\n' }])).toThrow(
      /set in more than one file/u,
    );
  });

  it('treats added capabilities, host ports and host processes as host access', () => {
    const d = decide(policy, {
      zone: 'hipaa-ai',
      object: pod({
        ...safe,
        containers: [{ name: 'c', image, ports: [{ containerPort: 80, hostPort: 8080 }], securityContext: { capabilities: { add: ['NET_BIND_SERVICE', 'SYS_ADMIN'] }, windowsOptions: { hostProcess: true } } }],
      }),
    });
    expect(d.violations.filter((v) => v.rule === 'no-host-access').map((v) => v.field)).toEqual([
      'spec.containers[0].securityContext.capabilities.add',
      'spec.containers[0].ports',
      'spec.containers[0].securityContext.windowsOptions.hostProcess',
    ]);
    expect(d.violations[0]!.message).toContain('SYS_ADMIN');
    expect(d.violations[0]!.message).not.toContain('NET_BIND_SERVICE');
  });

  it('refuses storage mounted straight from the network where volumes must be encrypted', () => {
    const d = decide(policy, {
      zone: 'hipaa-ai',
      object: pod({ ...safe, containers: [{ name: 'c', image }], volumes: [{ name: 'a', nfs: { server: 'x', path: '/' } }, { name: 'b', csi: { driver: 'x' } }, { name: 'c', configMap: { name: 'x' } }, { name: 'd', persistentVolumeClaim: { claimName: 'x' } }] }),
    });
    expect(d.violations.map((v) => [v.rule, v.field])).toEqual([
      ['encrypted-volumes', 'spec.volumes[0].nfs'],
      ['encrypted-volumes', 'spec.volumes[1].csi'],
    ]);
  });

  it('keeps Ingress and Gateway routes out of private zones unless the ingress class is internal', () => {
    const ingress = (cls?: string) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i' }, spec: { ...(cls ? { ingressClassName: cls } : {}), rules: [] } });
    expect(decide(policy, { zone: 'pci-ai', object: ingress('nginx-public') }).violations.map((v) => v.rule)).toEqual(['private-ingress-services']);
    expect(decide(policy, { zone: 'pci-ai', object: { kind: 'HTTPRoute', metadata: { name: 'r' }, spec: {} } }).violations.map((v) => v.rule)).toEqual(['private-ingress-services']);
    const p = compilePolicy([
      ...exampleSources().filter((s) => !s.name.endsWith('zones.yaml')),
      { name: 'zones.yaml', text: exampleSources().find((s) => s.name.endsWith('zones.yaml'))!.text.replace('    namespaces: [payments-ml]', '    namespaces: [payments-ml]\n    internal_ingress_classes: [nginx-internal]') },
    ]);
    expect(decide(p, { zone: 'pci-ai', object: ingress('nginx-internal') }).allowed).toBe(true);
    expect(decide(policy, { zone: 'standard-ai', object: ingress('nginx-public') }).allowed).toBe(true);
  });

  it('knows GPUs by the zone resource names, MIG slices included, and matches tolerations fully', () => {
    const gpuPod = (resources: Record<string, number>, tolerations: unknown[]) =>
      pod({ ...safe, nodeSelector: { 'evident.io/node-pool': 'gpu-hipaa' }, tolerations, containers: [{ name: 'c', image, resources: { limits: resources } }] });
    const ok = [{ key: 'evident.io/gpu-hipaa', operator: 'Exists', effect: 'NoSchedule' }];
    expect(decide(policy, { zone: 'hipaa-ai', object: gpuPod({ 'nvidia.com/mig-1g.5gb': 1 }, []) }).violations.map((v) => v.rule)).toEqual(['gpu-node-pool']);
    expect(decide(policy, { zone: 'hipaa-ai', object: gpuPod({ 'nvidia.com/mig-1g.5gb': 1 }, ok) }).allowed).toBe(true);
    const wrongOperator = [{ key: 'evident.io/gpu-hipaa', operator: 'Equal', value: 'x', effect: 'NoSchedule' }];
    expect(decide(policy, { zone: 'hipaa-ai', object: gpuPod({ 'amd.com/gpu': 1 }, wrongOperator) }).violations.map((v) => v.rule)).toEqual(['gpu-node-pool']);
  });

  it('reads classes from the object and its template separately, and refuses unreadable class labels', () => {
    const deployment = {
      kind: 'Deployment',
      metadata: { name: 'd', labels: { 'evident.io/data-class': 'public' } },
      spec: { template: { metadata: { labels: { 'evident.io/data-class': 'ephi' } }, spec: { containers: [{ name: 'c', image: 'python:3' }] } } },
    };
    const d = decide(policy, { zone: 'standard-ai', object: deployment });
    expect(d.classes).toEqual(['ephi', 'public']);
    expect(d.allowed).toBe(false);
    const yes = decide(policy, { zone: 'standard-ai', object: pod({ containers: [] }, { 'data-class.evident.io/ephi': 'yes' }) });
    expect(yes.violations).toEqual([expect.objectContaining({ rule: 'unknown-data-class', field: 'metadata.labels["data-class.evident.io/ephi"]' })]);
  });

  it('sees external LLMs behind ports, wildcards and wide CIDRs, and checks provider endpoints are URLs', () => {
    const zone = (dest: string) =>
      withFiles(`zones:\n  cde:\n    egress: { default: deny, allowed_destinations: ["${dest}"] }\ndata_class_policy:\n  pan:\n    allowed_zones: [cde]\n    prohibit_external_llm_calls: true\n    require_network_segmentation: true\n`);
    for (const dest of ['api.openai.com:443', '*.openai.azure.com', '0.0.0.0/0']) {
      const d = decide(zone(dest), { zone: 'cde', classes: ['pan'] });
      expect(d.violations.map((v) => v.rule), dest).toContain('class-prohibits-external-llm-calls');
    }
    expect(decide(zone('0.0.0.0/0'), { zone: 'cde', classes: ['pan'] }).violations.map((v) => v.rule)).toContain('class-requires-network-segmentation');
    expect(decide(zone('feature-store.internal'), { zone: 'cde', classes: ['pan'] }).allowed).toBe(true);
    expect(() => withFiles('llm_providers:\n  rogue: { external: true, endpoint: api.openai.com }\n')).toThrow(/must be a URL/u);
  });

  it('refuses zone names that would render to the same Kubernetes objects', () => {
    expect(() => withFiles('zones:\n  a_b: {}\n  a-b: {}\n')).toThrow(/would render to the same Kubernetes names/u);
    expect(() => withFiles('zones:\n  a.b: {}\n')).toThrow(/letters, digits, "-" and "_"/u);
  });

  it('records unverified signatures in audit mode where signed images are required', () => {
    const d = decide(policy, { zone: 'hipaa-ai', object: pod({ ...safe, containers: [{ name: 'c', image }] }) });
    expect(d.allowed).toBe(true);
    expect(d.audit.map((v) => v.rule)).toEqual(['image-signature-unverified']);
    expect(decide(policy, { zone: 'standard-ai', object: pod({ containers: [{ name: 'c', image }] }) }).audit).toEqual([]);
  });

  it('checks a manifest without a kind as an unknown kind in regulated zones', () => {
    const d = decide(policy, { zone: 'hipaa-ai', object: { metadata: { name: 'x' }, spec: { containers: [{ name: 'c', image: 'nginx', securityContext: { privileged: true } }] } } });
    expect(d.violations.map((v) => v.rule)).toEqual(['unknown-kind']);
    expect(d.violations[0]!.fix).toContain('kind');
  });
});

describe('custom rule cost bounds', () => {
  const rules = (expression: string) => compilePolicy([...exampleSources(), { name: 'r.yaml', text: `custom_rules:\n  - id: r\n    expression: "${expression}"\n    message: m\n` }]);

  it('refuses comprehensions nested three deep at load time', () => {
    expect(() => rules('object.a.all(x, object.b.all(y, object.c.all(z, z == y)))')).toThrow(/nest more than 2 deep/u);
    expect(() => rules('object.a.all(x, object.b.all(y, y == x))')).not.toThrow();
    // A chain runs its steps one after another: it adds, it does not multiply.
    expect(() => rules('object.a.filter(x, x > 1).map(y, y * 2).all(z, object.b.exists(w, w == z))')).not.toThrow();
    expect(() => rules('object.a.all(x, object.b.filter(y, y > x).exists(z, object.c.all(w, w == z)))')).toThrow(/nest more than 2 deep/u);
  });

  it('bounds maps as it bounds lists: a flood of labels fails the rule, naming the map', () => {
    const p = rules('object.metadata.labels.all(k, object.metadata.labels.exists(j, j == k))');
    const labels = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, 'v']));
    const d = decide(p, { zone: 'standard-ai', object: { kind: 'Pod', metadata: { labels }, spec: { containers: [] } } });
    expect(d.violations.find((v) => v.rule === 'r')!.message).toMatch(/object\.metadata\.labels has 3000 entries, more than the 512/u);
  });

  it('evaluates the worst case it allows within the budget, and fails larger inputs', () => {
    const p = rules('object.spec.containers.all(c, object.spec.containers.exists(d, d.name == c.name))');
    const containers = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `c${i}`, image: 'nginx' }));
    const started = process.hrtime.bigint();
    const d = decide(p, { zone: 'standard-ai', object: { kind: 'Pod', metadata: {}, spec: { containers: containers(512) } } });
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(5000);
    expect(d.violations.filter((v) => v.rule === 'r').map((v) => v.message)).toEqual(d.violations.filter((v) => v.rule === 'r').length ? [expect.stringContaining('budget')] : []);
    const big = decide(p, { zone: 'standard-ai', object: { kind: 'Pod', metadata: {}, spec: { containers: containers(600) } } });
    expect(big.violations.find((v) => v.rule === 'r')!.message).toMatch(/too large for custom rules: object\.spec\.containers has 600 items/u);
  });
});

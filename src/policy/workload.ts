// Reads what policy needs out of a Kubernetes object: its pod spec wherever the kind keeps it,
// every container (init and ephemeral too) with the path to it, volumes and claim templates,
// Services, PVCs, and the data classes and LLM providers it declares.
export type K8sObject = { apiVersion?: string; kind?: string; metadata?: Record<string, unknown>; spec?: Record<string, unknown>; [k: string]: unknown };

export const DATA_CLASS_LABEL = 'evident.io/data-class';
export const DATA_CLASS_LABEL_PREFIX = 'data-class.evident.io/';
export const DATA_CLASSES_ANNOTATION = 'evident.io/data-classes';
export const LLM_PROVIDERS_ANNOTATION = 'evident.io/llm-providers';
export const ZONE_LABEL = 'evident.io/zone';
/** Set by the API server on every namespace: the one label nobody can change. */
export const NAME_LABEL = 'kubernetes.io/metadata.name';

export interface ContainerFacts {
  name: string;
  image: string;
  path: string;
  privileged: boolean;
  /** Capabilities added beyond the runtime default. */
  addedCapabilities: string[];
  hostPorts: number[];
  hostProcess: boolean;
  /** Names of the extended resources it requests or limits (GPU detection is the zone's call). */
  resources: string[];
}

export interface ClaimFacts {
  name: string;
  storageClassName: string | null;
  path: string;
}

export interface WorkloadFacts {
  kind: string;
  name: string;
  namespace: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  podSpecPath: string | null;
  podSpec: Record<string, unknown> | null;
  containers: ContainerFacts[];
  hostPathVolumes: { name: string; path: string }[];
  /** Every pod volume with its source type (persistentVolumeClaim, emptyDir, nfs, csi, ...). */
  volumes: { name: string; type: string; path: string }[];
  claims: ClaimFacts[];
  /** Ingress / Gateway API objects: what they would expose. */
  exposure: { kind: string; ingressClassName: string | null; path: string } | null;
  service: { type: string; externalIPs: string[]; path: string } | null;
  dataClasses: string[];
  /** Data-class labels whose value is neither "true" nor "false": the class cannot be read. */
  malformedClassLabels: string[];
  llmProviders: string[];
}

// A Map, not an object: kinds come from requests, and "__proto__" must not find anything.
const POD_SPEC_PATHS = new Map<string, string[]>(
  Object.entries({
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  }),
);

export const UNDERSTOOD_KINDS = new Set([...POD_SPEC_PATHS.keys(), 'Service', 'PersistentVolumeClaim', 'Namespace', 'Ingress', 'Gateway', 'HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute']);

const rec = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strMap = (v: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(rec(v))) if (typeof x === 'string') out[k] = x;
  return out;
};

/** An object's own metadata.labels, string values only. */
export const labelsOf = (obj: unknown): Record<string, string> => strMap(rec(rec(obj).metadata).labels);

function get(obj: unknown, path: string[]): unknown {
  let cur = obj;
  for (const p of path) cur = rec(cur)[p];
  return cur;
}

function listFrom(s: string | undefined): string[] {
  return (s ?? '')
    .split(/[\s,]+/u)
    .map((x) => x.trim())
    .filter(Boolean);
}

/**
 * Every data class declared by any of the label/annotation sets given (an object's own and its pod
 * template's are read separately, so one cannot hide the other).
 */
export function dataClassesOf(sets: { labels: Record<string, string>; annotations: Record<string, string> }[]): { classes: string[]; malformed: string[] } {
  const out = new Set<string>();
  const malformed: string[] = [];
  for (const { labels, annotations } of sets) {
    if (labels[DATA_CLASS_LABEL]) out.add(labels[DATA_CLASS_LABEL]);
    for (const [k, v] of Object.entries(labels)) {
      if (!k.startsWith(DATA_CLASS_LABEL_PREFIX)) continue;
      if (v === 'true') out.add(k.slice(DATA_CLASS_LABEL_PREFIX.length));
      else if (v !== 'false') malformed.push(k);
    }
    for (const c of listFrom(annotations[DATA_CLASSES_ANNOTATION])) out.add(c);
  }
  return { classes: [...out].sort(), malformed: [...new Set(malformed)].sort() };
}

const EXPOSING_KINDS = new Set(['Ingress', 'Gateway', 'HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute']);

function claimOf(t: unknown, path: string): ClaimFacts {
  const spec = rec(rec(t).spec);
  const name = typeof rec(rec(t).metadata).name === 'string' ? (rec(rec(t).metadata).name as string) : '';
  return { name, storageClassName: typeof spec.storageClassName === 'string' ? spec.storageClassName : null, path: `${path}.spec.storageClassName` };
}

/** `kind` from the AdmissionRequest is authoritative; the object's own field is used otherwise. */
export function workloadFacts(obj: K8sObject, kindHint?: string): WorkloadFacts {
  const kind = kindHint || (typeof obj.kind === 'string' ? obj.kind : '');
  const meta = rec(obj.metadata);
  const specPath = POD_SPEC_PATHS.get(kind) ?? null;
  const podSpec = specPath ? rec(get(obj, specPath)) : null;
  const templateMeta = specPath && specPath.length > 1 ? rec(get(obj, [...specPath.slice(0, -1), 'metadata'])) : {};
  const labels = { ...strMap(templateMeta.labels), ...strMap(meta.labels) };
  const annotations = { ...strMap(templateMeta.annotations), ...strMap(meta.annotations) };
  const declared = dataClassesOf([
    { labels: strMap(meta.labels), annotations: strMap(meta.annotations) },
    { labels: strMap(templateMeta.labels), annotations: strMap(templateMeta.annotations) },
  ]);
  const base = specPath ? specPath.join('.') : '';
  const containers: ContainerFacts[] = [];
  const hostPathVolumes: { name: string; path: string }[] = [];
  const claims: ClaimFacts[] = [];
  const volumes: { name: string; type: string; path: string }[] = [];
  if (podSpec) {
    const podHostProcess = rec(rec(podSpec.securityContext).windowsOptions).hostProcess === true;
    for (const field of ['initContainers', 'containers', 'ephemeralContainers']) {
      arr(podSpec[field]).forEach((c, i) => {
        const cr = rec(c);
        const sc = rec(cr.securityContext);
        const limits = rec(rec(cr.resources).limits);
        const requests = rec(rec(cr.resources).requests);
        containers.push({
          name: typeof cr.name === 'string' ? cr.name : `#${i}`,
          image: typeof cr.image === 'string' ? cr.image : '',
          path: `${base}.${field}[${i}]`,
          privileged: sc.privileged === true,
          addedCapabilities: arr(rec(sc.capabilities).add).map(String),
          hostPorts: arr(cr.ports)
            .map((p) => rec(p).hostPort)
            .filter((p): p is number => typeof p === 'number' && p > 0),
          hostProcess: podHostProcess || rec(sc.windowsOptions).hostProcess === true,
          resources: [...new Set([...Object.keys(limits), ...Object.keys(requests)])],
        });
      });
    }
    arr(podSpec.volumes).forEach((v, i) => {
      const vr = rec(v);
      const name = typeof vr.name === 'string' ? vr.name : `#${i}`;
      const type = Object.keys(vr).find((k) => k !== 'name') ?? 'unknown';
      volumes.push({ name, type, path: `${base}.volumes[${i}].${type}` });
      if (vr.hostPath) hostPathVolumes.push({ name, path: `${base}.volumes[${i}].hostPath` });
      const eph = rec(rec(vr.ephemeral).volumeClaimTemplate);
      if (vr.ephemeral) claims.push(claimOf(eph, `${base}.volumes[${i}].ephemeral.volumeClaimTemplate`));
    });
  }
  if (kind === 'StatefulSet') arr(rec(obj.spec).volumeClaimTemplates).forEach((t, i) => claims.push(claimOf(t, `spec.volumeClaimTemplates[${i}]`)));
  if (kind === 'PersistentVolumeClaim') claims.push({ ...claimOf(obj, ''), path: 'spec.storageClassName' });
  const service =
    kind === 'Service'
      ? { type: typeof rec(obj.spec).type === 'string' ? (rec(obj.spec).type as string) : 'ClusterIP', externalIPs: arr(rec(obj.spec).externalIPs).filter((x): x is string => typeof x === 'string'), path: 'spec' }
      : null;
  return {
    kind,
    name: typeof meta.name === 'string' ? meta.name : typeof meta.generateName === 'string' ? `${meta.generateName}*` : '',
    namespace: typeof meta.namespace === 'string' ? meta.namespace : null,
    labels,
    annotations,
    podSpecPath: specPath ? base : null,
    podSpec,
    containers,
    hostPathVolumes,
    volumes,
    claims,
    service,
    exposure: EXPOSING_KINDS.has(kind)
      ? { kind, ingressClassName: typeof rec(obj.spec).ingressClassName === 'string' ? (rec(obj.spec).ingressClassName as string) : typeof annotations['kubernetes.io/ingress.class'] === 'string' ? annotations['kubernetes.io/ingress.class'] : null, path: 'spec' }
      : null,
    dataClasses: declared.classes,
    malformedClassLabels: declared.malformed,
    llmProviders: listFrom(annotations[LLM_PROVIDERS_ANNOTATION]),
  };
}

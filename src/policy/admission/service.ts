// The Kubernetes validating webhook's logic: resolve the zone of the request, decide under the
// policy in force, record the decision (durably, before answering), answer in the request's own
// AdmissionReview version. No network calls: everything comes from the review and our own state.
import type { LedgerService } from '../../ledger/service.js';
import { AppError } from '../../errors.js';
import { systemContext } from '../../identity/context.js';
import { decide, type ArtifactStatus, type Decision } from '../decide.js';
import { parseImageRef } from '../image-ref.js';
import { workloadFacts } from '../workload.js';
import type { PolicyService } from '../service.js';
import type { K8sObject } from '../workload.js';
import { namespaceObjectFindings, workloadZone } from './namespace-zone.js';
import { AdmissionReviewSchema, admissionResponse, type AdmissionResponseBody } from './review.js';

/** Looks up what the registry knows of images (name + digest); absent in tools that have no registry. */
export type ArtifactLookup = (refs: readonly { repository: string; digest: string }[]) => Promise<ReadonlyMap<string, ArtifactStatus>>;

/** The digest-pinned images of an object, as the registry names them. */
export function pinnedImages(object: K8sObject, kind?: string): { repository: string; digest: string }[] {
  return workloadFacts(object, kind).containers.flatMap((c) => {
    const ref = parseImageRef(c.image);
    return ref?.digest ? [{ repository: ref.repository, digest: ref.digest }] : [];
  });
}

export function createAdmissionService(deps: { policy: Pick<PolicyService, 'active' | 'ruleRefs'>; ledger: Pick<LedgerService, 'record'>; artifacts?: ArtifactLookup }) {
  /** Answers one AdmissionReview; `zone` is set when the webhook was called on a zone's path. */
  async function review(body: unknown, opts: { zone?: string } = {}): Promise<AdmissionResponseBody> {
    const parsed = AdmissionReviewSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new AppError('BAD_REQUEST', `not an AdmissionReview: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    const r = parsed.data;
    const req = r.request;
    const active = await deps.policy.active();
    const policy = active.compiled;
    const kind = req.kind.kind;
    const object = (req.object ?? req.oldObject ?? {}) as K8sObject;
    // A Namespace created with generateName arrives with an empty request.name: the object has it.
    const objectName = String((object.metadata as { name?: unknown } | undefined)?.name ?? '');
    const name = kind === 'Namespace' ? objectName || (req.name ?? '') : req.name || objectName;
    const namespace = kind === 'Namespace' ? name || null : req.namespace || null;

    let decision: Decision;
    let zone: string | null = null;
    const exempt = !!namespace && policy.admission.exemptNamespaces.includes(namespace) && kind !== 'Namespace';
    if (exempt || req.operation === 'DELETE' || req.operation === 'CONNECT') {
      decision = decide(policy, { zone: null });
    } else if (kind === 'Namespace') {
      const ns = namespaceObjectFindings(policy, name, object, req.operation === 'UPDATE' ? (req.oldObject ?? {}) : undefined);
      zone = ns.zone;
      decision = { ...decide(policy, { zone: null, findings: ns.findings }), zone };
    } else {
      const w = workloadZone(policy, namespace, opts.zone);
      zone = w.zone;
      const artifacts = deps.artifacts && zone ? await deps.artifacts(pinnedImages(object, kind)) : undefined;
      decision = decide(policy, {
        zone,
        object,
        kind,
        ...(artifacts ? { artifacts } : {}),
        findings: w.findings,
        ...(req.oldObject ? { oldObject: req.oldObject as K8sObject } : {}),
        request: { operation: req.operation, namespace: namespace ?? '', name },
      });
    }

    // Dry runs change nothing, so nothing is recorded (the webhook declares sideEffects: NoneOnDryRun).
    if (!req.dryRun) {
      // Who asked and the object's name can name a person: both are sealed under the requester's
      // subject key (erasable); the namespace, zone and rules stay readable for auditors.
      const username = req.userInfo?.username;
      await deps.ledger.record({
        action: 'admission.decided',
        outcome: decision.allowed ? 'allowed' : 'denied',
        actor: { type: 'system', via: 'kubernetes-admission' },
        target: { type: kind.toLowerCase().slice(0, 64) || 'object', id: req.uid.slice(0, 256) },
        subject: { id: username ? `kubernetes-user:${username}` : `kubernetes-namespace:${namespace ?? '-'}`, data: { ...(username ? { username } : {}), name } },
        body: {
          policy: { version: active.version, digest: active.digest },
          uid: req.uid,
          operation: req.operation,
          kind,
          namespace,
          zone,
          classes: decision.classes,
          images: decision.images.slice(0, 100).map((i) => i.slice(0, 1024)),
          allowed: decision.allowed,
          ...(exempt ? { exempt } : {}),
          violations: deps.policy.ruleRefs(decision.violations).slice(0, 200),
          warnings: deps.policy.ruleRefs(decision.warnings).slice(0, 200),
          audit: deps.policy.ruleRefs(decision.audit).slice(0, 200),
        },
      });
    }
    return admissionResponse(r, decision, active.version);
  }

  return { review, context: systemContext('kubernetes-admission') };
}

export type AdmissionService = ReturnType<typeof createAdmissionService>;

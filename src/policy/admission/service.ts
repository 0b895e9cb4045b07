// The Kubernetes validating webhook's logic: resolve the zone of the request, decide under the
// policy in force, record the decision (durably, before answering), answer in the request's own
// AdmissionReview version. No network calls: everything comes from the review and our own state.
import type { LedgerService } from '../../ledger/service.js';
import { AppError } from '../../errors.js';
import { systemContext } from '../../identity/context.js';
import { decide, type Decision } from '../decide.js';
import type { PolicyService } from '../service.js';
import { ZONE_LABEL, type K8sObject } from '../workload.js';
import { AdmissionReviewSchema, admissionResponse, type AdmissionResponseBody } from './review.js';

export function createAdmissionService(deps: { policy: Pick<PolicyService, 'active' | 'ruleRefs'>; ledger: Pick<LedgerService, 'record'> }) {
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
    const namespace = req.namespace ?? (kind === 'Namespace' ? (req.name ?? null) : null);
    const name = req.name ?? String((object.metadata as { name?: unknown } | undefined)?.name ?? '');

    const nothingBroken = (z: string | null, violations: Decision['violations'] = []): Decision => ({
      allowed: violations.length === 0,
      zone: z,
      classes: [],
      policyDigest: policy.digest,
      violations,
      warnings: [],
      audit: [],
      images: [],
    });
    let decision: Decision;
    let zone: string | null = null;
    const exempt = !!namespace && policy.admission.exemptNamespaces.includes(namespace) && kind !== 'Namespace';
    if (exempt || req.operation === 'DELETE' || req.operation === 'CONNECT') {
      decision = nothingBroken(null);
    } else if (kind === 'Namespace') {
      // A namespace may only claim a zone the policy defines.
      const labels = ((object.metadata as { labels?: Record<string, unknown> } | undefined)?.labels ?? {}) as Record<string, unknown>;
      const claimed = typeof labels[ZONE_LABEL] === 'string' ? (labels[ZONE_LABEL] as string) : null;
      zone = claimed;
      decision =
        claimed && !policy.zones.has(claimed)
          ? nothingBroken(claimed, [
              {
                rule: 'unknown-zone',
                mode: 'enforce',
                source: 'policy',
                field: `metadata.labels["${ZONE_LABEL}"]`,
                message: `namespace ${name} claims zone "${claimed}", which the policy does not define`,
                fix: `use one of: ${[...policy.zones.keys()].join(', ')}`,
              },
            ])
          : nothingBroken(claimed);
    } else {
      zone = opts.zone ?? (namespace ? policy.namespaceZones.get(namespace) : undefined) ?? policy.admission.defaultZone ?? null;
      decision = decide(policy, {
        zone,
        object,
        kind,
        ...(req.oldObject ? { oldObject: req.oldObject as K8sObject } : {}),
        request: { operation: req.operation, namespace: namespace ?? '', name },
      });
    }

    // Dry runs change nothing, so nothing is recorded (the webhook declares sideEffects: NoneOnDryRun).
    if (!req.dryRun) {
      const username = req.userInfo?.username;
      await deps.ledger.record({
        action: 'admission.decided',
        outcome: decision.allowed ? 'allowed' : 'denied',
        ...{ actor: { type: 'system' as const, via: 'kubernetes-admission' } },
        target: { type: kind.toLowerCase().slice(0, 64), id: `${namespace ?? '-'}/${name || '-'}`.slice(0, 256) },
        ...(username ? { subject: { id: `kubernetes-user:${username}`, data: { username } } } : {}),
        body: {
          policy: { version: active.version, digest: active.digest },
          uid: req.uid,
          operation: req.operation,
          kind,
          namespace,
          name: name.slice(0, 253),
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

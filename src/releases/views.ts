// Rows to API shapes. Pure: the service gathers the rows and the live blockers.
import type { Change, Check, Deployment, EvaluationResult } from './schema.js';
import type { ChangeRow, ComponentRow, DeploymentRow, VersionRow } from './store.js';

export const versionOf = (v: VersionRow) => ({ id: v.id, version: v.version, digest: v.digest });

export interface ApprovalRow {
  principal_id: string;
  revision: number;
  decided_at: string;
  note: string | null;
}

export function toChange(
  c: ChangeRow,
  x: { component: ComponentRow; version: VersionRow; base: VersionRow | null; approvals: readonly ApprovalRow[]; approvalsRequired: number; approvedEnough: boolean; blockers: Check[]; now: Date },
): Change {
  const dueAt = c.approval_due_at;
  return {
    id: c.id,
    component: { id: x.component.id, kind: x.component.kind as Change['component']['kind'], name: x.component.name },
    zone: c.zone,
    title: c.title,
    state: c.state as Change['state'],
    revision: c.revision,
    version: versionOf(x.version),
    base: x.base ? versionOf(x.base) : null,
    emergency: c.emergency === 1,
    reason: c.reason,
    author: c.author,
    validation: JSON.parse(c.validation) as Check[],
    evaluation: c.evaluation ? (JSON.parse(c.evaluation) as EvaluationResult) : null,
    approvals: x.approvals.map((a) => ({ principalId: a.principal_id, revision: a.revision, decidedAt: a.decided_at, note: a.note, current: a.revision === c.revision })),
    approvalsRequired: x.approvalsRequired,
    approvalDueAt: dueAt,
    overdue: c.state === 'deployed' && !!dueAt && !x.approvedEnough && Date.parse(dueAt) < x.now.getTime(),
    blockers: x.blockers,
    createdAt: c.created_at,
    updatedAt: c.updated_at,
  };
}

export function toDeployment(d: DeploymentRow, x: { component: ComponentRow; version: VersionRow; previous: VersionRow | null }): Deployment {
  return {
    id: d.id,
    component: { kind: x.component.kind, name: x.component.name },
    zone: d.zone,
    action: d.action as Deployment['action'],
    version: versionOf(x.version),
    previous: x.previous ? versionOf(x.previous) : null,
    changeId: d.change_id,
    reason: d.reason,
    deployedBy: d.deployed_by,
    deployedAt: d.deployed_at,
    policyVersion: d.policy_version,
    manifestDigest: d.manifest_digest,
  };
}

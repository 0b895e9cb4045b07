// Separation of duties, as pure decisions other domains call and then record with their ledger
// event (the decision object goes into the event body, satisfied or not).
import { AppError } from '../errors.js';
import type { Role } from './roles.js';

export interface SodDecision {
  rule: 'author-cannot-approve' | 'distinct-approvers' | 'no-self-grant';
  satisfied: boolean;
  authorId?: string;
  approverIds?: string[];
  required?: number;
  counted?: number;
  detail: string;
}

/** "The author of X cannot approve X." */
export function authorCannotApprove(authorId: string, approverId: string): SodDecision {
  const satisfied = authorId !== approverId;
  return {
    rule: 'author-cannot-approve',
    satisfied,
    authorId,
    approverIds: [approverId],
    detail: satisfied ? 'approver is not the author' : `principal ${approverId} authored this and cannot also approve it; another approver must`,
  };
}

export interface Approval {
  principalId: string;
  roles: readonly Role[];
}

/**
 * "N distinct approvers": counts distinct principals holding `role` other than the author.
 * Repeated approvals by one principal count once; the author's approval never counts.
 */
export function distinctApprovers(opts: { authorId: string; approvals: readonly Approval[]; required: number; role?: Role }): SodDecision {
  const role = opts.role ?? 'approver';
  const counted = new Set(opts.approvals.filter((a) => a.principalId !== opts.authorId && a.roles.includes(role)).map((a) => a.principalId));
  const satisfied = counted.size >= opts.required;
  return {
    rule: 'distinct-approvers',
    satisfied,
    authorId: opts.authorId,
    approverIds: [...counted],
    required: opts.required,
    counted: counted.size,
    detail: satisfied
      ? `${counted.size} distinct ${role}(s) approved; ${opts.required} required`
      : `${counted.size} of ${opts.required} required distinct ${role}(s) other than the author have approved`,
  };
}

/** A principal may not change its own roles or status: someone else must. */
export function noSelfGrant(actorId: string, targetId: string): SodDecision {
  const satisfied = actorId !== targetId;
  return {
    rule: 'no-self-grant',
    satisfied,
    authorId: actorId,
    detail: satisfied ? 'actor changes another principal' : 'you cannot change your own roles or status; another admin must make this change',
  };
}

/** Throws SOD_VIOLATION carrying the decision, so the denial can be recorded with it. */
export function enforceSod(decision: SodDecision): void {
  if (!decision.satisfied) throw new AppError('SOD_VIOLATION', decision.detail, { sod: decision });
}

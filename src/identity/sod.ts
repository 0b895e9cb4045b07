// Separation of duties, as pure decisions other domains call and then record with their ledger
// event (the decision object goes into the event body, satisfied or not).
//
// An action counts for everyone who could have taken it: the principal, and whoever else holds
// its credential (`controlledBy`: the admin who minted someone's token). So an admin cannot
// approve as an approver whose token they minted, nor make two approvals out of one pair of hands.
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

export interface Approval {
  principalId: string;
  roles: readonly Role[];
  /** Who else held the credential the approval was made with (actor.controlledBy). */
  controlledBy?: string | null | undefined;
}

/** The hands an approval may have come from. */
function hands(a: { principalId: string; controlledBy?: string | null | undefined }): string[] {
  return a.controlledBy ? [a.principalId, a.controlledBy] : [a.principalId];
}

/** "The author of X cannot approve X" (nor through a credential the author minted). */
export function authorCannotApprove(authorId: string, approver: { principalId: string; controlledBy?: string | null | undefined }): SodDecision {
  const satisfied = !hands(approver).includes(authorId);
  return {
    rule: 'author-cannot-approve',
    satisfied,
    authorId,
    approverIds: [approver.principalId],
    detail: satisfied
      ? 'approver is not the author'
      : approver.principalId === authorId
        ? `principal ${approver.principalId} authored this and cannot also approve it; another approver must`
        : `the approval was made with a credential the author ${authorId} minted, so it could be the author's own`,
  };
}

/**
 * "N distinct approvers": principals holding `role`, none of them the author, counted by the
 * hands behind them: approvals sharing a controller count once, repeated approvals count once.
 */
export function distinctApprovers(opts: { authorId: string; approvals: readonly Approval[]; required: number; role?: Role }): SodDecision {
  const role = opts.role ?? 'approver';
  const eligible = opts.approvals.filter((a) => a.roles.includes(role) && !hands(a).includes(opts.authorId));
  const seenHands = new Set<string>();
  const counted: string[] = [];
  for (const a of eligible) {
    const h = hands(a);
    if (h.some((x) => seenHands.has(x))) continue;
    h.forEach((x) => seenHands.add(x));
    counted.push(a.principalId);
  }
  const satisfied = counted.length >= opts.required;
  return {
    rule: 'distinct-approvers',
    satisfied,
    authorId: opts.authorId,
    approverIds: counted,
    required: opts.required,
    counted: counted.length,
    detail: satisfied
      ? `${counted.length} distinct ${role}(s) approved; ${opts.required} required`
      : `${counted.length} of ${opts.required} required distinct ${role}(s) other than the author have approved`,
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

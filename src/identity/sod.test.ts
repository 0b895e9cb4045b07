import { describe, expect, it } from 'vitest';
import { authorCannotApprove, distinctApprovers, enforceSod, noSelfGrant } from './sod.js';

describe('separation of duties', () => {
  it('the author of X cannot approve X, not even through a token the author minted', () => {
    expect(authorCannotApprove('a', { principalId: 'b' }).satisfied).toBe(true);
    const d = authorCannotApprove('a', { principalId: 'a' });
    expect(d).toMatchObject({ satisfied: false, rule: 'author-cannot-approve' });
    expect(() => enforceSod(d)).toThrow(expect.objectContaining({ code: 'SOD_VIOLATION', details: { sod: d } }));
    const viaMinted = authorCannotApprove('a', { principalId: 'b', controlledBy: 'a' });
    expect(viaMinted.satisfied).toBe(false);
    expect(viaMinted.detail).toContain('minted');
  });

  it('counts N distinct approvers holding the role, never the author, never twice', () => {
    const approvals = [
      { principalId: 'author', roles: ['approver'] as const },
      { principalId: 'p1', roles: ['approver'] as const },
      { principalId: 'p1', roles: ['approver'] as const },
      { principalId: 'dev', roles: ['developer'] as const },
    ];
    expect(distinctApprovers({ authorId: 'author', approvals, required: 2 })).toMatchObject({ satisfied: false, counted: 1, approverIds: ['p1'] });
    const more = [...approvals, { principalId: 'p2', roles: ['approver', 'auditor'] as const }];
    expect(distinctApprovers({ authorId: 'author', approvals: more, required: 2 })).toMatchObject({ satisfied: true, counted: 2 });
    expect(distinctApprovers({ authorId: 'author', approvals: more, required: 1, role: 'auditor' })).toMatchObject({ satisfied: true, approverIds: ['p2'] });
    expect(distinctApprovers({ authorId: 'x', approvals: [], required: 0 }).satisfied).toBe(true);
  });

  it('counts approvals made with tokens one admin minted as one pair of hands, and none minted by the author', () => {
    const viaAdmin = [
      { principalId: 'p1', roles: ['approver'] as const, controlledBy: 'admin' },
      { principalId: 'p2', roles: ['approver'] as const, controlledBy: 'admin' },
    ];
    expect(distinctApprovers({ authorId: 'dev', approvals: viaAdmin, required: 2 })).toMatchObject({ satisfied: false, counted: 1 });
    expect(distinctApprovers({ authorId: 'admin', approvals: viaAdmin, required: 1 })).toMatchObject({ satisfied: false, counted: 0 });
    const mixed = [...viaAdmin, { principalId: 'p3', roles: ['approver'] as const }];
    expect(distinctApprovers({ authorId: 'dev', approvals: mixed, required: 2 })).toMatchObject({ satisfied: true, counted: 2 });
  });

  it('no one changes their own grants', () => {
    expect(noSelfGrant('a', 'b').satisfied).toBe(true);
    expect(noSelfGrant('a', 'a')).toMatchObject({ satisfied: false, rule: 'no-self-grant' });
  });
});

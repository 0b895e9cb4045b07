import { describe, expect, it } from 'vitest';
import { authorCannotApprove, distinctApprovers, enforceSod, noSelfGrant } from './sod.js';

describe('separation of duties', () => {
  it('the author of X cannot approve X', () => {
    expect(authorCannotApprove('a', 'b').satisfied).toBe(true);
    const d = authorCannotApprove('a', 'a');
    expect(d).toMatchObject({ satisfied: false, rule: 'author-cannot-approve' });
    expect(() => enforceSod(d)).toThrow(expect.objectContaining({ code: 'SOD_VIOLATION', details: { sod: d } }));
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

  it('no one changes their own grants', () => {
    expect(noSelfGrant('a', 'b').satisfied).toBe(true);
    expect(noSelfGrant('a', 'a')).toMatchObject({ satisfied: false, rule: 'no-self-grant' });
  });
});

// The fixed set of roles. What each role may do is decided route by route in permissions.ts.
export const ROLES = ['admin', 'developer', 'approver', 'operator', 'auditor', 'workload'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  admin: 'manages principals, tokens and configuration; everything except approving its own changes',
  developer: 'ships models, prompts and pipelines: submits changes and artifacts',
  approver: 'signs off changes authored by someone else (model risk, security)',
  operator: 'deploys, rolls back, runs incidents and kill switches',
  auditor: 'read-only: reads the ledger and exports and verifies evidence',
  workload: 'a service identity: a model server, a training job, an application calling LLMs',
};

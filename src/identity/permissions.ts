// The permission table: every route the server registers, and which roles may call it. It is the
// single source of truth: the server refuses to start if a route is missing here, and a test walks
// every route with every role. Finer rules (your own tokens vs anyone's) live in the services.
import { ROLES, type Role } from './roles.js';

export type Access = 'public' | readonly Role[];

const ANY: readonly Role[] = ROLES;
const READERS: readonly Role[] = ['admin', 'auditor'];
/** Everyone who works on artifacts (not workloads: they pull, through the gate). */
const ARTIFACT_READERS: readonly Role[] = ['admin', 'developer', 'approver', 'operator', 'auditor'];

export const PERMISSIONS: Readonly<Record<string, Access>> = {
  // Probes, metrics and the API reference carry no tenant data.
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'GET /metrics': 'public',
  'GET /api/v1/openapi.json': 'public',
  'GET /docs*': 'public',
  // Who am I
  'GET /api/v1/whoami': ANY,
  // Principals
  'POST /api/v1/principals': ['admin'],
  'GET /api/v1/principals': READERS,
  'GET /api/v1/principals/:id': READERS,
  'PATCH /api/v1/principals/:id': ['admin'],
  // Tokens: everyone manages their own; the service lets admins manage others'.
  'POST /api/v1/tokens': ANY,
  'GET /api/v1/tokens': ANY,
  'DELETE /api/v1/tokens/:id': ANY,
  // Ledger: proofs and checkpoints are for anyone who must verify; contents for admins and auditors.
  'GET /api/v1/ledger/keys': 'public',
  'GET /api/v1/ledger/checkpoint': ANY,
  'POST /api/v1/ledger/checkpoint': ['admin', 'operator', 'auditor'],
  'GET /api/v1/ledger/proofs/inclusion': ANY,
  'GET /api/v1/ledger/proofs/consistency': ANY,
  'GET /api/v1/ledger/entries': READERS,
  'GET /api/v1/ledger/events/:eventId': READERS,
  'GET /api/v1/ledger/export': READERS,
  'POST /api/v1/ledger/annotations': ['admin', 'operator'],
  // Policy: anyone may read what is in force; only admins change it (approvals: release management).
  'GET /api/v1/policy': ANY,
  'GET /api/v1/policy/versions': ANY,
  'GET /api/v1/policy/versions/:version': ANY,
  'POST /api/v1/policy/versions': ['admin'],
  'POST /api/v1/policy/decisions': ['admin', 'developer', 'operator', 'workload'],
  'GET /api/v1/policy/render/k8s': ['admin', 'operator'],
  // Registry: developers and admins bring artifacts in; approvers decide; operators promote.
  'POST /api/v1/artifacts': ['admin', 'developer'],
  'GET /api/v1/artifacts': ARTIFACT_READERS,
  'GET /api/v1/artifacts/:id': ARTIFACT_READERS,
  'POST /api/v1/artifacts/:id/signatures': ['admin', 'developer', 'approver'],
  'POST /api/v1/artifacts/:id/sbom': ['admin', 'developer'],
  'POST /api/v1/artifacts/:id/attestations': ['admin', 'developer'],
  'POST /api/v1/artifacts/:id/approvals': ['approver'],
  'POST /api/v1/artifacts/:id/rejection': ['admin', 'approver'],
  'POST /api/v1/artifacts/:id/quarantine': ['admin', 'approver', 'operator'],
  'POST /api/v1/artifacts/:id/promotions': ['admin', 'operator'],
  'POST /api/v1/artifacts/:id/review': ['approver'],
  'GET /api/v1/artifacts/:id/content': ANY,
  'GET /api/v1/artifacts/:id/attestations/:digest': ARTIFACT_READERS,
  // Anyone must be able to check an attestation without trusting us: the key is public.
  'GET /api/v1/registry/attestation-key': 'public',
  // Release management: developers propose and edit their changes (CI workloads may attach
  // evaluation evidence); approvers decide; operators deploy and roll back; everyone who works on
  // releases, auditors included, reads.
  'POST /api/v1/changes': ['admin', 'developer'],
  'GET /api/v1/changes': ARTIFACT_READERS,
  'GET /api/v1/changes/:id': ARTIFACT_READERS,
  'PATCH /api/v1/changes/:id': ['admin', 'developer'],
  'POST /api/v1/changes/:id/evaluations': ['admin', 'developer', 'workload'],
  'POST /api/v1/changes/:id/approvals': ['approver'],
  'POST /api/v1/changes/:id/rejection': ['admin', 'approver'],
  'POST /api/v1/changes/:id/withdrawal': ['admin', 'developer'],
  'POST /api/v1/changes/:id/deployments': ['operator'],
  'POST /api/v1/releases/rollback': ['operator'],
  'GET /api/v1/releases/active': ARTIFACT_READERS,
  'GET /api/v1/deployments': ARTIFACT_READERS,
  'GET /api/v1/deployments/:id/manifest': ARTIFACT_READERS,
  'GET /api/v1/components': ARTIFACT_READERS,
  'GET /api/v1/components/:kind/:name': ARTIFACT_READERS,
  'GET /api/v1/components/:kind/:name/diff': ARTIFACT_READERS,
  'GET /api/v1/lineage': ARTIFACT_READERS,
  // Incidents: operators (and admins) run them; auditors read them and their timelines. Kill
  // switches are readable by everyone, workloads included: the gateway obeys them.
  'POST /api/v1/incidents': ['admin', 'operator'],
  'GET /api/v1/incidents': ARTIFACT_READERS,
  'GET /api/v1/incidents/:id': ARTIFACT_READERS,
  'PATCH /api/v1/incidents/:id': ['admin', 'operator'],
  'POST /api/v1/incidents/:id/notifications': ['admin', 'operator'],
  'POST /api/v1/incidents/:id/rollbacks': ['operator'],
  'GET /api/v1/incidents/:id/timeline': ['admin', 'operator', 'auditor'],
  'POST /api/v1/kill-switches': ['admin', 'operator'],
  'GET /api/v1/kill-switches': ANY,
  'POST /api/v1/kill-switches/:id/release': ['admin', 'operator'],
  // Payload logs: written by the zone's workloads (debug captures by operators and admins); who
  // reads them is the zone's policy (logging.*.readers), decided in the service.
  'POST /api/v1/payloads': ['workload', 'operator', 'admin'],
  'GET /api/v1/payloads': ARTIFACT_READERS,
  'GET /api/v1/payloads/:id': ARTIFACT_READERS,
  // Reversible tokens: the zone's workloads tokenize; who may reveal is the zone's policy.
  'POST /api/v1/vault/tokenize': ['workload'],
  'POST /api/v1/vault/reveal': ['workload', 'operator', 'auditor', 'admin', 'approver', 'developer'],
  // OCI distribution: anyone may ask; the pull gate decides by zone, state and expiry. Pushing is
  // intake, for developers and admins. Deletion is refused for everyone.
  'GET /v2/': ANY,
  'GET /v2/token': ANY,
  'GET /v2/*': ANY,
  'POST /v2/*': ['admin', 'developer'],
  'PUT /v2/*': ['admin', 'developer'],
  'PATCH /v2/*': ['admin', 'developer'],
  'DELETE /v2/*': ['admin', 'developer'],
  // The admission webhook, on its own HTTPS listener: the Kubernetes API server calls it.
  'POST /admission/validate': 'public',
  'POST /admission/validate/:zone': 'public',
};

/** Looks up a route (as Fastify names it); HEAD follows GET, `*` entries match by prefix. */
export function accessFor(method: string, url: string): Access | undefined {
  const m = method === 'HEAD' ? 'GET' : method;
  const exact = PERMISSIONS[`${m} ${url}`];
  if (exact) return exact;
  for (const [key, access] of Object.entries(PERMISSIONS)) {
    if (key.endsWith('*') && `${m} ${url}`.startsWith(key.slice(0, -1))) return access;
  }
  return undefined;
}

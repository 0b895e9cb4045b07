// Row types of every table, shared by both dialects. Times are ISO-8601 UTC strings with
// milliseconds (fixed width, so they sort as text); JSON columns hold canonical JSON text;
// binary columns are Buffers (BLOB on SQLite, BYTEA on PostgreSQL).
import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';

export interface MetaTable {
  key: string;
  value: string;
}

export interface PrincipalsTable {
  id: string;
  name: string;
  kind: 'human' | 'service';
  roles: string; // JSON array of Role
  status: 'active' | 'disabled';
  /** OIDC principals: issuer and subject claim; NULL for local principals. */
  external_issuer: string | null;
  external_subject: string | null;
  created_at: string;
  created_by: string | null;
  updated_at: string;
  /** JSON array of zone names: the environments whose promoted artifacts it may pull. */
  zones: ColumnType<string, string | undefined, string>;
}

export interface ApiTokensTable {
  id: string;
  principal_id: string;
  name: string;
  /** SHA-256 of the whole token; the token itself is never stored. */
  token_hash: Buffer;
  /** First characters of the token, shown in listings so users can tell tokens apart. */
  hint: string;
  created_at: string;
  created_by: string | null;
  expires_at: string;
  revoked_at: string | null;
  revoked_by: string | null;
  /**
   * Who besides the owner could have used this token: the admin who minted it for someone else,
   * inherited by tokens minted with it. NULL when only the owner ever held it.
   */
  controlled_by: string | null;
}

export interface LedgerEntriesTable {
  /** Arrival order (queue position); the leaf index is `seq`, assigned when integrated. */
  id: Generated<number>;
  event_id: string;
  seq: number | null;
  leaf: Buffer;
  leaf_hash: Buffer;
  action: string;
  outcome: string;
  actor_id: string | null;
  target_type: string | null;
  target_id: string | null;
  request_id: string | null;
  occurred_at: string;
}

export interface LedgerNodesTable {
  level: number;
  idx: number;
  hash: Buffer;
}

export interface LedgerCheckpointsTable {
  size: number;
  root: Buffer;
  note: string;
  created_at: string;
}

export interface LedgerStateTable {
  id: number;
  size: number;
  frontier: Buffer;
  root: Buffer;
  updated_at: string;
}

export interface SubjectKeysTable {
  ref: string;
  /** HMAC of the subject id under the keyring's lookup key: finds a subject's key without storing the id. */
  lookup: string;
  /** The subject's data key wrapped by the keyring; NULL once shredded. */
  wrapped_key: Buffer | null;
  created_at: string;
  shredded_at: string | null;
}

export interface PolicyVersionsTable {
  version: number;
  digest: string;
  /** JSON array of { name, text }: the files exactly as submitted. */
  sources: string;
  note: string | null;
  created_at: string;
  created_by: string | null;
}

export interface ArtifactsTable {
  id: string;
  name: string;
  kind: string;
  digest: string;
  size: number;
  media_type: string;
  source: string;
  uploaded_by: string;
  uploaded_by_controller: string | null;
  state: string;
  revision: number;
  license: string | null;
  /** JSON object: model card / release metadata. */
  metadata: string;
  /** JSON array of zones the artifact may ever be promoted to. */
  environments: string;
  /** JSON array of { zone, at, by }: where it is promoted now. */
  promoted_to: string;
  expires_at: string | null;
  /** JSON: the scan summary (verdict, findings, report digest); NULL before scanning. */
  scan: string | null;
  /** JSON: the signature verification result; NULL when none was checked. */
  signature: string | null;
  /** JSON: SBOM digest and advisory matches; NULL without an SBOM. */
  sbom: string | null;
  /** JSON array of { predicateType, digest, issuedAt }: the in-toto attestations Evident issued about it. */
  attestations: string;
  created_at: string;
  updated_at: string;
}

export interface ArtifactApprovalsTable {
  artifact_id: string;
  principal_id: string;
  controlled_by: string | null;
  roles: string;
  revision: number;
  note: string | null;
  decided_at: string;
}

export interface OciRepoBlobsTable {
  repo: string;
  digest: string;
  size: number;
  created_at: string;
}

export interface OciManifestsTable {
  repo: string;
  digest: string;
  media_type: string;
  content: Buffer;
  artifact_type: string | null;
  subject: string | null;
  annotations: string;
  created_at: string;
}

export interface OciManifestRefsTable {
  repo: string;
  manifest: string;
  digest: string;
}

export interface OciTagsTable {
  repo: string;
  tag: string;
  digest: string;
  updated_at: string;
}

export interface ComponentsTable {
  id: string;
  kind: string;
  name: string;
  description: string | null;
  created_by: string;
  created_at: string;
}

export interface ComponentVersionsTable {
  id: string;
  component_id: string;
  version: number;
  /** sha256 of the spec's RFC 8785 JSON. */
  digest: string;
  /** JSON: the version's spec (artifacts, lineage, config, card). */
  spec: string;
  created_by: string;
  created_at: string;
}

export interface LineageEdgesTable {
  from_ref: string;
  to_ref: string;
  relation: string;
  created_at: string;
}

export interface ChangeRequestsTable {
  id: string;
  component_id: string;
  version_id: string;
  zone: string;
  /** The version active in the zone when the change was made (or last rebased): what its diff is against. */
  base_version_id: string | null;
  /** Policy changes: the digest of the policy in force when it was made (or rebased). */
  base_policy_digest: string | null;
  state: string;
  revision: number;
  title: string;
  /** 1 = emergency: deployable before approval, which is then due by approval_due_at. */
  emergency: number;
  reason: string | null;
  author: string;
  author_controller: string | null;
  /** JSON: the automated validation (checks with outcome). */
  validation: string;
  /** JSON: the evaluation evidence and its judgement against the zone's thresholds; NULL before any. */
  evaluation: string | null;
  approval_due_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ChangeApprovalsTable {
  change_id: string;
  principal_id: string;
  controlled_by: string | null;
  roles: string;
  revision: number;
  note: string | null;
  decided_at: string;
}

export interface DeploymentsTable {
  id: string;
  component_id: string;
  zone: string;
  /** Position in the (component, zone) history, from 1. */
  seq: number;
  action: string;
  version_id: string;
  previous_version_id: string | null;
  change_id: string | null;
  reason: string | null;
  deployed_by: string;
  deployed_at: string;
  policy_version: number;
  manifest_digest: string;
  /** The signed release manifest: a DSSE envelope over an in-toto statement. */
  manifest: string;
  /** The ledger event that recorded it. */
  event_id: string;
}

export interface IncidentsTable {
  id: string;
  title: string;
  description: string | null;
  severity: string;
  status: string;
  revision: number;
  detected_at: string;
  /** JSON: { components: [{ kind, name }], zones: [] }. */
  affected: string;
  /** JSON array of notification regimes that apply (see incidents/deadlines.ts). */
  regimes: string;
  opened_by: string;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
}

export interface IncidentNotificationsTable {
  incident_id: string;
  regime: string;
  authority: string;
  reference: string | null;
  notified_at: string;
  recorded_by: string;
}

export interface KillSwitchesTable {
  id: string;
  scope: string;
  /** `kind/name@zone` (deployment), the provider name, or the zone name. */
  target: string;
  incident_id: string | null;
  reason: string;
  engaged_by: string;
  engaged_at: string;
  released_by: string | null;
  released_at: string | null;
  /** `scope:target` while engaged, NULL once released: one engaged switch per target. */
  engaged: string | null;
}

export interface PayloadLogsTable {
  id: string;
  zone: string;
  /** prompt, response, document, tool-call, or debug. */
  kind: string;
  request_id: string | null;
  written_by: string;
  /** JSON array of data classes the writer declared plus those derived from what was redacted. */
  data_classes: string;
  /** JSON object: entity type -> number of spans redacted. */
  redactions: string;
  size: number;
  /** The record's AES-256 key, wrapped by the keyring with the record id as context. */
  wrapped_key: Buffer;
  /** iv (12) || AES-256-GCM ciphertext of the redacted text || tag (16); AAD = id|zone|kind. */
  ciphertext: Buffer;
  created_at: string;
  expires_at: string;
}

export interface VaultTokensTable {
  zone: string;
  /** `[[TYPE:…]]`, deterministic per zone and value (a keyed hash), so joins still work. */
  token: string;
  type: string;
  wrapped_key: Buffer;
  /** iv || AES-256-GCM(original value) || tag; AAD = zone|token. */
  ciphertext: Buffer;
  created_at: string;
  expires_at: string;
}

export interface DB {
  evident_meta: MetaTable;
  principals: PrincipalsTable;
  api_tokens: ApiTokensTable;
  ledger_entries: LedgerEntriesTable;
  ledger_nodes: LedgerNodesTable;
  ledger_checkpoints: LedgerCheckpointsTable;
  ledger_state: LedgerStateTable;
  subject_keys: SubjectKeysTable;
  policy_versions: PolicyVersionsTable;
  artifacts: ArtifactsTable;
  artifact_approvals: ArtifactApprovalsTable;
  oci_repo_blobs: OciRepoBlobsTable;
  oci_manifests: OciManifestsTable;
  oci_manifest_refs: OciManifestRefsTable;
  oci_tags: OciTagsTable;
  components: ComponentsTable;
  component_versions: ComponentVersionsTable;
  lineage_edges: LineageEdgesTable;
  change_requests: ChangeRequestsTable;
  change_approvals: ChangeApprovalsTable;
  deployments: DeploymentsTable;
  incidents: IncidentsTable;
  incident_notifications: IncidentNotificationsTable;
  kill_switches: KillSwitchesTable;
  payload_logs: PayloadLogsTable;
  vault_tokens: VaultTokensTable;
}

/** What every store method takes: the database or a transaction on it. */
export type Executor = Kysely<DB> | Transaction<DB>;

declare const inTransaction: unique symbol;
/**
 * A connection inside a transaction opened by `database.transact`. Functions that must run in the
 * caller's transaction (ledger.append) take a Tx, so they cannot be handed the bare database.
 */
export type Tx = Kysely<DB> & { readonly [inTransaction]: true };

export type Dialect = 'sqlite' | 'postgres';

// Keep ColumnType referenced for future computed columns without an unused-import error.
export type _Unused = ColumnType<never>;

// The artifact record as the API shows it, and the pure decisions made on it: the pull gate's
// reasons, expiry, what a source URL may keep, how prompt templates are checked.
import { readFile, stat } from 'node:fs/promises';
import { checkChatTemplate } from '../scan/gguf-template.js';
import { worstVerdict, type ScanResult } from '../scan/types.js';
import type { ArtifactRow } from './store.js';
import type { Artifact, ArtifactKind, ArtifactState, ScanSummary, SignatureSummary } from './schema.js';

const MAX_TEMPLATE_BYTES = 1 << 20;

/** Source URLs go into the permanent record: credentials (userinfo, query tokens) never do. */
export function scrubSource(s: string): string {
  try {
    const u = new URL(s);
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    return u.toString();
  } catch {
    return s; // not a URL: a free-text description
  }
}

export function toArtifact(r: ArtifactRow, approvals: { principal_id: string; revision: number; decided_at: string; note: string | null }[], now: Date): Artifact {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind as ArtifactKind,
    digest: r.digest,
    size: r.size,
    mediaType: r.media_type,
    source: r.source,
    uploadedBy: r.uploaded_by,
    state: r.state as ArtifactState,
    revision: r.revision,
    license: r.license,
    metadata: JSON.parse(r.metadata) as Record<string, unknown>,
    environments: JSON.parse(r.environments) as string[],
    promotedTo: JSON.parse(r.promoted_to) as Artifact['promotedTo'],
    expiresAt: r.expires_at,
    expired: isExpired(r, now),
    scan: r.scan ? (JSON.parse(r.scan) as ScanSummary) : null,
    signature: r.signature ? (JSON.parse(r.signature) as SignatureSummary) : null,
    sbom: r.sbom ? (JSON.parse(r.sbom) as Artifact['sbom']) : null,
    attestations: JSON.parse(r.attestations) as Artifact['attestations'],
    approvals: approvals.map((a) => ({ principalId: a.principal_id, revision: a.revision, decidedAt: a.decided_at, note: a.note })),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Why `zones` may not pull this artifact now, or null when they may. */
export function pullRefusal(r: ArtifactRow | undefined, zones: readonly string[], now: Date, what: string): string | null {
  if (!r) return `${what} is not an artifact that passed intake`;
  if (r.state !== 'promoted') return `${r.name}@${r.digest} is ${r.state}, not promoted: only promoted artifacts can be pulled`;
  if (isExpired(r, now)) return `${r.name}@${r.digest} expired at ${r.expires_at}; an approver must review it before it can be pulled again`;
  const promotedTo = (JSON.parse(r.promoted_to) as Artifact['promotedTo']).map((p) => p.zone);
  if (!promotedTo.some((z) => zones.includes(z))) return `${r.name}@${r.digest} is promoted to ${promotedTo.join(', ')}; the caller belongs to ${zones.length ? zones.join(', ') : 'no zone'}`;
  return null;
}

export function isExpired(r: Pick<ArtifactRow, 'expires_at'>, now: Date): boolean {
  return r.expires_at !== null && Date.parse(r.expires_at) <= now.getTime();
}


/** Prompt templates are code a server renders: checked for sandbox escapes (Jinja2 SSTI). */
export async function templateChecks(paths: { path: string; name: string }[]): Promise<ScanResult[]> {
  const out: ScanResult[] = [];
  for (const p of paths) {
    const size = (await stat(p.path)).size;
    if (size > MAX_TEMPLATE_BYTES) {
      out.push({ path: p.name, format: 'prompt-template', verdict: 'suspicious', findings: [{ rule: 'template-too-large', severity: 'suspicious', detail: `${size} bytes: too large to review as a template` }] });
      continue;
    }
    const findings = checkChatTemplate(p.name, await readFile(p.path, 'utf8'));
    out.push({ path: p.name, format: 'prompt-template', verdict: worstVerdict(findings), findings });
  }
  return out;
}

// The registry service: controlled intake. An artifact is received (content stored by digest),
// scanned, its signature verified, approved by someone other than its uploader, and promoted to a
// zone; only then may a principal of that zone pull it, and never past its expiry. Each move is a
// compare-and-set on the record's revision plus its ledger event, in one transaction; each refusal
// is recorded after the refused transaction rolled back.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Database } from '../db/database.js';
import type { Tx } from '../db/tables.js';
import type { LedgerService } from '../ledger/service.js';
import type { DenialRecorder } from '../identity/denials.js';
import { DENIAL_CODES, auditReason, recordDenialOf } from '../identity/denials.js';
import { envelopeOf, type RequestContext } from '../identity/context.js';
import { authorCannotApprove, distinctApprovers, enforceSod } from '../identity/sod.js';
import type { Role } from '../identity/roles.js';
import { AppError, conflict, isAppError, notFound } from '../errors.js';
import { uuidv7 } from '../util/ids.js';
import { canonicalBytes } from '../util/canonical-json.js';
import type { BlobStore } from './blob-store.js';
import type { ArtifactRow, RegistryStore } from './store.js';
import { isExpired, pullRefusal, scrubSource, templateChecks, toArtifact } from './artifact-record.js';
import { ARTIFACT_KINDS, IntakeMetadataSchema, TRANSITIONS, type Artifact, type ArtifactKind, type ArtifactState, type IntakeMetadata, type ScanSummary, type SignatureSummary } from './schema.js';
import type { ScanResult } from '../scan/types.js';
import type { Zone } from '../policy/model.js';
import { imageKey, type ArtifactStatus } from '../policy/decide.js';
import { promotionChecks } from './promotion.js';
import type { SbomAuditor } from './sbom-intake.js';
import type { AttestationCheck } from './signatures.js';
import type { Signer } from '../signing/keys.js';
import { issueAttestation, EVIDENT_APPROVAL_V1, EVIDENT_SCAN_V1 } from '../signing/intoto.js';

export interface RegistryOptions {
  /** Distinct approvers (role `approver`, never the uploader) an artifact needs. */
  approvalsRequired: number;
  /** Approval needs a verified signature (default); off, a scanned artifact may be approved. */
  requireSignature: boolean;
}

/** What the registry needs from the rest of the product (wired in main.ts). */
export interface RegistryDeps {
  database: Database;
  store: RegistryStore;
  blobs: BlobStore;
  ledger: Pick<LedgerService, 'append' | 'record'>;
  denials: DenialRecorder;
  /** Scans stored content by path (src/scan). */
  scan: (path: string) => Promise<ScanResult>;
  /** Zones of the policy in force: promotion targets, with what each asks of artifacts. */
  zones: () => Promise<ReadonlyMap<string, Zone>>;
  /** Signs the in-toto attestations Evident issues about artifacts (scan results, approvals). */
  attestations: Signer;
  /** Audits SBOMs against the offline advisory database. */
  sbom: SbomAuditor;
  options: RegistryOptions;
  now?: () => Date;
}

export function createRegistryService(deps: RegistryDeps) {
  const { database, store, blobs, ledger } = deps;
  const now = deps.now ?? (() => new Date());
  const ref = (r: ArtifactRow) => ({ artifactId: r.id, name: r.name, digest: r.digest });

  /**
   * Runs a refusable operation; a refusal is recorded after its transaction rolled back: auth and
   * separation-of-duties refusals as auth.denied, the others (wrong state, stale revision,
   * expired, not permitted) as artifact.refused with the reason.
   */
  async function recordRefusal(ctx: RequestContext, operation: string, target: { id?: string; name?: string; digest?: string }, e: AppError): Promise<void> {
    if (DENIAL_CODES.has(e.code)) return recordDenialOf(deps.denials, ctx, `registry.${operation}`, e, target.id ? { type: 'artifact', id: target.id } : undefined);
    await ledger.record({
      action: 'artifact.refused',
      outcome: 'denied',
      ...envelopeOf(ctx),
      reason: auditReason(e).slice(0, 2000),
      ...(target.id ? { target: { type: 'artifact', id: target.id } } : {}),
      body: {
        operation,
        ...(target.id ? { artifactId: target.id } : {}),
        ...(target.name ? { name: target.name.slice(0, 255) } : {}),
        ...(target.digest && /^sha256:[0-9a-f]{64}$/u.test(target.digest) ? { digest: target.digest } : {}),
        code: ((e.details as { reason?: string } | undefined)?.reason ?? e.code).slice(0, 32),
      },
    });
  }

  async function refusing<T>(ctx: RequestContext, operation: string, target: { id?: string; name?: string; digest?: string }, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (isAppError(e) && e.status < 500) await recordRefusal(ctx, operation, target, e);
      throw e;
    }
  }

  /** The artifact, locked for the rest of the transaction: concurrent moves queue behind it. */
  async function load(tx: Tx | Database['db'], id: string): Promise<ArtifactRow> {
    const r = await store.lockArtifact(tx, id, database.dialect);
    if (!r) throw notFound('artifact', id);
    return r;
  }

  function mustMove(r: ArtifactRow, to: ArtifactState, why: string): void {
    if (!TRANSITIONS[r.state as ArtifactState].includes(to)) {
      throw conflict(`artifact ${r.name}@${r.digest.slice(0, 19)}… is ${r.state}; it cannot become ${to}${why ? ` (${why})` : ''}`, { state: r.state, wanted: to });
    }
  }

  async function move(tx: Tx, r: ArtifactRow, set: Partial<Omit<ArtifactRow, 'id' | 'revision'>>): Promise<void> {
    const ok = await store.updateArtifact(tx, r.id, r.revision, { ...set, updated_at: now().toISOString() });
    // Somebody else moved it between our read and our write: the caller decided on stale facts.
    if (!ok) throw conflict(`artifact ${r.id} changed while this request was deciding; read it again and retry`);
  }

  /**
   * Issues a signed in-toto attestation about the artifact (subject: its digest), stores the DSSE
   * envelope as a blob, and returns the entry to keep on the record.
   */
  async function attest(r: ArtifactRow, predicateType: string, predicate: Record<string, unknown>): Promise<{ predicateType: string; digest: string; issuedAt: string }> {
    const envelope = issueAttestation({ subject: [{ name: r.name, digest: { sha256: r.digest.slice(7) } }], predicateType, predicate }, deps.attestations);
    const bytes = Buffer.from(JSON.stringify(envelope));
    const stored = await blobs.putBytes(bytes);
    return { predicateType, digest: stored.digest, issuedAt: now().toISOString() };
  }
  const withAttestation = (r: Pick<ArtifactRow, 'attestations'>, a: { predicateType: string; digest: string; issuedAt: string; issuer?: string; builderId?: string }) => JSON.stringify([...(JSON.parse(r.attestations) as unknown[]), a]);

  async function view(id: string): Promise<Artifact> {
    const r = await store.artifactById(database.db, id);
    if (!r) throw notFound('artifact', id);
    return toArtifact(r, await store.approvals(database.db, id), now());
  }

  /** Records a new artifact (or returns the one already holding this name and content). */
  async function record(ctx: RequestContext, meta: IntakeMetadata, blob: { digest: string; size: number; mediaType: string }, via: 'api' | 'oci'): Promise<{ artifact: ArtifactRow; created: boolean }> {
    const parsed = IntakeMetadataSchema.safeParse(meta);
    if (!parsed.success) throw new AppError('VALIDATION_FAILED', parsed.error.issues.map((i) => `${i.path.join('.') || 'metadata'}: ${i.message}`).join('; '));
    const m = parsed.data;
    if (m.expiresAt && Date.parse(m.expiresAt) <= now().getTime()) throw new AppError('VALIDATION_FAILED', `expiresAt ${m.expiresAt} is in the past`);
    const uploader = ctx.principal?.id ?? `system:${ctx.system ?? 'system'}`;
    const at = now().toISOString();
    const row: ArtifactRow = {
      id: uuidv7(),
      name: m.name,
      kind: m.kind,
      digest: blob.digest,
      size: blob.size,
      media_type: blob.mediaType,
      source: scrubSource(m.source ?? `upload by ${uploader}`),
      uploaded_by: uploader,
      uploaded_by_controller: ctx.principal?.controlledBy ?? null,
      state: 'received',
      revision: 1,
      license: m.license ?? null,
      metadata: JSON.stringify(m.metadata ?? {}),
      environments: JSON.stringify([...new Set(m.environments)]),
      promoted_to: '[]',
      expires_at: m.expiresAt ? new Date(m.expiresAt).toISOString() : null,
      scan: null,
      signature: null,
      sbom: null,
      attestations: '[]',
      created_at: at,
      updated_at: at,
    };
    return database.transact(async (tx) => {
      if (!(await store.insertArtifact(tx, row))) {
        const existing = await store.artifactByNameDigest(tx, m.name, blob.digest);
        if (existing) return { artifact: existing, created: false };
        throw conflict(`artifact ${m.name}@${blob.digest} was being created concurrently; retry`);
      }
      await ledger.append(tx, {
        action: 'artifact.received',
        outcome: 'allowed',
        ...envelopeOf(ctx),
        target: { type: 'artifact', id: row.id },
        body: {
          ...ref(row),
          kind: row.kind,
          size: row.size,
          mediaType: row.media_type.slice(0, 255),
          source: row.source,
          ...(row.license ? { license: row.license } : {}),
          environments: JSON.parse(row.environments) as string[],
          ...(row.expires_at ? { expiresAt: row.expires_at } : {}),
          via,
        },
      });
      return { artifact: row, created: true };
    });
  }

  /**
   * Something a scan found inside an artifact that must be reviewed on its own (a GGUF chat
   * template is code a server renders): it enters intake as an artifact of its kind, linked to
   * where it came from, and is approved and promoted on its own.
   */
  async function intakeExtracted(ctx: RequestContext, from: ArtifactRow, x: { kind: string; name: string; content: string; sha256: string }): Promise<void> {
    const bytes = Buffer.from(x.content, 'utf8');
    const blob = await blobs.putBytes(bytes, `sha256:${x.sha256}`);
    const suffix = x.name.replace(/[^a-z0-9]+/gu, '-').replace(/^-+|-+$/gu, '') || 'extracted';
    const kind = (ARTIFACT_KINDS as readonly string[]).includes(x.kind) ? (x.kind as ArtifactKind) : 'prompt-template';
    const { artifact } = await record(
      ctx,
      {
        name: `${from.name}/${suffix}`.slice(0, 255),
        kind,
        source: `extracted from ${from.name}@${from.digest} (${x.name})`,
        mediaType: 'text/x-jinja2',
        environments: JSON.parse(from.environments) as string[],
        ...(from.license ? { license: from.license } : {}),
        ...(from.expires_at ? { expiresAt: from.expires_at } : {}),
        metadata: { extractedFrom: { artifactId: from.id, name: from.name, digest: from.digest, key: x.name } },
      },
      { ...blob, mediaType: 'text/x-jinja2' },
      'api',
    );
    if (artifact.state === 'received') await scanStored(ctx, artifact, [{ path: blobs.pathOf(blob.digest), name: x.name }]);
  }

  /** Scans the stored content and moves the artifact to scanned, or to quarantined when dangerous. */
  async function scanStored(ctx: RequestContext, r: ArtifactRow, paths: { path: string; name: string }[]): Promise<ArtifactRow> {
    const results: ScanResult[] = [];
    // Reports name the artifact's parts, never where the data dir keeps them.
    for (const p of paths) results.push({ ...(await deps.scan(p.path)), path: p.name });
    if (r.kind === 'prompt-template') results.push(...(await templateChecks(paths)));
    for (const x of results.flatMap((res) => res.extracted ?? [])) await intakeExtracted(ctx, r, x);
    const findings = results.flatMap((x) => x.findings.map((f) => ({ ...f, ...(paths.length > 1 ? { member: `${x.path}${f.member ? `/${f.member}` : ''}` } : {}) })));
    const verdict = results.some((x) => x.verdict === 'dangerous') ? 'dangerous' : results.some((x) => x.verdict === 'suspicious') ? 'suspicious' : 'safe';
    const report = { artifact: { name: r.name, digest: r.digest }, results };
    const summary: ScanSummary = {
      verdict,
      format: [...new Set(results.map((x) => x.format))].join('+') || 'none',
      reportDigest: `sha256:${createHash('sha256').update(canonicalBytes(report)).digest('hex')}`,
      findings: findings.slice(0, 500),
      scannedAt: now().toISOString(),
    };
    const to: ArtifactState = verdict === 'dangerous' ? 'quarantined' : 'scanned';
    const attestation = await attest(r, EVIDENT_SCAN_V1, { scanner: { name: 'evident', ruleset: 'scan/v1' }, verdict, format: summary.format, reportDigest: summary.reportDigest, findings: summary.findings, scannedAt: summary.scannedAt });
    return database.transact(async (tx) => {
      const cur = await load(tx, r.id);
      mustMove(cur, to, 'scanning happens once, at intake');
      const attestations = withAttestation(cur, attestation);
      await move(tx, cur, { state: to, scan: JSON.stringify(summary), attestations });
      await ledger.append(tx, {
        action: 'artifact.scanned',
        outcome: verdict === 'dangerous' ? 'denied' : 'allowed',
        ...envelopeOf(ctx),
        target: { type: 'artifact', id: r.id },
        body: { ...ref(cur), verdict, format: summary.format.slice(0, 64), reportDigest: summary.reportDigest, attestationDigest: attestation.digest, findings: findings.slice(0, 200).map((f) => ({ rule: f.rule.slice(0, 64), severity: f.severity })), to },
      });
      return { ...cur, state: to, revision: cur.revision + 1, scan: JSON.stringify(summary), attestations };
    });
  }

  /** Upload through the API: store by digest, record, scan. Idempotent for the same name and content. */
  async function intake(ctx: RequestContext, meta: IntakeMetadata, body: Readable | AsyncIterable<Uint8Array>, expectedDigest?: string): Promise<{ artifact: Artifact; created: boolean }> {
    const m = IntakeMetadataSchema.safeParse(meta);
    if (!m.success) throw new AppError('VALIDATION_FAILED', m.error.issues.map((i) => `${i.path.join('.') || 'metadata'}: ${i.message}`).join('; '));
    return refusing(ctx, 'intake', { name: m.data.name, ...(expectedDigest ? { digest: expectedDigest } : {}) }, async () => {
      const blob = await blobs.put(body, expectedDigest);
      const { artifact, created } = await record(ctx, meta, { ...blob, mediaType: m.data.mediaType ?? 'application/octet-stream' }, 'api');
      // Also an earlier upload that was recorded but never scanned (a crash in between).
      const scanned = artifact.state === 'received' ? await scanStored(ctx, artifact, [{ path: blobs.pathOf(blob.digest), name: m.data.name }]) : artifact;
      return { artifact: toArtifact(scanned, await store.approvals(database.db, scanned.id), now()), created };
    });
  }

  /** Records the result of checking a signature; a verified one moves a scanned artifact to verified. */
  async function recordSignature(ctx: RequestContext, id: string, result: SignatureSummary): Promise<Artifact> {
    return refusing(ctx, 'signature', { id }, async () => {
      await database.transact(async (tx) => {
        const cur = await load(tx, id);
        if (!['scanned', 'verified'].includes(cur.state)) throw conflict(`artifact ${id} is ${cur.state}; signatures are checked after scanning and before approval`);
        const to: ArtifactState = result.verified ? 'verified' : (cur.state as ArtifactState);
        // A failed check is recorded but never replaces a verified signature (anyone could
        // otherwise erase the evidence approvers relied on).
        if (result.verified || cur.state !== 'verified') await move(tx, cur, { state: to, signature: JSON.stringify(result) });
        await ledger.append(tx, {
          action: 'artifact.signature.checked',
          outcome: result.verified ? 'allowed' : 'denied',
          ...envelopeOf(ctx),
          target: { type: 'artifact', id },
          body: { ...ref(cur), format: result.format.slice(0, 64), verified: result.verified, signer: { identity: result.signer.identity?.slice(0, 1024) ?? null, keyId: result.signer.keyId?.slice(0, 128) ?? null }, reasons: result.reasons.slice(0, 20).map((s) => s.slice(0, 500)), to },
        });
      });
      return view(id);
    });
  }

  /**
   * Attaches an SBOM (CycloneDX JSON) before approval: stored by digest, audited against the
   * advisory database; the matches decide promotion into zones with an advisory threshold.
   */
  async function attachSbom(ctx: RequestContext, id: string, sbom: unknown): Promise<Artifact> {
    return refusing(ctx, 'sbom', { id }, async () => {
      const { summary, bytes } = deps.sbom.audit(sbom, now());
      await blobs.putBytes(bytes, summary.digest);
      await database.transact(async (tx) => {
        const cur = await load(tx, id);
        if (!['received', 'scanned', 'verified'].includes(cur.state)) throw conflict(`artifact ${id} is ${cur.state}; an SBOM is attached before approval, so approvers see what it says`);
        await move(tx, cur, { sbom: JSON.stringify(summary) });
        await ledger.append(tx, {
          action: 'artifact.sbom.audited',
          outcome: 'allowed',
          ...envelopeOf(ctx),
          target: { type: 'artifact', id },
          body: { ...ref(cur), sbomDigest: summary.digest, components: summary.components, highest: summary.highest, advisories: [...new Set(summary.matches.map((m) => m.advisoryId))].slice(0, 200).map((s) => s.slice(0, 64)) },
        });
      });
      return view(id);
    });
  }

  /**
   * Attaches an in-toto attestation someone else issued (SLSA provenance from a builder, an
   * evaluation report…) after checking it against the trusted keys and that its subject is this
   * artifact. Verified ones are kept with the record; every check is recorded.
   */
  async function attachAttestation(ctx: RequestContext, id: string, envelope: unknown, check: (a: Artifact) => AttestationCheck): Promise<Artifact> {
    return refusing(ctx, 'attestation', { id }, async () => {
      const result = check(await view(id));
      const bytes = Buffer.from(JSON.stringify(envelope));
      const stored = result.verified
        ? await blobs.putBytes(bytes)
        : null;
      await database.transact(async (tx) => {
        const cur = await load(tx, id);
        if (['rejected', 'quarantined'].includes(cur.state)) throw conflict(`artifact ${id} is ${cur.state}; nothing more is attached to it`);
        if (stored) {
          const entry = { predicateType: result.predicateType ?? 'unknown', digest: stored.digest, issuedAt: now().toISOString(), ...(result.issuer ? { issuer: result.issuer } : {}), ...(result.builderId ? { builderId: result.builderId } : {}) };
          await move(tx, cur, { attestations: withAttestation(cur, entry) });
        }
        await ledger.append(tx, {
          action: 'artifact.attested',
          outcome: result.verified ? 'allowed' : 'denied',
          ...envelopeOf(ctx),
          target: { type: 'artifact', id },
          body: {
            ...ref(cur),
            verified: result.verified,
            predicateType: (result.predicateType ?? 'unknown').slice(0, 256),
            ...(result.issuer ? { issuer: result.issuer.slice(0, 256) } : {}),
            ...(result.builderId ? { builderId: result.builderId.slice(0, 2048) } : {}),
            ...(stored ? { attestationDigest: stored.digest } : {}),
            reasons: result.reasons.slice(0, 20).map((r) => r.slice(0, 500)),
          },
        });
      });
      return view(id);
    });
  }

  async function approve(ctx: RequestContext, id: string, body: { note?: string | undefined; revision?: number | undefined; acceptFindings?: boolean | undefined }): Promise<Artifact> {
    return refusing(ctx, 'approve', { id }, async () => {
      const p = ctx.principal;
      if (!p?.roles.includes('approver')) throw new AppError('FORBIDDEN', 'approving an artifact needs the approver role', { requiredRoles: ['approver'] });
      await database.transact(async (tx) => {
        const cur = await load(tx, id);
        if (body.revision !== undefined && body.revision !== cur.revision) {
          throw conflict(`you reviewed revision ${body.revision} but the artifact is at revision ${cur.revision} (it changed since); review it again`);
        }
        const ready = deps.options.requireSignature ? ['verified'] : ['scanned', 'verified'];
        if (!ready.includes(cur.state)) {
          const why = cur.state === 'scanned' && deps.options.requireSignature ? 'it has no verified signature yet: attach one first' : `it is ${cur.state}`;
          throw conflict(`artifact ${id} cannot be approved: ${why}`, { state: cur.state });
        }
        if (isExpired(cur, now())) throw conflict(`artifact ${id} expired at ${cur.expires_at}; it must be reviewed (a new expiry) before approval`);
        const scan = cur.scan ? (JSON.parse(cur.scan) as ScanSummary) : null;
        const flagged = scan?.findings.filter((f) => f.severity !== 'safe').map((f) => f.rule) ?? [];
        if (scan?.verdict === 'suspicious' && !body.acceptFindings) {
          throw conflict(`the scan found suspicious content (${[...new Set(flagged)].join(', ')}); approve with acceptFindings: true if you reviewed and accept it`);
        }
        const author = authorCannotApprove(cur.uploaded_by, { principalId: p.id, controlledBy: p.controlledBy });
        // The uploader's own controller (an admin who minted the uploader's token) is an author too.
        enforceSod(author);
        if (cur.uploaded_by_controller) enforceSod(authorCannotApprove(cur.uploaded_by_controller, { principalId: p.id, controlledBy: p.controlledBy }));
        const inserted = await store.insertApproval(tx, {
          artifact_id: id,
          principal_id: p.id,
          controlled_by: p.controlledBy ?? null,
          roles: JSON.stringify(p.roles),
          revision: cur.revision,
          note: body.note ?? null,
          decided_at: now().toISOString(),
        });
        if (!inserted) throw conflict(`you already approved revision ${cur.revision} of artifact ${id}; another approver must`);
        const approvals = (await store.approvals(tx, id)).filter((a) => a.revision === cur.revision);
        const count = distinctApprovers({
          authorId: cur.uploaded_by,
          approvals: approvals.map((a) => ({ principalId: a.principal_id, roles: JSON.parse(a.roles) as Role[], controlledBy: a.controlled_by })),
          required: deps.options.approvalsRequired,
        });
        let attestation: { predicateType: string; digest: string; issuedAt: string } | undefined;
        if (count.satisfied) {
          // What was approved, by whom, on what evidence: signed, so it can be checked without us.
          const sig = cur.signature ? (JSON.parse(cur.signature) as SignatureSummary) : null;
          attestation = await attest(cur, EVIDENT_APPROVAL_V1, {
            revision: cur.revision,
            approvers: count.approverIds,
            required: deps.options.approvalsRequired,
            sod: [author, count],
            scan: scan ? { verdict: scan.verdict, reportDigest: scan.reportDigest } : null,
            signature: sig ? { verified: sig.verified, signer: sig.signer } : null,
            sbom: cur.sbom ? { digest: (JSON.parse(cur.sbom) as { digest: string }).digest } : null,
            license: cur.license,
            environments: JSON.parse(cur.environments) as string[],
            expiresAt: cur.expires_at,
            acceptedFindings: flagged,
            approvedAt: now().toISOString(),
          });
          await move(tx, cur, { state: 'approved', attestations: withAttestation(cur, attestation) });
        }
        await ledger.append(tx, {
          action: 'artifact.approved',
          outcome: 'allowed',
          ...envelopeOf(ctx),
          target: { type: 'artifact', id },
          body: {
            ...ref(cur),
            revision: cur.revision,
            sod: [author, count],
            complete: count.satisfied,
            ...(flagged.length ? { acceptedFindings: flagged.slice(0, 200) } : {}),
            ...(attestation ? { attestationDigest: attestation.digest } : {}),
          },
        });
      });
      return view(id);
    });
  }

  /** Rejection and quarantine: exits from intake, with the reason on record. */
  function exit(to: 'rejected' | 'quarantined') {
    return (ctx: RequestContext, id: string, reason: string): Promise<Artifact> =>
      refusing(ctx, to === 'rejected' ? 'reject' : 'quarantine', { id }, async () => {
        await database.transact(async (tx) => {
          const cur = await load(tx, id);
          mustMove(cur, to, '');
          await move(tx, cur, { state: to });
          await ledger.append(tx, {
            action: to === 'rejected' ? 'artifact.rejected' : 'artifact.quarantined',
            outcome: 'allowed',
            ...envelopeOf(ctx),
            reason: reason.slice(0, 2000),
            target: { type: 'artifact', id },
            body: { ...ref(cur), from: cur.state as ArtifactState },
          });
        });
        return view(id);
      });
  }

  async function promote(ctx: RequestContext, id: string, zone: string): Promise<Artifact> {
    return refusing(ctx, 'promote', { id }, async () => {
      const zones = await deps.zones();
      await database.transact(async (tx) => {
        const cur = await load(tx, id);
        mustMove(cur, 'promoted', 'only approved artifacts are promoted');
        const envs = JSON.parse(cur.environments) as string[];
        const z = zones.get(zone);
        if (!z) throw new AppError('VALIDATION_FAILED', `zone ${JSON.stringify(zone)} is not defined by the policy in force`);
        if (!envs.includes(zone)) throw conflict(`artifact ${id} is permitted in ${envs.length ? envs.join(', ') : 'no zone'}, not ${zone}; permitted environments are set at intake and approved with the artifact`);
        if (isExpired(cur, now())) throw conflict(`artifact ${id} expired at ${cur.expires_at}; it must be reviewed before promotion`);
        const promoted = JSON.parse(cur.promoted_to) as Artifact['promotedTo'];
        if (promoted.some((p) => p.zone === zone)) return;
        const zoneChecks = promotionChecks(cur, z, now());
        if (zoneChecks.failed.length) throw conflict(`artifact ${id} cannot be promoted to ${zone}: ${zoneChecks.failed.join('; ')}`, { failed: zoneChecks.failed });
        const by = ctx.principal?.id ?? `system:${ctx.system ?? 'system'}`;
        promoted.push({ zone, at: now().toISOString(), by });
        await move(tx, cur, { state: 'promoted', promoted_to: JSON.stringify(promoted) });
        const checks = [`state ${cur.state}`, `zone ${zone} in permitted environments`, cur.expires_at ? `unexpired until ${cur.expires_at}` : 'no expiry set', `scan ${cur.scan ? (JSON.parse(cur.scan) as ScanSummary).verdict : 'none'}`, ...zoneChecks.passed];
        await ledger.append(tx, { action: 'artifact.promoted', outcome: 'allowed', ...envelopeOf(ctx), target: { type: 'artifact', id }, body: { ...ref(cur), zone, checks: checks.slice(0, 20).map((c) => c.slice(0, 200)) } });
      });
      return view(id);
    });
  }

  /** A review sets a new expiry (or review date); like approval, never by the uploader. */
  async function review(ctx: RequestContext, id: string, expiresAt: string, note?: string): Promise<Artifact> {
    return refusing(ctx, 'review', { id }, async () => {
      const p = ctx.principal;
      if (!p?.roles.includes('approver')) throw new AppError('FORBIDDEN', 'reviewing an artifact needs the approver role', { requiredRoles: ['approver'] });
      if (Date.parse(expiresAt) <= now().getTime()) throw new AppError('VALIDATION_FAILED', `expiresAt ${expiresAt} is in the past`);
      const zones = await deps.zones();
      await database.transact(async (tx) => {
        const cur = await load(tx, id);
        if (['rejected', 'quarantined'].includes(cur.state)) throw conflict(`artifact ${id} is ${cur.state}; there is nothing to review`);
        const sod = authorCannotApprove(cur.uploaded_by, { principalId: p.id, controlledBy: p.controlledBy });
        enforceSod(sod);
        if (cur.uploaded_by_controller) enforceSod(authorCannotApprove(cur.uploaded_by_controller, { principalId: p.id, controlledBy: p.controlledBy }));
        const to = new Date(expiresAt).toISOString();
        // A review may not set a date the zones it is promoted to would refuse.
        for (const pr of JSON.parse(cur.promoted_to) as Artifact['promotedTo']) {
          const days = zones.get(pr.zone)?.artifacts.maxReviewDays;
          if (days && Date.parse(to) > now().getTime() + days * 86_400_000) throw conflict(`zone ${pr.zone} requires a review within ${days} days; choose an expiry before ${new Date(now().getTime() + days * 86_400_000).toISOString()}`);
        }
        await move(tx, cur, { expires_at: to });
        await ledger.append(tx, {
          action: 'artifact.reviewed',
          outcome: 'allowed',
          ...envelopeOf(ctx),
          ...(note ? { reason: note.slice(0, 2000) } : {}),
          target: { type: 'artifact', id },
          body: { ...ref(cur), expiresAt: { from: cur.expires_at, to }, sod },
        });
      });
      return view(id);
    });
  }

  /**
   * The pull gate: promoted, to a zone the caller belongs to, unexpired. Decided and recorded for
   * every manifest or API content pull, allowed or not.
   */
  async function authorizePull(ctx: RequestContext, q: { name: string; digest: string | null; reference: string }): Promise<ArtifactRow> {
    const zones = ctx.principal?.zones ?? [];
    const r = q.digest ? await store.artifactByNameDigest(database.db, q.name, q.digest) : undefined;
    const refusal = pullRefusal(r, zones, now(), `${q.name}:${q.reference}`);
    await ledger.record({
      action: 'artifact.pulled',
      outcome: refusal ? 'denied' : 'allowed',
      ...envelopeOf(ctx),
      ...(refusal ? { reason: refusal } : {}),
      ...(r ? { target: { type: 'artifact', id: r.id } } : {}),
      body: { artifactId: r?.id ?? null, name: q.name.slice(0, 255), digest: r?.digest ?? null, reference: q.reference.slice(0, 160), zones: zones.slice(0, 100), allowed: !refusal },
    });
    if (refusal) throw new AppError('FORBIDDEN', refusal, { reason: 'DENIED' });
    return r!;
  }

  /** The registry's view of images by repository and digest, for admission and placement decisions. */
  /** The registry's view of artifacts; `tx` lets a caller's transaction read them (SQLite has one writer connection). */
  async function statusOf(refs: readonly { repository: string; digest: string }[], tx: Tx | Database['db'] = database.db): Promise<Map<string, ArtifactStatus>> {
    const out = new Map<string, ArtifactStatus>();
    const at = now();
    for (const ref of refs.slice(0, 200)) {
      const key = imageKey(ref.repository, ref.digest);
      if (out.has(key)) continue;
      const r = await store.artifactByNameDigest(tx, ref.repository, ref.digest);
      if (!r) continue;
      const sig = r.signature ? (JSON.parse(r.signature) as SignatureSummary) : null;
      out.set(key, { id: r.id, state: r.state, promotedTo: (JSON.parse(r.promoted_to) as Artifact['promotedTo']).map((p) => p.zone), expired: isExpired(r, at), signed: !!sig?.verified });
    }
    return out;
  }

  async function list(f: { state?: ArtifactState | undefined; name?: string | undefined; kind?: ArtifactKind | undefined; pendingApproval?: boolean | undefined }): Promise<Artifact[]> {
    const states = f.pendingApproval ? (deps.options.requireSignature ? ['verified'] : ['scanned', 'verified']) : undefined;
    const rows = await store.listArtifacts(database.db, { state: f.state, name: f.name, kind: f.kind, ...(states ? { states } : {}) });
    const at = now();
    return Promise.all(rows.map(async (r) => toArtifact(r, await store.approvals(database.db, r.id), at)));
  }

  return {
    intake,
    record,
    scanStored,
    recordSignature,
    attachSbom,
    attachAttestation,
    approve,
    reject: exit('rejected'),
    quarantine: exit('quarantined'),
    promote,
    review,
    authorizePull,
    get: view,
    list,
    statusOf,
    refusing,
    recordRefusal,
    blobs,
  };
}

export type RegistryService = ReturnType<typeof createRegistryService>;

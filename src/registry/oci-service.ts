// The OCI distribution side of the registry: upload sessions, blobs per repository, manifests and
// tags. A pushed manifest enters intake as an artifact (name = repository, digest = manifest
// digest) and is scanned; referrers (signatures, SBOMs) are scanned and refused unless safe; pulls
// go through the registry's pull gate.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Database } from '../db/database.js';
import type { RequestContext } from '../identity/context.js';
import { AppError } from '../errors.js';
import type { BlobStore, UploadSession } from './blob-store.js';
import { DigestMismatchError } from './blob-store.js';
import type { ArtifactRow, RegistryStore, ManifestRow } from './store.js';
import type { RegistryService } from './service.js';
import { pullRefusal } from './artifact-record.js';
import { OciError, intakeAnnotations, kindOf, parseManifest, type ParsedManifest } from './oci-manifest.js';
import { IntakeMetadataSchema } from './schema.js';
import type { ScanResult } from '../scan/types.js';

export const TAG_RE = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/u;
const PUSHERS = ['admin', 'developer'];
/** Idle upload sessions are dropped (and their temp files removed) after this long. */
const SESSION_IDLE_MS = 60 * 60_000;
/** Open upload sessions one principal may hold at once. */
const SESSIONS_PER_PRINCIPAL = 64;
/** index → manifest → blob: how far a pull decision walks up from what is asked for. */
const MAX_PARENT_DEPTH = 3;

interface SessionMeta {
  repo: string;
  principal: string | null;
  session: UploadSession;
  busy: boolean;
  touched: number;
}

export function createOciService(deps: { database: Database; store: RegistryStore; blobs: BlobStore; registry: RegistryService; scan: (path: string) => Promise<ScanResult>; now?: () => Date }) {
  const { database, store, blobs, registry } = deps;
  const now = deps.now ?? (() => new Date());
  // Upload sessions live with this process: a client whose session is gone starts again (the spec
  // lets a registry forget sessions); idle ones expire, and temp files are swept at start-up.
  const sessions = new Map<string, SessionMeta>();
  const sweeper = setInterval(() => void expireSessions(), 60_000);
  sweeper.unref();

  const isPusher = (ctx: RequestContext) => !!ctx.principal?.roles.some((r) => PUSHERS.includes(r));

  async function expireSessions(): Promise<void> {
    const cutoff = Date.now() - SESSION_IDLE_MS;
    for (const [id, s] of sessions) {
      if (!s.busy && s.touched < cutoff) {
        sessions.delete(id);
        await blobs.cancel(s.session).catch(() => undefined);
      }
    }
  }

  function sessionFor(ctx: RequestContext, repo: string, id: string): SessionMeta {
    const s = sessions.get(id);
    if (!s || s.repo !== repo || s.principal !== (ctx.principal?.id ?? null)) throw new OciError('NOT_FOUND', 'BLOB_UPLOAD_UNKNOWN', `upload ${id} is not known for ${repo}; start a new upload`);
    return s;
  }

  async function withSession<T>(s: SessionMeta, fn: () => Promise<T>): Promise<T> {
    if (s.busy) throw new OciError('VALIDATION_FAILED', 'BLOB_UPLOAD_INVALID', 'another request is writing to this upload; chunks must be sent one after another');
    s.busy = true;
    try {
      return await fn();
    } finally {
      s.busy = false;
      s.touched = Date.now();
    }
  }

  /**
   * The promoted artifact through which the caller may pull `digest` (a manifest, a child
   * manifest or a blob) from `repo`, or null: its own artifact, its subject's (referrers), or that
   * of a manifest referencing it (an index for its children, a manifest for its blobs), walking
   * up at most MAX_PARENT_DEPTH levels and a bounded number of manifests. Not recorded.
   */
  async function reachableVia(ctx: RequestContext, repo: string, digest: string, depth = MAX_PARENT_DEPTH, seen = new Set<string>()): Promise<ArtifactRow | null> {
    const zones = ctx.principal?.zones ?? [];
    const ok = (a: ArtifactRow | undefined): a is ArtifactRow => pullRefusal(a, zones, now(), digest) === null;
    if (seen.has(digest) || seen.size > 256) return null;
    seen.add(digest);
    const own = await store.artifactByNameDigest(database.db, repo, digest);
    if (ok(own)) return own;
    const m = await store.manifest(database.db, repo, digest);
    if (m?.subject) {
      const s = await store.artifactByNameDigest(database.db, repo, m.subject);
      if (ok(s)) return s;
    }
    for (const a of await store.promotedOwners(database.db, repo, digest)) if (ok(a)) return a;
    if (depth <= 1) return null;
    for (const parent of await store.parents(database.db, repo, digest)) {
      const via = await reachableVia(ctx, repo, parent, depth - 1, seen);
      if (via) return via;
    }
    return null;
  }

  /** The artifact a refusal is best explained by: the manifest's own, else its subject's. */
  async function decisionTarget(repo: string, digest: string): Promise<string> {
    const m = await store.manifest(database.db, repo, digest);
    return m?.subject ?? digest;
  }

  async function linkBlob(repo: string, digest: string, size: number): Promise<void> {
    await database.transact((tx) => store.linkBlob(tx, repo, digest, size, now().toISOString()));
  }

  /** Intake metadata from annotations, checked before anything is stored. */
  function metadataOf(repo: string, m: ParsedManifest) {
    const meta = { name: repo, kind: kindOf(m), mediaType: m.mediaType, ...intakeAnnotations(m) };
    const parsed = IntakeMetadataSchema.safeParse(meta);
    if (!parsed.success) {
      const i = parsed.error.issues[0]!;
      throw new OciError('VALIDATION_FAILED', 'MANIFEST_INVALID', `intake annotation ${i.path.join('.') || '(manifest)'}: ${i.message}`);
    }
    if (parsed.data.expiresAt && Date.parse(parsed.data.expiresAt) <= now().getTime()) throw new OciError('VALIDATION_FAILED', 'MANIFEST_INVALID', `dev.evident.expires-at ${parsed.data.expiresAt} is in the past`);
    return meta;
  }

  /** Blobs to scan for a manifest: its own, or for an index every child's. */
  async function contentOf(repo: string, m: ParsedManifest): Promise<{ path: string; name: string }[]> {
    const own = m.blobs.map((b, i) => ({ path: blobs.pathOf(b.digest), name: i === 0 ? `config ${b.digest}` : `layer ${i - 1} ${b.digest}` }));
    const children: { path: string; name: string }[] = [];
    for (const c of m.children) {
      const row = await store.manifest(database.db, repo, c);
      if (!row) continue;
      for (const [i, b] of parseManifest(row.content, row.media_type).blobs.entries()) children.push({ path: blobs.pathOf(b.digest), name: `${c} ${i === 0 ? 'config' : `layer ${i - 1}`} ${b.digest}` });
    }
    return [...own, ...children];
  }

  return {
    startUpload(ctx: RequestContext, repo: string): SessionMeta {
      const who = ctx.principal?.id ?? null;
      let open = 0;
      for (const s of sessions.values()) if (s.principal === who) open++;
      if (open >= SESSIONS_PER_PRINCIPAL) throw new OciError('RATE_LIMITED', 'TOOMANYREQUESTS', `you have ${open} uploads open; finish or cancel some first`);
      const session = blobs.startUpload();
      const meta = { repo, principal: who, session, busy: false, touched: Date.now() };
      sessions.set(session.id, meta);
      return meta;
    },
    sessionFor,
    async appendChunk(ctx: RequestContext, repo: string, id: string, body: Readable, contentRange: string | undefined): Promise<SessionMeta> {
      const s = sessionFor(ctx, repo, id);
      return withSession(s, async () => {
        if (contentRange) {
          const m = /^(\d+)-(\d+)$/u.exec(contentRange.trim());
          if (!m || Number(m[1]) !== s.session.size) {
            const e = new OciError('VALIDATION_FAILED', 'RANGE_NOT_SATISFIABLE', `Content-Range ${contentRange} does not start at the upload's current size ${s.session.size}`);
            Object.assign(e.details as object, { location: `/v2/${repo}/blobs/uploads/${id}`, size: s.session.size });
            throw e;
          }
        }
        await blobs.append(s.session, body);
        return s;
      });
    },
    async finishUpload(ctx: RequestContext, repo: string, id: string, body: Readable | null, digest: string): Promise<{ digest: string; size: number }> {
      const s = sessionFor(ctx, repo, id);
      return withSession(s, async () => {
        if (body) await blobs.append(s.session, body);
        sessions.delete(id);
        try {
          const info = await blobs.commit(s.session, digest);
          await linkBlob(repo, info.digest, info.size);
          return info;
        } catch (e) {
          await blobs.cancel(s.session);
          if (e instanceof DigestMismatchError) throw new OciError('VALIDATION_FAILED', 'DIGEST_INVALID', e.message);
          throw e;
        }
      });
    },
    async cancelUpload(ctx: RequestContext, repo: string, id: string): Promise<void> {
      const s = sessionFor(ctx, repo, id);
      sessions.delete(id);
      await blobs.cancel(s.session);
    },
    async monolithic(repo: string, body: Readable, digest: string): Promise<{ digest: string; size: number }> {
      try {
        const info = await blobs.put(body, digest);
        await linkBlob(repo, info.digest, info.size);
        return info;
      } catch (e) {
        if (e instanceof DigestMismatchError) throw new OciError('VALIDATION_FAILED', 'DIGEST_INVALID', e.message);
        throw e;
      }
    },
    /**
     * Cross-repository mount of a blob the source repository holds. Whatever is mounted is
     * scanned again when a manifest referencing it is pushed: a mount never skips intake.
     */
    async mount(repo: string, digest: string, from: string): Promise<boolean> {
      const b = await store.repoBlob(database.db, from, digest);
      if (!b || !(await blobs.stat(digest))) return false;
      await linkBlob(repo, digest, b.size);
      return true;
    },
    /** For HEAD/GET of a blob: present in this repository and on disk. */
    async blobInRepo(repo: string, digest: string) {
      const b = await store.repoBlob(database.db, repo, digest);
      if (!b) return null;
      return blobs.stat(digest);
    },
    /** A blob is served only through something the caller may pull; a refusal is recorded. */
    async authorizeBlob(ctx: RequestContext, repo: string, digest: string): Promise<void> {
      if (await reachableVia(ctx, repo, digest)) return;
      const parents = await store.parents(database.db, repo, digest);
      await registry.authorizePull(ctx, { name: repo, digest: parents[0] ? await decisionTarget(repo, parents[0]) : null, reference: digest });
      throw new OciError('FORBIDDEN', 'DENIED', `blob ${digest} is not part of anything you may pull from ${repo}`);
    },
    /** The pull gate for a manifest (an index's children through their index), recorded either way. */
    async authorizeManifest(ctx: RequestContext, repo: string, digest: string, reference: string): Promise<void> {
      const via = await reachableVia(ctx, repo, digest);
      await registry.authorizePull(ctx, { name: repo, digest: via ? via.digest : await decisionTarget(repo, digest), reference });
    },
    /** A pull of something that does not exist, decided (and recorded) like any other refusal. */
    async refuseUnknown(ctx: RequestContext, repo: string, reference: string): Promise<never> {
      await registry.authorizePull(ctx, { name: repo, digest: null, reference });
      throw new OciError('NOT_FOUND', 'MANIFEST_UNKNOWN', `manifest ${reference} is not in ${repo}`);
    },
    async resolve(repo: string, reference: string): Promise<ManifestRow | null> {
      const digest = reference.startsWith('sha256:') ? reference : (await store.tag(database.db, repo, reference))?.digest;
      if (!digest) return null;
      return (await store.manifest(database.db, repo, digest)) ?? null;
    },
    /**
     * Stores a manifest exactly as sent. An image/artifact manifest or index enters intake and is
     * scanned; a referrer must scan safe, or it is refused (it would be served with its subject).
     */
    async putManifest(ctx: RequestContext, repo: string, reference: string, bytes: Buffer, contentType: string | undefined): Promise<{ digest: string; subject: string | null }> {
      const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
      return registry.refusing(ctx, 'oci.manifest', { name: repo, digest }, async () => {
        if (reference.startsWith('sha256:') && reference !== digest) throw new OciError('VALIDATION_FAILED', 'DIGEST_INVALID', `the manifest's digest is ${digest}, not ${reference}`);
        if (!reference.startsWith('sha256:') && !TAG_RE.test(reference)) throw new OciError('VALIDATION_FAILED', 'TAG_INVALID', `${JSON.stringify(reference.slice(0, 140))} is not a valid tag`);
        const m = parseManifest(bytes, contentType);
        for (const b of m.blobs) {
          const have = await store.repoBlob(database.db, repo, b.digest);
          if (!have) throw new OciError('VALIDATION_FAILED', 'MANIFEST_BLOB_UNKNOWN', `blob ${b.digest} is not in ${repo}; push it before the manifest`);
          if (have.size !== b.size) throw new OciError('VALIDATION_FAILED', 'SIZE_INVALID', `descriptor of ${b.digest} says ${b.size} bytes; the blob has ${have.size}`);
        }
        for (const c of m.children) {
          if (!(await store.manifest(database.db, repo, c))) throw new OciError('VALIDATION_FAILED', 'MANIFEST_BLOB_UNKNOWN', `manifest ${c} listed by the index is not in ${repo}; push it first`);
        }
        const meta = m.subject ? null : metadataOf(repo, m);
        if (m.subject) {
          for (const b of m.blobs) {
            const r = await deps.scan(blobs.pathOf(b.digest));
            if (r.verdict !== 'safe') {
              throw new OciError('FORBIDDEN', 'DENIED', `referrer content ${b.digest} scans ${r.verdict} (${r.findings.filter((f) => f.severity !== 'safe').map((f) => f.rule).join(', ')}): a referrer is served with its subject, so it must be safe`);
            }
          }
        }
        const at = now().toISOString();
        await database.transact(async (tx) => {
          if (!reference.startsWith('sha256:')) {
            // Tags of approved artifacts are immutable: what was approved stays what the tag names.
            const old = await store.tag(tx, repo, reference);
            if (old && old.digest !== digest) {
              const a = await store.artifactByNameDigest(tx, repo, old.digest);
              if (a && ['approved', 'promoted'].includes(a.state)) {
                throw new OciError('FORBIDDEN', 'DENIED', `tag ${reference} names ${a.state} artifact ${old.digest}; tags of approved artifacts are immutable, push under a new tag`);
              }
            }
          }
          await store.putManifest(
            tx,
            { repo, digest, media_type: m.mediaType, content: bytes, artifact_type: m.artifactType, subject: m.subject, annotations: JSON.stringify(m.annotations), created_at: at },
            [...m.blobs.map((b) => b.digest), ...m.children],
          );
          if (!reference.startsWith('sha256:')) await store.setTag(tx, repo, reference, digest, at);
        });
        if (meta) {
          const size = bytes.length + m.blobs.reduce((s, b) => s + b.size, 0);
          const { artifact } = await registry.record(ctx, meta, { digest, size, mediaType: m.mediaType }, 'oci');
          // Also when an earlier push recorded it but never finished scanning (a crash in between).
          if (artifact.state === 'received') await registry.scanStored(ctx, artifact, await contentOf(repo, m));
        }
        return { digest, subject: m.subject };
      });
    },
    async tags(repo: string, last: string | undefined, n: number) {
      return store.tags(database.db, repo, last, n);
    },
    async repoExists(repo: string) {
      return store.repoExists(database.db, repo);
    },
    /** Tags are listed to pushers, and to callers who may pull something in the repository. */
    async mayList(ctx: RequestContext, repo: string): Promise<boolean> {
      if (isPusher(ctx)) return true;
      const zones = ctx.principal?.zones ?? [];
      const rows = await registry.list({ name: repo, state: 'promoted' });
      return rows.some((a) => !a.expired && a.promotedTo.some((p) => zones.includes(p.zone)));
    },
    async referrers(repo: string, subject: string, artifactType: string | undefined) {
      const rows = await store.referrers(database.db, repo, subject);
      return rows
        .filter((r) => !artifactType || r.artifact_type === artifactType)
        .map((r) => {
          const ann = JSON.parse(r.annotations) as Record<string, string>;
          return { mediaType: r.media_type, digest: r.digest, size: Number(r.size), ...(r.artifact_type ? { artifactType: r.artifact_type } : {}), ...(Object.keys(ann).length ? { annotations: ann } : {}) };
        });
    },
    isPusher,
    read: (digest: string, range?: { start: number; end: number }) => blobs.read(digest, range),
    async sweep(): Promise<number> {
      return blobs.sweepUploads(0);
    },
    close() {
      clearInterval(sweeper);
    },
  };
}

export type OciService = ReturnType<typeof createOciService>;
export { AppError };

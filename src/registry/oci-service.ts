// The OCI distribution side of the registry: upload sessions, blobs per repository, manifests and
// tags. A pushed manifest enters intake as an artifact (name = repository, digest = manifest
// digest) and is scanned layer by layer; pulls go through the registry's pull gate.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Database } from '../db/database.js';
import type { RequestContext } from '../identity/context.js';
import { AppError } from '../errors.js';
import type { BlobStore, UploadSession } from './blob-store.js';
import { DigestMismatchError } from './blob-store.js';
import type { RegistryStore, ManifestRow } from './store.js';
import { pullRefusal, type RegistryService } from './service.js';
import { OciError, intakeAnnotations, kindOf, parseManifest } from './oci-manifest.js';

export const TAG_RE = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/u;
const PUSHERS = ['admin', 'developer'];

interface SessionMeta {
  repo: string;
  principal: string | null;
  session: UploadSession;
  busy: boolean;
}

export function createOciService(deps: { database: Database; store: RegistryStore; blobs: BlobStore; registry: RegistryService; now?: () => Date }) {
  const { database, store, blobs, registry } = deps;
  const now = deps.now ?? (() => new Date());
  // Upload sessions live with this process: a client whose session is gone starts again (the spec
  // lets a registry forget sessions), and the temp files are swept at start-up.
  const sessions = new Map<string, SessionMeta>();

  const isPusher = (ctx: RequestContext) => !!ctx.principal?.roles.some((r) => PUSHERS.includes(r));

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
    }
  }

  /** What a pull of this manifest is decided on: its artifact, or for a referrer (signature,
   *  SBOM, attestation) the artifact it refers to. */
  async function pullTarget(repo: string, digest: string): Promise<string> {
    const m = await store.manifest(database.db, repo, digest);
    return m?.subject ?? digest;
  }

  /** The gate's decision without a record (blob reads after a recorded manifest pull). */
  async function canPull(ctx: RequestContext, repo: string, target: string): Promise<boolean> {
    const a = await store.artifactByNameDigest(database.db, repo, target);
    return pullRefusal(a, ctx.principal?.zones ?? [], now(), target) === null;
  }

  async function linkBlob(repo: string, digest: string, size: number): Promise<void> {
    await database.transact((tx) => store.linkBlob(tx, repo, digest, size, now().toISOString()));
  }

  return {
    startUpload(ctx: RequestContext, repo: string): SessionMeta {
      const session = blobs.startUpload();
      const meta = { repo, principal: ctx.principal?.id ?? null, session, busy: false };
      sessions.set(session.id, meta);
      return meta;
    },
    sessionFor,
    async appendChunk(ctx: RequestContext, repo: string, id: string, body: Readable, contentRange: string | undefined): Promise<SessionMeta> {
      const s = sessionFor(ctx, repo, id);
      return withSession(s, async () => {
        if (contentRange) {
          const m = /^(\d+)-(\d+)$/u.exec(contentRange.trim());
          if (!m || Number(m[1]) !== s.session.size) throw new OciError('VALIDATION_FAILED', 'RANGE_NOT_SATISFIABLE', `Content-Range ${contentRange} does not start at the upload's current size ${s.session.size}`);
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
    /** Cross-repository mount: only a blob some repository holds, and never by guessing a digest alone. */
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
    /** A blob is served to whoever may pull some manifest in this repository that references it. */
    async authorizeBlob(ctx: RequestContext, repo: string, digest: string): Promise<void> {
      const owners = await store.manifestsReferencing(database.db, repo, digest);
      const targets: string[] = [];
      for (const o of owners) {
        const target = await pullTarget(repo, o.manifest);
        if (await canPull(ctx, repo, target)) return;
        targets.push(target);
      }
      // Refused: decided again through the gate so the refusal is recorded with its reason.
      await registry.authorizePull(ctx, { name: repo, digest: targets[0] ?? null, reference: digest });
      throw new OciError('FORBIDDEN', 'DENIED', `blob ${digest} is not part of anything you may pull from ${repo}`);
    },
    /** The pull gate for a manifest (recorded, allowed or not). */
    async authorizeManifest(ctx: RequestContext, repo: string, digest: string, reference: string): Promise<void> {
      await registry.authorizePull(ctx, { name: repo, digest: await pullTarget(repo, digest), reference });
    },
    async resolve(repo: string, reference: string): Promise<ManifestRow | null> {
      const digest = reference.startsWith('sha256:') ? reference : (await store.tag(database.db, repo, reference))?.digest;
      if (!digest) return null;
      return (await store.manifest(database.db, repo, digest)) ?? null;
    },
    /** Stores a manifest exactly as sent; an image/artifact manifest (not a referrer) enters intake. */
    async putManifest(ctx: RequestContext, repo: string, reference: string, bytes: Buffer, contentType: string | undefined): Promise<{ digest: string; subject: string | null }> {
      const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
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
      const at = now().toISOString();
      if (!reference.startsWith('sha256:')) {
        // Tags of promoted artifacts are immutable: what was approved stays what the tag names.
        const old = await store.tag(database.db, repo, reference);
        if (old && old.digest !== digest) {
          const a = await store.artifactByNameDigest(database.db, repo, old.digest);
          if (a && ['approved', 'promoted'].includes(a.state)) {
            throw new OciError('FORBIDDEN', 'DENIED', `tag ${reference} names ${a.state} artifact ${old.digest}; tags of approved artifacts are immutable, push under a new tag`);
          }
        }
      }
      await database.transact(async (tx) => {
        await store.putManifest(tx, { repo, digest, media_type: m.mediaType, content: bytes, artifact_type: m.artifactType, subject: m.subject, created_at: at }, [...m.blobs.map((b) => b.digest), ...m.children]);
        if (!reference.startsWith('sha256:')) await store.setTag(tx, repo, reference, digest, at);
      });
      if (!m.subject) {
        const ann = intakeAnnotations(m);
        const size = bytes.length + m.blobs.reduce((s, b) => s + b.size, 0);
        const { artifact, created } = await registry.record(ctx, { name: repo, kind: kindOf(m), mediaType: m.mediaType, ...ann }, { digest, size, mediaType: m.mediaType }, 'oci');
        if (created) {
          // The config is metadata; layers are the content that could carry a payload.
          const layers = m.blobs.slice(1).map((b, i) => ({ path: blobs.pathOf(b.digest), name: `layer ${i} ${b.digest}` }));
          await registry.scanStored(ctx, artifact, layers);
        }
      }
      return { digest, subject: m.subject };
    },
    async tags(repo: string, last: string | undefined, n: number) {
      return store.tags(database.db, repo, last, n);
    },
    async referrers(repo: string, subject: string, artifactType: string | undefined) {
      const rows = await store.referrers(database.db, repo, subject);
      return rows
        .filter((r) => !artifactType || r.artifact_type === artifactType)
        .map((r) => {
          const ann = (JSON.parse(r.content.toString('utf8')) as { annotations?: Record<string, string> }).annotations;
          return { mediaType: r.media_type, digest: r.digest, size: r.content.length, ...(r.artifact_type ? { artifactType: r.artifact_type } : {}), ...(ann ? { annotations: ann } : {}) };
        });
    },
    isPusher,
    read: (digest: string, range?: { start: number; end: number }) => blobs.read(digest, range),
    async sweep(): Promise<number> {
      return blobs.sweepUploads(0);
    },
  };
}

export type OciService = ReturnType<typeof createOciService>;
export { AppError };

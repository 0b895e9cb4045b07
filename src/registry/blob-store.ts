// Content-addressed blob store on the local file system. A blob is written to a temp file in the
// uploads folder while its SHA-256 is computed, flushed, and renamed to blobs/sha256/<aa>/<hex>
// only when the digest is known (and matches what the caller promised). A crash mid-write leaves a
// temp file that no lookup ever sees; a blob path exists only with its whole, verified content.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, type ReadStream } from 'node:fs';
import { open, rename, rm, stat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { AppError } from '../errors.js';
import { fsyncDir } from '../util/durable-fs.js';
import { uuidv7 } from '../util/ids.js';

export const DIGEST_RE = /^sha256:[0-9a-f]{64}$/u;

export interface BlobInfo {
  digest: string;
  size: number;
}

/** An upload in progress: appended to in order, hashed as it goes. */
export interface UploadSession {
  id: string;
  path: string;
  size: number;
  /** Incremental hash of bytes [0, size); lost on restart, then rebuilt from the file. */
  hash: Hash | null;
}

export class DigestMismatchError extends AppError {
  constructor(expected: string, actual: string) {
    super('VALIDATION_FAILED', `the content's digest is ${actual}, not the ${expected} the client declared; nothing was stored`, { expected, actual, reason: 'DIGEST_INVALID' });
  }
}

export function createBlobStore(root: string, opts: { maxBlobBytes: number }) {
  const blobsDir = join(root, 'blobs', 'sha256');
  const uploadsDir = join(root, 'uploads');
  mkdirSync(blobsDir, { recursive: true, mode: 0o700 });
  mkdirSync(uploadsDir, { recursive: true, mode: 0o700 });
  const sessions = new Map<string, UploadSession>();

  const hexOf = (digest: string) => {
    if (!DIGEST_RE.test(digest)) throw new AppError('VALIDATION_FAILED', `${JSON.stringify(digest.slice(0, 100))} is not a sha256 digest (sha256:<64 lowercase hex>)`, { reason: 'DIGEST_INVALID' });
    return digest.slice(7);
  };
  const pathOf = (digest: string) => {
    const hex = hexOf(digest);
    return join(blobsDir, hex.slice(0, 2), hex);
  };

  async function stat_(digest: string): Promise<BlobInfo | null> {
    try {
      const s = await stat(pathOf(digest));
      return { digest, size: s.size };
    } catch {
      return null;
    }
  }

  /** Appends a stream to a session's temp file, hashing it, refusing past the size bound. */
  async function append(session: UploadSession, body: Readable | AsyncIterable<Uint8Array>): Promise<number> {
    if (!session.hash) session.hash = await rehash(session.path);
    const out = createWriteStream(session.path, { flags: 'a', mode: 0o600 });
    const done = new Promise<void>((resolve, reject) => {
      out.once('error', reject);
      out.once('finish', resolve);
    });
    let written = 0;
    try {
      for await (const chunk of body) {
        const c = chunk as Uint8Array;
        if (session.size + written + c.length > opts.maxBlobBytes) {
          throw new AppError('PAYLOAD_TOO_LARGE', `blob exceeds registry.maxBlobBytes (${opts.maxBlobBytes} bytes)`, { reason: 'SIZE_INVALID' });
        }
        session.hash.update(c);
        written += c.length;
        if (!out.write(c)) await new Promise<void>((r) => out.once('drain', () => r()));
      }
    } catch (e) {
      out.destroy();
      // The hash already covers bytes that may not have reached the file: start it over next time.
      session.hash = null;
      await truncateTo(session.path, session.size);
      throw e;
    }
    out.end();
    await done;
    session.size += written;
    return written;
  }

  async function truncateTo(path: string, size: number) {
    const fh = await open(path, 'r+').catch(() => null);
    if (!fh) return;
    try {
      await fh.truncate(size);
    } finally {
      await fh.close();
    }
  }

  async function rehash(path: string): Promise<Hash> {
    const h = createHash('sha256');
    try {
      for await (const c of createReadStream(path)) h.update(c as Buffer);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    return h;
  }

  /** Flushes a finished session and moves it into place under its digest. */
  async function commit(session: UploadSession, expected?: string): Promise<BlobInfo> {
    if (!session.hash) session.hash = await rehash(session.path);
    const digest = `sha256:${session.hash.digest('hex')}`;
    sessions.delete(session.id);
    if (expected && expected !== digest) {
      await rm(session.path, { force: true });
      throw new DigestMismatchError(expected, digest);
    }
    const target = pathOf(digest);
    const fh = await open(session.path, 'a+').catch(async () => {
      // Nothing was ever appended (empty blob): create the file.
      return open(session.path, 'w+', 0o600);
    });
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    const dir = join(blobsDir, digest.slice(7, 9));
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Same content, same name: an existing blob is identical, so the rename may replace it.
    await rename(session.path, target);
    fsyncDir(dir);
    return { digest, size: session.size };
  }

  return {
    root,
    pathOf,
    stat: stat_,
    startUpload(): UploadSession {
      const s: UploadSession = { id: uuidv7(), path: '', size: 0, hash: createHash('sha256') };
      s.path = join(uploadsDir, s.id);
      sessions.set(s.id, s);
      return s;
    },
    /** The session with this id, rebuilt from its temp file after a restart. */
    async session(id: string): Promise<UploadSession | null> {
      const live = sessions.get(id);
      if (live) return live;
      if (!/^[0-9a-f-]{36}$/u.test(id)) return null;
      const path = join(uploadsDir, id);
      const s = await stat(path).catch(() => null);
      if (!s) return null;
      const session: UploadSession = { id, path, size: s.size, hash: null };
      sessions.set(id, session);
      return session;
    },
    append,
    commit,
    async cancel(session: UploadSession) {
      sessions.delete(session.id);
      await rm(session.path, { force: true });
    },
    /** Writes a whole stream as one blob. */
    async put(body: Readable | AsyncIterable<Uint8Array>, expected?: string): Promise<BlobInfo> {
      const s = this.startUpload();
      try {
        await append(s, body);
        return await commit(s, expected);
      } catch (e) {
        await this.cancel(s);
        throw e;
      }
    },
    read(digest: string, range?: { start: number; end: number }): ReadStream {
      // 1 MiB reads: a 64 KiB default costs a syscall and a socket write per 64 KiB of a model.
      return createReadStream(pathOf(digest), { ...(range ?? {}), highWaterMark: 1 << 20 });
    },
    /** Temp files older than `olderThanMs` belong to abandoned uploads: removed at start-up. */
    async sweepUploads(olderThanMs: number): Promise<number> {
      let removed = 0;
      for (const name of await readdir(uploadsDir)) {
        if (sessions.has(name)) continue;
        const p = join(uploadsDir, name);
        const s = await stat(p).catch(() => null);
        if (s && Date.now() - s.mtimeMs > olderThanMs) {
          await rm(p, { force: true });
          removed++;
        }
      }
      return removed;
    },
  };
}

export type BlobStore = ReturnType<typeof createBlobStore>;

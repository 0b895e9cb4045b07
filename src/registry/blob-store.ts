// Content-addressed blob store on the local file system. A blob is written to a temp file in the
// uploads folder while its SHA-256 is computed, flushed, and renamed to blobs/sha256/<aa>/<hex>
// only when the digest is known (and matches what the caller promised). A crash mid-write leaves a
// temp file that no lookup ever sees; a blob path exists only with its whole, verified content.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, mkdirSync, type ReadStream } from 'node:fs';
import { open, rename, rm, stat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { AppError } from '../errors.js';
import { fsyncDir } from '../util/durable-fs.js';
import { uuidv7 } from '../util/ids.js';

export const DIGEST_RE = /^sha256:[0-9a-f]{64}$/u;
const WRITE_BATCH = 1 << 20;

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

  /**
   * Appends a stream to a session's temp file, hashing it, refusing past the size bound. Writes go
   * out in 1 MiB batches with one in flight, so hashing the next batch overlaps writing this one;
   * any write error fails the append (and the file is cut back to where it was).
   */
  async function append(session: UploadSession, body: Readable | AsyncIterable<Uint8Array>): Promise<number> {
    if (!session.hash) session.hash = await rehash(session.path);
    const fh = await open(session.path, 'a', 0o600);
    let written = 0;
    let inflight: Promise<unknown> = Promise.resolve();
    let batch: Uint8Array[] = [];
    let batched = 0;
    const flush = async () => {
      await inflight;
      const data = batch;
      batch = [];
      batched = 0;
      // writev: the batch goes out as it is, no copy into one buffer.
      inflight = fh.writev(data);
      // Surface a failure at the next await, never as an unhandled rejection.
      inflight.catch(() => undefined);
    };
    try {
      for await (const chunk of body) {
        const c = chunk as Uint8Array;
        if (session.size + written + c.length > opts.maxBlobBytes) {
          throw new AppError('PAYLOAD_TOO_LARGE', `blob exceeds registry.maxBlobBytes (${opts.maxBlobBytes} bytes)`, { reason: 'SIZE_INVALID' });
        }
        session.hash.update(c);
        written += c.length;
        batch.push(c);
        batched += c.length;
        if (batched >= WRITE_BATCH) await flush();
      }
      if (batched) await flush();
      await inflight;
    } catch (e) {
      await inflight.catch(() => undefined);
      await fh.close().catch(() => undefined);
      // The hash already covers bytes that may not have reached the file: start it over next time.
      session.hash = null;
      await truncateTo(session.path, session.size);
      throw e;
    }
    await fh.close();
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
    // A new fan-out directory must itself be durable in its parent before the blob counts.
    if (mkdirSync(dir, { recursive: true, mode: 0o700 }) !== undefined) fsyncDir(blobsDir);
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
    /** Stores bytes already in memory (attestations, SBOMs, extracted templates). */
    async putBytes(bytes: Uint8Array, expected?: string): Promise<BlobInfo> {
      return this.put(
        (async function* () {
          yield bytes;
        })(),
        expected,
      );
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

// Parallel verification for large inputs. Workers turn blocks of leaves into leaf hashes (parsing
// bundle lines too); the main thread folds the hashes, in order, into the tree in chunks aligned to
// CHUNK leaves and compares every checkpoint root. It answers "intact or not" fast; when it finds a
// problem, the caller re-runs the serial LedgerVerifier for the exact report.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { open } from 'node:fs/promises';
import { EMPTY_ROOT, MerkleFrontier, foldSubtrees, HASH_SIZE } from '../merkle.js';
import { openCheckpoint, parseCheckpointBody } from '../checkpoint.js';
import type { NoteVerifier } from '../note.js';
import { WORKER_SOURCE } from './worker-source.js';
import { NATIVE_PATH, nativeBinding, type NativeBinding } from '../native.js';

export const CHUNK = 1 << 14;
const BLOCK_BYTES = 4 << 20;
const MAX_LINE_BYTES = 16 << 20;

interface BlockResult {
  count: number;
  hashes: Uint8Array | null;
  error: { index: number; kind: string } | null;
}

type BlockJob =
  | { kind: 'lines'; start: number; data: Uint8Array }
  | { kind: 'leaves'; start: number; data: Uint8Array; offsets: Uint32Array; recorded?: Uint8Array };

export function workerCount(): number {
  return Math.max(1, Math.min(availableParallelism(), 8));
}

export interface FastResult {
  intact: boolean;
  entries: number;
  rootHash: string;
  checkpointsVerified: number;
  latestCheckpointSize: number | null;
}

export interface ParallelOptions {
  origin: string;
  verifiers: readonly NoteVerifier[];
  checkpoints: Iterable<string>;
  workers?: number;
  /** Use the native addon when it is built (default); false forces the JavaScript reference. */
  native?: boolean;
}

function split(bytes: Uint8Array): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += HASH_SIZE) out.push(Buffer.from(bytes.subarray(i, i + HASH_SIZE)));
  return out;
}

/**
 * The frontier of one aligned chunk of leaf hashes at each cut (counts within the chunk) and at its
 * end: the complete subtrees the chunk contributes to the whole tree, largest first.
 */
function chunkFrontiers(native: NativeBinding | null, hashes: Buffer, cuts: number[]): { atCuts: Buffer[][]; whole: Buffer[] } {
  const n = hashes.length / HASH_SIZE;
  if (native) {
    const out = Buffer.allocUnsafe((cuts.length + 1) * (1 + HASH_SIZE * 64));
    const written = native.chunkFrontier(hashes, Uint32Array.from(cuts), out);
    const frames: Buffer[][] = [];
    for (let pos = 0; pos < written; ) {
      const k = out[pos]!;
      frames.push(split(out.subarray(pos + 1, pos + 1 + HASH_SIZE * k)));
      pos += 1 + HASH_SIZE * k;
    }
    return { atCuts: frames.slice(0, cuts.length), whole: frames[frames.length - 1]! };
  }
  const f = new MerkleFrontier();
  const atCuts: Buffer[][] = [];
  let c = 0;
  for (let i = 0; i < n; i++) {
    f.append(hashes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
    while (c < cuts.length && cuts[c] === i + 1) {
      atCuts.push([...f.hashes]);
      c += 1;
    }
  }
  return { atCuts, whole: [...f.hashes] };
}

export class ParallelVerifier {
  readonly #workers: Worker[];
  readonly #pending = new Map<number, { resolve: (r: BlockResult) => void; reject: (e: Error) => void }>();
  #stopping = false;
  readonly #inFlight: Promise<BlockResult & { start: number }>[] = [];
  readonly #checkpoints: { size: number; root: Buffer }[] = [];
  readonly #roots = new MerkleFrontier(); // one "leaf" per full chunk
  readonly #native: NativeBinding | null;
  #buffered: Buffer[] = []; // leaf hashes not yet folded (fewer than CHUNK)
  #bufferedCount = 0;
  #nextId = 0;
  #rr = 0;
  #cp = 0;
  #folded = 0;
  #drained = 0;
  #tail: Buffer[] = [];
  #bad = false;
  #verified = 0;
  readonly #unverified: string[] = [];
  readonly #verifiers: readonly NoteVerifier[];
  readonly #origin: string;

  /** Checks up to `n` checkpoint signatures (all when n is Infinity). */
  #verifySome(n: number): void {
    for (let i = 0; i < n && this.#unverified.length > 0; i++) {
      const note = this.#unverified.pop()!;
      try {
        openCheckpoint(note, this.#verifiers, this.#origin);
        this.#verified += 1;
      } catch {
        this.#bad = true;
      }
    }
  }

  constructor(opts: ParallelOptions) {
    this.#native = opts.native === false ? null : nativeBinding();
    // Bodies are parsed now (cheap); signatures are checked while the workers hash (see
    // #verifySome), and all of them before any answer is given.
    const bySize = new Map<number, Buffer>();
    for (const note of opts.checkpoints) {
      try {
        const c = parseCheckpointBody(note.slice(0, note.lastIndexOf('\n\n') + 1), opts.origin);
        if (bySize.has(c.size) && !bySize.get(c.size)!.equals(c.root)) this.#bad = true;
        bySize.set(c.size, c.root);
        this.#unverified.push(note);
      } catch {
        this.#bad = true;
      }
    }
    this.#verifiers = opts.verifiers;
    this.#origin = opts.origin;
    this.#checkpoints = [...bySize].map(([size, root]) => ({ size, root })).sort((a, b) => a.size - b.size);
    if (bySize.has(0) && !bySize.get(0)!.equals(EMPTY_ROOT)) this.#bad = true;
    const nativePath = this.#native ? NATIVE_PATH : undefined;
    this.#workers = Array.from({ length: opts.workers ?? workerCount() }, () => {
      const w = new Worker(WORKER_SOURCE, { eval: true });
      w.on('message', (m: BlockResult & { id: number }) => {
        const done = this.#pending.get(m.id);
        this.#pending.delete(m.id);
        done?.resolve(m);
      });
      // A crashed worker fails the whole run (the caller falls back to the serial verifier):
      // a verifier must never hang, nor call an unfinished job intact.
      const fail = (e: Error) => {
        for (const p of this.#pending.values()) p.reject(e);
        this.#pending.clear();
      };
      w.on('error', fail);
      w.on('exit', (code) => {
        if (!this.#stopping && code !== 0) fail(new Error(`a verification worker exited with code ${code}`));
      });
      return w;
    });
    this.#post = (w, msg, transfer) => w.postMessage({ ...msg, nativePath, maxLeaves: BLOCK_BYTES }, transfer);
  }

  readonly #post: (w: Worker, msg: object, transfer: ArrayBuffer[]) => void;

  /** Queues the next block; its `start` must equal the number of leaves in all blocks before it. */
  async submit(job: BlockJob): Promise<void> {
    const id = this.#nextId++;
    const p = new Promise<BlockResult>((resolve, reject) => this.#pending.set(id, { resolve, reject })).then((r) => ({ ...r, start: job.start }));
    p.catch(() => undefined); // observed by #drainOne; never an unhandled rejection meanwhile
    this.#post(this.#workers[this.#rr++ % this.#workers.length]!, { ...job, id }, [job.data.buffer as ArrayBuffer]);
    this.#inFlight.push(p);
    while (this.#inFlight.length > this.#workers.length * 2) await this.#drainOne();
  }

  async #drainOne(): Promise<void> {
    this.#verifySome(8); // while the workers are busy
    const r = await this.#inFlight.shift()!;
    if (this.#bad) return;
    if (r.error || !r.hashes || r.start !== this.#drained) {
      this.#bad = true;
      return;
    }
    this.#drained += r.count;
    let hashes = Buffer.from(r.hashes.buffer, r.hashes.byteOffset, r.hashes.byteLength);
    while (hashes.length > 0) {
      const room = (CHUNK - this.#bufferedCount) * HASH_SIZE;
      const take = hashes.subarray(0, room);
      this.#buffered.push(take);
      this.#bufferedCount += take.length / HASH_SIZE;
      hashes = hashes.subarray(take.length);
      if (this.#bufferedCount === CHUNK) this.#fold(true);
    }
  }

  /** Folds the buffered hashes (a full chunk, or the final partial one). */
  #fold(full: boolean): void {
    const hashes = this.#buffered.length === 1 ? this.#buffered[0]! : Buffer.concat(this.#buffered);
    const start = this.#folded;
    const n = this.#bufferedCount;
    const cuts: number[] = [];
    while (this.#cp < this.#checkpoints.length && this.#checkpoints[this.#cp]!.size <= start + n) {
      const size = this.#checkpoints[this.#cp]!.size;
      if (size > start) cuts.push(size - start);
      this.#cp += 1;
    }
    this.#cp -= cuts.length;
    const { atCuts, whole } = chunkFrontiers(this.#native, hashes, cuts);
    const prefix = this.#roots.hashes;
    cuts.forEach((c, i) => {
      const cp = this.#checkpoints[this.#cp + i]!;
      if (cp.size !== start + c || !foldSubtrees([...prefix, ...atCuts[i]!]).equals(cp.root)) this.#bad = true;
    });
    this.#cp += cuts.length;
    this.#folded += n;
    if (full) this.#roots.append(whole[0]!);
    else this.#tail = whole;
    this.#buffered = [];
    this.#bufferedCount = 0;
  }

  async finish(): Promise<FastResult> {
    try {
      while (this.#inFlight.length > 0) await this.#drainOne();
    } finally {
      await this.abort();
    }
    this.#verifySome(Infinity);
    if (!this.#bad && this.#bufferedCount > 0) this.#fold(false);
    const latest = this.#checkpoints.at(-1);
    if (latest && latest.size > this.#folded) this.#bad = true;
    return {
      intact: !this.#bad,
      entries: this.#folded,
      rootHash: foldSubtrees([...this.#roots.hashes, ...this.#tail]).toString('base64'),
      checkpointsVerified: this.#verified,
      latestCheckpointSize: latest?.size ?? null,
    };
  }

  async abort(): Promise<void> {
    this.#stopping = true;
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}

/** Packs in-memory leaves (index order from 0) into blocks and verifies them in parallel. */
export async function verifyLeavesParallel(leaves: readonly Uint8Array[], opts: ParallelOptions): Promise<FastResult> {
  const v = new ParallelVerifier(opts);
  for (let start = 0; start < leaves.length; start += CHUNK) {
    const part = leaves.slice(start, start + CHUNK);
    const offsets = new Uint32Array(part.length + 1);
    let total = 0;
    part.forEach((l, i) => {
      offsets[i] = total;
      total += l.length;
    });
    offsets[part.length] = total;
    const data = new Uint8Array(total);
    part.forEach((l, i) => data.set(l, offsets[i]!));
    await v.submit({ kind: 'leaves', start, data, offsets });
  }
  return v.finish();
}

const FIRST_INDEX = /^\{"index":(0|[1-9]\d{0,15}),/u;

/**
 * Streams the leaf lines of a bundle (from byte `offset`, the first leaf line) to the workers in
 * blocks of whole lines. Reading and cutting at newlines is all the main thread does per block.
 */
export async function verifyBundleLeavesParallel(path: string, offset: number, opts: ParallelOptions): Promise<FastResult> {
  const v = new ParallelVerifier(opts);
  const fh = await open(path, 'r');
  try {
    let carry: Buffer = Buffer.alloc(0);
    for (let pos = offset; ; ) {
      const buf = Buffer.allocUnsafe(BLOCK_BYTES);
      const { bytesRead } = await fh.read(buf, 0, BLOCK_BYTES, pos);
      pos += bytesRead;
      const data = carry.length ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
      const cut = bytesRead === 0 ? data.length : data.lastIndexOf(10) + 1;
      // A block of our own (never a view into a pooled buffer) so it can be transferred.
      const block = new Uint8Array(cut);
      block.set(data.subarray(0, cut));
      carry = Buffer.from(data.subarray(cut));
      if (carry.length > MAX_LINE_BYTES) throw new Error(`a line is longer than ${MAX_LINE_BYTES} bytes`);
      if (block.length > 0) {
        // The worker counts the lines; the block's start comes from its first line and is checked
        // in order against the leaves before it when its result is folded.
        const first = FIRST_INDEX.exec(Buffer.from(block.buffer, 0, Math.min(40, block.length)).toString('latin1'));
        const start = first ? Number(first[1]) : -1;
        await v.submit({ kind: 'lines', start, data: block });
      }
      if (bytesRead === 0) break;
    }
  } catch (e) {
    await v.abort();
    throw e;
  } finally {
    await fh.close();
  }
  return v.finish();
}

// Sequential byte readers: what a tar walker reads from. A tar on disk or in memory is read by
// position (its members become windows of it, scanned exactly like files); a tar inside gzip
// arrives as a stream of decompressed chunks that can only be read forward, once.
import { subSource, type ByteSource } from './source.js';

export interface SeqReader {
  /** The next bytes, at most `max`, as soon as some are available; empty at the end. */
  chunk(max: number): Promise<Uint8Array>;
  /** Discards up to `n` bytes; resolves to how many were discarded. */
  skip(n: number): Promise<number>;
  /** Random access underneath: the next `n` bytes (fewer at the end) as a window, consumed. */
  window?(n: number): ByteSource;
  /** True once the stream ended early on an error or a bound (already reported by its owner). */
  readonly stopped: boolean;
}

const EMPTY: Uint8Array = new Uint8Array(0);

/** Exactly `n` bytes, or fewer at the end of the reader. `expect`: how many are likely to come. */
export async function readN(r: SeqReader, n: number, expect = n): Promise<Uint8Array> {
  const first = n > 0 ? await r.chunk(n) : EMPTY;
  if (first.length === n || first.length === 0) return first;
  // Copied into one buffer as the chunks arrive (holding the chunks and joining them at the end
  // is several times slower for tens of MiB), grown by doubling when `expect` was short.
  let out = Buffer.allocUnsafe(Math.min(n, Math.max(expect, first.length * 2, 1 << 16)));
  out.set(first, 0);
  let got = first.length;
  while (got < n) {
    const c = await r.chunk(n - got);
    if (c.length === 0) break;
    if (got + c.length > out.length) {
      const grown = Buffer.allocUnsafe(Math.min(n, Math.max(out.length * 2, got + c.length)));
      grown.set(out.subarray(0, got), 0);
      out = grown;
    }
    out.set(c, got);
    got += c.length;
  }
  return out.subarray(0, got);
}

/** Up to `buf.length` next bytes into `buf`; the filled part. */
export async function readInto(r: SeqReader, buf: Uint8Array): Promise<Uint8Array> {
  let got = 0;
  while (got < buf.length) {
    const c = await r.chunk(buf.length - got);
    if (c.length === 0) break;
    buf.set(c, got);
    got += c.length;
  }
  return buf.subarray(0, got);
}

/** A byte source read front to back; members of a tar in it become windows of it. */
export function sourceReader(src: ByteSource, start = 0): SeqReader {
  let pos = Math.min(start, src.size);
  return {
    stopped: false,
    async chunk(max) {
      const c = src.read(pos, Math.min(max, src.size - pos, 1 << 24));
      pos += c.length;
      return c;
    },
    async skip(n) {
      const k = Math.max(0, Math.min(n, src.size - pos));
      pos += k;
      return k;
    },
    window(n) {
      const w = subSource(src, pos, n);
      pos += w.size;
      return w;
    },
  };
}

/** Chunks from an async source (a decompressor); `isStopped` reports an early end. */
export function chunkReader(next: () => Promise<Uint8Array | undefined>, isStopped: () => boolean): SeqReader {
  let cur = EMPTY;
  let ended = false;
  const fill = async (): Promise<boolean> => {
    while (cur.length === 0 && !ended) {
      const c = await next();
      if (c === undefined) ended = true;
      else cur = c;
    }
    return cur.length > 0;
  };
  return {
    get stopped() {
      return isStopped();
    },
    async chunk(max) {
      if (max <= 0 || !(await fill())) return EMPTY;
      const c = cur.length <= max ? cur : cur.subarray(0, max);
      cur = cur.subarray(c.length);
      return c;
    },
    async skip(n) {
      let done = 0;
      while (done < n && (await fill())) {
        const k = Math.min(n - done, cur.length);
        cur = cur.subarray(k);
        done += k;
      }
      return done;
    },
  };
}

/** `head` (already read to look at it) followed by the rest of `r`. */
export function prepend(head: Uint8Array, r: SeqReader): SeqReader {
  let h = head;
  const out: SeqReader = {
    get stopped() {
      return r.stopped;
    },
    async chunk(max) {
      if (h.length === 0) return r.chunk(max);
      const c = h.length <= max ? h : h.subarray(0, max);
      h = h.subarray(c.length);
      return c;
    },
    async skip(n) {
      const k = Math.min(n, h.length);
      h = h.subarray(k);
      return k + (n > k ? await r.skip(n - k) : 0);
    },
  };
  return out;
}

/** At most `n` bytes of `r` (a tar member); `consumed` says how many were taken. */
export function limitReader(r: SeqReader, n: number): SeqReader & { readonly consumed: number } {
  let consumed = 0;
  const out: SeqReader & { consumed: number } = {
    get stopped() {
      return r.stopped;
    },
    get consumed() {
      return consumed;
    },
    async chunk(max) {
      const c = await r.chunk(Math.min(max, n - consumed));
      consumed += c.length;
      return c;
    },
    async skip(k) {
      const d = await r.skip(Math.min(k, n - consumed));
      consumed += d;
      return d;
    },
  };
  if (r.window) {
    const w = r.window.bind(r);
    out.window = (k) => {
      const s = w(Math.min(k, n - consumed));
      consumed += s.size;
      return s;
    };
  }
  return out;
}

/**
 * The first bytes of a large streamed member and its last bytes, standing for the whole of it:
 * reads inside either are served, reads in between come back short (as at the end of a file).
 */
export function prefixSource(prefix: Uint8Array, tail: Uint8Array, size: number): ByteSource {
  const tailStart = size - tail.length;
  return {
    size,
    read(pos, len) {
      const p = Math.max(0, pos);
      const end = Math.min(size, p + Math.max(0, len));
      if (p < prefix.length) return prefix.subarray(p, Math.min(end, prefix.length));
      if (p >= tailStart && p < size) return tail.subarray(p - tailStart, end - tailStart);
      return EMPTY;
    },
  };
}

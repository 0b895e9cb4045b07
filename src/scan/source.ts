// Random-access byte sources. Scanners read a file by position (zip central directory, a member's
// range, a pickle's next window) so a multi-GB model is never held in memory; an in-memory buffer
// and a slice of a file look the same to them.
import { closeSync, openSync, readSync } from 'node:fs';

export interface ByteSource {
  readonly size: number;
  /** Up to `len` bytes from `pos` (fewer at the end). May share memory with the source. */
  read(pos: number, len: number): Uint8Array;
  /**
   * Optional: copies up to `dst.length` bytes from `pos` into `dst` (fewer at the end) and returns
   * how many. For sequential readers that reuse one buffer instead of a fresh one per `read`.
   */
  readInto?(pos: number, dst: Uint8Array): number;
}

export function memorySource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read: (pos, len) => bytes.subarray(Math.max(0, pos), Math.max(0, Math.min(bytes.length, pos + len))),
  };
}

/** A window of another source: a stored zip member, the data after a .npy header. */
export function subSource(src: ByteSource, start: number, size: number): ByteSource {
  const end = Math.min(src.size, start + Math.max(0, size));
  const s = Math.min(start, end);
  const sub: ByteSource = {
    size: end - s,
    read: (pos, len) => (pos >= end - s ? new Uint8Array(0) : src.read(s + pos, Math.min(len, end - s - pos))),
  };
  const inner = src.readInto?.bind(src);
  if (inner) sub.readInto = (pos, dst) => (pos >= end - s ? 0 : inner(s + pos, dst.subarray(0, Math.min(dst.length, end - s - pos))));
  return sub;
}

/** Whole source in memory; only for sources a caller has bounded. */
export function readAll(src: ByteSource): Uint8Array {
  const first = src.read(0, src.size);
  if (first.length === src.size) return first;
  const out = new Uint8Array(src.size);
  let at = 0;
  while (at < src.size) {
    const chunk = src.read(at, Math.min(1 << 24, src.size - at));
    if (chunk.length === 0) break;
    out.set(chunk, at);
    at += chunk.length;
  }
  return out.subarray(0, at);
}

/** A file read by position with synchronous reads; `close()` when done. */
export function openFileSource(path: string, size: number): ByteSource & { close(): void } {
  const fd = openSync(path, 'r');
  const readInto = (pos: number, dst: Uint8Array): number => {
    const n = Math.max(0, Math.min(dst.length, size - pos));
    let got = 0;
    while (got < n) {
      const r = readSync(fd, dst, got, n - got, pos + got);
      if (r === 0) break;
      got += r;
    }
    return got;
  };
  return {
    size,
    read(pos, len) {
      const buf = Buffer.allocUnsafe(Math.max(0, Math.min(len, size - pos)));
      return buf.subarray(0, readInto(pos, buf));
    },
    readInto,
    close: () => closeSync(fd),
  };
}

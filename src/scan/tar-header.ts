// tar header fields shared by the sniffer and the tar walker: numeric fields (octal or GNU
// base-256), the header checksum, the ustar magic.

const BLOCK = 512;

export function isZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

export function cstr(b: Uint8Array, off: number, len: number): string {
  let end = off;
  while (end < off + len && b[end] !== 0) end++;
  return Buffer.from(b.subarray(off, end)).toString('utf8');
}

/** A numeric field: octal digits padded with spaces/NULs, or GNU base-256 (high bit set). */
export function tarNumber(b: Uint8Array, off: number, len: number): number | undefined {
  if (b[off]! & 0x80) {
    if (b[off] === 0xff) return undefined; // negative
    let v = b[off]! & 0x7f;
    for (let i = off + 1; i < off + len; i++) v = v * 256 + b[i]!;
    return v <= Number.MAX_SAFE_INTEGER ? v : undefined;
  }
  let i = off;
  const end = off + len;
  while (i < end && (b[i] === 0x20 || b[i] === 0)) i++;
  let v = 0;
  for (; i < end && b[i]! >= 0x30 && b[i]! <= 0x37; i++) v = v * 8 + (b[i]! - 0x30);
  for (; i < end; i++) if (b[i] !== 0x20 && b[i] !== 0) return undefined;
  return v;
}

/** The stored checksum matches the header's byte sum (unsigned, or signed as old tars wrote it). */
export function tarChecksumOk(h: Uint8Array): boolean {
  const want = tarNumber(h, 148, 8);
  if (want === undefined) return false;
  let u = 0;
  let s = 0;
  for (let i = 0; i < BLOCK; i++) {
    const x = i >= 148 && i < 156 ? 0x20 : h[i]!;
    u += x;
    s += x < 128 ? x : x - 256;
  }
  return want === u || want === s;
}

export function ustarMagic(h: Uint8Array): 'posix' | 'gnu' | undefined {
  if (h[257] !== 0x75 || h[258] !== 0x73 || h[259] !== 0x74 || h[260] !== 0x61 || h[261] !== 0x72) return undefined;
  return h[262] === 0 ? 'posix' : h[262] === 0x20 ? 'gnu' : undefined;
}

/** A tar by its first header: the ustar magic, or (old v7 tars) a checksum that adds up. */
export function startsLikeTar(head: Uint8Array): boolean {
  if (head.length < BLOCK) return false;
  if (ustarMagic(head)) return true;
  return head[0] !== 0 && tarChecksumOk(head);
}


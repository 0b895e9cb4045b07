// A zip reader that does not trust the container. Loaders disagree about zips (PyTorch's miniz
// ignores flag bits Python's zipfile refuses; some read local headers, some the central
// directory), so an attacker hides a pickle where the scanner's reader fails but the loader's
// succeeds. This reader lists members from the central directory AND by walking local headers,
// reads stored and deflated data whatever the flag bits say, keeps going on bad CRCs, and bounds
// every inflate. Problems are findings on the member, never exceptions.
import { crc32, inflateRawSync } from 'node:zlib';
import type { Finding } from './types.js';
import { memorySource, readAll, subSource, type ByteSource } from './source.js';
import type { Budget } from './limits.js';

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  uncompressedSize: number;
  crc: number;
  headerOffset: number;
  dataOffset: number;
  inCentral: boolean;
  inLocal: boolean;
}

export interface ZipListing {
  entries: ZipEntry[];
  findings: Finding[];
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_LOCATOR64 = 0x07064b50;
const SIG_DESCRIPTOR = 0x08074b50;
const U32_MAX = 0xffffffff;

const u16 = (b: Uint8Array, o: number) => (b[o] ?? 0) | ((b[o + 1] ?? 0) << 8);
const u32 = (b: Uint8Array, o: number) => (u16(b, o) + u16(b, o + 2) * 65536) >>> 0;
const u64 = (b: Uint8Array, o: number) => u32(b, o) + u32(b, o + 4) * 2 ** 32;
const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');
const utf8 = (b: Uint8Array) => Buffer.from(b).toString('utf8');

export function startsLikeZip(head: Uint8Array): boolean {
  const s = u32(head, 0);
  return head.length >= 4 && (s === SIG_LOCAL || s === SIG_EOCD || s === SIG_DESCRIPTOR);
}

/** Offset of the end-of-central-directory record, searched in the last 64 KiB + 22 bytes. */
export function findEocd(src: ByteSource): number | undefined {
  const tailLen = Math.min(src.size, 65_535 + 22);
  const tail = src.read(src.size - tailLen, tailLen);
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail[i] === 0x50 && u32(tail, i) === SIG_EOCD) return src.size - tailLen + i;
  }
  return undefined;
}

interface Central {
  cdOffset: number;
  cdSize: number;
  count: number;
  /** Bytes prepended to the archive (self-extractors, polyglots): added to every offset. */
  shift: number;
}

function readEocd(src: ByteSource, eocd: number, findings: Finding[]): Central | undefined {
  const e = src.read(eocd, 22);
  let count = u16(e, 10);
  let cdSize = u32(e, 12);
  let cdOffset = u32(e, 16);
  let cdEnd = eocd;
  const loc = eocd >= 20 ? src.read(eocd - 20, 20) : new Uint8Array(0);
  if (loc.length === 20 && u32(loc, 0) === SIG_LOCATOR64) {
    const at = u64(loc, 8);
    const z = src.read(at, 56);
    if (z.length === 56 && u32(z, 0) === SIG_EOCD64) {
      count = u64(z, 32);
      cdSize = u64(z, 40);
      cdOffset = u64(z, 48);
      cdEnd = at;
    } else findings.push({ rule: 'zip-bad-zip64-record', severity: 'suspicious', detail: `zip64 locator points at offset ${at}, which holds no zip64 end record` });
  }
  const shift = cdEnd - cdSize - cdOffset;
  if (cdEnd - cdSize < 0 || cdOffset + shift < 0) {
    findings.push({ rule: 'zip-central-directory-invalid', severity: 'suspicious', detail: `central directory of ${cdSize} bytes at ${cdOffset} does not fit before its end record at ${cdEnd}` });
    return undefined;
  }
  if (shift !== 0) findings.push({ rule: 'zip-prepended-data', severity: 'suspicious', detail: `${shift} bytes precede the archive (a self-extractor or a polyglot file)` });
  return { cdOffset: cdOffset + shift, cdSize, count, shift };
}

function zip64Extra(extra: Uint8Array, want: { usize: boolean; csize: boolean; offset: boolean }): { usize?: number; csize?: number; offset?: number } {
  for (let p = 0; p + 4 <= extra.length; ) {
    const id = u16(extra, p);
    const len = u16(extra, p + 2);
    if (id === 0x0001) {
      const out: { usize?: number; csize?: number; offset?: number } = {};
      let q = p + 4;
      if (want.usize && q + 8 <= p + 4 + len) (out.usize = u64(extra, q)), (q += 8);
      if (want.csize && q + 8 <= p + 4 + len) (out.csize = u64(extra, q)), (q += 8);
      if (want.offset && q + 8 <= p + 4 + len) out.offset = u64(extra, q);
      return out;
    }
    p += 4 + len;
  }
  return {};
}

function readCentral(src: ByteSource, c: Central, maxEntries: number, findings: Finding[]): ZipEntry[] {
  const out: ZipEntry[] = [];
  const cd = src.read(c.cdOffset, c.cdSize);
  let p = 0;
  while (p + 46 <= cd.length && out.length < maxEntries) {
    if (u32(cd, p) !== SIG_CENTRAL) {
      findings.push({ rule: 'zip-central-directory-invalid', severity: 'suspicious', detail: `central directory entry ${out.length} at offset ${c.cdOffset + p} has a bad signature; members are taken from local headers` });
      break;
    }
    const flags = u16(cd, p + 8);
    const nameLen = u16(cd, p + 28);
    const extraLen = u16(cd, p + 30);
    const commentLen = u16(cd, p + 32);
    const nameBytes = cd.subarray(p + 46, p + 46 + nameLen);
    let csize = u32(cd, p + 20);
    let usize = u32(cd, p + 24);
    let offset = u32(cd, p + 42);
    const z = zip64Extra(cd.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen), { usize: usize === U32_MAX, csize: csize === U32_MAX, offset: offset === U32_MAX });
    usize = z.usize ?? usize;
    csize = z.csize ?? csize;
    offset = z.offset ?? offset;
    out.push({
      name: flags & 0x800 ? utf8(nameBytes) : latin1(nameBytes),
      method: u16(cd, p + 10),
      flags,
      crc: u32(cd, p + 16),
      compressedSize: csize,
      uncompressedSize: usize,
      headerOffset: offset + c.shift,
      dataOffset: -1,
      inCentral: true,
      inLocal: false,
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  if (out.length < c.count && out.length < maxEntries && !findings.some((f) => f.rule === 'zip-central-directory-invalid')) {
    findings.push({ rule: 'zip-central-directory-invalid', severity: 'suspicious', detail: `end record announces ${c.count} members, the central directory holds ${out.length}` });
  }
  return out;
}

interface Local {
  name: string;
  flags: number;
  method: number;
  crc: number;
  csize: number;
  usize: number;
  dataOffset: number;
  /** Sizes follow the data (flag 0x08) and the local header does not carry them. */
  sizesLater: boolean;
}

function readLocal(src: ByteSource, at: number): Local | undefined {
  const h = src.read(at, 30);
  if (h.length < 30 || u32(h, 0) !== SIG_LOCAL) return undefined;
  const nameLen = u16(h, 26);
  const extraLen = u16(h, 28);
  const flags = u16(h, 6);
  const rest = src.read(at + 30, nameLen + extraLen);
  let csize = u32(h, 18);
  let usize = u32(h, 22);
  const z = zip64Extra(rest.subarray(nameLen), { usize: usize === U32_MAX, csize: csize === U32_MAX, offset: false });
  usize = z.usize ?? usize;
  csize = z.csize ?? csize;
  const nameBytes = rest.subarray(0, nameLen);
  return {
    name: flags & 0x800 ? utf8(nameBytes) : latin1(nameBytes),
    flags,
    method: u16(h, 8),
    crc: u32(h, 14),
    csize,
    usize,
    dataOffset: at + 30 + nameLen + extraLen,
    sizesLater: (flags & 0x08) !== 0 && csize === 0,
  };
}

/** Next offset of a zip signature `sig` at or after `from`, searching at most `budget` bytes. */
function searchSignature(src: ByteSource, from: number, sigs: number[], budget: { left: number }): { at: number; sig: number } | undefined {
  const CH = 1 << 20;
  for (let p = from; p < src.size && budget.left > 0; p += CH - 3) {
    const b = src.read(p, CH);
    budget.left -= b.length;
    for (let i = b.indexOf(0x50); i >= 0 && i + 4 <= b.length; i = b.indexOf(0x50, i + 1)) {
      const s = u32(b, i);
      if (b[i + 1] === 0x4b && sigs.includes(s)) return { at: p + i, sig: s };
    }
    if (b.length < CH) break;
  }
  return undefined;
}

/** Members found by walking local headers from the start of the file. */
function walkLocals(src: ByteSource, maxEntries: number, searchBytes: number, known: Map<number, ZipEntry>, findings: Finding[]): Map<number, Local> {
  const out = new Map<number, Local>();
  const budget = { left: searchBytes };
  let p = 0;
  while (p + 30 <= src.size && out.size < maxEntries) {
    const sig = u32(src.read(p, 4), 0);
    if (sig === SIG_CENTRAL || sig === SIG_EOCD || sig === SIG_EOCD64) break;
    const l = sig === SIG_LOCAL ? readLocal(src, p) : undefined;
    if (!l || l.dataOffset > src.size) {
      const next = searchSignature(src, p + 1, [SIG_LOCAL], budget);
      if (!next) break;
      p = next.at;
      continue;
    }
    out.set(p, l);
    let len = known.get(p)?.compressedSize ?? l.csize;
    if (l.sizesLater && !known.has(p)) {
      // No size anywhere but after the data: find where the data ends.
      const next = searchSignature(src, l.dataOffset, [SIG_DESCRIPTOR, SIG_LOCAL, SIG_CENTRAL], budget);
      len = (next?.at ?? src.size) - l.dataOffset;
      if (next?.sig === SIG_DESCRIPTOR) {
        const d = src.read(next.at, 16);
        l.crc = u32(d, 4);
        l.usize = u32(d, 12);
      }
      l.csize = len;
    }
    p = l.dataOffset + len;
    if (l.flags & 0x08) p += u32(src.read(p, 4), 0) === SIG_DESCRIPTOR ? 16 : 12;
  }
  if (budget.left <= 0) findings.push({ rule: 'zip-scan-incomplete', severity: 'suspicious', detail: `stopped searching for local headers after ${searchBytes} bytes` });
  return out;
}

/** Every member the central directory or the local headers name, each once (by header offset). */
export function listZip(src: ByteSource, limits: { maxEntries: number; maxHeaderSearch: number }): ZipListing {
  const findings: Finding[] = [];
  const eocd = findEocd(src);
  const central = eocd === undefined ? undefined : readEocd(src, eocd, findings);
  if (eocd === undefined) findings.push({ rule: 'zip-central-directory-invalid', severity: 'suspicious', detail: 'no end-of-central-directory record; members are taken from local headers' });
  const fromCentral = central ? readCentral(src, central, limits.maxEntries, findings) : [];
  const byOffset = new Map<number, ZipEntry>();
  for (const e of fromCentral) {
    if (byOffset.has(e.headerOffset)) {
      findings.push({ rule: 'zip-overlapping-members', severity: 'dangerous', detail: `members ${JSON.stringify(byOffset.get(e.headerOffset)!.name)} and ${JSON.stringify(e.name)} share the data at offset ${e.headerOffset} (an overlapping-file zip bomb or a disguise)` });
      continue;
    }
    byOffset.set(e.headerOffset, e);
  }
  const locals = walkLocals(src, limits.maxEntries, limits.maxHeaderSearch, byOffset, findings);
  const entries: ZipEntry[] = [];
  for (const e of byOffset.values()) {
    const l = locals.get(e.headerOffset) ?? readLocal(src, e.headerOffset);
    if (!l) {
      findings.push({ rule: 'zip-bad-local-header', severity: 'suspicious', detail: `no local header at offset ${e.headerOffset}`, member: e.name });
      continue;
    }
    if (l.name !== e.name) {
      findings.push({ rule: 'zip-name-mismatch', severity: 'suspicious', detail: `the central directory calls it ${JSON.stringify(e.name)}, its local header ${JSON.stringify(l.name)}: readers disagree about what this member is`, member: e.name });
    }
    entries.push({ ...e, dataOffset: l.dataOffset, inLocal: true });
  }
  for (const [offset, l] of locals) {
    if (byOffset.has(offset)) continue;
    if (central) findings.push({ rule: 'zip-member-not-in-central-directory', severity: 'suspicious', detail: `local header at offset ${offset} is missing from the central directory: some readers see this member, others do not`, member: l.name });
    entries.push({ name: l.name, method: l.method, flags: l.flags, crc: l.crc, compressedSize: l.csize, uncompressedSize: l.usize, headerOffset: offset, dataOffset: l.dataOffset, inCentral: false, inLocal: true });
  }
  entries.sort((a, b) => a.headerOffset - b.headerOffset);
  return { entries, findings };
}

export interface OpenedMember {
  /** The member's bytes, absent when they cannot be read (encrypted, unsupported, over a bound). */
  data?: ByteSource;
  findings: Finding[];
}

const CRC_CHECK_MAX = 1024 * 2 ** 20;

function crcOf(src: ByteSource): number {
  let c = 0;
  for (let p = 0; p < src.size; p += 1 << 22) c = crc32(src.read(p, 1 << 22), c);
  return c >>> 0;
}

function inflateBounded(e: ZipEntry, compressed: Uint8Array, budget: Budget, f: (rule: string, sev: Finding['severity'], detail: string) => void): Uint8Array | undefined {
  const { maxMemberBytes, maxTotalInflated, maxRatio } = budget.limits;
  const byRatio = Math.max(2 ** 20, compressed.length * maxRatio);
  const left = maxTotalInflated - budget.inflated;
  const cap = Math.min(maxMemberBytes, left, byRatio);
  try {
    const out = inflateRawSync(compressed, { maxOutputLength: cap + 1 });
    if (out.length > cap) throw new RangeError('cap');
    budget.inflated += out.length;
    return out;
  } catch (err) {
    if (!(err instanceof RangeError) && (err as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') {
      f('zip-bad-deflate', 'suspicious', `deflate data does not inflate (${(err as Error).message}); not scanned`);
      return undefined;
    }
    if (cap === byRatio) f('zip-bomb', 'suspicious', `inflates past ${maxRatio}x its ${compressed.length} compressed bytes (declared ${e.uncompressedSize}); stopped at ${cap} bytes, not scanned`);
    else if (cap === left) f('zip-bomb', 'suspicious', `this archive inflates past the ${maxTotalInflated}-byte total bound; stopped, not scanned`);
    else f('zip-member-too-large', 'suspicious', `inflates past the ${maxMemberBytes}-byte bound for one member; not scanned`);
    return undefined;
  }
}

/**
 * The member's bytes: a window of the archive when stored, inflated in memory (bounded) when
 * deflated. Flag bits are ignored when the data is plain; a member whose data only makes sense
 * encrypted is reported `unscannable-encrypted`.
 */
export function openMember(src: ByteSource, e: ZipEntry, budget: Budget): OpenedMember {
  const findings: Finding[] = [];
  const f = (rule: string, severity: Finding['severity'], detail: string) => findings.push({ rule, severity, detail, member: e.name });
  if (e.dataOffset + e.compressedSize > src.size) {
    f('zip-truncated-member', 'suspicious', `member data runs ${e.dataOffset + e.compressedSize - src.size} bytes past the end of the archive; scanning what is there`);
  }
  const raw = subSource(src, e.dataOffset, e.compressedSize);
  const claimsEncryption = (e.flags & 0x41) !== 0 || e.method === 99;
  let data: ByteSource | undefined;
  if (e.method === 0) data = raw;
  else if (e.method === 8) {
    if (raw.size > budget.limits.maxMemberBytes) f('zip-member-too-large', 'suspicious', `${raw.size} compressed bytes exceed the ${budget.limits.maxMemberBytes}-byte bound; not scanned`);
    else {
      const out = claimsEncryption ? inflateQuiet(readAll(raw), budget) : inflateBounded(e, readAll(raw), budget, f);
      if (out) data = memorySource(out);
    }
  } else if (e.method !== 99) {
    f('zip-unsupported-method', 'suspicious', `compression method ${e.method} is not supported by this scanner; member not scanned`);
    return { findings };
  }
  const crcOk = data && data.size <= CRC_CHECK_MAX ? crcOf(data) === e.crc : undefined;
  if (claimsEncryption) {
    const plain = data !== undefined && crcOk === true && (e.method !== 0 || e.compressedSize === e.uncompressedSize);
    if (!plain) {
      f('unscannable-encrypted', 'suspicious', 'member is encrypted: its content cannot be inspected, so nothing can be said about it');
      // Still look at it as stored bytes when it starts like a pickle: the flag may be a decoy.
      const head = raw.read(0, 2);
      return head[0] === 0x80 && (head[1] ?? 9) <= 5 ? { data: raw, findings } : { findings };
    }
    f('zip-flag-anomaly', 'suspicious', `general-purpose flags 0x${e.flags.toString(16)} claim encryption but the data is plain (a trick to make strict readers skip the member)`);
  } else if (e.flags & 0x20) {
    f('zip-flag-anomaly', 'suspicious', 'flag 0x20 (patched data) is set on an ordinary member (a trick to make strict readers skip it)');
  }
  if (crcOk === false) f('zip-bad-crc', 'suspicious', `CRC-32 does not match the declared 0x${e.crc.toString(16).padStart(8, '0')}; scanned anyway`);
  return data ? { data, findings } : { findings };
}

/** Inflate a member that claims encryption: failure just means it really is encrypted. */
function inflateQuiet(compressed: Uint8Array, budget: Budget): Uint8Array | undefined {
  const cap = Math.min(budget.limits.maxMemberBytes, budget.limits.maxTotalInflated - budget.inflated, Math.max(2 ** 20, compressed.length * budget.limits.maxRatio));
  try {
    const out = inflateRawSync(compressed, { maxOutputLength: cap });
    budget.inflated += out.length;
    return out;
  } catch {
    return undefined;
  }
}

// tar archives (OCI image layers, ModelPack/KitOps weight layers), plain or inside gzip. Headers
// are ustar, GNU (long names 'L'/'K', base-256 sizes) and pax ('path', 'linkpath', 'size'); every
// header's checksum is checked and a bad one stops the walk. Regular members are scanned by
// content through the same dispatcher as a file: a window of the archive when it is read by
// position, a bounded prefix (with its true size) when it arrives as a decompressed stream.
// Links, devices and paths that would land outside the extraction root are reported.
import type { ExtractedArtifact, Finding, Verdict } from './types.js';
import { memorySource, type ByteSource } from './source.js';
import { limitReader, prefixSource, prepend, readInto, readN, sourceReader, type SeqReader } from './seq.js';
import type { Budget } from './limits.js';
import { gunzip, type Gunzip } from './gzip.js';
import { unzstd } from './zstd.js';
import { parseNpy } from './numpy.js';
import { sniff } from './sniff.js';
import { cstr, isZero, tarChecksumOk, tarNumber, ustarMagic } from './tar-header.js';
import type { ScanContext, Scanned } from './scan.js';

type ScanFn = (src: ByteSource, ctx: ScanContext) => Promise<Scanned>;

const BLOCK = 512;
/** pax records and GNU long names are metadata: Go's archive/tar refuses them above 1 MiB too. */
const MAX_META = 1 << 20;
/** Last bytes of a large streamed member kept to see a zip end record (its search window). */
const TAIL = 65_535 + 22;
/** Zero padding after the end-of-archive blocks checked for hidden data. */
const TRAILER_CHECK = 1 << 20;
/** The archive's own findings of one rule listed one by one; the rest are counted. */
const PER_RULE = 20;
/** Formats a loader reads as a whole: a prefix of them says nothing about the rest. */
const WHOLE = new Set(['pickle', 'pytorch-legacy', 'zip', 'pytorch-zip', 'npz', 'keras', '7z', 'tar']);

// ---- headers

/** pax extended header records: `<len> <key>=<value>\n`; undefined when malformed. */
function parsePax(body: Uint8Array): Map<string, string> | undefined {
  const out = new Map<string, string>();
  let at = 0;
  while (at < body.length) {
    if (body[at] === 0 && isZero(body.subarray(at))) break; // NUL padding some writers leave
    let sp = at;
    while (sp < body.length && sp - at < 16 && body[sp]! >= 0x30 && body[sp]! <= 0x39) sp++;
    if (sp === at || body[sp] !== 0x20) return undefined;
    const len = Number(Buffer.from(body.subarray(at, sp)).toString('latin1'));
    if (!(len > sp - at + 1) || at + len > body.length || body[at + len - 1] !== 0x0a) return undefined;
    const rec = Buffer.from(body.subarray(sp + 1, at + len - 1)).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq <= 0) return undefined;
    out.set(rec.slice(0, eq), rec.slice(eq + 1));
    at += len;
  }
  return out;
}

/** Why a member path would be written outside the extraction root, if it would. */
function pathEscape(path: string): string | undefined {
  if (/^[/\\]/u.test(path) || /^[A-Za-z]:/u.test(path)) return 'is absolute';
  if (path.split(/[/\\]/u).includes('..')) return 'has a `..` component';
  return undefined;
}

/** Why a symlink at `name` pointing to `target` resolves outside the archive root, if it does. */
function linkEscape(name: string, target: string): string | undefined {
  // An absolute target means the layer's own root (OCI image spec: layers are applied to a root
  // filesystem, and runtimes resolve links inside it); OS layers are full of them (/bin/sh ->
  // /bin/busybox). A relative target climbing above the root is the escape.
  if (/^[/\\]/u.test(target)) return undefined;
  if (/^[A-Za-z]:/u.test(target)) return 'points to a drive path';
  const stack = name.split(/[/\\]/u).filter((p) => p !== '' && p !== '.');
  stack.pop();
  for (const p of target.split(/[/\\]/u)) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (stack.length === 0) return 'resolves above the archive root';
      stack.pop();
    } else stack.push(p);
  }
  return undefined;
}

// ---- walking

class Report {
  readonly findings: Finding[] = [];
  readonly extracted: ExtractedArtifact[] = [];
  private readonly perRule = new Map<string, number>();
  private readonly overflow = new Map<string, Verdict>();
  unrecognized = 0;
  symlinks = 0;
  hardlinks = 0;
  fifos = 0;

  add(rule: string, severity: Verdict, detail: string, member?: string): void {
    const n = (this.perRule.get(rule) ?? 0) + 1;
    this.perRule.set(rule, n);
    if (n <= PER_RULE) this.findings.push(member === undefined ? { rule, severity, detail } : { rule, severity, detail, member });
    else if (severity !== 'safe') this.overflow.set(rule, severity);
  }

  member(name: string, s: Scanned): void {
    // Plain files of an image layer are counted in one finding, not listed one by one.
    if (s.format === 'unknown' && s.findings.length === 1 && s.findings[0]!.rule === 'format-unrecognized') {
      this.unrecognized++;
      return;
    }
    for (const f of s.findings) this.findings.push({ ...f, member: f.member === undefined ? name : `${name}!${f.member}` });
    this.extracted.push(...s.extracted);
  }

  done(format: string): Scanned {
    for (const [rule, severity] of this.overflow) {
      this.findings.push({ rule, severity, detail: `${this.perRule.get(rule)! - PER_RULE} more findings of this rule in the archive (only the first ${PER_RULE} are listed)` });
    }
    const links = [this.symlinks && `${this.symlinks} symbolic link(s)`, this.hardlinks && `${this.hardlinks} hard link(s)`, this.fifos && `${this.fifos} FIFO(s)`].filter(Boolean);
    if (links.length) this.add('tar-links', 'safe', `${links.join(', ')}: not followed; every regular member is scanned by its own content`);
    if (this.unrecognized) {
      this.add('format-unrecognized', 'safe', `${this.unrecognized} member(s) with no pickle, zip, 7z, numpy, safetensors, GGUF or HDF5 content: nothing in them is deserialized by a model loader`);
    }
    return { format, findings: this.findings, extracted: this.extracted };
  }
}

function tooDeep(format: string, maxDepth: number): Scanned {
  return { format, findings: [{ rule: 'archive-too-deep', severity: 'suspicious', detail: `archives nested deeper than ${maxDepth} levels are not opened; the inner content was not inspected` }], extracted: [] };
}

const DEVICE: Record<string, string> = { '3': 'character device', '4': 'block device' };
/** Types whose size field Go's archive/tar (docker, containerd) ignores: no data follows. */
const HEADER_ONLY = new Set(['1', '2', '3', '4', '5', '6']);

/** Walks a tar from `r`; members are scanned one by one as they come. */
async function walkTar(r: SeqReader, ctx: ScanContext, scan: ScanFn): Promise<Scanned> {
  const limits = ctx.budget.limits;
  if (ctx.depth >= limits.maxDepth) return tooDeep('tar', limits.maxDepth);
  const out = new Report();
  const memberCtx: ScanContext = { ...ctx, depth: ctx.depth + 1 };
  let pos = 0;
  let entries = 0;
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax: Map<string, string> | undefined;
  const truncated = (what: string) => {
    if (!r.stopped) out.add('tar-truncated', 'suspicious', `the archive ends inside ${what} (offset ${pos}); the rest was not inspected`);
  };
  /** Skips a member's data and the padding to the next block; false when the archive ends first. */
  const skipData = async (n: number, already: number): Promise<boolean> => {
    const pad = (BLOCK - (n % BLOCK)) % BLOCK;
    const want = n - already + pad;
    const got = want > 0 ? await r.skip(want) : 0;
    pos += already + got;
    return got === want;
  };
  for (;;) {
    const h = await readN(r, BLOCK);
    if (h.length === 0) break; // no end-of-archive blocks: tolerated, as tar readers do
    if (h.length < BLOCK) {
      truncated('a header');
      break;
    }
    if (isZero(h)) {
      await endOfArchive(r, pos + BLOCK, out);
      break;
    }
    if (!tarChecksumOk(h)) {
      out.add('tar-bad-checksum', 'suspicious', `the header at offset ${pos} has a bad checksum: tar readers disagree on what follows (GNU tar skips ahead, others stop), so the rest of the archive was not inspected`);
      break;
    }
    pos += BLOCK;
    if (++entries > limits.maxEntries) {
      out.add('tar-too-many-members', 'suspicious', `more than ${limits.maxEntries} headers; stopped, the rest of the archive was not inspected`);
      break;
    }
    const type = h[156] === 0 ? '0' : String.fromCharCode(h[156]!);
    const headerSize = tarNumber(h, 124, 12);
    if (headerSize === undefined) {
      out.add('tar-bad-header', 'suspicious', `the header at offset ${pos - BLOCK} has an unreadable size field; the rest of the archive was not inspected`);
      break;
    }
    if (type === 'x' || type === 'g' || type === 'L' || type === 'K') {
      if (headerSize > MAX_META) {
        out.add('tar-bad-header', 'suspicious', `a ${type === 'L' || type === 'K' ? 'GNU long-name' : 'pax'} record of ${headerSize} bytes (above ${MAX_META}) at offset ${pos - BLOCK}; the rest of the archive was not inspected`);
        break;
      }
      const body = await readN(r, headerSize);
      if (body.length < headerSize) {
        truncated('a metadata record');
        break;
      }
      if (!(await skipData(headerSize, headerSize))) {
        truncated('a metadata record');
        break;
      }
      if (type === 'L') longName = cstr(body, 0, body.length);
      else if (type === 'K') longLink = cstr(body, 0, body.length);
      else {
        const recs = parsePax(body);
        if (!recs) {
          out.add('tar-bad-header', 'suspicious', `malformed pax extended header at offset ${pos - headerSize - BLOCK}; the rest of the archive was not inspected`);
          break;
        }
        if (type === 'x') pax = new Map([...(pax ?? []), ...recs]);
        else if (['path', 'linkpath', 'size'].some((k) => recs.has(k))) {
          out.add('tar-pax-global-override', 'suspicious', `a global pax header sets ${['path', 'linkpath', 'size'].filter((k) => recs.has(k)).join(', ')} for every later member; readers disagree on honouring it`);
        }
      }
      continue;
    }
    const posix = ustarMagic(h) === 'posix';
    const prefix = posix ? cstr(h, 345, 155) : '';
    const plainName = cstr(h, 0, 100);
    let name = longName ?? (prefix ? `${prefix}/${plainName}` : plainName);
    let link = longLink ?? cstr(h, 157, 100);
    let size = headerSize;
    let sparse = type === 'S';
    if (pax) {
      name = pax.get('path') ?? name;
      link = pax.get('linkpath') ?? link;
      const ps = pax.get('size');
      if (ps !== undefined) {
        if (!/^\d{1,16}$/u.test(ps) || Number(ps) > Number.MAX_SAFE_INTEGER) {
          out.add('tar-bad-header', 'suspicious', `pax size "${ps.slice(0, 40)}" for ${name.slice(0, 200)} is not a number; the rest of the archive was not inspected`);
          break;
        }
        size = Number(ps);
      }
      if ([...pax.keys()].some((k) => k.startsWith('GNU.sparse.'))) {
        sparse = true;
        name = pax.get('GNU.sparse.name') ?? name;
      }
    }
    longName = longLink = pax = undefined;
    const escape = pathEscape(name);
    if (escape) out.add('tar-path-escape', 'suspicious', `member path ${escape}: extracting the archive writes outside the target directory`, name);

    if (HEADER_ONLY.has(type)) {
      if (type === '2') {
        out.symlinks++;
        const why = linkEscape(name, link);
        if (why) out.add('tar-path-escape', 'suspicious', `symbolic link to "${link.slice(0, 300)}" ${why}: a later member written through it lands outside the target directory`, name);
      } else if (type === '1') {
        out.hardlinks++;
        const why = pathEscape(link);
        if (why) out.add('tar-path-escape', 'suspicious', `hard link to "${link.slice(0, 300)}", which ${why}: extracting it links a file outside the archive`, name);
      } else if (type === '6') out.fifos++;
      else if (DEVICE[type]) {
        out.add('tar-device-node', 'suspicious', `${DEVICE[type]} ${tarNumber(h, 329, 8) ?? '?'},${tarNumber(h, 337, 8) ?? '?'}: extracting as root creates a device node`, name);
      }
      if (size > 0) {
        out.add('tar-ambiguous-size', 'suspicious', `a type-${type} header (no data) declares ${size} bytes: readers that skip them and readers that do not see different members after it`, name);
      }
      continue;
    }
    if (type === 'S' && h[482] !== 0) {
      // Old GNU sparse: extension blocks of the sparse map follow the header.
      let more = true;
      for (let n = 0; more; n++) {
        const ext = await readN(r, BLOCK);
        pos += ext.length;
        if (ext.length < BLOCK || n > 10_000) {
          truncated('a sparse map');
          return out.done('tar');
        }
        more = ext[504] !== 0;
      }
    }
    if (sparse) {
      out.add('tar-sparse-member', 'suspicious', `sparse file (${size} stored bytes): its content was not reassembled or inspected`, name);
      if (!(await skipData(size, 0))) {
        truncated('a member');
        break;
      }
      continue;
    }
    if (type === 'D' || type === 'V' || type === 'N' || type === 'M') {
      // GNU directory listing, volume label, old long-name list, multi-volume continuation.
      if (type === 'M') out.add('tar-multivolume', 'suspicious', 'continuation of a file from another volume: its beginning is not in this archive and was not inspected', name);
      if (!(await skipData(size, 0))) {
        truncated('a member');
        break;
      }
      continue;
    }
    if (type !== '0' && type !== '7') {
      out.add('tar-unknown-type', 'suspicious', `unknown entry type '${type.replace(/[^\x20-\x7e]/gu, '?')}': POSIX readers extract it as a regular file, so it is scanned as one`, name);
    }
    const m = limitReader(r, size);
    if (size > 0) {
      const s = m.window ? await scan(m.window(size), memberCtx) : await scanStreamContent(m, size, memberCtx, scan);
      out.member(name, s);
    }
    if (!(await skipData(size, m.consumed))) {
      truncated(`member ${name.slice(0, 200)}`);
      break;
    }
  }
  return out.done('tar');
}

/** After the first zero block: a second one, then nothing but zero padding. */
async function endOfArchive(r: SeqReader, at: number, out: Report): Promise<void> {
  const second = await readN(r, BLOCK);
  if (second.length > 0 && !isZero(second)) {
    out.add('tar-trailing-data', 'suspicious', `a lone zero block at offset ${at - BLOCK} followed by more data: most readers stop there, \`tar -i\` reads on; that data was not inspected`);
    return;
  }
  const rest = await readN(r, TRAILER_CHECK);
  if (!isZero(rest)) {
    out.add('tar-trailing-data', 'suspicious', `non-zero data after the end-of-archive blocks (offset ${at + BLOCK}): hidden from most readers, not inspected`);
  } else if (rest.length === TRAILER_CHECK && (await r.chunk(1)).length > 0) {
    out.add('tar-trailing-data', 'suspicious', `more than ${TRAILER_CHECK} bytes after the end-of-archive blocks; not inspected`);
  }
}

// ---- streamed content

/** Content read forward only (a tar member or the inside of a gzip): tar and gzip are walked as they stream; anything else is scanned from a bounded prefix. */
export async function scanStreamContent(r: SeqReader, size: number | undefined, ctx: ScanContext, scan: ScanFn): Promise<Scanned> {
  const limits = ctx.budget.limits;
  const head = await readN(r, BLOCK);
  const all = prepend(head, r);
  const kind = sniff(head, size ?? Number.MAX_SAFE_INTEGER);
  if (kind === 'gzip' || kind === 'zstd') {
    if (ctx.depth >= limits.maxDepth) return tooDeep(kind, limits.maxDepth);
    return scanCompressedStream(kind, all, { ...ctx, depth: ctx.depth + 1 }, scan);
  }
  if (kind === 'tar') return walkTar(all, ctx, scan);
  return scanPrefix(all, size, ctx, scan);
}

/**
 * Prefix buffers of the bound's size, reused member after member within one scan: fresh memory
 * for every large member halves the throughput. One per nesting level in use at a time.
 */
const pools = new WeakMap<Budget, Uint8Array[]>();
const POOL_FROM = 1 << 20;

async function scanPrefix(r: SeqReader, size: number | undefined, ctx: ScanContext, scan: ScanFn): Promise<Scanned> {
  const cap = ctx.budget.limits.maxStreamMemberBytes;
  if (size !== undefined && size <= POOL_FROM) return scanPrefixIn(r, await readN(r, Math.min(size, cap)), ctx, scan);
  let pool = pools.get(ctx.budget);
  if (!pool) pools.set(ctx.budget, (pool = []));
  const buf = pool.pop() ?? Buffer.allocUnsafe(cap);
  try {
    return await scanPrefixIn(r, await readInto(r, buf.subarray(0, Math.min(cap, size ?? cap))), ctx, scan);
  } finally {
    pool.push(buf);
  }
}

async function scanPrefixIn(r: SeqReader, prefix: Uint8Array, ctx: ScanContext, scan: ScanFn): Promise<Scanned> {
  const cap = ctx.budget.limits.maxStreamMemberBytes;
  if (prefix.length < cap) return scan(memorySource(prefix), ctx);
  let total = prefix.length;
  // The last chunks, by reference (a decompressor hands out fresh buffers), joined at the end.
  const last: Uint8Array[] = [];
  let lastBytes = 0;
  for (;;) {
    const c = await r.chunk(1 << 20);
    if (c.length === 0) break;
    total += c.length;
    last.push(c);
    lastBytes += c.length;
    while (lastBytes - last[0]!.length >= TAIL) lastBytes -= last.shift()!.length;
  }
  const joined = last.length === 1 ? last[0]! : Buffer.concat(last);
  const tail = joined.subarray(Math.max(0, joined.length - TAIL));
  if (total === prefix.length) return scan(memorySource(prefix), ctx);
  const src = prefixSource(prefix, tail, total);
  const s = await scan(src, ctx);
  const why = WHOLE.has(s.format)
    ? `${s.format} content`
    : s.format === 'numpy' && parseNpy(src).header?.hasObject
      ? 'a numpy object array (a pickle)'
      : s.format === 'unknown' && hasZipEnd(tail)
        ? 'data with a zip end record near its end (zip readers open it as an archive)'
        : undefined;
  if (why) {
    s.findings.push({
      rule: 'member-too-large-to-scan',
      severity: 'suspicious',
      detail: `${total} bytes of ${why}, above the ${cap}-byte bound for content read from a stream: only the first ${cap} bytes were scanned and a loader reads all of it`,
    });
  }
  return s;
}

function hasZipEnd(tail: Uint8Array): boolean {
  for (let i = tail.length - 22; i >= 0; i--) if (tail[i] === 0x50 && tail[i + 1] === 0x4b && tail[i + 2] === 5 && tail[i + 3] === 6) return true;
  return false;
}

const DECOMPRESSORS: Record<'gzip' | 'zstd', (r: SeqReader, budget: Budget) => Gunzip> = { gzip: gunzip, zstd: unzstd };

/** gzip or zstd: decompressed as a stream, its content (a tar layer, a pickle…) scanned as it comes. */
async function scanCompressedStream(kind: 'gzip' | 'zstd', r: SeqReader, ctx: ScanContext, scan: ScanFn): Promise<Scanned> {
  const g = DECOMPRESSORS[kind](r, ctx.budget);
  try {
    const s = await scanStreamContent(g.reader, undefined, ctx, scan);
    const format = s.format === 'tar' || s.format.endsWith('+gzip') || s.format.endsWith('+zstd') ? `${s.format}+${kind}` : kind;
    return { format, findings: [...g.findings, ...s.findings], extracted: s.extracted };
  } finally {
    await g.close();
  }
}

// ---- entry points from the dispatcher

/** A tar read by position: its members are windows of it, scanned exactly like files. */
export function scanTarSource(src: ByteSource, ctx: ScanContext, scan: ScanFn): Promise<Scanned> {
  return walkTar(sourceReader(src), ctx, scan);
}

/** gzip or zstd (a .tar.gz / .tar.zst layer, a compressed pickle): decompressed as a stream, its content scanned as it comes. */
export function scanCompressedSource(kind: 'gzip' | 'zstd', src: ByteSource, ctx: ScanContext, scan: ScanFn): Promise<Scanned> {
  const limits = ctx.budget.limits;
  if (ctx.depth >= limits.maxDepth) return Promise.resolve(tooDeep(kind, limits.maxDepth));
  return scanCompressedStream(kind, sourceReader(src), ctx, scan);
}


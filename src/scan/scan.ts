// Entry points: scan a file or bytes, detect the format by content, dispatch, and recurse into
// containers within the bounds of one budget. Scanners are pure (they read, never execute) and
// report problems as findings; only a caller error (a path that cannot be read) throws.
import { statSync } from 'node:fs';
import { AppError } from '../errors.js';
import { worstVerdict, type ExtractedArtifact, type Finding, type ScanResult } from './types.js';
import { memorySource, openFileSource, readAll, type ByteSource } from './source.js';
import { DEFAULT_LIMITS, type Budget, type ScanLimits } from './limits.js';
import { hdf5SignatureAt, sniff } from './sniff.js';
import { ALLOW, type AllowList } from './globals.js';
import { scanPickleSource } from './pytorch.js';
import { parseNpy } from './numpy.js';
import { unpack7z } from './sevenzip.js';
import { scanZipContainer, zipBehindData } from './zip-scan.js';
import { scanSafetensors } from './safetensors.js';
import { scanGguf } from './gguf.js';
import { scanHdf5 } from './keras.js';
import { scanCompressedSource, scanTarSource } from './tar.js';

export interface Scanned {
  format: string;
  findings: Finding[];
  extracted: ExtractedArtifact[];
}

export interface ScanContext {
  budget: Budget;
  depth: number;
  /** Allow-list for pickles found here (a numpy archive's members use the numpy list). */
  allowList: AllowList;
}

export interface ScanOptions {
  limits?: Partial<ScanLimits>;
}

function context(opts: ScanOptions): ScanContext {
  return { budget: { limits: { ...DEFAULT_LIMITS, ...opts.limits }, inflated: 0, streamed: 0 }, depth: 0, allowList: ALLOW.pickle };
}

function result(path: string, s: Scanned): ScanResult {
  const r: ScanResult = { path, format: s.format, verdict: worstVerdict(s.findings), findings: s.findings };
  if (s.extracted.length) r.extracted = s.extracted;
  return r;
}

export async function scanBytes(name: string, bytes: Uint8Array, opts: ScanOptions = {}): Promise<ScanResult> {
  return result(name, await scanSource(memorySource(bytes), context(opts)));
}

/** Scans a file by position: only headers, pickles and bounded members are read into memory. */
export async function scanFile(path: string, opts: ScanOptions = {}): Promise<ScanResult> {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new AppError('BAD_REQUEST', `${path} is not a regular file`);
    size = st.size;
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError('BAD_REQUEST', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const src = openFileSource(path, size);
  try {
    return result(path, await scanSource(src, context(opts)));
  } finally {
    src.close();
  }
}

const UNRECOGNIZED: Finding = {
  rule: 'format-unrecognized',
  severity: 'safe',
  detail: 'no pickle, zip, 7z, tar, gzip, numpy, safetensors, GGUF or HDF5 content: nothing in it is deserialized by a model loader',
};

/** Detects the format of `src` and scans it; never throws for anything in the bytes. */
export async function scanSource(src: ByteSource, ctx: ScanContext): Promise<Scanned> {
  try {
    return await dispatch(src, ctx);
  } catch (e) {
    return { format: 'unknown', findings: [{ rule: 'scanner-error', severity: 'suspicious', detail: `the scanner failed on this content (${(e as Error).message}); it was not fully inspected` }], extracted: [] };
  }
}

async function dispatch(src: ByteSource, ctx: ScanContext): Promise<Scanned> {
  const limits = ctx.budget.limits;
  const head = src.read(0, 512);
  const kind = sniff(head, src.size);
  const none: ExtractedArtifact[] = [];
  if (kind === 'zip') return scanZipContainer(src, ctx, scanSource);
  if (kind === '7z') return scan7z(src, ctx);
  if (kind === 'gzip' || kind === 'zstd') return scanCompressedSource(kind, src, ctx, scanSource);
  // Before the HDF5 probe: a tar whose first member is an .h5 has its signature at offset 512.
  if (kind === 'tar') return withPolyglot(src, ctx, await scanTarSource(src, ctx, scanSource));
  if (kind === 'numpy') return withPolyglot(src, ctx, scanNpy(src, ctx));
  if (kind === 'gguf') {
    const r = scanGguf(src.read(0, Math.min(src.size, limits.maxHeaderBytes)), src.size);
    return withPolyglot(src, ctx, { format: 'gguf', findings: r.findings, extracted: r.extracted });
  }
  if (kind === 'safetensors') {
    const n = Number(new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true));
    const want = n <= 100_000_000 ? Math.min(src.size, 8 + n) : 8;
    const r = scanSafetensors(src.read(0, want), src.size);
    return withPolyglot(src, ctx, { format: r.format, findings: r.findings, extracted: none });
  }
  const h5 = kind === 'hdf5' ? 0 : hdf5SignatureAt((p, l) => src.read(p, l), src.size);
  if (h5 !== undefined) {
    const take = Math.min(src.size, limits.maxHeaderBytes * 4);
    const findings = scanHdf5(src.read(0, take));
    if (take < src.size) findings.push({ rule: 'hdf5-partial-scan', severity: 'suspicious', detail: `only the first ${take} of ${src.size} bytes were searched for a model config` });
    return withPolyglot(src, ctx, { format: 'hdf5', findings, extracted: none });
  }
  const p = scanPickleSource(src, ctx.allowList);
  if (p) return withZipBehind(src, ctx, { format: p.format, findings: p.findings, extracted: none });
  const behind = zipBehindData(src);
  if (behind) return scanZipContainer(src, ctx, scanSource);
  return { format: 'unknown', findings: [UNRECOGNIZED], extracted: none };
}

/**
 * A file of one format may also parse as a complete pickle (a polyglot): whoever calls
 * pickle.load on it runs that pickle, so its imports count too.
 */
function withPolyglot(src: ByteSource, ctx: ScanContext, s: Scanned): Scanned {
  const p = scanPickleSource(src, ctx.allowList);
  const complete = p && !p.findings.some((f) => f.rule === 'pickle-parse-error') && p.findings.some((f) => f.rule.startsWith('pickle-') && f.rule !== 'pickle-too-complex');
  if (!complete) return s;
  return {
    ...s,
    findings: [...s.findings, { rule: 'polyglot', severity: 'suspicious', detail: `the file is also a complete pickle: pickle.load would run it` }, ...p.findings],
  };
}

/** A pickle with a zip after it is a polyglot too: zip readers find the archive from its end. */
async function withZipBehind(src: ByteSource, ctx: ScanContext, s: Scanned): Promise<Scanned> {
  if (!zipBehindData(src)) return s;
  const z = await scanZipContainer(src, ctx, scanSource);
  return {
    format: s.format,
    findings: [...s.findings, { rule: 'polyglot', severity: 'suspicious', detail: `the file is also a ${z.format} archive: zip readers see its members` }, ...z.findings],
    extracted: [...s.extracted, ...z.extracted],
  };
}

function scanNpy(src: ByteSource, ctx: ScanContext): Scanned {
  const { header, findings } = parseNpy(src);
  if (!header || !header.hasObject) return { format: 'numpy', findings, extracted: [] };
  const p = scanPickleSource(header.data, ALLOW.numpy);
  if (!p) findings.push({ rule: 'numpy-object-array-not-pickle', severity: 'suspicious', detail: 'object array whose data is not a pickle: np.load(allow_pickle=True) fails or misreads it' });
  else findings.push(...p.findings);
  void ctx;
  return { format: 'numpy', findings, extracted: [] };
}

async function scan7z(src: ByteSource, ctx: ScanContext): Promise<Scanned> {
  const limits = ctx.budget.limits;
  if (src.size > limits.max7zBytes) {
    return { format: '7z', findings: [{ rule: 'sevenzip-too-large', severity: 'suspicious', detail: `archive of ${src.size} bytes exceeds the ${limits.max7zBytes}-byte bound for 7z; not scanned` }], extracted: [] };
  }
  if (ctx.depth >= limits.maxDepth) return tooDeep('7z', limits.maxDepth);
  const u = await unpack7z(readAll(src), limits);
  const findings = [...u.findings];
  const extracted: ExtractedArtifact[] = [];
  for (const m of u.members) {
    const r = await scanSource(memorySource(m.data), { ...ctx, depth: ctx.depth + 1 });
    findings.push(...r.findings.map((f) => ({ ...f, member: f.member === undefined ? m.name : `${m.name}!${f.member}` })));
    extracted.push(...r.extracted);
  }
  return { format: '7z', findings, extracted };
}

export function tooDeep(format: string, maxDepth: number): Scanned {
  return { format, findings: [{ rule: 'archive-too-deep', severity: 'suspicious', detail: `archives nested deeper than ${maxDepth} levels are not opened; the inner content was not inspected` }], extracted: [] };
}

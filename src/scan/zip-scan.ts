// Scanning what a zip holds: a PyTorch checkpoint (its data.pkl with the PyTorch allow-list, raw
// tensor members skipped unread), a .keras archive (its config.json), a .npz (arrays), or any
// other zip, whose members are each sniffed by content and scanned, nested archives included.
import type { ExtractedArtifact, Finding } from './types.js';
import { findEocd, listZip, openMember, type ZipEntry } from './zip.js';
import { readAll, type ByteSource } from './source.js';
import { ALLOW } from './globals.js';
import { isTorchRawMember, pytorchZipRoot, scanPickleSource } from './pytorch.js';
import { scanKerasConfig } from './keras.js';
import type { ScanContext, Scanned } from './scan.js';

type ScanFn = (src: ByteSource, ctx: ScanContext) => Promise<Scanned>;

/** True when a zip's end record sits behind other data and its central directory checks out. */
export function zipBehindData(src: ByteSource): boolean {
  const eocd = findEocd(src);
  if (eocd === undefined) return false;
  const e = src.read(eocd, 22);
  const cdSize = e[12]! | (e[13]! << 8) | (e[14]! << 16) | (e[15]! << 24);
  const cdStart = eocd - (cdSize >>> 0);
  const sig = src.read(cdStart, 4);
  return cdStart >= 0 && sig[0] === 0x50 && sig[1] === 0x4b && sig[2] === 1 && sig[3] === 2;
}

const KERAS_CONFIG_MAX = 64 * 2 ** 20;

function nested(f: Finding, name: string): Finding {
  return { ...f, member: f.member === undefined || f.member === name ? name : `${name}!${f.member}` };
}

export async function scanZipContainer(src: ByteSource, ctx: ScanContext, scan: ScanFn): Promise<Scanned> {
  const limits = ctx.budget.limits;
  const listing = listZip(src, limits);
  const findings: Finding[] = [...listing.findings];
  const extracted: ExtractedArtifact[] = [];
  const files = listing.entries.filter((e) => !(e.name.endsWith('/') && e.uncompressedSize === 0 && e.compressedSize === 0));
  const names = files.map((e) => e.name);
  const torchRoot = pytorchZipRoot(names);
  const keras = !torchRoot && names.includes('config.json') && names.includes('metadata.json');
  let format = torchRoot !== undefined ? 'pytorch-zip' : keras ? 'keras' : 'zip';
  if (ctx.depth >= limits.maxDepth) {
    findings.push({ rule: 'archive-too-deep', severity: 'suspicious', detail: `archives nested deeper than ${limits.maxDepth} levels are not opened; the inner content was not inspected` });
    return { format, findings, extracted };
  }
  const memberFormats: string[] = [];
  let torchScriptCode = 0;
  for (const e of files) {
    if (torchRoot !== undefined && isTorchRawMember(torchRoot, e.name)) continue;
    if (torchRoot !== undefined && e.name.startsWith(`${torchRoot}/code/`) && e.name.endsWith('.py')) torchScriptCode++;
    const opened = openMember(src, e, ctx.budget);
    findings.push(...opened.findings);
    if (!opened.data) continue;
    if (torchRoot !== undefined && e.name.endsWith('.pkl')) {
      // data.pkl, constants.pkl: torch unpickles these with its own loader, whatever they start with.
      const p = scanPickleSource(opened.data, ALLOW.pytorch, e.name);
      if (p) findings.push(...p.findings);
      else findings.push({ rule: 'pytorch-pickle-invalid', severity: 'suspicious', detail: 'expected a pickle here; torch.load would fail or misread it', member: e.name });
      memberFormats.push('pickle');
      continue;
    }
    if (keras && e.name === 'config.json') {
      findings.push(...kerasConfig(opened.data, e).map((f) => nested(f, e.name)));
      memberFormats.push('keras-config');
      continue;
    }
    const r = await scan(opened.data, { ...ctx, depth: ctx.depth + 1, allowList: ctx.allowList });
    memberFormats.push(r.format);
    findings.push(...r.findings.map((f) => nested(f, e.name)));
    extracted.push(...r.extracted);
  }
  if (torchScriptCode > 0) {
    findings.push({ rule: 'pytorch-torchscript-code', severity: 'suspicious', detail: `TorchScript archive with ${torchScriptCode} code file(s) under ${torchRoot}/code/: torch.jit.load compiles and runs them; review the code` });
  }
  if (format === 'zip' && memberFormats.length > 0 && memberFormats.every((f) => f === 'numpy')) format = 'npz';
  return { format, findings, extracted };
}

function kerasConfig(data: ByteSource, e: ZipEntry): Finding[] {
  if (data.size > KERAS_CONFIG_MAX) return [{ rule: 'keras-config-too-large', severity: 'suspicious', detail: `config.json of ${data.size} bytes exceeds ${KERAS_CONFIG_MAX}; not inspected`, member: e.name }];
  return scanKerasConfig(Buffer.from(readAll(data)).toString('utf8'));
}

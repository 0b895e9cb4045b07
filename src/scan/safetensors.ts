// Structural check of a safetensors file: 8-byte little-endian header length, a JSON header, then
// one data section that the tensors' offsets must tile exactly. The format cannot carry code, so
// what can go wrong is a loader reading out of bounds or two loaders disagreeing about the tensors;
// every such inconsistency is `dangerous`. Rule names follow the Rust crate's `SafeTensorError`
// variants (huggingface/safetensors, safetensors/src/tensor.rs) so a finding maps to the error a
// loader would raise. Metadata oddities cannot hurt a loader and are `suspicious`.
import type { Finding } from './types.js';
import { findDuplicateKeys } from './safetensors-json.js';

/** Same cap as the reference implementation (`MAX_HEADER_SIZE = 100_000_000`). */
export const SAFETENSORS_MAX_HEADER = 100_000_000;
/** Findings per rule before the rest are summarised; a hostile header can hold a million tensors. */
const MAX_PER_RULE = 20;

/** Element sizes in bits, from the crate's `Dtype::bitsize` (0.6). Sub-byte types pack. */
export const SAFETENSORS_DTYPE_BITS: ReadonlyMap<string, number> = new Map([
  ['F4', 4], ['F6_E2M3', 6], ['F6_E3M2', 6],
  ['BOOL', 8], ['U8', 8], ['I8', 8], ['F8_E5M2', 8], ['F8_E4M3', 8], ['F8_E8M0', 8],
  ['I16', 16], ['U16', 16], ['F16', 16], ['BF16', 16],
  ['I32', 32], ['U32', 32], ['F32', 32],
  ['I64', 64], ['U64', 64], ['F64', 64], ['C64', 64],
]);

const U64_MAX = (1n << 64n) - 1n;

/** The header length from the first 8 bytes, so a caller can read exactly 8 + n bytes. */
export function safetensorsHeaderLength(first8: Uint8Array): bigint {
  if (first8.length < 8) throw new RangeError('safetensors: need the first 8 bytes to read the header length');
  return new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
}

interface Tensor {
  name: string;
  begin: bigint;
  end: bigint;
}

class Findings {
  readonly list: Finding[] = [];
  private readonly counts = new Map<string, number>();

  add(rule: string, severity: Finding['severity'], detail: string): void {
    const n = (this.counts.get(rule) ?? 0) + 1;
    this.counts.set(rule, n);
    if (n <= MAX_PER_RULE) this.list.push({ rule, severity, detail });
  }

  /** Appends one line per rule that hit the cap, so the count is still visible. */
  finish(): Finding[] {
    for (const [rule, n] of this.counts) {
      if (n > MAX_PER_RULE) {
        const severity = this.list.find((f) => f.rule === rule)!.severity;
        this.list.push({ rule, severity, detail: `${n - MAX_PER_RULE} more ${rule} findings not listed` });
      }
    }
    return this.list;
  }
}

/**
 * Scans a safetensors file. `bytes` must hold at least the first 8 + header-length bytes;
 * `fileSize` is the whole file's size when `bytes` is only its beginning.
 */
export function scanSafetensors(bytes: Uint8Array, fileSize?: number): { format: 'safetensors'; findings: Finding[] } {
  const out = new Findings();
  checkFile(bytes, BigInt(fileSize ?? bytes.length), out);
  return { format: 'safetensors', findings: out.finish() };
}

function checkFile(bytes: Uint8Array, size: bigint, out: Findings): void {
  if (bytes.length < 8 || size < 8n) {
    out.add('safetensors-header-too-small', 'dangerous', `file has ${Math.min(bytes.length, Number(size))} bytes; the 8-byte header length is missing`);
    return;
  }
  const n = safetensorsHeaderLength(bytes);
  if (n > BigInt(SAFETENSORS_MAX_HEADER)) {
    out.add('safetensors-header-too-large', 'dangerous', `header length ${n} exceeds the ${SAFETENSORS_MAX_HEADER}-byte limit loaders enforce`);
    return;
  }
  if (8n + n > size) {
    out.add('safetensors-invalid-header-length', 'dangerous', `header length ${n} runs past the end of the ${size}-byte file`);
    return;
  }
  if (8 + Number(n) > bytes.length) {
    // The file is long enough; the caller handed us too little of it. Not the file's fault.
    out.add('safetensors-header-not-read', 'suspicious', `scanner received ${bytes.length} bytes but the header needs ${8n + n}; header not checked`);
    return;
  }
  const headerBytes = bytes.subarray(8, 8 + Number(n));
  if (headerBytes[0] !== 0x7b) {
    out.add('safetensors-invalid-header-start', 'dangerous', 'header does not start with "{"');
    return;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(headerBytes);
  } catch {
    out.add('safetensors-invalid-header', 'dangerous', 'header is not valid UTF-8');
    return;
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    out.add('safetensors-invalid-header-deserialization', 'dangerous', `header is not valid JSON: ${(e as Error).message.slice(0, 200)}`);
    return;
  }
  if (!isObject(header)) {
    out.add('safetensors-invalid-header-deserialization', 'dangerous', 'header JSON is not an object');
    return;
  }
  for (const d of findDuplicateKeys(text)) {
    out.add('safetensors-duplicate-key', 'dangerous', `key ${JSON.stringify(d.key)} appears twice in ${d.path}; loaders disagree on which one counts`);
  }
  const tensors: Tensor[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') checkMetadata(info, out);
    else {
      const t = checkTensor(name, info, out);
      if (t) tensors.push(t);
    }
  }
  checkLayout(tensors, size - 8n - n, out);
}

function checkMetadata(meta: unknown, out: Findings): void {
  if (!isObject(meta)) {
    out.add('safetensors-invalid-metadata', 'suspicious', '__metadata__ is not an object of strings; strict loaders refuse the file');
    return;
  }
  for (const [k, v] of Object.entries(meta)) {
    if (typeof v !== 'string') {
      out.add('safetensors-invalid-metadata', 'suspicious', `__metadata__.${k} is a ${Array.isArray(v) ? 'array' : typeof v}, not a string`);
    }
  }
}

function checkTensor(name: string, info: unknown, out: Findings): Tensor | null {
  const label = `tensor ${JSON.stringify(name)}`;
  if (!isObject(info)) {
    out.add('safetensors-tensor-invalid-info', 'dangerous', `${label}: entry is not an object`);
    return null;
  }
  for (const k of Object.keys(info)) {
    if (k !== 'dtype' && k !== 'shape' && k !== 'data_offsets') {
      out.add('safetensors-unknown-field', 'suspicious', `${label}: unexpected field ${JSON.stringify(k)} (ignored by loaders)`);
    }
  }
  const bits = typeof info.dtype === 'string' ? SAFETENSORS_DTYPE_BITS.get(info.dtype) : undefined;
  if (bits === undefined) {
    out.add('safetensors-tensor-invalid-info', 'dangerous', `${label}: unknown dtype ${JSON.stringify(info.dtype)}`);
  }
  const shape = bigIntList(info.shape);
  if (!shape) {
    out.add('safetensors-tensor-invalid-info', 'dangerous', `${label}: shape must be a list of non-negative integers`);
  }
  const offsets = bigIntList(info.data_offsets);
  if (!offsets || offsets.length !== 2) {
    out.add('safetensors-invalid-offset', 'dangerous', `${label}: data_offsets must be two non-negative integers`);
    return null;
  }
  const [begin, end] = offsets as [bigint, bigint];
  if (end < begin) {
    out.add('safetensors-invalid-offset', 'dangerous', `${label}: data_offsets end ${end} is before begin ${begin}`);
    return null;
  }
  if (bits !== undefined && shape) {
    // BigInt keeps this exact; the loader does the same with checked u64/usize arithmetic.
    let totalBits = BigInt(bits);
    for (const d of shape) totalBits *= d;
    if (totalBits / 8n > U64_MAX) {
      out.add('safetensors-validation-overflow', 'dangerous', `${label}: shape ${fmtShape(shape)} overflows a 64-bit byte count`);
    } else if (totalBits % 8n !== 0n) {
      out.add('safetensors-misaligned-slice', 'dangerous', `${label}: ${info.dtype as string} shape ${fmtShape(shape)} does not end on a byte boundary`);
    } else if (totalBits / 8n !== end - begin) {
      out.add('safetensors-tensor-invalid-info', 'dangerous', `${label}: ${info.dtype as string} shape ${fmtShape(shape)} needs ${totalBits / 8n} bytes but data_offsets span ${end - begin}`);
    }
  }
  return { name, begin, end };
}

/** Offsets must tile [0, dataSize) exactly: no overlap (aliasing), no gap, no slack at the end. */
function checkLayout(tensors: Tensor[], dataSize: bigint, out: Findings): void {
  tensors.sort((a, b) => (a.begin < b.begin ? -1 : a.begin > b.begin ? 1 : a.end < b.end ? -1 : a.end > b.end ? 1 : 0));
  let cursor = 0n;
  let prev = '';
  for (const t of tensors) {
    const label = `tensor ${JSON.stringify(t.name)}`;
    if (t.begin < cursor) {
      out.add('safetensors-invalid-offset', 'dangerous', `${label}: bytes ${t.begin}..${t.end} overlap ${prev}, which ends at ${cursor}`);
    } else if (t.begin > cursor) {
      out.add('safetensors-invalid-offset', 'dangerous', `${label}: starts at ${t.begin}, leaving ${t.begin - cursor} unaccounted bytes after ${cursor}`);
    }
    if (t.end > cursor) {
      cursor = t.end;
      prev = label;
    }
  }
  if (cursor > dataSize) {
    out.add('safetensors-invalid-offset', 'dangerous', `tensor data ends at ${cursor} but the data section holds only ${dataSize} bytes`);
  } else if (cursor < dataSize) {
    out.add('safetensors-metadata-incomplete-buffer', 'dangerous', `${dataSize - cursor} bytes after the last tensor are not described by the header`);
  }
}

function bigIntList(v: unknown): bigint[] | null {
  if (!Array.isArray(v)) return null;
  const out: bigint[] = [];
  for (const x of v) {
    // Above 2^53 JSON.parse has already rounded the number, so it cannot be checked exactly.
    if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0) return null;
    out.push(BigInt(x));
  }
  return out;
}

function fmtShape(shape: readonly bigint[]): string {
  return `[${shape.join(', ')}]`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

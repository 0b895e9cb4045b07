// Structural check of a GGUF file (llama.cpp's model format) and extraction of its chat templates.
// Layout: magic "GGUF", u32 version, tensor count, KV count, the KV pairs, the tensor infos, padding
// to `general.alignment`, then tensor data. Version 1 used u32 for counts, string and array lengths
// and dimensions; 2 and 3 use u64. llama.cpp's GGUF reader has had heap overflows from unchecked
// counts and lengths (CVE-2024-21802, CVE-2024-25664/5/6 and others), so every count and length
// is checked against the bytes that are left and against an absolute cap before it is used. A
// structural error is `dangerous`: a loader may misbehave on it. Nothing read here is executed.
import { createHash } from 'node:crypto';
import { checkChatTemplate } from './gguf-template.js';
import {
  GGML_TYPES,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_MAX_DIMS,
  GGUF_MAX_NAME,
  GGUF_VALUE_TYPES,
  T_ARRAY,
  T_BOOL,
  T_STRING,
  T_UINT32,
} from './gguf-types.js';
import type { ExtractedArtifact, Finding } from './types.js';

/** Absolute caps, far above real models (a 400B model has ~1,000 tensors, ~50 KV pairs). */
const MAX_TENSORS = 1 << 20;
const MAX_KV = 1 << 16;
const MAX_KEY_BYTES = 1 << 16;
const MAX_ARRAY_DEPTH = 4;
const MAX_DECODED_STRING = 16 * 1024 * 1024;

/** Stops parsing: the rest of the file cannot be located once one field is wrong. */
class Stop extends Error {
  constructor(
    readonly rule: string,
    readonly detail: string,
    readonly severity: Finding['severity'] = 'dangerous',
  ) {
    super(detail);
  }
}

type Label = string | (() => string);

class Reader {
  pos = 0;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    /** Real file length; larger than `bytes.length` when only the beginning was handed over. */
    private readonly fileSize: number,
    readonly v1: boolean,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get left(): number {
    return this.bytes.length - this.pos;
  }

  /** Checks that `n` bytes remain; `what` names the field in the error (a function: built only then). */
  need(n: number | bigint, what: Label): number {
    if (typeof n === 'number' ? n <= this.left : n <= BigInt(this.left)) return Number(n);
    const name = typeof what === 'string' ? what : what();
    if (BigInt(this.pos) + BigInt(n) <= BigInt(this.fileSize)) {
      throw new Stop('gguf-header-not-read', `${name} at byte ${this.pos} lies beyond the ${this.bytes.length} bytes the scanner received; pass more of the file`, 'suspicious');
    }
    throw new Stop('gguf-truncated', `${name} at byte ${this.pos} needs ${n} bytes but only ${this.left} remain`);
  }

  u32(what: Label): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  u64(what: Label): bigint {
    this.need(8, what);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** A count or length: u32 in version 1, u64 after. */
  len(what: Label): bigint {
    return this.v1 ? BigInt(this.u32(what)) : this.u64(what);
  }

  skip(n: number, what: Label): void {
    this.pos += this.need(n, what);
  }

  u8At(i: number): number {
    return this.bytes[i]!;
  }

  /** Reads a string; decodes at most `decodeLimit` bytes of it (the rest is skipped). */
  string(what: Label, decodeLimit: number): { length: bigint; text: string | null; utf8ok: boolean } {
    const length = this.len(() => `${typeof what === 'string' ? what : what()} length`);
    const n = this.need(length, what);
    let text: string | null = null;
    let utf8ok = true;
    if (n <= decodeLimit) {
      const raw = this.bytes.subarray(this.pos, this.pos + n);
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
      } catch {
        utf8ok = false;
        text = new TextDecoder('utf-8').decode(raw);
      }
    }
    this.pos += n;
    return { length, text, utf8ok };
  }
}

interface TensorInfo {
  name: string;
  offset: bigint;
  bytes: bigint | null;
}

export function scanGguf(bytes: Uint8Array, fileSize?: number): { findings: Finding[]; extracted: ExtractedArtifact[] } {
  const findings: Finding[] = [];
  const extracted: ExtractedArtifact[] = [];
  try {
    parse(bytes, Math.max(fileSize ?? bytes.length, bytes.length), findings, extracted);
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    findings.push({ rule: e.rule, severity: e.severity, detail: e.detail });
  }
  return { findings, extracted };
}

function parse(bytes: Uint8Array, fileSize: number, findings: Finding[], extracted: ExtractedArtifact[]): void {
  if (bytes.length < 8) throw new Stop('gguf-truncated', `file has ${bytes.length} bytes, too short for a GGUF header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== GGUF_MAGIC) throw new Stop('gguf-invalid-magic', 'file does not start with "GGUF"');
  const version = view.getUint32(4, true);
  if (version < 1 || version > 3) {
    const hint = version >= 0x01000000 ? ' (looks like a big-endian GGUF, which this scanner does not read)' : '';
    throw new Stop('gguf-unsupported-version', `GGUF version ${version} is not 1, 2 or 3${hint}`);
  }
  const r = new Reader(bytes, fileSize, version === 1);
  r.pos = 8;
  // Each tensor info is at least a name length, n_dims, type and offset; each KV at least a key
  // length, a type and one byte of value. Counts above what the remaining bytes can hold are lies.
  const nTensors = r.len('tensor count');
  const nKv = r.len('metadata KV count');
  const minTensor = r.v1 ? 4 + 4 + 4 + 8 : 8 + 4 + 4 + 8;
  const minKv = (r.v1 ? 4 : 8) + 4 + 1;
  if (nTensors > BigInt(MAX_TENSORS) || nTensors * BigInt(minTensor) > BigInt(fileSize - r.pos)) {
    throw new Stop('gguf-invalid-count', `tensor count ${nTensors} is impossible for a ${fileSize}-byte file (cap ${MAX_TENSORS})`);
  }
  if (nKv > BigInt(MAX_KV) || nKv * BigInt(minKv) > BigInt(fileSize - r.pos)) {
    throw new Stop('gguf-invalid-count', `metadata KV count ${nKv} is impossible for a ${fileSize}-byte file (cap ${MAX_KV})`);
  }

  let alignment = GGUF_DEFAULT_ALIGNMENT;
  const keys = new Set<string>();
  for (let i = 0; i < Number(nKv); i++) {
    const key = r.string(`key of KV ${i}`, MAX_KEY_BYTES);
    if (key.text === null) throw new Stop('gguf-invalid-key', `key of KV ${i} is ${key.length} bytes long (cap ${MAX_KEY_BYTES})`);
    const k = key.text;
    if (!key.utf8ok) findings.push({ rule: 'gguf-invalid-key', severity: 'suspicious', detail: `key of KV ${i} is not valid UTF-8` });
    if (keys.has(k)) findings.push({ rule: 'gguf-duplicate-key', severity: 'dangerous', detail: `metadata key ${JSON.stringify(k)} appears twice; loaders disagree on which one counts` });
    keys.add(k);
    const type = r.u32(`type of ${k}`);
    const isTemplate = k === 'tokenizer.chat_template' || k.startsWith('tokenizer.chat_template.');
    if (isTemplate && type === T_STRING) {
      const s = r.string(k, MAX_DECODED_STRING);
      if (s.text === null) {
        findings.push({ rule: 'gguf-chat-template-oversized', severity: 'suspicious', detail: `${k} is ${s.length} bytes; not extracted` });
        continue;
      }
      if (!s.utf8ok) findings.push({ rule: 'gguf-invalid-string', severity: 'suspicious', detail: `${k} is not valid UTF-8` });
      extracted.push({ kind: 'prompt-template', name: k, content: s.text, sha256: createHash('sha256').update(s.text, 'utf8').digest('hex') });
      findings.push(...checkChatTemplate(k, s.text));
      continue;
    }
    if (isTemplate) findings.push({ rule: 'gguf-invalid-metadata', severity: 'suspicious', detail: `${k} is not a string (type ${type})` });
    if (k === 'general.alignment') {
      if (type !== T_UINT32) throw new Stop('gguf-invalid-alignment', `general.alignment has type ${type}, not uint32`);
      alignment = r.u32(k);
      if (alignment === 0 || (alignment & (alignment - 1)) !== 0) {
        throw new Stop('gguf-invalid-alignment', `general.alignment ${alignment} is not a power of two`);
      }
      continue;
    }
    skipValue(r, type, k, 0);
  }

  const tensors: TensorInfo[] = [];
  const names = new Set<string>();
  for (let i = 0; i < Number(nTensors); i++) tensors.push(readTensorInfo(r, i, alignment, names, findings));

  // The data section starts at the next multiple of the alignment after the tensor infos.
  const dataStart = BigInt(Math.ceil(r.pos / alignment) * alignment);
  checkTensorData(tensors, dataStart, BigInt(fileSize), findings);
}

function skipValue(r: Reader, type: number, key: Label, depth: number): void {
  const name = () => (typeof key === 'string' ? key : key());
  const t = GGUF_VALUE_TYPES.get(type);
  if (!t) throw new Stop('gguf-invalid-type', `${name()}: unknown value type ${type}`);
  if (type === T_STRING) {
    r.string(key, 0);
  } else if (type === T_ARRAY) {
    if (depth >= MAX_ARRAY_DEPTH) throw new Stop('gguf-invalid-type', `${name()}: arrays nested deeper than ${MAX_ARRAY_DEPTH}`);
    const elemType = r.u32(() => `${name()} element type`);
    const et = GGUF_VALUE_TYPES.get(elemType);
    if (!et) throw new Stop('gguf-invalid-type', `${name()}: unknown array element type ${elemType}`);
    const count = r.len(() => `${name()} array length`);
    // Each element takes at least its minimum size (v1 lengths are 4 bytes, hence the min).
    const minSize = elemType === T_STRING || elemType === T_ARRAY ? (r.v1 ? 4 : 8) : et.size;
    if (count * BigInt(minSize) > BigInt(r.left)) r.need(count * BigInt(minSize), () => `${name()} array of ${count}`);
    const n = Number(count);
    if (elemType === T_STRING || elemType === T_ARRAY) {
      for (let i = 0; i < n; i++) skipValue(r, elemType, () => `${name()}[${i}]`, depth + 1);
    } else if (elemType === T_BOOL) {
      for (let i = 0; i < n; i++) checkBool(r, () => `${name()}[${i}]`);
    } else {
      r.skip(n * et.size, key);
    }
  } else if (type === T_BOOL) {
    checkBool(r, key);
  } else {
    r.skip(t.size, key);
  }
}

function checkBool(r: Reader, key: Label): void {
  r.need(1, key);
  const b = r.u8At(r.pos);
  if (b > 1) throw new Stop('gguf-invalid-bool', `${typeof key === 'string' ? key : key()}: bool byte is ${b}, not 0 or 1`);
  r.pos += 1;
}

function readTensorInfo(r: Reader, i: number, alignment: number, names: Set<string>, findings: Finding[]): TensorInfo {
  const s = r.string(`name of tensor ${i}`, MAX_KEY_BYTES);
  if (s.text === null) throw new Stop('gguf-tensor-invalid-info', `name of tensor ${i} is ${s.length} bytes long`);
  const name = s.text;
  const label = `tensor ${JSON.stringify(name)}`;
  if (s.length >= BigInt(GGUF_MAX_NAME)) {
    findings.push({ rule: 'gguf-tensor-invalid-info', severity: 'dangerous', detail: `${label}: name is ${s.length} bytes; llama.cpp allows ${GGUF_MAX_NAME - 1}` });
  }
  if (names.has(name)) findings.push({ rule: 'gguf-duplicate-tensor', severity: 'dangerous', detail: `${label} is defined twice` });
  names.add(name);
  const nDims = r.u32(`${label} n_dims`);
  if (nDims > GGUF_MAX_DIMS) throw new Stop('gguf-tensor-invalid-info', `${label}: ${nDims} dimensions; at most ${GGUF_MAX_DIMS} are allowed`);
  const dims: bigint[] = [];
  for (let d = 0; d < nDims; d++) dims.push(r.len(`${label} dimension ${d}`));
  const typeId = r.u32(`${label} type`);
  const offset = r.u64(`${label} offset`);
  const type = GGML_TYPES.get(typeId);
  let bytes: bigint | null = null;
  if (!type) {
    findings.push({ rule: 'gguf-tensor-invalid-info', severity: 'dangerous', detail: `${label}: unknown ggml type ${typeId}` });
  } else {
    const [typeName, block, blockBytes] = type;
    let n = 1n;
    for (const d of dims) n *= d;
    // ggml indexes elements with int64_t; anything above overflows in the loader.
    if (n > (1n << 63n) - 1n || dims.some((d) => d > (1n << 63n) - 1n)) {
      findings.push({ rule: 'gguf-tensor-invalid-info', severity: 'dangerous', detail: `${label}: shape [${dims.join(', ')}] overflows int64` });
    } else if ((dims[0] ?? 1n) % BigInt(block) !== 0n) {
      findings.push({ rule: 'gguf-tensor-invalid-info', severity: 'dangerous', detail: `${label}: first dimension ${dims[0]} is not a multiple of the ${typeName} block size ${block}` });
    } else if (blockBytes !== null) {
      bytes = (n / BigInt(block)) * BigInt(blockBytes);
    }
  }
  if (offset % BigInt(alignment) !== 0n) {
    findings.push({ rule: 'gguf-misaligned-tensor', severity: 'dangerous', detail: `${label}: data offset ${offset} is not a multiple of the alignment ${alignment}` });
  }
  return { name, offset, bytes };
}

/** Tensor data must lie inside the file and no two tensors may share bytes. */
function checkTensorData(tensors: TensorInfo[], dataStart: bigint, fileSize: bigint, findings: Finding[]): void {
  const sized = tensors.filter((t): t is TensorInfo & { bytes: bigint } => t.bytes !== null);
  sized.sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
  let prev: (TensorInfo & { bytes: bigint }) | null = null;
  let reported = 0;
  for (const t of sized) {
    if (reported >= 20) break;
    const label = `tensor ${JSON.stringify(t.name)}`;
    if (dataStart + t.offset + t.bytes > fileSize) {
      findings.push({ rule: 'gguf-invalid-offset', severity: 'dangerous', detail: `${label}: data ${t.offset}..${t.offset + t.bytes} (from ${dataStart}) runs past the ${fileSize}-byte file` });
      reported++;
    }
    if (prev && t.offset < prev.offset + prev.bytes && t.bytes > 0n) {
      findings.push({ rule: 'gguf-invalid-offset', severity: 'dangerous', detail: `${label}: data at ${t.offset} overlaps tensor ${JSON.stringify(prev.name)} (ends at ${prev.offset + prev.bytes})` });
      reported++;
    }
    if (!prev || t.offset + t.bytes > prev.offset + prev.bytes) prev = t;
  }
}

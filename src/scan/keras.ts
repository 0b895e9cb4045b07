// Keras model configs (Keras 3 `.keras` config.json, and the legacy `model_config` JSON stored in
// an .h5 file's root attributes). A config names classes and functions the loader imports and
// builds, so the risks are: `Lambda` layers (Python bytecode marshalled into the config, run at
// load/inference; CVE-2024-3660 and the basis of modelscan's "unsafe operator Lambda"),
// `TFOpLambda` (calls a named TF op), and objects whose `module` lies outside Keras (the loader
// imports that module; CVE-2025-1550 abused exactly this with safe_mode on). The config is walked
// as plain JSON, every object with a `class_name` is one serialized Keras object, so nested
// Functional/Sequential models, wrappers (TimeDistributed, Bidirectional), optimizers, losses and
// initializers are all covered without knowing each layer's schema.
import type { Finding } from './types.js';

const MAX_DEPTH = 200;
const MAX_NODES = 2_000_000;
const MAX_FINDINGS = 200;

/** Modules whose import or call gives a shell, files, the network or new code. */
const DANGEROUS_MODULES = new Set([
  'os', 'posix', 'nt', 'subprocess', 'builtins', '__builtin__', 'sys', 'shutil', 'socket', 'importlib', 'runpy',
  'pickle', 'marshal', 'code', 'codeop', 'pty', 'ctypes', 'webbrowser', 'urllib', 'requests', 'http', 'ftplib',
  'telnetlib', 'smtplib', 'pathlib', 'io', 'tempfile', 'multiprocessing', 'threading', 'asyncio', 'types',
  'operator', 'functools', 'inspect', 'pdb', 'timeit', 'commands', 'platform',
]);

/** Keras's own packages; `keras_hub` and friends still register their classes with a prefix. */
const KERAS_MODULE = /^(?:keras|tf_keras)(?:\.|$)/u;

export function scanKerasConfig(jsonText: string): Finding[] {
  let root: unknown;
  try {
    root = JSON.parse(jsonText);
  } catch (e) {
    return [{ rule: 'keras-invalid-config', severity: 'suspicious', detail: `model config is not valid JSON: ${(e as Error).message.slice(0, 200)}` }];
  }
  const w = new Walker();
  w.walk(root, '', 0);
  if (w.truncated) w.add('keras-config-too-complex', 'suspicious', 'config is nested too deeply or has too many nodes; not fully checked', '');
  return w.findings;
}

class Walker {
  readonly findings: Finding[] = [];
  truncated = false;
  private nodes = 0;

  add(rule: string, severity: Finding['severity'], detail: string, path: string): void {
    if (this.findings.length < MAX_FINDINGS) this.findings.push({ rule, severity, detail: path ? `${detail} (at ${path})` : detail });
  }

  walk(v: unknown, path: string, depth: number): void {
    if (++this.nodes > MAX_NODES || depth > MAX_DEPTH) {
      this.truncated = true;
      return;
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length && !this.truncated; i++) this.walk(v[i], `${path}[${i}]`, depth + 1);
      return;
    }
    if (typeof v !== 'object' || v === null) return;
    const o = v as Record<string, unknown>;
    if (typeof o.class_name === 'string') this.checkObject(o, path);
    for (const [k, child] of Object.entries(o)) {
      if (this.truncated) return;
      if (child !== null && typeof child === 'object') this.walk(child, path ? `${path}.${k}` : k, depth + 1);
    }
  }

  private checkObject(o: Record<string, unknown>, path: string): void {
    const cls = o.class_name as string;
    const cfg = isObject(o.config) ? o.config : undefined;
    const name = typeof cfg?.name === 'string' ? ` ${JSON.stringify(cfg.name)}` : '';
    if (cls === 'Lambda') {
      const bytecode = lambdaBytecode(cfg);
      if (bytecode) this.add('keras-lambda-layer', 'dangerous', `Lambda layer${name} carries marshalled Python bytecode (${bytecode}) that runs when the model is loaded or called`, path);
      else this.add('keras-lambda-layer', 'suspicious', `Lambda layer${name} calls ${describeFunction(cfg)}; the loader must import it`, path);
    } else if (cls === '__lambda__') {
      // Keras 3 serializes a lambda as its own object; the Lambda layer above already reports it.
      if (!path.endsWith('.function')) this.add('keras-lambda-layer', 'dangerous', 'serialized Python lambda (marshalled bytecode) outside a Lambda layer', path);
    } else if (cls === 'TFOpLambda' || cls === 'SlicingOpLambda') {
      const fn = typeof cfg?.function === 'string' ? ` ${cfg.function}` : '';
      this.add('keras-tfop-lambda', 'suspicious', `${cls} layer${name} calls TensorFlow op${fn}`, path);
    }
    this.checkModule(o, cls, path);
    const reg = o.registered_name;
    if (typeof reg === 'string' && reg.includes('>')) {
      this.add('keras-custom-object', 'suspicious', `custom registered object ${JSON.stringify(reg)}; loading needs code from package ${JSON.stringify(reg.split('>')[0])}`, path);
    }
  }

  private checkModule(o: Record<string, unknown>, cls: string, path: string): void {
    if (typeof o.module !== 'string') return;
    const mod = o.module;
    const top = mod.split('.')[0]!;
    const what = cls === 'function' && typeof o.config === 'string' ? `function ${mod}.${o.config}` : `${mod}.${cls}`;
    if (DANGEROUS_MODULES.has(top)) {
      this.add('keras-dangerous-module', 'dangerous', `config makes the loader import ${what} (module ${JSON.stringify(mod)} reaches the OS, files, network or code)`, path);
    } else if (!KERAS_MODULE.test(mod)) {
      this.add('keras-custom-object', 'suspicious', `config makes the loader import ${what} from outside Keras`, path);
    }
  }
}

/** What in a Lambda config is marshalled code, or null when it only names a function. */
function lambdaBytecode(cfg: Record<string, unknown> | undefined): string | null {
  if (!cfg) return null;
  const fn = cfg.function;
  // Keras 3: {"class_name": "__lambda__", "config": {"code": "<base64 marshal>", ...}}
  if (isObject(fn) && fn.class_name === '__lambda__') return 'Keras 3 __lambda__ code';
  // Keras 2 / tf.keras: function_type "lambda" with ["<base64 marshal>", defaults, closure] or a string.
  if (cfg.function_type === 'lambda') return 'function_type "lambda"';
  if (Array.isArray(fn) && typeof fn[0] === 'string') return 'function given as [code, defaults, closure]';
  if (typeof fn === 'string' && looksLikeBase64Code(fn)) return 'function given as a base64 string';
  return null;
}

function describeFunction(cfg: Record<string, unknown> | undefined): string {
  const fn = cfg?.function;
  if (typeof fn === 'string') return typeof cfg?.module === 'string' ? `${cfg.module}.${fn}` : fn;
  if (isObject(fn) && typeof fn.config === 'string') return `${String(fn.module ?? '?')}.${fn.config}`;
  return 'a function';
}

/** marshal'd code objects start with 0xe3 (TYPE_CODE | FLAG_REF), base64 "4w", or 0x63 ("Yw"). */
function looksLikeBase64Code(s: string): boolean {
  return s.length >= 16 && /^[A-Za-z0-9+/=\s]+$/u.test(s) && /^(?:4w|Yw)/u.test(s.trimStart());
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---- Legacy HDF5 (.h5) -------------------------------------------------------------------------

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
/** Candidate JSON objects examined, and the bytes all their brace scans may read together. */
const MAX_CANDIDATES = 256;
const SCAN_BUDGET = 256 * 1024 * 1024;

/**
 * Scans a legacy Keras .h5 file without an HDF5 parser: the `model_config` (and `training_config`)
 * attributes are JSON strings stored contiguously in the file, whether as fixed-length attribute
 * data or in a global heap. So every `{"class_name"` / `{"module"` in the bytes starts a candidate;
 * the balanced JSON object from there is parsed, nested candidates are skipped, and each valid
 * top-level object is checked. The longest is the model config.
 */
export function scanHdf5(bytes: Uint8Array): Finding[] {
  const findings: Finding[] = [];
  if (!hasHdf5Signature(bytes)) {
    findings.push({ rule: 'hdf5-invalid-signature', severity: 'suspicious', detail: 'no HDF5 signature at offset 0, 512, 1024 or any power of two after; not an HDF5 file' });
  }
  const { configs, exhausted } = findJsonConfigs(bytes);
  if (exhausted) {
    findings.push({ rule: 'hdf5-scan-incomplete', severity: 'suspicious', detail: `stopped after ${MAX_CANDIDATES} JSON candidates or ${SCAN_BUDGET} bytes of scanning; a model config may have been missed` });
  }
  if (configs.length === 0) {
    findings.push({ rule: 'hdf5-no-model-config', severity: 'safe', detail: 'no readable Keras model_config in the file: weights only, nothing to execute' });
    return findings;
  }
  for (const c of configs) {
    for (const f of scanKerasConfig(c.text)) findings.push({ ...f, detail: `${f.detail} [JSON at byte ${c.offset}]` });
  }
  return findings;
}

function hasHdf5Signature(bytes: Uint8Array): boolean {
  // The superblock may follow a user block of 512, 1024, 2048, … bytes.
  for (let at = 0; at + 8 <= bytes.length; at = at === 0 ? 512 : at * 2) {
    if (HDF5_SIGNATURE.every((b, i) => bytes[at + i] === b)) return true;
  }
  return false;
}

const OPENERS = ['{"class_name"', '{"module"', '{ "class_name"', '{ "module"'].map((s) => new TextEncoder().encode(s));

export function findJsonConfigs(bytes: Uint8Array): { configs: Array<{ offset: number; text: string }>; exhausted: boolean } {
  const out: Array<{ offset: number; text: string }> = [];
  let candidates = 0;
  let budget = SCAN_BUDGET;
  let i = 0;
  for (;;) {
    const start = nextOpener(bytes, i);
    if (start < 0) break;
    if (++candidates > MAX_CANDIDATES || budget <= 0) {
      return { configs: sortLongestFirst(out), exhausted: true };
    }
    const end = balancedEnd(bytes, start, start + budget);
    budget -= (end > 0 ? end : Math.min(bytes.length, start + budget)) - start;
    if (end > 0) {
      try {
        const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start, end));
        JSON.parse(text);
        out.push({ offset: start, text });
        i = end; // skip the objects nested inside this one
        continue;
      } catch {
        // not JSON after all; look for the next opener inside it
      }
    }
    i = start + 1;
  }
  return { configs: sortLongestFirst(out), exhausted: false };
}

function sortLongestFirst<T extends { text: string }>(list: T[]): T[] {
  return list.sort((a, b) => b.text.length - a.text.length);
}

function nextOpener(bytes: Uint8Array, from: number): number {
  for (let i = bytes.indexOf(0x7b, from); i >= 0; i = bytes.indexOf(0x7b, i + 1)) {
    if (OPENERS.some((o) => o.every((b, k) => bytes[i + k] === b))) return i;
  }
  return -1;
}

/** End (exclusive) of the JSON object starting at `start`, or -1; string- and escape-aware. */
function balancedEnd(bytes: Uint8Array, start: number, limit: number): number {
  let depth = 0;
  let inString = false;
  const stop = Math.min(bytes.length, limit);
  for (let i = start; i < stop; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (b === 0x5c) i++;
      else if (b === 0x22) inString = false;
      else if (b < 0x20) return -1; // raw control byte: the string ended in binary data
    } else if (b === 0x22) inString = true;
    else if (b === 0x7b || b === 0x5b) depth++;
    else if (b === 0x7d || b === 0x5d) {
      if (--depth === 0) return i + 1;
    } else if (b === 0) return -1; // NUL padding of a fixed-length string: the JSON was cut short
  }
  return -1;
}

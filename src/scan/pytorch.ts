// Pickle streams and legacy PyTorch files. A legacy `torch.save` file is five pickles back to back
// (magic number, protocol 1001, sys info, the object, the storage keys) followed by raw storage
// bytes that are not pickle. torch.load checks the magic by unpickling the first pickle, so a
// "magic number" computed by a call is itself the attack; that case is walked as plain pickles.
import type { Finding } from './types.js';
import type { ByteSource } from './source.js';
import { walkPickles, type PickleWalk } from './pickle.js';
import { ALLOW, globalFindings, type AllowList } from './globals.js';

export const TORCH_LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const TORCH_LEGACY_PROTOCOL = 1001;

export interface PickleScan {
  format: 'pickle' | 'pytorch-legacy';
  findings: Finding[];
}

function walkFindings(w: PickleWalk, allowList: AllowList, member?: string): Finding[] {
  const out = globalFindings(w.globals, allowList, member);
  const add = (rule: string, detail: string) => out.push(member === undefined ? { rule, severity: 'suspicious', detail } : { rule, severity: 'suspicious', detail, member });
  if (w.error) add('pickle-parse-error', `parsing stopped at offset ${w.error.offset}: ${w.error.message}; imports before that point are listed`);
  if (w.degraded) add('pickle-too-complex', `${w.degraded}: stopped tracking values, so some imports may be reported unresolved`);
  return out;
}

function concat(a: PickleWalk, b: PickleWalk): PickleWalk {
  const w: PickleWalk = { notPickle: a.notPickle, globals: [...a.globals, ...b.globals], pickles: [...a.pickles, ...b.pickles], end: b.pickles.length ? b.end : a.end };
  const error = a.error ?? b.error;
  const degraded = a.degraded ?? b.degraded;
  if (error) w.error = error;
  if (degraded) w.degraded = degraded;
  return w;
}

/**
 * Scans a byte source as pickle(s); undefined when it does not start a pickle.
 * `allowList` applies to plain pickles; a legacy PyTorch file always uses the PyTorch list.
 */
export function scanPickleSource(src: ByteSource, allowList: AllowList = ALLOW.pickle, member?: string): PickleScan | undefined {
  const head = walkPickles(src, { maxPickles: 1 });
  // Bytes that fail before completing a pickle and before naming any import could not run
  // anything under CPython either (it stops at the same byte): not a pickle, e.g. a PNG header.
  // Likewise when its only imports are EXT codes: CPython stops at the first (an unregistered code
  // raises) and ~1 % of random bytes, a compressed layer say, start with an EXT opcode.
  if (head.notPickle || (head.pickles.length === 0 && head.globals.every((g) => g.opcode === 'EXT'))) return undefined;
  const first = head.pickles[0];
  if (first && first.literal === TORCH_LEGACY_MAGIC) {
    const rest = walkPickles(src, { start: first.end, maxPickles: 4, continuation: true });
    const w = concat(head, rest);
    const findings = walkFindings(w, ALLOW.pytorch, member);
    if (!w.error && w.pickles[1]?.literal !== TORCH_LEGACY_PROTOCOL) {
      findings.push(withMember({ rule: 'pytorch-legacy-protocol', severity: 'suspicious', detail: `second pickle should be protocol version ${TORCH_LEGACY_PROTOCOL}, is ${String(w.pickles[1]?.literal ?? 'not a literal')}` }, member));
    }
    return { format: 'pytorch-legacy', findings };
  }
  const w = first && !head.error ? concat(head, walkPickles(src, { start: first.end, continuation: true })) : head;
  // The shape of a legacy file whose magic number is the result of a call: torch.load would
  // have run that call before knowing what the file is.
  const looksLegacy = first?.computed === true && w.pickles[1]?.literal === TORCH_LEGACY_PROTOCOL;
  const findings = walkFindings(w, looksLegacy ? ALLOW.pytorch : allowList, member);
  if (looksLegacy) {
    findings.unshift(withMember({ rule: 'pytorch-magic-computed', severity: 'dangerous', detail: 'legacy PyTorch file whose magic number is computed by a call in the first pickle (torch.load runs it before any check)' }, member));
    return { format: 'pytorch-legacy', findings };
  }
  return { format: 'pickle', findings };
}

function withMember(f: Finding, member?: string): Finding {
  return member === undefined ? f : { ...f, member };
}

/** Where a PyTorch zip keeps what: `<root>/data.pkl` is the pickle, `<root>/data/<key>` raw storages. */
export function pytorchZipRoot(names: readonly string[]): string | undefined {
  const set = new Set(names);
  for (const n of names) {
    const m = /^(.+)\/data\.pkl$/u.exec(n);
    if (m && !m[1]!.includes('/') && (set.has(`${m[1]}/version`) || set.has(`${m[1]}/.data/version`) || names.some((x) => x.startsWith(`${m[1]}/data/`)))) return m[1];
  }
  return undefined;
}

/** Members torch.load reads as raw bytes (never unpickles): skipped, not even read. */
export function isTorchRawMember(root: string, name: string): boolean {
  return name.startsWith(`${root}/data/`) || [`${root}/version`, `${root}/.data/version`, `${root}/byteorder`, `${root}/.data/serialization_id`, `${root}/.format_version`, `${root}/.storage_alignment`].includes(name) || name.startsWith(`${root}/.data/`);
}

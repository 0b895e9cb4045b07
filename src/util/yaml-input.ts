// Parses untrusted YAML with bounds and validates it against a zod schema, reporting every problem
// as file:line:column with the field path, so a user can fix a pasted file without guessing.
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Node } from 'yaml';
import type { z } from 'zod';
import { AppError, type ErrorCode } from '../errors.js';

export interface InputProblem {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

export const MAX_YAML_BYTES = 1 << 20;

function formatPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(root)' : path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/gu, '[');
}

export function formatProblems(problems: readonly InputProblem[]): string {
  return problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.path}: ${p.message}`).join('\n');
}

/** Parse YAML (JSON is YAML too) and validate; throws AppError(code) listing every problem. */
export function parseYamlInput<S extends z.ZodType>(text: string, schema: S, file: string, code: ErrorCode = 'VALIDATION_FAILED'): z.output<S> {
  return parseYamlDocument(text, schema, file, code).value;
}

export interface ParsedYaml<T> {
  value: T;
  /** Where a path of the document is, for problems found after validation (cross references). */
  locate(path: readonly PropertyKey[]): { file: string; line: number; column: number };
}

export function parseYamlDocument<S extends z.ZodType>(text: string, schema: S, file: string, code: ErrorCode = 'VALIDATION_FAILED'): ParsedYaml<z.output<S>> {
  if (Buffer.byteLength(text, 'utf8') > MAX_YAML_BYTES) {
    throw new AppError(code, `${file}: larger than ${MAX_YAML_BYTES} bytes`);
  }
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, strict: true });
  const pos = (offset: number) => {
    const p = lc.linePos(offset);
    return { line: p.line, column: p.col };
  };
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => ({ file, ...pos(e.pos[0]), path: '(yaml)', message: e.message.split('\n')[0]! }));
    throw new AppError(code, `${file} is not valid YAML:\n${formatProblems(problems)}`, { problems });
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new AppError(code, `${file}: ${(e as Error).message}`);
  }
  const proto = protoKeyPath(value, []);
  if (proto) {
    const problems = [{ file, ...pos(locate(doc.contents as Node | null, proto, true)), path: formatPath(proto), message: 'a key named "__proto__" is not allowed' }];
    throw new AppError(code, `${file} has 1 problem(s):\n${formatProblems(problems)}`, { problems });
  }
  const result = schema.safeParse(value ?? {});
  if (result.success) {
    return { value: result.data, locate: (path) => ({ file, ...pos(locate(doc.contents as Node | null, path, false)) }) };
  }
  const problems: InputProblem[] = [];
  for (const issue of result.error.issues) {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
    for (const key of keys) {
      const path = key === undefined ? issue.path : [...issue.path, key];
      const offset = locate(doc.contents as Node | null, path as PropertyKey[], key !== undefined);
      // A record key that fails its own schema: say why, not just "invalid key".
      const inner = issue.code === 'invalid_key' ? (issue as { issues?: { message: string }[] }).issues?.[0]?.message : undefined;
      const message = key === undefined ? (inner ? `invalid name: ${inner}` : issue.message) : `unknown field ${JSON.stringify(key)}`;
      problems.push({ file, ...pos(offset), path: formatPath(path as PropertyKey[]), message });
    }
  }
  throw new AppError(code, `${file} has ${problems.length} problem(s):\n${formatProblems(problems)}`, { problems });
}

// JSON.parse and the YAML library keep "__proto__" as an ordinary own key, but most code that
// copies objects (zod included) turns it into a prototype assignment and loses it. Refuse it.
function protoKeyPath(v: unknown, path: PropertyKey[]): PropertyKey[] | null {
  if (!v || typeof v !== 'object') return null;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const r = protoKeyPath(v[i], [...path, i]);
      if (r) return r;
    }
    return null;
  }
  for (const k of Object.keys(v)) {
    if (k === '__proto__') return [...path, k];
    const r = protoKeyPath((v as Record<string, unknown>)[k], [...path, k]);
    if (r) return r;
  }
  return null;
}

// Walks down the document to the deepest node on the path; for unknown keys points at the key.
function locate(root: Node | null, path: readonly PropertyKey[], atKey: boolean): number {
  let node: unknown = root;
  let offset = (root as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    if (!node || typeof node !== 'object' || !('items' in node)) break;
    const items = (node as { items: unknown[] }).items;
    let next: unknown;
    if (isMap(node)) {
      const pair = items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!isPair(pair)) break;
      const last = i === path.length - 1;
      const target = last && atKey ? pair.key : (pair.value ?? pair.key);
      next = target;
    } else if (typeof seg === 'number') {
      next = items[seg];
    }
    const range = (next as { range?: [number, number, number] } | undefined)?.range;
    if (!range) break;
    offset = range[0];
    node = next;
  }
  return offset;
}

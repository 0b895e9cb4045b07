// RFC 8785 JSON Canonicalization Scheme, through the `canonicalize` package (by one of the RFC's
// authors). Ledger leaves are these exact bytes, so an auditor can re-derive every leaf hash.
import canonicalizeImpl from 'canonicalize';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

const canonicalize = canonicalizeImpl as unknown as (v: unknown) => string | undefined;

export function canonicalJson(value: unknown): string {
  assertJson(value, '$', 0);
  const out = canonicalize(value);
  if (out === undefined) throw new TypeError('value has no JSON form');
  return out;
}

export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}

// canonicalize silently drops undefined and turns NaN into null; a ledger leaf must never change
// meaning that way, so anything that is not plain JSON is refused.
function assertJson(v: unknown, path: string, depth: number): void {
  if (depth > 64) throw new TypeError(`${path}: nested too deeply`);
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TypeError(`${path}: ${v} is not a JSON number`);
    return;
  }
  if (Array.isArray(v)) {
    v.forEach((x, i) => assertJson(x, `${path}[${i}]`, depth + 1));
    return;
  }
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    for (const [k, x] of Object.entries(v)) assertJson(x, `${path}.${k}`, depth + 1);
    return;
  }
  throw new TypeError(`${path}: ${typeof v} is not JSON`);
}

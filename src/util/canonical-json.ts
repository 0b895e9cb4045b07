// RFC 8785 JSON Canonicalization Scheme. Ledger leaves are these exact bytes, so an auditor can
// re-derive every leaf hash with any JCS implementation. JCS is ECMAScript's own serialisation of
// strings and numbers (JSON.stringify) with object keys sorted by UTF-16 code units; what this
// adds is refusing anything that is not I-JSON (undefined, NaN, lone surrogates, class
// instances) instead of silently changing its meaning, in the same single pass. Tested against
// the `canonicalize` package by one of the RFC's authors.

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

const MAX_DEPTH = 64;

function serialize(v: unknown, path: string, depth: number): string {
  if (depth > MAX_DEPTH) throw new TypeError(`${path}: nested deeper than ${MAX_DEPTH}`);
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      if (!(v as string & { isWellFormed(): boolean }).isWellFormed()) throw new TypeError(`${path}: string holds a lone surrogate`);
      return JSON.stringify(v);
    case 'number':
      if (!Number.isFinite(v)) throw new TypeError(`${path}: ${v} is not a JSON number`);
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(v)) {
        let out = '[';
        for (let i = 0; i < v.length; i++) out += (i ? ',' : '') + serialize(v[i], `${path}[${i}]`, depth + 1);
        return out + ']';
      }
      if (Object.getPrototypeOf(v) !== Object.prototype) throw new TypeError(`${path}: only plain objects are JSON`);
      const keys = Object.keys(v).sort();
      let out = '{';
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        if (!(k as string & { isWellFormed(): boolean }).isWellFormed()) throw new TypeError(`${path}: key holds a lone surrogate`);
        out += (i ? ',' : '') + JSON.stringify(k) + ':' + serialize((v as Record<string, unknown>)[k], `${path}.${k}`, depth + 1);
      }
      return out + '}';
    }
    default:
      throw new TypeError(`${path}: ${typeof v} is not JSON`);
  }
}

export function canonicalJson(value: unknown): string {
  return serialize(value, '$', 0);
}

export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}

// .npy: magic, version, a Python-literal header dict, then the array data. Only an object dtype
// carries a pickle (np.load(allow_pickle=True) unpickles it); plain dtypes are raw numbers.
import type { Finding } from './types.js';
import { subSource, type ByteSource } from './source.js';

export const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export function startsLikeNpy(head: Uint8Array): boolean {
  return NPY_MAGIC.every((b, i) => head[i] === b);
}

/** numpy refuses headers above this unless told otherwise (`max_header_size`). */
const NUMPY_MAX_HEADER = 10_000;
const HARD_MAX_HEADER = 1 << 20;

export interface NpyHeader {
  descr: unknown;
  hasObject: boolean;
  shape: number[];
  /** The array data (for object arrays: a pickle). */
  data: ByteSource;
}

export function parseNpy(src: ByteSource): { header?: NpyHeader; findings: Finding[] } {
  const findings: Finding[] = [];
  const bad = (detail: string) => ({ findings: [...findings, { rule: 'numpy-invalid-header', severity: 'suspicious' as const, detail }] });
  const head = src.read(0, 12);
  if (!startsLikeNpy(head) || head.length < 10) return bad('not a .npy file (magic \\x93NUMPY missing or file too short)');
  const major = head[6]!;
  if (major < 1 || major > 3) return bad(`unknown .npy format version ${major}.${head[7]}`);
  const lenBytes = major === 1 ? 2 : 4;
  const hlen = major === 1 ? head[8]! | (head[9]! << 8) : (head[8]! | (head[9]! << 8) | (head[10]! << 16)) + head[11]! * 2 ** 24;
  const start = 8 + lenBytes;
  if (hlen > HARD_MAX_HEADER || start + hlen > src.size) return bad(`header length ${hlen} is past the end of the file or above ${HARD_MAX_HEADER} bytes`);
  if (hlen > NUMPY_MAX_HEADER) findings.push({ rule: 'numpy-header-too-large', severity: 'suspicious', detail: `header of ${hlen} bytes exceeds numpy's default limit of ${NUMPY_MAX_HEADER}` });
  const text = Buffer.from(src.read(start, hlen)).toString(major === 3 ? 'utf8' : 'latin1');
  let dict: unknown;
  try {
    dict = new PyLiteral(text).parse();
  } catch (e) {
    return bad(`header is not a Python literal: ${(e as Error).message}`);
  }
  if (!dict || typeof dict !== 'object' || Array.isArray(dict) || !('descr' in dict)) return bad('header is not a dict with a "descr" key');
  const d = dict as Record<string, unknown>;
  const shape = Array.isArray(d.shape) ? d.shape.filter((x): x is number => typeof x === 'number') : [];
  return { header: { descr: d.descr, hasObject: hasObject(d.descr), shape, data: subSource(src, start + hlen, src.size - start - hlen) }, findings };
}

/** Object dtype anywhere in the descr: 'O', '|O', or inside a structured dtype's field list. */
function hasObject(descr: unknown): boolean {
  if (typeof descr === 'string') return /^[|<>=]?O\d*$/u.test(descr);
  if (Array.isArray(descr)) {
    // A field is (name, dtype) or (name, dtype, shape): only the dtype can be an object.
    const isField = typeof descr[0] === 'string' && descr.length >= 2 && descr.length <= 3 && (typeof descr[1] === 'string' || Array.isArray(descr[1]));
    return isField ? hasObject(descr[1]) : descr.some((x) => hasObject(x));
  }
  return descr !== null && typeof descr === 'object';
}

/** A small, bounded parser for the literals a .npy header holds (dict, tuple, list, str, int, bool, None). */
class PyLiteral {
  private i = 0;
  private depth = 0;
  constructor(private readonly s: string) {}

  parse(): unknown {
    const v = this.value();
    this.ws();
    if (this.i < this.s.length) throw new Error(`unexpected ${JSON.stringify(this.s.slice(this.i, this.i + 10))}`);
    return v;
  }

  private ws(): void {
    while (this.i < this.s.length && /\s/u.test(this.s[this.i]!)) this.i++;
  }

  private value(): unknown {
    this.ws();
    if (++this.depth > 32) throw new Error('nested too deep');
    try {
      const c = this.s[this.i];
      if (c === '{') return this.seq('}', true);
      if (c === '(' || c === '[') return this.seq(c === '(' ? ')' : ']', false);
      if (c === "'" || c === '"') return this.str(c);
      const m = /^(True|False|None|-?\d+L?)/u.exec(this.s.slice(this.i, this.i + 40));
      if (!m) throw new Error(`unexpected ${JSON.stringify(this.s.slice(this.i, this.i + 10))}`);
      this.i += m[0].length;
      return m[0] === 'True' ? true : m[0] === 'False' ? false : m[0] === 'None' ? null : Number(m[0].replace('L', ''));
    } finally {
      this.depth--;
    }
  }

  private str(q: string): string {
    const end = this.s.indexOf(q, this.i + 1);
    if (end < 0) throw new Error('unterminated string');
    const v = this.s.slice(this.i + 1, end);
    this.i = end + 1;
    return v;
  }

  private seq(close: string, isDict: boolean): unknown {
    this.i++;
    const list: unknown[] = [];
    const obj: Record<string, unknown> = {};
    for (;;) {
      this.ws();
      if (this.s[this.i] === close) {
        this.i++;
        return isDict ? obj : list;
      }
      const k = this.value();
      if (isDict) {
        this.ws();
        if (this.s[this.i++] !== ':') throw new Error('expected ":"');
        obj[String(k)] = this.value();
      } else list.push(k);
      this.ws();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== close) throw new Error(`expected "," or "${close}"`);
    }
  }
}

// Static walker for pickle protocols 0-5. It never executes anything: it reads each opcode with its
// exact argument length and keeps a symbolic stack and memo, just enough to learn which globals a
// load would import (GLOBAL, INST, STACK_GLOBAL, EXT*). Operands it cannot prove to be strings are
// reported as unresolved, because an attacker builds them that way to hide the import.
//
// Error policy: the walk stops only where CPython's unpickler would also stop (unknown opcode,
// truncated argument, undecodable GLOBAL line, a memo key that is no number or was never stored,
// a STACK_GLOBAL operand that is not a str), so nothing after the stop can run; what it cannot
// be sure CPython rejects (stack underflow, anything once a tracking bound was hit) is tolerated
// and walked past.
import type { ByteSource } from './source.js';
import { decodeDecimal, looksDecimal, decodeLong, decodeQuotedString, decodeRawUnicodeEscape, latin1, utf8OrUndefined } from './pickle-text.js';

export interface PickleGlobal {
  module: string;
  name: string;
  opcode: 'GLOBAL' | 'INST' | 'STACK_GLOBAL' | 'EXT';
  offset: number;
  /** Set when module or name was not a provable string: why (e.g. `missing memo key 3`). */
  unresolved?: string;
  /** Set when an operand is proven not to be a str: CPython refuses the import and stops there. */
  refused?: true;
  /** Set when the only unresolved operands are strings longer than the walker tracks. */
  longOperand?: true;
}

export interface PickleInfo {
  start: number;
  end: number;
  /** The value STOP returned, when it is a literal (int, bigint, string); else undefined. */
  literal?: string | number | bigint;
  /** True when STOP returned the result of a call (REDUCE, NEWOBJ, ...). */
  computed: boolean;
}

export interface PickleWalk {
  /** The bytes do not start a pickle: the first opcode is invalid or could not be the first. */
  notPickle: boolean;
  globals: PickleGlobal[];
  pickles: PickleInfo[];
  /** First structural error (the walk stopped there), if any. */
  error?: { offset: number; message: string };
  /** A resource bound was hit; the result may under-resolve STACK_GLOBAL operands. */
  degraded?: string;
  /** Offset after the last complete pickle. */
  end: number;
}

export interface WalkOptions {
  start?: number;
  /** Stop after this many complete pickles (legacy PyTorch: 5). Default: until the end. */
  maxPickles?: number;
  /** `start` follows an earlier pickle: bytes there that start no pickle are trailing junk. */
  continuation?: boolean;
}

// Symbolic values: JS strings are Python str, numbers/bigints are ints; everything else is an object.
interface GlobalVal { k: 'global'; module: string; name: string }
interface CallVal { k: 'call' }
interface OpaqueVal { k: 'opaque'; what: string }
type Resolved = string | number | bigint | GlobalVal | CallVal | OpaqueVal;
type Val = Resolved | LazyStr;

/**
 * A short string argument (BINSTRING, BINUNICODE, ...) not decoded yet: bytes [off, off + len) of the
 * source. Almost every string is a dict key that never becomes a GLOBAL operand, so it is decoded
 * only when STACK_GLOBAL or STOP consumes it (re-reads from outside the window are cached).
 */
class LazyStr {
  /** `latin`: BINSTRING (latin-1); else BINUNICODE (strict UTF-8). */
  constructor(readonly off: number, readonly len: number, readonly latin: boolean) {}
}

/**
 * Stack and memo slots hold numbers (a Float64Array each), so the opcode loop pushes and copies
 * values without allocating, without tagged stores and without generic `===` on mixed types:
 *  - code > 0: a LazyStr, `off + (len * 2 + latin) / 4096` (1 <= len <= MAX_TRACKED_STRING < 2048,
 *    off < MAX_LAZY_OFFSET, so 52 bits: exact); off >= 1, as a string argument follows an opcode.
 *    The fraction is never 0, so the opcode loop's arithmetic on codes is float from its first run
 *    (an integer code would start as int32 in TurboFan and deoptimize past offset 512 KiB);
 *  - C_ANY, C_BYTES, C_CALL: those singletons;
 *  - C_OBJ: any other value, kept in the parallel object array at the same index;
 *  - any other code (all below -2^39): the int `code - INT0` (BININT*, |value| < 2^32).
 * Reading a slot (pop, top, memoGet) turns the code back into the same Val, so the encoding is
 * invisible outside the slot arrays.
 */
const MAX_LAZY_OFFSET = 2 ** 40;
const C_OBJ = -1;
const C_ANY = -2;
const C_BYTES = -3;
const C_CALL = -4;
const INT0 = -(2 ** 40);

function lazyFromCode(code: number): LazyStr {
  const off = Math.floor(code);
  const low = (code - off) * 4096;
  return new LazyStr(off, low >> 1, (low & 1) === 1);
}

function encode(v: Val): number {
  if (v instanceof LazyStr) return v.off < MAX_LAZY_OFFSET ? v.off + (v.len * 2 + (v.latin ? 1 : 0)) / 4096 : C_OBJ;
  return v === ANY ? C_ANY : v === BYTES ? C_BYTES : v === CALL ? C_CALL : C_OBJ;
}

/** The Val of slot `i` holding `code`; `objs` is the slot array's object side. */
function decode(code: number, objs: (Val | undefined)[], i: number): Val {
  if (code >= 0) return lazyFromCode(code);
  if (code === C_OBJ) return objs[i]!;
  if (code === C_ANY) return ANY;
  if (code === C_BYTES) return BYTES;
  if (code === C_CALL) return CALL;
  return code - INT0;
}

/**
 * Lengthens `a` to `n` with undefined, staying packed-like (no holes a store could fall into). One
 * fill instead of a push per element: growth is rare, but a push loop there runs unoptimized.
 */
function growFilled(a: unknown[], n: number): void {
  const old = a.length;
  a.length = n;
  a.fill(undefined, old, n);
}

const ANY: OpaqueVal = { k: 'opaque', what: 'a non-string value' };
const BYTES: OpaqueVal = { k: 'opaque', what: 'a bytes value' };
const LONGSTR: OpaqueVal = { k: 'opaque', what: 'a string too long to track' };
const CALL: CallVal = { k: 'call' };
/** What popping an empty stack gives the walker (CPython raises instead). */
const UNDERFLOW: OpaqueVal = { k: 'opaque', what: 'nothing (the stack is empty)' };

/** Strings longer than this are never module/name operands worth tracking. */
const MAX_TRACKED_STRING = 1024;
const MAX_STACK = 1_000_000;
const MAX_MEMO = 2_000_000;
const MAX_LINE = 1 << 20;
const CHUNK = 1 << 20;
const FAST_RUN = 1 << 14;

/**
 * The window's buffer for sources that can fill one (files): reused across loads and walks, so a
 * view of it is only valid until the next load. Walks are synchronous, so one is enough.
 */
let sharedWindow: Uint8Array | undefined;

class Truncated extends Error {}
class Invalid extends Error {}

/** Opcodes that can begin a pickle (they push without needing the stack or the memo). */
const STARTERS = new Set(
  [0x80, 0x95, 0x28, 0x46, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x50, 0x53, 0x54, 0x55, 0x56, 0x58, 0x63, 0x7d, 0x5d, 0x29, 0x47,
    0x88, 0x89, 0x8a, 0x8b, 0x42, 0x43, 0x8c, 0x8d, 0x8e, 0x8f, 0x82, 0x83, 0x84, 0x96, 0x97],
);

export function walkPickles(src: ByteSource, opts: WalkOptions = {}): PickleWalk {
  return new Walker(src, opts.start ?? 0, opts.continuation ?? false).run(opts.maxPickles ?? Infinity);
}

class Walker {
  // Window [base, lim) of the source held in `buf`.
  private buf: Uint8Array = new Uint8Array(0);
  private base = 0;
  private lim = 0;
  private readonly size: number;
  private pos: number;
  // The stack is slots [0, sp) of stackCode (and stackObj, see C_OBJ): entries above sp are stale
  // and never read. stackObj is as long as stackCode and packed (undefined filled), so stores into
  // it never make it holey or sparse.
  private stackCode = new Float64Array(64);
  private stackObj: (Val | undefined)[] = new Array<Val | undefined>(64).fill(undefined);
  private sp = 0;
  // The marks are markArr[0, nMarks): stack heights (< MAX_STACK), an Int32Array so the opcode loop
  // makes no calls (growing is left to step).
  private markArr = new Int32Array(64);
  private nMarks = 0;
  /** The last mark (0 without one): pops never go below it. */
  private floor = 0;
  // The memo: keys 0..memoLen-1 (CPython's own numbering, dense from 0) in slots like the stack's,
  // any other key in memoMap; memoCount is the number of keys, len(memo).
  private memoCode = new Float64Array(64);
  private memoObj: (Val | undefined)[] = new Array<Val | undefined>(64).fill(undefined);
  private memoLen = 0;
  private memoMap = new Map<number, Val>();
  private memoCount = 0;
  /** Strings decoded by re-reading the source (outside the window), by code. */
  private decodeCache = new Map<number, Resolved>();
  /** Opcodes completed in the current pickle. */
  private ops = 0;
  private readonly out: PickleWalk;

  constructor(private readonly src: ByteSource, start: number, private readonly continuation: boolean) {
    this.size = src.size;
    this.pos = start;
    this.out = { notPickle: false, globals: [], pickles: [], end: start };
  }

  run(maxPickles: number): PickleWalk {
    const size = this.size;
    while (this.pos < size && this.out.pickles.length < maxPickles) {
      const start = this.pos;
      const first = this.out.pickles.length === 0 && !this.continuation;
      if (!STARTERS.has(this.byteAt(start))) {
        if (first) this.out.notPickle = true;
        else this.out.error = { offset: start, message: `${size - start} bytes after the last pickle do not start a pickle (opcode 0x${this.byteAt(start).toString(16).padStart(2, '0')})` };
        break;
      }
      this.sp = 0;
      this.nMarks = 0;
      this.floor = 0;
      this.memoLen = 0;
      this.memoMap = new Map();
      this.memoCount = 0;
      this.ops = 0;
      try {
        const stop = this.one();
        this.out.pickles.push({ start, end: this.pos, ...stop });
        this.out.end = this.pos;
      } catch (e) {
        if (!(e instanceof Truncated || e instanceof Invalid)) throw e;
        if (first && this.ops === 0) this.out.notPickle = true;
        else this.out.error = { offset: this.pos, message: e.message };
        break;
      }
    }
    return this.out;
  }

  // ---- byte access over a sliding window -------------------------------------------------

  private byteAt(p: number): number {
    if (p < this.base || p >= this.lim) this.load(p, 1);
    return this.buf[p - this.base]!;
  }

  private load(p: number, need: number): void {
    if (p + need > this.size) throw new Truncated(`pickle truncated at offset ${p}: needs ${need} more bytes, ${Math.max(0, this.size - p)} remain`);
    if (this.src.readInto !== undefined && need <= CHUNK) {
      const w = (sharedWindow ??= new Uint8Array(CHUNK));
      this.buf = w;
      this.base = p;
      this.lim = p + this.src.readInto(p, w);
      return;
    }
    const b = this.src.read(p, Math.max(need, CHUNK));
    // A plain Uint8Array view: Buffer#subarray is several times slower on the hot path.
    this.buf = new Uint8Array(b.buffer, b.byteOffset, b.length);
    this.base = p;
    this.lim = p + b.length;
  }

  private take(n: number): Uint8Array {
    const p = this.pos;
    if (p < this.base || p + n > this.lim) this.load(p, n);
    this.pos = p + n;
    return this.buf.subarray(p - this.base, p - this.base + n);
  }

  private skip(n: number): void {
    if (this.pos + n > this.size) throw new Truncated(`pickle truncated at offset ${this.pos}: an argument of ${n} bytes runs past the end`);
    this.pos += n;
  }

  private u8(): number {
    const p = this.pos;
    this.pos = p + 1; // before a load that may throw: the error is reported after the byte
    if (p < this.base || p >= this.lim) this.load(p, 1);
    return this.buf[p - this.base]!;
  }

  /** Like u8, but a truncation is reported at the byte (as for the other fixed-size arguments). */
  private u8AsArg(): number {
    const p = this.pos;
    if (p < this.base || p >= this.lim) this.load(p, 1);
    this.pos = p + 1;
    return this.buf[p - this.base]!;
  }

  private u16(): number {
    const p = this.pos;
    if (p < this.base || p + 2 > this.lim) this.load(p, 2);
    const b = this.buf;
    const o = p - this.base;
    this.pos = p + 2;
    return b[o]! | (b[o + 1]! << 8);
  }

  private u32(): number {
    const p = this.pos;
    if (p < this.base || p + 4 > this.lim) this.load(p, 4);
    const b = this.buf;
    const o = p - this.base;
    this.pos = p + 4;
    return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
  }

  private u64(): number {
    const p = this.pos;
    if (p < this.base || p + 8 > this.lim) this.load(p, 8);
    const o = p - this.base;
    this.pos = p + 8;
    let v = 0;
    for (let i = 7; i >= 0; i--) v = v * 256 + this.buf[o + i]!;
    return v;
  }

  /** A newline-terminated argument; `undefined` content when longer than MAX_TRACKED_STRING. */
  private line(): Uint8Array | undefined {
    const start = this.pos;
    for (let p = start; ; p++) {
      if (p - start > MAX_LINE * 64) throw new Invalid(`text argument at offset ${start} is unreasonably long`);
      if (p >= this.size) throw new Truncated(`pickle truncated at offset ${start}: a text argument has no newline`);
      if (this.byteAt(p) === 0x0a) {
        const len = p - start;
        this.pos = p + 1;
        if (len > MAX_TRACKED_STRING) return undefined;
        this.pos = start;
        const b = this.take(len);
        this.pos = p + 1;
        return b;
      }
    }
  }

  // ---- symbolic stack ---------------------------------------------------------------------

  private push(v: Val): void {
    const sp = this.sp;
    if (sp >= MAX_STACK) {
      this.out.degraded ??= `stack deeper than ${MAX_STACK} entries`;
      return;
    }
    if (sp >= this.stackCode.length) this.growStack(sp);
    const c = encode(v);
    this.stackCode[sp] = c;
    if (c === C_OBJ) this.stackObj[sp] = v;
    this.sp = sp + 1;
  }

  /** Room in the stack's slot arrays for index `i`. */
  private growStack(i: number): void {
    const n = Math.max(this.stackCode.length * 2, i + 1);
    const code = new Float64Array(n);
    code.set(this.stackCode);
    this.stackCode = code;
    growFilled(this.stackObj, n);
  }

  /** Room in the memo's slot arrays for index `i`. */
  private growMemo(i: number): void {
    const n = Math.max(this.memoCode.length * 2, i + 1);
    const code = new Float64Array(n);
    code.set(this.memoCode);
    this.memoCode = code;
    growFilled(this.memoObj, n);
  }

  private pop(): Val {
    if (this.sp <= this.floor) return UNDERFLOW;
    const i = --this.sp;
    return decode(this.stackCode[i]!, this.stackObj, i);
  }

  private top(): Val {
    if (this.sp <= this.floor) return ANY;
    const i = this.sp - 1;
    return decode(this.stackCode[i]!, this.stackObj, i);
  }

  private mark(): void {
    if (this.nMarks >= this.markArr.length) {
      const a = new Int32Array(this.markArr.length * 2);
      a.set(this.markArr);
      this.markArr = a;
    }
    this.markArr[this.nMarks++] = this.sp;
    this.floor = this.sp;
  }

  /** Drops the items above the last MARK, which is removed (CPython raises when there is none). */
  private popMark(): void {
    if (this.nMarks === 0) return;
    this.sp = this.markArr[--this.nMarks]!;
    this.floor = this.nMarks ? this.markArr[this.nMarks - 1]! : 0;
  }

  private str(b: Uint8Array | undefined, decode: (b: Uint8Array) => string | undefined): Val {
    if (b === undefined || b.length > MAX_TRACKED_STRING) return LONGSTR;
    return decode(b) ?? ANY;
  }

  /** A counted string argument of `n` bytes at pos: its bytes are checked now, decoded on use. */
  private strArg(n: number, latin: boolean): Val {
    if (n > MAX_TRACKED_STRING) {
      this.skip(n);
      return LONGSTR;
    }
    const p = this.pos;
    if (p + n > this.size) this.load(p, n); // throws Truncated, as reading the bytes would
    this.pos = p + n;
    return n === 0 ? '' : new LazyStr(p, n, latin);
  }

  /** The value a lazy string stands for: the string, or ANY when its bytes are not valid UTF-8. */
  private resolve(v: Val): Resolved {
    if (!(v instanceof LazyStr)) return v;
    const decode = (b: Uint8Array): Resolved => (v.latin ? latin1(b) : utf8OrUndefined(b)) ?? ANY;
    if (v.off >= this.base && v.off + v.len <= this.lim) return decode(this.buf.subarray(v.off - this.base, v.off - this.base + v.len));
    // Cached: a pickle can name the same memoized strings in any number of STACK_GLOBALs.
    const key = v.off * 4096 + v.len * 2 + (v.latin ? 1 : 0);
    let r = this.decodeCache.get(key);
    if (r === undefined) {
      if (this.decodeCache.size >= 4096) this.decodeCache.clear();
      r = decode(this.src.read(v.off, v.len));
      this.decodeCache.set(key, r);
    }
    return r;
  }

  private memoPut(key: number, v: Val): void {
    if (key >= 0 && key < this.memoLen) {
      this.memoSet(key, v);
      return;
    }
    const inMap = this.memoMap.has(key);
    if (this.memoCount >= MAX_MEMO && !inMap) {
      this.out.degraded ??= `memo larger than ${MAX_MEMO} entries`;
      return;
    }
    if (!inMap) this.memoCount++;
    if (key === this.memoLen) {
      if (inMap) this.memoMap.delete(key);
      if (key >= this.memoCode.length) this.growMemo(key);
      this.memoSet(key, v);
      this.memoLen = key + 1;
    } else this.memoMap.set(key, v);
  }

  private memoSet(key: number, v: Val): void {
    const c = encode(v);
    this.memoCode[key] = c;
    if (c === C_OBJ) this.memoObj[key] = v;
  }

  private memoGet(key: number | undefined, raw: string): Val {
    if (key === undefined) return { k: 'opaque', what: `invalid memo key ${JSON.stringify(raw)}` };
    if (key >= 0 && key < this.memoLen) return decode(this.memoCode[key]!, this.memoObj, key);
    const v = this.memoMap.get(key);
    if (v !== undefined) return v;
    // CPython raises ("Memo value not found") and the load stops: nothing after this runs. Unless a
    // bound made the walker drop memo entries, when the key may well exist: then it is unresolved.
    if (!this.out.degraded) throw new Invalid(`memo key ${key} was never stored (CPython stops here)`);
    return { k: 'opaque', what: `missing memo key ${key}` };
  }

  private addGlobal(module: Resolved, name: Resolved, opcode: PickleGlobal['opcode'], offset: number): GlobalVal {
    const why: string[] = [];
    const m = typeof module === 'string' ? module : (why.push(`module is ${describe(module)}`), 'unknown');
    const n = typeof name === 'string' ? name : (why.push(`name is ${describe(name)}`), 'unknown');
    const g: PickleGlobal = { module: m, name: n, opcode, offset };
    if (why.length) g.unresolved = why.join('; ');
    // Unresolved only because an operand is a string too long to track: it is a string, so the
    // import is real, but no importable module has such a name (see classifyGlobal).
    if (why.length && [module, name].every((v) => typeof v === 'string' || v === LONGSTR)) g.longOperand = true;
    this.out.globals.push(g);
    return { k: 'global', module: m, name: n };
  }

  private globalLines(op: number): [string, string] {
    const a = this.line();
    const m = a && utf8OrUndefined(a); // before the next read, which may refill the window's buffer
    const b = this.line();
    const n = b && utf8OrUndefined(b);
    if (m === undefined || n === undefined) throw new Invalid(`${op === 0x63 ? 'GLOBAL' : 'INST'} argument is not a UTF-8 "module\\nname" pair`);
    return [m, n];
  }

  // ---- one pickle: opcodes until STOP -----------------------------------------------------

  /**
   * The opcode loop: runs of common opcodes go through `fast`, everything else (rare opcodes, a
   * window edge, a bound or an error) through `step`, which implements every opcode.
   */
  private one(): Omit<PickleInfo, 'start' | 'end'> {
    const start = this.pos;
    for (;;) {
      this.fast();
      // Every opcode consumes a byte or more, so the ones done by `fast` are counted (for
      // `notPickle`) by pos having moved.
      if (this.pos !== start && this.ops === 0) this.ops = 1;
      const stop = this.step();
      if (stop) return stop;
    }
  }

  /**
   * Walks common opcodes from `pos` while they and their fixed-size arguments are in the window and
   * cannot fail or hit a bound; returns, with pos/sp/floor/memo stored back, at the first opcode
   * that needs `step`. Each case does exactly what `step` does for that opcode.
   *
   * This is the walker's hot loop (a state dict is tens of millions of opcodes), written for
   * TurboFan: a separate function so the window, the stack's arrays and the bounds are constant
   * here and the loop state stays in registers as int32s; every value pushed is a number stored
   * into a Float64Array (no boxing, no write barrier); and the constants are literals, because a
   * module-level constant costs a context load and a hole check at each use.
   */
  private fast(): void {
    const buf = this.buf;
    const base = this.base;
    // A fast case reads at most 9 bytes (opcode and fixed-size argument). A call also stops after
    // FAST_RUN bytes: called often, the function gets optimized as a whole instead of only
    // on-stack-replaced into its loop, and OSR code keeps the window and the literals below as
    // unknown values (a map check or a heap-number check at every use).
    const end = Math.min(this.lim - base - 9, this.pos - base + FAST_RUN);
    const rest = this.size - base; // the source's end, relative to the window
    // A string code is exact when every offset is below MAX_LAZY_OFFSET (else strings take step).
    const lazyOk = this.size <= 1099511627776;
    const code = this.stackCode;
    const cap = Math.min(code.length, 1_000_000); // MAX_STACK: at the bound (or to grow), step pushes
    const objs = this.stackObj;
    const marks = this.markArr;
    let nMarks = this.nMarks;
    const memoCode = this.memoCode;
    const memoObj = this.memoObj;
    let memoLen = this.memoLen;
    let memoCount = this.memoCount;
    // The memo can append in place while memoMap is empty (memoPut's other cases go through step).
    const appendOk = this.memoMap.size === 0;
    let o = this.pos - base; // the loop works on window offsets; pos = base + o
    let sp = this.sp;
    let floor = this.floor;
    if (o < 0) return;
    loop: while (o <= end && sp < cap) {
      switch (buf[o]!) {
        case 0x28: // MARK
          if (nMarks >= marks.length) break loop;
          marks[nMarks++] = sp;
          floor = sp;
          o += 1;
          continue;
        case 0x58: { // BINUNICODE
          const n = (buf[o + 1]! | (buf[o + 2]! << 8) | (buf[o + 3]! << 16) | (buf[o + 4]! << 24)) >>> 0;
          if (n === 0 || n > 1024 /* MAX_TRACKED_STRING */ || o + 5 + n > rest || !lazyOk) break loop;
          code[sp++] = base + o + 5 + (n * 2) / 4096;
          o += 5 + n;
          continue;
        }
        case 0x8c: { // SHORT_BINUNICODE
          const n = buf[o + 1]!;
          if (n === 0 || o + 2 + n > rest || !lazyOk) break loop;
          code[sp++] = base + o + 2 + (n * 2) / 4096;
          o += 2 + n;
          continue;
        }
        case 0x55: { // SHORT_BINSTRING
          const n = buf[o + 1]!;
          if (n === 0 || o + 2 + n > rest || !lazyOk) break loop;
          code[sp++] = base + o + 2 + (n * 2 + 1) / 4096;
          o += 2 + n;
          continue;
        }
        case 0x4a: // BININT
          code[sp++] = -1099511627776 /* INT0 */ + (buf[o + 1]! | (buf[o + 2]! << 8) | (buf[o + 3]! << 16) | (buf[o + 4]! << 24));
          o += 5;
          continue;
        case 0x4b: // BININT1
          code[sp++] = -1099511627776 /* INT0 */ + buf[o + 1]!;
          o += 2;
          continue;
        case 0x4d: // BININT2
          code[sp++] = -1099511627776 /* INT0 */ + (buf[o + 1]! | (buf[o + 2]! << 8));
          o += 3;
          continue;
        case 0x68: { // BINGET
          const key = buf[o + 1]!;
          if (key >= memoLen) break loop; // in memoMap, or missing
          const t = memoCode[key]!;
          code[sp] = t;
          if (t === -1 /* C_OBJ */) objs[sp] = memoObj[key];
          sp++;
          o += 2;
          continue;
        }
        case 0x6a: { // LONG_BINGET
          const key = (buf[o + 1]! | (buf[o + 2]! << 8) | (buf[o + 3]! << 16) | (buf[o + 4]! << 24)) >>> 0;
          if (key >= memoLen) break loop;
          const t = memoCode[key]!;
          code[sp] = t;
          if (t === -1 /* C_OBJ */) objs[sp] = memoObj[key];
          sp++;
          o += 5;
          continue;
        }
        case 0x71: case 0x72: case 0x94: { // BINPUT, LONG_BINPUT, MEMOIZE
          const op = buf[o]!;
          const key = op === 0x71 ? buf[o + 1]! : op === 0x72 ? (buf[o + 1]! | (buf[o + 2]! << 8) | (buf[o + 3]! << 16) | (buf[o + 4]! << 24)) >>> 0 : memoCount;
          // Appends only with room: growing is left to step (a call in this loop would make
          // TurboFan recheck the arrays' maps at every access).
          if (key === memoLen && appendOk && memoCount < 2_000_000 && key < memoCode.length) { // MAX_MEMO
            memoLen++;
            memoCount++;
          } else if (key >= memoLen) break loop; // memoPut: the key may be in memoMap, or over the bound
          const t = sp > floor ? code[sp - 1]! : -2 /* C_ANY */;
          memoCode[key] = t;
          if (t === -1 /* C_OBJ */) memoObj[key] = objs[sp - 1];
          o += op === 0x71 ? 2 : op === 0x72 ? 5 : 1;
          continue;
        }
        case 0x4e: case 0x88: case 0x89: // NONE, NEWTRUE, NEWFALSE
        case 0x7d: case 0x5d: case 0x29: case 0x8f: // EMPTY_DICT/LIST/TUPLE/SET
          code[sp++] = -2 /* C_ANY */;
          o += 1;
          continue;
        case 0x47: // BINFLOAT
          code[sp++] = -2 /* C_ANY */;
          o += 9;
          continue;
        case 0x85: case 0x51: // TUPLE1, BINPERSID
          if (sp > floor) sp--;
          code[sp++] = -2 /* C_ANY */;
          o += 1;
          continue;
        case 0x86: // TUPLE2
          sp = sp - 2 > floor ? sp - 2 : floor; // not Math.max: a call site, deoptimizing when first reached
          code[sp++] = -2 /* C_ANY */;
          o += 1;
          continue;
        case 0x87: // TUPLE3
          sp = sp - 3 > floor ? sp - 3 : floor;
          code[sp++] = -2 /* C_ANY */;
          o += 1;
          continue;
        case 0x52: case 0x81: // REDUCE, NEWOBJ
          sp = sp - 2 > floor ? sp - 2 : floor;
          code[sp++] = -4 /* C_CALL */;
          o += 1;
          continue;
        case 0x61: case 0x62: // APPEND, BUILD
          if (sp > floor) sp--;
          o += 1;
          continue;
        case 0x73: // SETITEM
          sp = sp - 2 > floor ? sp - 2 : floor;
          o += 1;
          continue;
        // One case for both groups: code first reached after TurboFan compiled this function
        // deoptimizes it, and a state dict's SETITEMS comes only every thousand entries.
        case 0x64: case 0x6c: case 0x74: case 0x91: // DICT, LIST, TUPLE, FROZENSET
        case 0x65: case 0x75: case 0x90: { // APPENDS, SETITEMS, ADDITEMS
          const op = buf[o]!;
          if (nMarks > 0) {
            sp = marks[--nMarks]!;
            floor = nMarks > 0 ? marks[nMarks - 1]! : 0;
          }
          o += 1;
          if (op === 0x65 || op === 0x75 || op === 0x90) continue;
          code[sp++] = -2 /* C_ANY */;
          continue;
        }
        case 0x43: { // SHORT_BINBYTES
          const n = buf[o + 1]!;
          if (o + 2 + n > rest) break loop;
          code[sp++] = -3 /* C_BYTES */;
          o += 2 + n;
          continue;
        }
        case 0x42: { // BINBYTES
          const n = (buf[o + 1]! | (buf[o + 2]! << 8) | (buf[o + 3]! << 16) | (buf[o + 4]! << 24)) >>> 0;
          if (n > rest - o - 5) break loop; // not o + 5 + n: n may be near 2^32, past int32
          code[sp++] = -3 /* C_BYTES */;
          o += 5 + n;
          continue;
        }
        case 0x95: // FRAME
          o += 9;
          continue;
        default:
          break loop;
      }
    }
    this.pos = base + o;
    this.sp = sp;
    this.floor = floor;
    this.memoLen = memoLen;
    this.memoCount = memoCount;
    this.nMarks = nMarks;
  }

  /** One opcode at `pos`, every case and every check: the result of STOP, else undefined. */
  private step(): Omit<PickleInfo, 'start' | 'end'> | undefined {
    {
      const at = this.pos;
      const op = this.u8();
      switch (op) {
        case 0x28: this.mark(); break; // MARK
        case 0x2e: { // STOP
          const v = this.resolve(this.pop());
          return typeof v === 'object' ? { computed: v.k === 'call' } : { literal: v, computed: false };
        }
        case 0x30: // POP: pops the top item, or the mark when the frame is empty (as CPython does)
          if (this.sp > this.floor) this.sp--;
          else if (this.nMarks) {
            this.nMarks--;
            this.floor = this.nMarks ? this.markArr[this.nMarks - 1]! : 0;
          }
          break;
        case 0x31: this.popMark(); break; // POP_MARK
        case 0x32: this.push(this.top()); break; // DUP
        case 0x46: this.line(); this.push(ANY); break; // FLOAT
        case 0x49: case 0x4c: { // INT, LONG
          const l = this.line();
          const v = l && decodeDecimal(l);
          this.push(v === undefined ? ANY : v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
          break;
        }
        case 0x4a: this.push(this.u32() | 0); break; // BININT (signed)
        case 0x4b: this.push(this.u8()); break; // BININT1
        case 0x4d: this.push(this.u16()); break; // BININT2
        case 0x4e: case 0x88: case 0x89: this.push(ANY); break; // NONE, NEWTRUE, NEWFALSE
        case 0x50: this.line(); this.push(ANY); break; // PERSID
        case 0x51: this.pop(); this.push(ANY); break; // BINPERSID
        case 0x52: this.pop(); this.pop(); this.push(CALL); break; // REDUCE
        case 0x53: { // STRING
          const l = this.line();
          if (l === undefined) { this.push(LONGSTR); break; }
          const s = decodeQuotedString(l);
          if (s === undefined) throw new Invalid('STRING argument is not quoted');
          this.push(s);
          break;
        }
        case 0x54: { // BINSTRING (signed 4-byte length)
          const n = this.u32() | 0;
          if (n < 0) throw new Invalid('BINSTRING with a negative length');
          this.push(this.strArg(n, true));
          break;
        }
        case 0x55: this.push(this.strArg(this.u8(), true)); break; // SHORT_BINSTRING
        case 0x56: this.push(this.str(this.line(), decodeRawUnicodeEscape)); break; // UNICODE
        case 0x58: this.push(this.strArg(this.u32(), false)); break; // BINUNICODE
        case 0x8c: this.push(this.strArg(this.u8(), false)); break; // SHORT_BINUNICODE
        case 0x8d: this.push(this.strArg(this.u64(), false)); break; // BINUNICODE8
        case 0x42: this.skip(this.u32()); this.push(BYTES); break; // BINBYTES
        case 0x43: this.skip(this.u8()); this.push(BYTES); break; // SHORT_BINBYTES
        case 0x8e: case 0x96: this.skip(this.u64()); this.push(BYTES); break; // BINBYTES8, BYTEARRAY8
        case 0x61: this.pop(); break; // APPEND
        case 0x62: this.pop(); break; // BUILD
        case 0x63: { // GLOBAL
          const [m, n] = this.globalLines(op);
          this.push(this.addGlobal(m, n, 'GLOBAL', at));
          break;
        }
        case 0x69: { // INST: class from the argument, constructor args from the mark
          const [m, n] = this.globalLines(op);
          this.addGlobal(m, n, 'INST', at);
          this.popMark();
          this.push(CALL);
          break;
        }
        case 0x64: case 0x6c: case 0x74: case 0x91: this.popMark(); this.push(ANY); break; // DICT, LIST, TUPLE, FROZENSET
        case 0x65: case 0x75: case 0x90: this.popMark(); break; // APPENDS, SETITEMS, ADDITEMS
        case 0x6f: this.popMark(); this.push(CALL); break; // OBJ
        case 0x7d: case 0x5d: case 0x29: case 0x8f: this.push(ANY); break; // EMPTY_DICT/LIST/TUPLE/SET
        case 0x67: { // GET
          const l = this.line();
          const k = l && decodeDecimal(l);
          if (l && k === undefined && !looksDecimal(l)) throw new Invalid(`GET at offset ${at} has a memo key that is not a number`);
          this.push(this.memoGet(k === undefined ? undefined : Number(k), l ? latin1(l) : '?'));
          break;
        }
        case 0x68: this.push(this.memoGet(this.u8(), '')); break; // BINGET
        case 0x6a: this.push(this.memoGet(this.u32(), '')); break; // LONG_BINGET
        case 0x70: { // PUT
          const l = this.line();
          const k = l && decodeDecimal(l);
          if (l && k === undefined && !looksDecimal(l)) throw new Invalid(`PUT at offset ${at} has a memo key that is not a number`);
          if (k !== undefined) this.memoPut(Number(k), this.top());
          break;
        }
        case 0x71: this.memoPut(this.u8(), this.top()); break; // BINPUT
        case 0x72: this.memoPut(this.u32(), this.top()); break; // LONG_BINPUT
        case 0x94: this.memoPut(this.memoCount, this.top()); break; // MEMOIZE: key is len(memo)
        case 0x73: this.pop(); this.pop(); break; // SETITEM
        case 0x47: this.skip(8); this.push(ANY); break; // BINFLOAT
        case 0x80: this.u8(); break; // PROTO
        case 0x81: this.pop(); this.pop(); this.push(CALL); break; // NEWOBJ
        case 0x92: this.pop(); this.pop(); this.pop(); this.push(CALL); break; // NEWOBJ_EX
        case 0x82: case 0x83: case 0x84: { // EXT1/2/4: a global from copyreg's extension registry
          const code = op === 0x82 ? this.u8AsArg() : op === 0x83 ? this.u16() : this.u32() | 0;
          // CPython refuses these codes before consulting the registry, so nothing is imported.
          if (code <= 0) throw new Invalid(`EXT specifies code ${code} (<= 0)`);
          const why: OpaqueVal = { k: 'opaque', what: `extension registry code ${code}` };
          this.push(this.addGlobal(why, why, 'EXT', at));
          break;
        }
        case 0x85: this.pop(); this.push(ANY); break; // TUPLE1
        case 0x86: this.pop(); this.pop(); this.push(ANY); break; // TUPLE2
        case 0x87: this.pop(); this.pop(); this.pop(); this.push(ANY); break; // TUPLE3
        case 0x8a: this.push(this.longArg(this.u8())); break; // LONG1
        case 0x8b: { // LONG4 (signed length)
          const n = this.u32() | 0;
          if (n < 0) throw new Invalid('LONG4 with a negative length');
          this.push(this.longArg(n));
          break;
        }
        case 0x93: { // STACK_GLOBAL
          const name = this.pop();
          const module = this.pop();
          // CPython stops with "unpickling stack underflow" before importing anything.
          if (name === UNDERFLOW || module === UNDERFLOW) throw new Invalid('STACK_GLOBAL with fewer than two values on the stack');
          const m = this.resolve(module);
          const n = this.resolve(name);
          // CPython stops with "STACK_GLOBAL requires str" when an operand is anything but a str, so
          // an operand proven not to be one imports nothing. Unless a bound was hit: the symbolic
          // stack may then be wrong, and the operand is reported unresolved instead.
          const g = this.addGlobal(m, n, 'STACK_GLOBAL', at);
          if (!this.out.degraded && (notString(m) || notString(n))) {
            this.out.globals[this.out.globals.length - 1]!.refused = true;
            throw new Invalid(`STACK_GLOBAL at offset ${at} needs two strings, as CPython refuses anything else`);
          }
          this.push(g);
          break;
        }
        case 0x95: this.skip(8); break; // FRAME: a read-ahead hint; opcodes continue inline
        case 0x97: this.push(ANY); break; // NEXT_BUFFER
        case 0x98: break; // READONLY_BUFFER: leaves the top in place
        default:
          this.pos = at;
          throw new Invalid(`invalid opcode 0x${op.toString(16).padStart(2, '0')} at offset ${at}`);
      }
      this.ops++;
      return undefined;
    }
  }

  private longArg(n: number): Val {
    if (n > 32) {
      this.skip(n);
      return ANY;
    }
    return decodeLong(this.take(n));
  }
}

/** Values the walker knows are not a Python str (ints, floats, containers, bytes, None, bools). */
function notString(v: Resolved): boolean {
  return typeof v === 'number' || typeof v === 'bigint' || v === ANY || v === BYTES;
}

function describe(v: Resolved): string {
  if (typeof v === 'number' || typeof v === 'bigint') return `the integer ${v}`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (v.k === 'global') return `the object ${v.module}.${v.name}`;
  if (v.k === 'call') return 'the result of a call';
  return v.what;
}

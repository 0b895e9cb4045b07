// Static walker for pickle protocols 0-5. It never executes anything: it reads each opcode with its
// exact argument length and keeps a symbolic stack and memo, just enough to learn which globals a
// load would import (GLOBAL, INST, STACK_GLOBAL, EXT*). Operands it cannot prove to be strings are
// reported as unresolved, because an attacker builds them that way to hide the import.
//
// Error policy: the walk stops only where CPython's unpickler would also stop (unknown opcode,
// truncated argument, undecodable GLOBAL line), so nothing after the stop can run; everything it
// accepts but CPython might reject (stack underflow, bad memo key) is tolerated and walked past.
import type { ByteSource } from './source.js';
import { decodeDecimal, decodeLong, decodeQuotedString, decodeRawUnicodeEscape, latin1, utf8OrUndefined } from './pickle-text.js';

export interface PickleGlobal {
  module: string;
  name: string;
  opcode: 'GLOBAL' | 'INST' | 'STACK_GLOBAL' | 'EXT';
  offset: number;
  /** Set when module or name was not a provable string: why (e.g. `missing memo key 3`). */
  unresolved?: string;
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
type Val = string | number | bigint | GlobalVal | CallVal | OpaqueVal;

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
  private buf: Uint8Array = new Uint8Array(0);
  private bufStart = 0;
  private pos: number;
  private stack: Val[] = [];
  private marks: number[] = [];
  private memo = new Map<number, Val>();
  private readonly out: PickleWalk;

  constructor(private readonly src: ByteSource, start: number, private readonly continuation: boolean) {
    this.pos = start;
    this.out = { notPickle: false, globals: [], pickles: [], end: start };
  }

  run(maxPickles: number): PickleWalk {
    const size = this.src.size;
    while (this.pos < size && this.out.pickles.length < maxPickles) {
      const start = this.pos;
      const first = this.out.pickles.length === 0 && !this.continuation;
      if (!STARTERS.has(this.byteAt(start))) {
        if (first) this.out.notPickle = true;
        else this.out.error = { offset: start, message: `${size - start} bytes after the last pickle do not start a pickle (opcode 0x${this.byteAt(start).toString(16).padStart(2, '0')})` };
        break;
      }
      this.stack = [];
      this.marks = [];
      this.memo = new Map();
      let opsDone = 0;
      try {
        const stop = this.one(() => opsDone++);
        this.out.pickles.push({ start, end: this.pos, ...stop });
        this.out.end = this.pos;
      } catch (e) {
        if (!(e instanceof Truncated || e instanceof Invalid)) throw e;
        if (first && opsDone === 0) this.out.notPickle = true;
        else this.out.error = { offset: this.pos, message: e.message };
        break;
      }
    }
    return this.out;
  }

  // ---- byte access over a sliding window -------------------------------------------------

  private byteAt(p: number): number {
    if (p < this.bufStart || p >= this.bufStart + this.buf.length) this.load(p, 1);
    return this.buf[p - this.bufStart]!;
  }

  private load(p: number, need: number): void {
    if (p + need > this.src.size) throw new Truncated(`pickle truncated at offset ${p}: needs ${need} more bytes, ${Math.max(0, this.src.size - p)} remain`);
    const b = this.src.read(p, Math.max(need, CHUNK));
    // A plain Uint8Array view: Buffer#subarray is several times slower on the hot path.
    this.buf = new Uint8Array(b.buffer, b.byteOffset, b.length);
    this.bufStart = p;
  }

  private take(n: number): Uint8Array {
    const p = this.pos;
    if (p < this.bufStart || p + n > this.bufStart + this.buf.length) this.load(p, n);
    this.pos = p + n;
    return this.buf.subarray(p - this.bufStart, p - this.bufStart + n);
  }

  private skip(n: number): void {
    if (this.pos + n > this.src.size) throw new Truncated(`pickle truncated at offset ${this.pos}: an argument of ${n} bytes runs past the end`);
    this.pos += n;
  }

  private u8(): number {
    return this.byteAt(this.pos++);
  }

  private uint(n: 1 | 2 | 4 | 8): number {
    const p = this.pos;
    if (p < this.bufStart || p + n > this.bufStart + this.buf.length) this.load(p, n);
    const o = p - this.bufStart;
    this.pos = p + n;
    let v = 0;
    for (let i = n - 1; i >= 0; i--) v = v * 256 + this.buf[o + i]!;
    return v;
  }

  /** A newline-terminated argument; `undefined` content when longer than MAX_TRACKED_STRING. */
  private line(): Uint8Array | undefined {
    const start = this.pos;
    for (let p = start; ; p++) {
      if (p - start > MAX_LINE * 64) throw new Invalid(`text argument at offset ${start} is unreasonably long`);
      if (p >= this.src.size) throw new Truncated(`pickle truncated at offset ${start}: a text argument has no newline`);
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
    if (this.stack.length >= MAX_STACK) {
      this.out.degraded ??= `stack deeper than ${MAX_STACK} entries`;
      return;
    }
    this.stack.push(v);
  }

  private pop(): Val {
    const floor = this.marks.length ? this.marks[this.marks.length - 1]! : 0;
    return this.stack.length > floor ? this.stack.pop()! : UNDERFLOW;
  }

  private top(): Val {
    const floor = this.marks.length ? this.marks[this.marks.length - 1]! : 0;
    return this.stack.length > floor ? this.stack[this.stack.length - 1]! : ANY;
  }

  /** Items above the last MARK, which is removed (CPython raises when there is none). */
  private popMark(): Val[] {
    const m = this.marks.pop();
    if (m === undefined) return [];
    return this.stack.splice(m);
  }

  private str(b: Uint8Array | undefined, decode: (b: Uint8Array) => string | undefined): Val {
    if (b === undefined || b.length > MAX_TRACKED_STRING) return LONGSTR;
    return decode(b) ?? ANY;
  }

  private memoPut(key: number, v: Val): void {
    if (this.memo.size >= MAX_MEMO && !this.memo.has(key)) {
      this.out.degraded ??= `memo larger than ${MAX_MEMO} entries`;
      return;
    }
    this.memo.set(key, v);
  }

  private memoGet(key: number | undefined, raw: string): Val {
    if (key === undefined) return { k: 'opaque', what: `invalid memo key ${JSON.stringify(raw)}` };
    return this.memo.get(key) ?? { k: 'opaque', what: `missing memo key ${key}` };
  }

  private addGlobal(module: Val, name: Val, opcode: PickleGlobal['opcode'], offset: number): GlobalVal {
    const why: string[] = [];
    const m = typeof module === 'string' ? module : (why.push(`module is ${describe(module)}`), 'unknown');
    const n = typeof name === 'string' ? name : (why.push(`name is ${describe(name)}`), 'unknown');
    const g: PickleGlobal = { module: m, name: n, opcode, offset };
    if (why.length) g.unresolved = why.join('; ');
    this.out.globals.push(g);
    return { k: 'global', module: m, name: n };
  }

  private globalLines(op: number): [string, string] {
    const a = this.line();
    const b = this.line();
    const m = a && utf8OrUndefined(a);
    const n = b && utf8OrUndefined(b);
    if (m === undefined || n === undefined) throw new Invalid(`${op === 0x63 ? 'GLOBAL' : 'INST'} argument is not a UTF-8 "module\\nname" pair`);
    return [m, n];
  }

  // ---- one pickle: opcodes until STOP -----------------------------------------------------

  private one(counted: () => void): Omit<PickleInfo, 'start' | 'end'> {
    for (;;) {
      const at = this.pos;
      const op = this.u8();
      switch (op) {
        case 0x28: this.marks.push(this.stack.length); break; // MARK
        case 0x2e: { // STOP
          const v = this.pop();
          return typeof v === 'object' ? { computed: v.k === 'call' } : { literal: v, computed: false };
        }
        case 0x30: // POP: pops the top item, or the mark when the frame is empty (as CPython does)
          if (this.stack.length > (this.marks.length ? this.marks[this.marks.length - 1]! : 0)) this.stack.pop();
          else this.marks.pop();
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
        case 0x4a: this.push(this.uint(4) | 0); break; // BININT (signed)
        case 0x4b: this.push(this.u8()); break; // BININT1
        case 0x4d: this.push(this.uint(2)); break; // BININT2
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
          const n = this.uint(4) | 0;
          if (n < 0) throw new Invalid('BINSTRING with a negative length');
          this.push(this.bytesArg(n, latin1));
          break;
        }
        case 0x55: this.push(this.bytesArg(this.u8(), latin1)); break; // SHORT_BINSTRING
        case 0x56: this.push(this.str(this.line(), decodeRawUnicodeEscape)); break; // UNICODE
        case 0x58: this.push(this.bytesArg(this.uint(4), utf8OrUndefined)); break; // BINUNICODE
        case 0x8c: this.push(this.bytesArg(this.u8(), utf8OrUndefined)); break; // SHORT_BINUNICODE
        case 0x8d: this.push(this.bytesArg(this.uint(8), utf8OrUndefined)); break; // BINUNICODE8
        case 0x42: this.skip(this.uint(4)); this.push(BYTES); break; // BINBYTES
        case 0x43: this.skip(this.u8()); this.push(BYTES); break; // SHORT_BINBYTES
        case 0x8e: case 0x96: this.skip(this.uint(8)); this.push(BYTES); break; // BINBYTES8, BYTEARRAY8
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
          this.push(this.memoGet(k === undefined ? undefined : Number(k), l ? latin1(l) : '?'));
          break;
        }
        case 0x68: this.push(this.memoGet(this.u8(), '')); break; // BINGET
        case 0x6a: this.push(this.memoGet(this.uint(4), '')); break; // LONG_BINGET
        case 0x70: { // PUT
          const l = this.line();
          const k = l && decodeDecimal(l);
          if (k !== undefined) this.memoPut(Number(k), this.top());
          break;
        }
        case 0x71: this.memoPut(this.u8(), this.top()); break; // BINPUT
        case 0x72: this.memoPut(this.uint(4), this.top()); break; // LONG_BINPUT
        case 0x94: this.memoPut(this.memo.size, this.top()); break; // MEMOIZE: key is len(memo)
        case 0x73: this.pop(); this.pop(); break; // SETITEM
        case 0x47: this.skip(8); this.push(ANY); break; // BINFLOAT
        case 0x80: this.u8(); break; // PROTO
        case 0x81: this.pop(); this.pop(); this.push(CALL); break; // NEWOBJ
        case 0x92: this.pop(); this.pop(); this.pop(); this.push(CALL); break; // NEWOBJ_EX
        case 0x82: case 0x83: case 0x84: { // EXT1/2/4: a global from copyreg's extension registry
          const code = this.uint(op === 0x82 ? 1 : op === 0x83 ? 2 : 4);
          const why: OpaqueVal = { k: 'opaque', what: `extension registry code ${code}` };
          this.push(this.addGlobal(why, why, 'EXT', at));
          break;
        }
        case 0x85: this.pop(); this.push(ANY); break; // TUPLE1
        case 0x86: this.pop(); this.pop(); this.push(ANY); break; // TUPLE2
        case 0x87: this.pop(); this.pop(); this.pop(); this.push(ANY); break; // TUPLE3
        case 0x8a: this.push(this.longArg(this.u8())); break; // LONG1
        case 0x8b: { // LONG4 (signed length)
          const n = this.uint(4) | 0;
          if (n < 0) throw new Invalid('LONG4 with a negative length');
          this.push(this.longArg(n));
          break;
        }
        case 0x93: { // STACK_GLOBAL
          const name = this.pop();
          const module = this.pop();
          // CPython stops with "unpickling stack underflow" before importing anything.
          if (name === UNDERFLOW || module === UNDERFLOW) throw new Invalid('STACK_GLOBAL with fewer than two values on the stack');
          this.push(this.addGlobal(module, name, 'STACK_GLOBAL', at));
          break;
        }
        case 0x95: this.skip(8); break; // FRAME: a read-ahead hint; opcodes continue inline
        case 0x97: this.push(ANY); break; // NEXT_BUFFER
        case 0x98: break; // READONLY_BUFFER: leaves the top in place
        default:
          this.pos = at;
          throw new Invalid(`invalid opcode 0x${op.toString(16).padStart(2, '0')} at offset ${at}`);
      }
      counted();
    }
  }

  private bytesArg(n: number, decode: (b: Uint8Array) => string | undefined): Val {
    if (n > MAX_TRACKED_STRING) {
      this.skip(n);
      return LONGSTR;
    }
    return decode(this.take(n)) ?? ANY;
  }

  private longArg(n: number): Val {
    if (n > 32) {
      this.skip(n);
      return ANY;
    }
    return decodeLong(this.take(n));
  }
}

function describe(v: Val): string {
  if (typeof v === 'number' || typeof v === 'bigint') return `the integer ${v}`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (v.k === 'global') return `the object ${v.module}.${v.name}`;
  if (v.k === 'call') return 'the result of a call';
  return v.what;
}

import { describe, expect, it } from 'vitest';
import { walkPickles } from './pickle.js';
import { classifyGlobal, ALLOW } from './globals.js';
import { scanPickleSource } from './pytorch.js';
import { memorySource } from './source.js';

type Part = string | number[] | Uint8Array;
/** Bytes from latin-1 strings and byte arrays. */
function b(...parts: Part[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'string') for (const c of p) out.push(c.charCodeAt(0) & 0xff);
    else out.push(...p);
  }
  return Uint8Array.from(out);
}
const le = (n: number, width: number) => Array.from({ length: width }, (_, i) => Math.floor(n / 256 ** i) % 256);
const utf8 = (s: string) => [...Buffer.from(s, 'utf8')];
const shortUni = (s: string) => [0x8c, utf8(s).length, ...utf8(s)];
const binUni = (s: string) => [0x58, ...le(utf8(s).length, 4), ...utf8(s)];
const binUni8 = (s: string) => [0x8d, ...le(utf8(s).length, 8), ...utf8(s)];
const PROTO4 = [0x80, 4];
const STACK_GLOBAL = [0x93];
const MEMOIZE = [0x94];

const walk = (bytes: Uint8Array) => walkPickles(memorySource(bytes));
const names = (bytes: Uint8Array) => walk(bytes).globals.map((g) => `${g.module} ${g.name}`);

describe('pickle walker: how globals are named', () => {
  it('GLOBAL (protocol 0) and INST', () => {
    expect(names(b('cos\nsystem\n(S\'id\'\ntR.'))).toEqual(['os system']);
    const inst = walk(b("(S'id'\nios\nsystem\n."));
    expect(inst.globals).toMatchObject([{ module: 'os', name: 'system', opcode: 'INST' }]);
    expect(inst.error).toBeUndefined();
  });

  it('STACK_GLOBAL from every string opcode', () => {
    expect(names(b(PROTO4, shortUni('os'), shortUni('system'), STACK_GLOBAL, '.'))).toEqual(['os system']);
    expect(names(b(PROTO4, binUni('os'), binUni8('system'), STACK_GLOBAL, '.'))).toEqual(['os system']);
    expect(names(b("S'os'\nS\"sys\\x74em\"\n", STACK_GLOBAL, '.'))).toEqual(['os system']);
    expect(names(b('U', [2], 'os', 'T', le(6, 4), 'system', STACK_GLOBAL, '.'))).toEqual(['os system']);
    expect(names(b('Vos\nV\\u0073ystem\n', STACK_GLOBAL, '.'))).toEqual(['os system']);
  });

  it('resolves operands through every memo form (PUT/GET, BINPUT/BINGET, LONG_*, MEMOIZE)', () => {
    expect(names(b('Vos\np7\n0Vsystem\np8\n0g7\ng8\n', STACK_GLOBAL, '.'))).toEqual(['os system']);
    expect(names(b(PROTO4, shortUni('os'), 'q', [3], '0', shortUni('system'), 'r', le(70000, 4), '0h', [3], 'j', le(70000, 4), STACK_GLOBAL, '.'))).toEqual(['os system']);
    // MEMOIZE keys are len(memo), so decoys stored first shift the indices.
    expect(names(b(PROTO4, shortUni('torch'), MEMOIZE, shortUni('LongStorage'), MEMOIZE, '0', shortUni('os'), MEMOIZE, shortUni('system'), MEMOIZE, '00h', [2], 'h', [3], STACK_GLOBAL, '.'))).toEqual(['os system']);
  });

  it('DUP and POP move operands as CPython does', () => {
    expect(names(b(PROTO4, shortUni('os'), '2', '0', shortUni('system'), STACK_GLOBAL, '.'))).toEqual(['os system']);
    // POP on an empty frame pops the MARK instead.
    expect(names(b(PROTO4, shortUni('os'), '(0', shortUni('system'), STACK_GLOBAL, '.'))).toEqual(['os system']);
  });

  it('a computed object as operand is unresolved; a missing memo key, an int or bytes operand stops the walk', () => {
    // CPython raises "Memo value not found": the load stops at the GET, before any import.
    const missing = walk(b(PROTO4, shortUni('os'), 'h', [9], STACK_GLOBAL, '.'));
    expect(missing.globals).toEqual([]);
    expect(missing.error?.message).toMatch(/memo key 9 was never stored/u);
    // CPython raises "STACK_GLOBAL requires str": nothing is imported and nothing after runs.
    const intWalk = walk(b(PROTO4, 'K', [42], shortUni('system'), STACK_GLOBAL, '.'));
    const int = intWalk.globals[0]!;
    expect(int).toMatchObject({ module: 'unknown', name: 'system', refused: true });
    expect(int.unresolved).toContain('integer 42');
    expect(intWalk.error?.message).toMatch(/needs two strings/u);
    const bytes = walk(b(PROTO4, 'C', [2], 'os', shortUni('system'), STACK_GLOBAL, '.')).globals[0]!;
    expect(bytes.unresolved).toContain('bytes');
    expect(classifyGlobal(int, ALLOW.pickle).severity).toBe('suspicious');
    expect(walk(b([0x80, 2, 0x82, 0], ')R.')).error?.message).toMatch(/EXT specifies code 0/u);
    const ext = walk(b([0x80, 2, 0x82, 7], ')R.')).globals[0]!;
    expect(ext).toMatchObject({ opcode: 'EXT', module: 'unknown' });
    // The result of a call may well be a str: the import it names is unknown, hence dangerous.
    const computed = walk(b(PROTO4, shortUni('builtins'), shortUni('str'), STACK_GLOBAL, ')R', shortUni('system'), STACK_GLOBAL, '.')).globals[1]!;
    expect(computed.unresolved).toContain('the result of a call');
    expect(classifyGlobal(computed, ALLOW.pickle).severity).toBe('dangerous');
  });

  it('stops where CPython would at a GET or PUT whose key is no number, but not at a key only too long to read', () => {
    const garbage = walk(b(PROTO4, [0x82, 0xd2], 'g\u00c9\u00c4x\n', STACK_GLOBAL, '.'));
    expect(garbage.error?.message).toMatch(/GET at offset \d+ has a memo key that is not a number/u);
    expect(garbage.globals.map((g) => g.opcode)).toEqual(['EXT']);
    expect(walk(b(PROTO4, shortUni('os'), 'p1x\n0')).error?.message).toMatch(/PUT at offset/u);
    // int() reads a 50-digit key, and the memo may hold it: the operand stays unresolved (dangerous).
    const huge = '9'.repeat(50);
    const kept = walk(b(PROTO4, shortUni('os'), `p${huge}\n0`, shortUni('os'), `g${huge}\n`, STACK_GLOBAL, '.'));
    expect(kept.error).toBeUndefined();
    expect(classifyGlobal(kept.globals[0]!, ALLOW.pickle).severity).toBe('dangerous');
  });

  it('judges an over-long string operand by its module: dangerous only where the module is', () => {
    const long = 'path.os.'.repeat(200) + 'system'; // a dotted name walks attributes: os.path.os... is os
    const cases: [Uint8Array, string][] = [
      [b(PROTO4, shortUni('os'), binUni(long), STACK_GLOBAL, '.'), 'dangerous'],
      [b(PROTO4, shortUni('posixpath'), binUni(long), STACK_GLOBAL, '.'), 'suspicious'],
      // Random bytes found this shape (about 1 in 150k layers): a protocol-0 line string, then a long one.
      [b('Vq\u00d5ah\n', binUni('x'.repeat(1500)), STACK_GLOBAL, '.'), 'suspicious'],
      [b(PROTO4, binUni('m'.repeat(1500)), shortUni('system'), STACK_GLOBAL, '.'), 'suspicious'],
    ];
    for (const [bytes, severity] of cases) {
      const g = walk(bytes).globals[0]!;
      expect(g.longOperand).toBe(true);
      expect(classifyGlobal(g, ALLOW.pickle).severity).toBe(severity);
    }
  });

  it('walks every argument length: FRAME, BINBYTES8, BYTEARRAY8, LONG4, BINFLOAT, BININT*', () => {
    const payload = new Uint8Array(300).fill(0x63); // 'c' bytes that must not be read as opcodes
    const bytes = b(
      [0x80, 5, 0x95], le(40, 8), 'G', le(0, 8), 'J', le(1, 4), 'K', [1], 'M', le(2, 2),
      [0x8a, 2, 1, 0], [0x8b], le(3, 4), [1, 2, 3], [0x8e], le(300, 8), payload, [0x96], le(300, 8), payload,
      'B', le(3, 4), 'abc', ']', [0x8f], ')', '}', 'N', [0x88, 0x89], 'I01\nL12L\nF1.5\n',
      shortUni('os'), shortUni('system'), STACK_GLOBAL, '.',
    );
    const w = walk(bytes);
    expect(w.error).toBeUndefined();
    expect(w.globals.map((g) => `${g.module} ${g.name}`)).toEqual(['os system']);
    expect(w.pickles).toHaveLength(1);
  });

  it('reads past STOP: concatenated pickles are all walked', () => {
    const w = walk(b(PROTO4, ']', '.', PROTO4, shortUni('requests.api'), shortUni('get'), STACK_GLOBAL, '.'));
    expect(w.pickles).toHaveLength(2);
    expect(w.globals.map((g) => g.module)).toEqual(['requests.api']);
  });

  it('truncated data, invalid opcodes and trailing junk stop the walk with an error, keeping the globals', () => {
    const trunc = walk(b('cbuiltins\nexec\n(X', le(1_000_000, 4), 'abc'));
    expect(trunc.globals).toHaveLength(1);
    expect(trunc.error?.message).toMatch(/truncated/u);
    const invalid = walk(b('cos\nsystem\n', [0xff]));
    expect(invalid.error?.message).toMatch(/invalid opcode 0xff/u);
    const junk = walk(b('cos\nsystem\n)R.\n\n\t'));
    expect(junk.pickles).toHaveLength(1);
    expect(junk.error?.message).toMatch(/after the last pickle/u);
  });

  it('bytes that cannot start a pickle are not a pickle', () => {
    expect(walk(b('cmod\n', [0xf8], '\n')).notPickle).toBe(true);
    expect(walk(b([0x89], 'PNG\r\n', [0x1a], '\n')).notPickle).toBe(false); // NEWFALSE starts…
    expect(scanPickleSource(memorySource(b([0x89], 'PNG\r\n', [0x1a], '\n')))).toBeUndefined(); // …but nothing completes
    expect(walk(b('README')).notPickle).toBe(true); // REDUCE needs a stack
    expect(walk(b('')).pickles).toEqual([]);
  });
});

describe('classification', () => {
  const cls = (module: string, name: string, list = ALLOW.pickle) => classifyGlobal({ module, name, opcode: 'GLOBAL', offset: 0 }, list).severity;

  it('matches the deny-list on the first component of dotted names and module prefixes', () => {
    expect(cls('builtins', 'eval.__call__')).toBe('dangerous');
    expect(cls('bdb', 'Bdb.run')).toBe('dangerous');
    expect(cls('torch.utils.bottleneck.__main__', 'run_cprofile')).toBe('dangerous');
    expect(cls('__builtin__', 'reduce')).toBe('dangerous'); // Python 2 name for functools.reduce
    expect(cls('httplib', 'HTTPSConnection')).toBe('dangerous');
  });

  it('allows only exact names, per format', () => {
    expect(cls('collections', 'OrderedDict')).toBe('safe');
    expect(cls('collections', 'OrderedDict.fromkeys')).toBe('suspicious');
    expect(cls('torch._utils', '_rebuild_tensor_v2')).toBe('suspicious');
    expect(cls('torch._utils', '_rebuild_tensor_v2', ALLOW.pytorch)).toBe('safe');
    expect(cls('numpy.core.multiarray', '_reconstruct', ALLOW.numpy)).toBe('safe');
    expect(cls('__builtin__', 'set')).toBe('safe');
    expect(cls('mypackage.model', 'Net')).toBe('suspicious');
  });
});

describe('legacy PyTorch', () => {
  const magic = b([0x80, 2, 0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19], '.');
  const proto = b([0x80, 2], 'M', le(1001, 2), '.');
  const empty = b([0x80, 2], '}.');
  const main = b([0x80, 2], 'ctorch._utils\n_rebuild_tensor_v2\n)R.');
  const keys = b([0x80, 2], ']q', [0], 'X', le(1, 4), '0a.');

  it('stops after the five pickles: raw storage bytes are not parse errors', () => {
    const file = b(magic, proto, empty, main, keys, le(4, 8), [0xff, 0xfe, 0, 1]);
    const r = scanPickleSource(memorySource(file))!;
    expect(r.format).toBe('pytorch-legacy');
    expect(r.findings.map((f) => [f.rule, f.severity])).toEqual([['pickle-allowed-global', 'safe']]);
  });

  it('a magic number computed by a call is an attack', () => {
    const evil = b([0x80, 2], 'c__builtin__\neval\nX', le(4, 4), '1950)R.');
    const r = scanPickleSource(memorySource(b(evil, proto, empty, main, keys)))!;
    expect(r.format).toBe('pytorch-legacy');
    expect(r.findings[0]).toMatchObject({ rule: 'pytorch-magic-computed', severity: 'dangerous' });
  });
});

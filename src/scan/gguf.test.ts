import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeSegments } from './gguf-template.js';
import { scanGguf } from './gguf.js';

// A small GGUF writer: just enough of the format to build valid and hostile files.
type Value =
  | { t: 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'bool' | 'u64' | 'i64' | 'f64'; v: number | bigint | boolean }
  | { t: 'str'; v: string }
  | { t: 'arr'; of: number; items: Value[] };

const TYPE_ID = { u8: 0, i8: 1, u16: 2, i16: 3, u32: 4, i32: 5, f32: 6, bool: 7, str: 8, arr: 9, u64: 10, i64: 11, f64: 12 } as const;

class Writer {
  private parts: number[] = [];
  constructor(private readonly v1 = false) {}
  u8(n: number) { this.parts.push(n & 0xff); return this; }
  u32(n: number) { for (let i = 0; i < 4; i++) this.u8(n >>> (8 * i)); return this; }
  u64(n: number | bigint) { const b = BigInt(n); for (let i = 0n; i < 8n; i++) this.u8(Number((b >> (8n * i)) & 0xffn)); return this; }
  len(n: number | bigint) { return this.v1 ? this.u32(Number(n)) : this.u64(n); }
  bytes(b: Uint8Array) { for (const x of b) this.u8(x); return this; }
  str(s: string) { const b = new TextEncoder().encode(s); this.len(b.length); return this.bytes(b); }
  value(v: Value): this {
    switch (v.t) {
      case 'str': return this.str(v.v);
      case 'arr': this.u32(v.of).len(v.items.length); for (const i of v.items) this.value(i); return this;
      case 'u8': case 'i8': case 'bool': return this.u8(Number(v.v));
      case 'u16': case 'i16': this.u8(Number(v.v)); return this.u8(Number(v.v) >> 8);
      case 'u32': case 'i32': case 'f32': return this.u32(Number(v.v));
      default: return this.u64(BigInt(v.v as number));
    }
  }
  kv(key: string, v: Value) { this.str(key).u32(TYPE_ID[v.t]); return this.value(v); }
  pad(alignment: number) { while (this.parts.length % alignment) this.u8(0); return this; }
  get length() { return this.parts.length; }
  done() { return Uint8Array.from(this.parts); }
}

interface TensorSpec { name: string; dims: number[]; type: number; offset: number }

function gguf(opts: { version?: number; kv?: Array<[string, Value]>; tensors?: TensorSpec[]; data?: number; alignment?: number }): Uint8Array {
  const version = opts.version ?? 3;
  const w = new Writer(version === 1);
  const kv = opts.kv ?? [];
  const tensors = opts.tensors ?? [];
  w.u32(0x46554747).u32(version).len(tensors.length).len(kv.length);
  for (const [k, v] of kv) w.kv(k, v);
  for (const t of tensors) {
    w.str(t.name).u32(t.dims.length);
    for (const d of t.dims) w.len(d);
    w.u32(t.type).u64(t.offset);
  }
  w.pad(opts.alignment ?? 32);
  for (let i = 0; i < (opts.data ?? 0); i++) w.u8(0);
  return w.done();
}

const str = (v: string): Value => ({ t: 'str', v });
const rules = (b: Uint8Array) => scanGguf(b).findings.map((f) => f.rule);
const f32 = (name: string, dims: number[], offset: number): TensorSpec => ({ name, dims, type: 0, offset });

const CHATML = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

describe('scanGguf', () => {
  it('accepts a valid v3 file with every value type, nested arrays and tensors', () => {
    const kv: Array<[string, Value]> = [
      ['general.architecture', str('llama')],
      ['general.alignment', { t: 'u32', v: 64 }],
      ['a.u8', { t: 'u8', v: 1 }], ['a.i8', { t: 'i8', v: 2 }], ['a.u16', { t: 'u16', v: 3 }], ['a.i16', { t: 'i16', v: 4 }],
      ['a.i32', { t: 'i32', v: 5 }], ['a.f32', { t: 'f32', v: 6 }], ['a.bool', { t: 'bool', v: true }],
      ['a.u64', { t: 'u64', v: 7n }], ['a.i64', { t: 'i64', v: 8n }], ['a.f64', { t: 'f64', v: 9n }],
      ['tokenizer.ggml.tokens', { t: 'arr', of: 8, items: [str('a'), str('b'), str('')] }],
      ['a.nested', { t: 'arr', of: 9, items: [{ t: 'arr', of: 4, items: [{ t: 'u32', v: 1 }] }, { t: 'arr', of: 7, items: [{ t: 'bool', v: 0 }] }] }],
    ];
    const tensors = [f32('tok_embd.weight', [4, 2], 0), { name: 'blk.0.q', dims: [64], type: 8, offset: 64 }];
    expect(scanGguf(gguf({ kv, tensors, data: 64 + 68, alignment: 64 }))).toEqual({ findings: [], extracted: [] });
  });

  it('reads version 1 (u32 counts and lengths) and version 2', () => {
    const opts = { kv: [['general.name', str('x')]] as Array<[string, Value]>, tensors: [f32('t', [4], 0)], data: 16 };
    expect(rules(gguf({ ...opts, version: 1 }))).toEqual([]);
    expect(rules(gguf({ ...opts, version: 2 }))).toEqual([]);
  });

  it('rejects bad magic, versions and impossible counts', () => {
    expect(rules(new TextEncoder().encode('GGML\x03\0\0\0'))).toEqual(['gguf-invalid-magic']);
    expect(rules(gguf({ version: 4 }))).toEqual(['gguf-unsupported-version']);
    expect(scanGguf(gguf({ version: 0x03000000 })).findings[0]!.detail).toContain('big-endian');
    const huge = new Writer().u32(0x46554747).u32(3).u64(1n << 40n).u64(0).done();
    expect(rules(huge)).toEqual(['gguf-invalid-count']);
    const manyKv = new Writer().u32(0x46554747).u32(3).u64(0).u64(1000).done();
    expect(rules(manyKv)).toEqual(['gguf-invalid-count']);
    expect(rules(new Uint8Array(3))).toEqual(['gguf-truncated']);
  });

  it('bounds string and array lengths by the bytes left', () => {
    const longKey = new Writer().u32(0x46554747).u32(3).u64(0).u64(1).u64(1n << 62n).u64(0).u64(0).done();
    expect(rules(longKey)).toEqual(['gguf-truncated']);
    const w = new Writer().u32(0x46554747).u32(3).u64(0).u64(1).str('k').u32(9).u32(8).u64(1n << 50n);
    expect(rules(w.done())).toEqual(['gguf-truncated']);
    const deep: Value = { t: 'arr', of: 9, items: [{ t: 'arr', of: 9, items: [{ t: 'arr', of: 9, items: [{ t: 'arr', of: 9, items: [{ t: 'arr', of: 4, items: [] }] }] }] }] };
    expect(rules(gguf({ kv: [['k', deep]] }))).toEqual(['gguf-invalid-type']);
  });

  it('reports when the scanner was handed only part of a longer file', () => {
    const file = gguf({ kv: [['general.name', str('x'.repeat(100))]], tensors: [f32('t', [4], 0)], data: 16 });
    const r = scanGguf(file.subarray(0, 60), file.length);
    expect(r.findings).toEqual([expect.objectContaining({ rule: 'gguf-header-not-read', severity: 'suspicious' })]);
    expect(scanGguf(file.subarray(0, 200), file.length).findings).toEqual([]);
  });

  it('flags unknown value types, bad bools, duplicate keys and bad alignment', () => {
    const bad = new Writer().u32(0x46554747).u32(3).u64(0).u64(1).str('k').u32(13).done();
    expect(rules(bad)).toEqual(['gguf-invalid-type']);
    expect(rules(gguf({ kv: [['k', { t: 'bool', v: 2 }]] }))).toEqual(['gguf-invalid-bool']);
    expect(rules(gguf({ kv: [['k', str('a')], ['k', str('b')]] }))).toEqual(['gguf-duplicate-key']);
    expect(rules(gguf({ kv: [['general.alignment', { t: 'u32', v: 48 }]] }))).toEqual(['gguf-invalid-alignment']);
    expect(rules(gguf({ kv: [['general.alignment', { t: 'u64', v: 32n }]] }))).toEqual(['gguf-invalid-alignment']);
  });

  it('checks tensor infos: dims, types, names, alignment, bounds and overlap', () => {
    expect(rules(gguf({ tensors: [f32('t', [1, 1, 1, 1, 1], 0)], data: 4 }))).toEqual(['gguf-tensor-invalid-info']);
    expect(rules(gguf({ tensors: [{ name: 't', dims: [4], type: 4, offset: 0 }], data: 32 }))).toEqual(['gguf-tensor-invalid-info']);
    expect(rules(gguf({ tensors: [{ name: 't', dims: [31], type: 2, offset: 0 }], data: 32 }))).toEqual(['gguf-tensor-invalid-info']);
    expect(rules(gguf({ tensors: [f32('x'.repeat(64), [1], 0)], data: 4 }))).toEqual(['gguf-tensor-invalid-info']);
    expect(rules(gguf({ tensors: [f32('t', [1], 0), f32('t', [1], 32)], data: 36 }))).toEqual(['gguf-duplicate-tensor']);
    expect(rules(gguf({ tensors: [f32('t', [1], 8)], data: 32 }))).toEqual(['gguf-misaligned-tensor']);
    expect(rules(gguf({ tensors: [f32('t', [100], 0)], data: 32 }))).toEqual(['gguf-invalid-offset']);
    expect(rules(gguf({ tensors: [f32('a', [16], 0), f32('b', [16], 32)], data: 96 }))).toEqual(['gguf-invalid-offset']);
    const overflow = [{ name: 't', dims: [2 ** 32, 2 ** 32], type: 0, offset: 0 }];
    expect(rules(gguf({ version: 2, tensors: overflow, data: 4 }))).toEqual(['gguf-tensor-invalid-info']);
  });

  it('extracts chat templates with their hash and asks for review', () => {
    const r = scanGguf(gguf({ kv: [['tokenizer.chat_template', str(CHATML)], ['tokenizer.chat_template.tool_use', str('{{ tools }}')]] }));
    expect(r.extracted).toEqual([
      { kind: 'prompt-template', name: 'tokenizer.chat_template', content: CHATML, sha256: createHash('sha256').update(CHATML).digest('hex') },
      expect.objectContaining({ name: 'tokenizer.chat_template.tool_use', content: '{{ tools }}' }),
    ]);
    expect(r.findings.map((f) => [f.rule, f.severity])).toEqual([
      ['gguf-chat-template', 'safe'],
      ['gguf-chat-template', 'safe'],
    ]);
  });

  it('does not flag namespace() as real templates use it', () => {
    const t = "{% set ns = namespace(found=false) %}{% for m in messages %}{% if m.role == 'system' %}{% set ns.found = true %}{% endif %}{% endfor %}{{ 'Answer the request.' }}";
    expect(scanGguf(gguf({ kv: [['tokenizer.chat_template', str(t)]] })).findings.map((f) => f.severity)).toEqual(['safe']);
  });

  it('leaves the constructs of real chat templates alone', () => {
    // The shapes Llama 3.1, Qwen 2.5, Mistral and DeepSeek templates use.
    const t = [
      '{{- bos_token }}{%- if not date_string is defined %}{%- set date_string = strftime_now("%d %b %Y") %}{%- endif %}',
      "{%- if builtin_tools is defined %}{{- 'Tools: ' + builtin_tools | reject('equalto', 'code_interpreter') | join(', ') + '\\n\\n' }}{%- endif %}",
      "{%- set ns = namespace(is_first=false, is_tool=false) %}{%- for message in messages %}{%- if message['role'] not in ['user', 'assistant'] %}{{ raise_exception('Only user and assistant roles are supported!') }}{%- endif %}",
      '{{- tool_call.arguments | tojson }}{%- set ns.is_first = true %}{%- endfor %}{%- if add_generation_prompt %}{{- "<|start_header_id|>assistant<|end_header_id|>\\n\\n" }}{%- endif %}',
    ].join('');
    expect(scanGguf(gguf({ kv: [['tokenizer.chat_template', str(t)]] })).findings.map((f) => f.severity)).toEqual(['safe']);
  });

  const escapes = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}", // CVE-2024-34359 style
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    '{{ cycler.__init__.__globals__.os.popen("id").read() }}',
    '{{ joiner.__init__.__globals__ }}',
    "{{ namespace.__init__.__globals__ }}",
    "{{ x|attr('\\x5f\\x5fclass\\x5f\\x5f') }}",
    "{{ x|attr('__cla' ~ 'ss__') }}",
    "{{ self._TemplateReference__context }}",
    "{% set p = '}}' %}{{ lipsum }}",
    "{{ '}}' ~ ().__class__ }}",
  ];
  it.each(escapes)('flags the Jinja2 sandbox escape %s as dangerous', (t) => {
    const r = scanGguf(gguf({ kv: [['tokenizer.chat_template', str(t)]] }));
    expect(r.findings).toContainEqual(expect.objectContaining({ rule: 'gguf-chat-template-injection', severity: 'dangerous' }));
    expect(r.extracted).toHaveLength(1);
  });

  it('only treats text inside {{ }} and {% %} as code', () => {
    expect(codeSegments("a {{ b }} c {% d '%}' %} e")).toBe(" b \n d '%}' ");
    const prose = scanGguf(gguf({ kv: [['tokenizer.chat_template', str('Explain os.popen and lipsum to the user. {{ messages }}')]] }));
    expect(prose.findings.map((f) => f.severity)).toEqual(['safe']);
  });

  it('walks a real-sized vocabulary quickly', () => {
    const items: Value[] = Array.from({ length: 150_000 }, (_, i) => str(`tok${i}`));
    const file = gguf({ kv: [['tokenizer.ggml.tokens', { t: 'arr', of: 8, items }], ['tokenizer.ggml.scores', { t: 'arr', of: 6, items: items.map(() => ({ t: 'f32', v: 0 })) }]] });
    const t0 = performance.now();
    expect(rules(file)).toEqual([]);
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it('never throws on random bytes, with or without a valid prefix', () => {
    const prefix = new Writer().u32(0x46554747).u32(3).done();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.boolean(), (tail, withPrefix) => {
        const b = withPrefix ? Uint8Array.from([...prefix, ...tail]) : tail;
        const r = scanGguf(b);
        expect(Array.isArray(r.findings)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('survives random mutations of a valid file', () => {
    const base = gguf({ kv: [['general.name', str('m')], ['tokenizer.chat_template', str(CHATML)], ['a', { t: 'arr', of: 8, items: [str('x')] }]], tensors: [f32('t', [4], 0)], data: 16 });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(base.length - 1), fc.nat(255)), { maxLength: 8 }), (edits) => {
        const b = base.slice();
        for (const [i, v] of edits) b[i] = v;
        scanGguf(b);
      }),
      { numRuns: 1000 },
    );
  });
});

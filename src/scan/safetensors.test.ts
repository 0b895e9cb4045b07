import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findDuplicateKeys } from './safetensors-json.js';
import { safetensorsHeaderLength, scanSafetensors } from './safetensors.js';

const enc = new TextEncoder();

/** Builds a file the way the reference writer does: u64 LE length, JSON header, data bytes. */
function build(header: string | object, dataBytes: number, lengthOverride?: bigint): Uint8Array {
  const text = typeof header === 'string' ? header : JSON.stringify(header);
  const h = enc.encode(text);
  const out = new Uint8Array(8 + h.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, lengthOverride ?? BigInt(h.length), true);
  out.set(h, 8);
  return out;
}

const rules = (bytes: Uint8Array, size?: number) => scanSafetensors(bytes, size).findings.map((f) => f.rule);

const good = {
  __metadata__: { format: 'pt' },
  a: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] },
  b: { dtype: 'BF16', shape: [3], data_offsets: [16, 22] },
  c: { dtype: 'F4', shape: [4], data_offsets: [22, 24] },
  empty: { dtype: 'I64', shape: [0, 5], data_offsets: [24, 24] },
};

describe('scanSafetensors', () => {
  it('accepts a well-formed file with metadata, sub-byte and empty tensors', () => {
    const r = scanSafetensors(build(good, 24));
    expect(r).toEqual({ format: 'safetensors', findings: [] });
  });

  it('reads the header length so a caller can read exactly enough', () => {
    expect(safetensorsHeaderLength(build(good, 24))).toBe(BigInt(JSON.stringify(good).length));
    expect(() => safetensorsHeaderLength(new Uint8Array(3))).toThrow(RangeError);
  });

  it('checks only the header when given the file size and its beginning', () => {
    const file = build(good, 24);
    const headerOnly = file.subarray(0, file.length - 24);
    expect(rules(headerOnly, file.length)).toEqual([]);
    expect(rules(headerOnly.subarray(0, 20), file.length)).toEqual(['safetensors-header-not-read']);
  });

  it('flags header length problems', () => {
    expect(rules(new Uint8Array(5))).toEqual(['safetensors-header-too-small']);
    expect(rules(build(good, 24, 100_000_001n))).toEqual(['safetensors-header-too-large']);
    expect(rules(build(good, 24, (1n << 64n) - 1n))).toEqual(['safetensors-header-too-large']);
    expect(rules(build(good, 0, 5000n))).toEqual(['safetensors-invalid-header-length']);
  });

  it('flags a bad start, bad UTF-8, bad JSON and non-object JSON', () => {
    expect(rules(build(' {}', 0))).toEqual(['safetensors-invalid-header-start']);
    expect(rules(build('', 0))).toEqual(['safetensors-invalid-header-start']);
    const badUtf8 = build('{"a":"xx"}', 0);
    badUtf8[14] = 0xff;
    expect(rules(badUtf8)).toEqual(['safetensors-invalid-header']);
    expect(rules(build('{"a":', 0))).toEqual(['safetensors-invalid-header-deserialization']);
  });

  it('accepts the trailing space padding the reference writer adds', () => {
    const text = JSON.stringify({ a: { dtype: 'U8', shape: [3], data_offsets: [0, 3] } });
    expect(rules(build(text + '   ', 3))).toEqual([]);
  });

  it('flags duplicate keys, which JSON.parse would silently merge', () => {
    const text = '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}';
    const f = scanSafetensors(build(text, 1)).findings;
    expect(f.map((x) => x.rule)).toEqual(['safetensors-duplicate-key']);
    expect(f[0]!.detail).toContain('"a"');
    expect(findDuplicateKeys('{"x":{"k":1,"k":2},"y":[{"z":1,"z":2}]}')).toEqual([
      { path: 'x', key: 'k' },
      { path: 'y[]', key: 'z' },
    ]);
    expect(findDuplicateKeys('{"a\\"b":1,"c":"a\\"b","a\\"b":2}')).toEqual([{ path: '(root)', key: 'a"b' }]);
  });

  it('rates metadata oddities suspicious', () => {
    const f = scanSafetensors(build({ __metadata__: { n: 3 } }, 0)).findings;
    expect(f).toEqual([expect.objectContaining({ rule: 'safetensors-invalid-metadata', severity: 'suspicious' })]);
    expect(rules(build({ __metadata__: 'x' }, 0))).toEqual(['safetensors-invalid-metadata']);
  });

  it('flags unknown dtypes and bad shapes', () => {
    expect(rules(build({ a: { dtype: 'Q4', shape: [1], data_offsets: [0, 1] } }, 1))).toEqual(['safetensors-tensor-invalid-info']);
    expect(rules(build({ a: { dtype: 'U8', shape: [-1], data_offsets: [0, 1] } }, 1))).toEqual(['safetensors-tensor-invalid-info']);
    expect(rules(build({ a: { dtype: 'U8', shape: [1.5], data_offsets: [0, 1] } }, 1))).toEqual(['safetensors-tensor-invalid-info']);
    expect(rules(build({ a: 7 }, 0))).toEqual(['safetensors-tensor-invalid-info']);
  });

  it('flags size mismatches, sub-byte misalignment and overflow with exact arithmetic', () => {
    expect(rules(build({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, 4))).toEqual(['safetensors-tensor-invalid-info']);
    expect(rules(build({ a: { dtype: 'F4', shape: [3], data_offsets: [0, 2] } }, 2))).toEqual(['safetensors-misaligned-slice']);
    // 2^40 * 2^40 * 8 bytes wraps a u64 (and would look small to 64-bit wrapping arithmetic).
    const big = 2 ** 40;
    expect(rules(build({ a: { dtype: 'F64', shape: [big, big, 2 ** 10], data_offsets: [0, 0] } }, 0))).toEqual([
      'safetensors-validation-overflow',
    ]);
    expect(rules(build({ a: { dtype: 'U8', shape: [2 ** 60], data_offsets: [0, 1] } }, 1))).toEqual(['safetensors-tensor-invalid-info']);
  });

  it('flags overlapping, gapped, reversed and out-of-file offsets', () => {
    const overlap = { a: { dtype: 'U8', shape: [4], data_offsets: [0, 4] }, b: { dtype: 'U8', shape: [4], data_offsets: [2, 6] } };
    const f = scanSafetensors(build(overlap, 6)).findings;
    expect(f.map((x) => x.rule)).toEqual(['safetensors-invalid-offset']);
    expect(f[0]!.detail).toMatch(/"b".*overlap/u);
    const gap = { a: { dtype: 'U8', shape: [2], data_offsets: [0, 2] }, b: { dtype: 'U8', shape: [2], data_offsets: [4, 6] } };
    expect(rules(build(gap, 6))).toEqual(['safetensors-invalid-offset']);
    expect(rules(build({ a: { dtype: 'U8', shape: [0], data_offsets: [4, 2] } }, 4))).toContain('safetensors-invalid-offset');
    expect(rules(build({ a: { dtype: 'U8', shape: [8], data_offsets: [0, 8] } }, 4))).toEqual(['safetensors-invalid-offset']);
    expect(rules(build({ a: { dtype: 'U8', shape: [2], data_offsets: [0] } }, 2))).toContain('safetensors-invalid-offset');
  });

  it('flags slack after the last tensor (hidden payload)', () => {
    const f = scanSafetensors(build({ a: { dtype: 'U8', shape: [2], data_offsets: [0, 2] } }, 100)).findings;
    expect(f).toEqual([expect.objectContaining({ rule: 'safetensors-metadata-incomplete-buffer', severity: 'dangerous' })]);
  });

  it('caps findings per rule on a hostile header', () => {
    const header: Record<string, unknown> = {};
    for (let i = 0; i < 500; i++) header[`t${i}`] = { dtype: 'NOPE', shape: [1], data_offsets: [i, i + 1] };
    const f = scanSafetensors(build(header, 500)).findings;
    expect(f.length).toBe(21);
    expect(f.at(-1)!.detail).toContain('480 more');
  });

  it('checks a 100,000-tensor header quickly', () => {
    const header: Record<string, unknown> = {};
    for (let i = 0; i < 100_000; i++) header[`model.layers.${i}.weight`] = { dtype: 'BF16', shape: [2, 2], data_offsets: [i * 8, i * 8 + 8] };
    const t0 = performance.now();
    expect(rules(build(header, 800_000))).toEqual([]);
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it('never throws on random bytes or random headers', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.option(fc.nat(1000)), (bytes, size) => {
        const r = scanSafetensors(bytes, size ?? undefined);
        expect(r.format).toBe('safetensors');
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.json(), fc.nat(64), (json, extra) => {
        scanSafetensors(build(json, extra));
      }),
      { numRuns: 500 },
    );
  });
});

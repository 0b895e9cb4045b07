// Random and mutated bytes never make a scanner throw (an internal exception would surface as a
// `scanner-error` finding) and every scan finishes within a time bound.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanBytes } from './scan.js';
import { walkPickles } from './pickle.js';
import { memorySource } from './source.js';
import { mutatedFrom } from '../../test/helpers/mutate.js';

const ROOT = join(import.meta.dirname, '../../test/fixtures/model-files');
const seeds = ['picklescan/data', 'picklescan/data2', 'modelscan/data']
  .flatMap((d) => readdirSync(join(ROOT, d)).map((f) => join(ROOT, d, f)))
  .filter((f) => !f.endsWith('.7z')) // 7z goes through WebAssembly: covered once below, too slow to fuzz here
  .map((f) => new Uint8Array(readFileSync(f)));

const mutated = mutatedFrom(seeds);

async function noThrowWithin(bytes: Uint8Array, ms: number): Promise<void> {
  const t = performance.now();
  const r = await scanBytes('fuzz', bytes);
  expect(r.findings.filter((f) => f.rule === 'scanner-error')).toEqual([]);
  expect(['safe', 'suspicious', 'dangerous']).toContain(r.verdict);
  expect(performance.now() - t).toBeLessThan(ms);
}

describe('scanners on hostile bytes', () => {
  it('random bytes', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), (b) => noThrowWithin(b, 2000)), { numRuns: 400 });
  });

  it('random bytes behind a pickle protocol header walk without throwing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (b) => {
        const w = walkPickles(memorySource(Uint8Array.from([0x80, 4, ...b])));
        expect(w.notPickle).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('mutated and truncated corpus files', async () => {
    await fc.assert(fc.asyncProperty(mutated, (b) => noThrowWithin(b, 2000)), { numRuns: 400 });
  });

  it('a mutated 7z archive', async () => {
    const seven = new Uint8Array(readFileSync(join(ROOT, 'picklescan/data/malicious1.7z')));
    for (const at of [7, 12, 40, 100, seven.length - 3]) {
      const b = Uint8Array.from(seven);
      b[at] = b[at]! ^ 0xff;
      await noThrowWithin(b, 10_000);
    }
  });
});

// Random bytes are what compressed image layers and encrypted blobs look like: calling them
// dangerous would quarantine honest artifacts (it did, 2 % of the time, before these cases).
describe('random content is not a payload', () => {
  it('never calls random bytes dangerous', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 16, maxLength: 4096 }), async (bytes) => {
        expect((await scanBytes('layer', bytes)).verdict).not.toBe('dangerous');
      }),
      { numRuns: 2000 },
    );
  });

  it('does not take an EXT opcode, an empty-stack STACK_GLOBAL or an impossible safetensors header for a payload', async () => {
    const junk = Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff);
    const ext = Uint8Array.from([0x82, 0x23, 0x00, 0xff, ...junk]); // EXT1 35, then garbage
    const underflow = Uint8Array.from([0x8f, 0x93, ...junk]); // EMPTY_SET, STACK_GLOBAL
    const extZeroThenIntName = Uint8Array.from([0x82, 0x00, 0x4d, 0x00, 0x00, 0x93, ...junk]); // EXT1 0; BININT2 0; STACK_GLOBAL (CI seed 500083880)
    const fakeSafetensors = Uint8Array.from([0x68, 0x94, 0x6c, 0x7a, 0x01, 0x02, 0x03, 0x56, 0x7b, ...junk]);
    for (const b of [ext, underflow, extZeroThenIntName, fakeSafetensors]) {
      const r = await scanBytes('layer', b);
      expect(r.verdict, JSON.stringify(r.findings)).not.toBe('dangerous');
    }
    expect((await scanBytes('layer', fakeSafetensors)).format).not.toBe('safetensors');
  });
});

// Hostile inputs for scanner fuzzing: real files with a few bytes changed and maybe cut short.
import fc from 'fast-check';

export function mutatedFrom(seeds: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc
    .record({
      seed: fc.constantFrom(...seeds),
      edits: fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), { maxLength: 8 }),
      cut: fc.option(fc.nat(), { nil: undefined }),
    })
    .map(({ seed, edits, cut }) => {
      const b = Uint8Array.from(seed);
      for (const e of edits) if (b.length) b[e.at % b.length] = e.byte;
      return cut === undefined || b.length === 0 ? b : b.subarray(0, cut % b.length);
    });
}

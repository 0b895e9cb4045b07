import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import canonicalizeImpl from 'canonicalize';
import { canonicalJson } from './canonical-json.js';

const reference = canonicalizeImpl as unknown as (v: unknown) => string;

describe('RFC 8785 canonical JSON', () => {
  it('serialises numbers the ECMAScript way and escapes strings minimally (RFC 8785 §3.2.2)', () => {
    expect(canonicalJson({ numbers: [1e30, 4.5, 6, 2e-3, 1e-27, -0, 333333333.3333333, 1e21, 9007199254740991] })).toBe(
      '{"numbers":[1e+30,4.5,6,0.002,1e-27,0,333333333.3333333,1e+21,9007199254740991]}',
    );
    expect(canonicalJson({ escaping: '\u20ac$\u000F\nA\'B"\\\\"/' })).toBe('{"escaping":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
  });

  it('sorts keys by UTF-16 code units, recursively, leaving array order alone', () => {
    expect(canonicalJson({ b: [3, { z: 1, a: 2 }], a: null, '\u20ac': 1, '\ud83d\ude00': 2, '\ufb33': 3 })).toBe(
      '{"a":null,"b":[3,{"a":2,"z":1}],"\u20ac":1,"\ud83d\ude00":2,"\ufb33":3}',
    );
  });

  it('agrees with the reference implementation on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => {
        expect(canonicalJson(v)).toBe(reference(v));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses what is not I-JSON instead of changing its meaning', () => {
    expect(() => canonicalJson({ a: undefined })).toThrow(/\$\.a: undefined is not JSON/u);
    expect(() => canonicalJson({ n: NaN })).toThrow(/not a JSON number/u);
    expect(() => canonicalJson({ s: '\ud800' })).toThrow(/lone surrogate/u);
    expect(() => canonicalJson({ d: new Date(0) })).toThrow(/plain objects/u);
    expect(() => canonicalJson(10n)).toThrow(/bigint/u);
    let deep: unknown = 1;
    for (let i = 0; i < 70; i++) deep = [deep];
    expect(() => canonicalJson(deep)).toThrow(/deeper/u);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectFreeText, freeTextDetectors } from './detect-names.js';
import { tokenize } from './detect-names-tokens.js';

const found = (text: string): string[] => detectFreeText(text).map((s) => `${s.type}:${text.slice(s.start, s.end)}`);

describe('detectFreeText', () => {
  it('finds names after titles and cues, with initials and particles', () => {
    expect(found('Hello, this is Dr. Kyle Kuefer. Who are you?')).toContain('PERSON:Dr. Kyle Kuefer');
    expect(found('My name is Maria Lindqvist')).toContain('PERSON:Maria Lindqvist');
    expect(found("It's under my partner's name Donald van der Voet")).toContain('PERSON:Donald van der Voet');
    expect(found('the verses from Anna D. Kowalska')).toContain('PERSON:Anna D. Kowalska');
    expect(found('please correct it to ms. Jensen')).toContain('PERSON:ms. Jensen');
  });

  it('keeps a possessive out of the name', () => {
    expect(found("That was Henrik Nilsson's idea")).toContain('PERSON:Henrik Nilsson');
  });

  it('finds lowercase names from the dictionary, not everyday words', () => {
    expect(found('follow up with patricia moreau in a couple of months')).toContain('PERSON:patricia moreau');
    expect(found('the price rose and we will mark it')).toEqual([]);
  });

  it('finds street addresses over several lines', () => {
    const t = 'Please send it to 6750 Koskikatu 25 Apt. 864\nArtilleros\n, CO\n Uruguay 64677 today';
    expect(found(t)).toContain('STREET_ADDRESS:6750 Koskikatu 25 Apt. 864\nArtilleros\n, CO\n Uruguay 64677');
    expect(found('I live at 1668 Glyn St with my dog')).toContain('STREET_ADDRESS:1668 Glyn St');
    expect(found('Meet me at PSC 1437, Box 3833\nAPO AA 66791')).toContain('STREET_ADDRESS:PSC 1437, Box 3833\nAPO AA 66791');
    expect(found('It is at the corner of Baker Street and Marylebone Road.')).toContain('STREET_ADDRESS:the corner of Baker Street and Marylebone Road');
    expect(found('The bus station is on Villacher Strasse 89')).toContain('STREET_ADDRESS:Villacher Strasse 89');
    expect(found('3747 3911 fourth avenue suite 112 calgary alberta')).toContain('STREET_ADDRESS:3747 3911 fourth avenue suite 112 calgary alberta');
  });

  it('finds places, organisations and labeled zip codes', () => {
    expect(found("I'm originally from New Zealand")).toContain('LOCATION:New Zealand');
    expect(found('We moved here from Kenosha')).toContain('LOCATION:Kenosha');
    expect(found('I work for Acme Holdings')).toContain('ORGANIZATION:Acme Holdings');
    expect(found('Smith Ltd. is hiring')).toContain('ORGANIZATION:Smith Ltd.');
    expect(found('my zip code is 35350')).toContain('ZIP:35350');
  });

  it('leaves ordinary text, shouting, e-mail addresses and codes alone', () => {
    expect(found('How do I check my balance on my credit card?')).toEqual([]);
    expect(found('CAN I SPEAK TO A REAL PERSON?!?!')).toEqual([]);
    expect(found('What is the limit for card 4454794511390933?')).toEqual([]);
    expect(found('Write to CarlSteffensen@example.com or GB56HXDO88167774656119')).toEqual([]);
  });

  it('spans are in order, inside the text and do not overlap', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const spans = detectFreeText(s);
        let end = 0;
        for (const x of spans) {
          expect(x.start).toBeGreaterThanOrEqual(end);
          expect(x.end).toBeGreaterThan(x.start);
          expect(x.end).toBeLessThanOrEqual(s.length);
          end = x.end;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('each detector reports only its own types', () => {
    const t = 'Mr. Jan Novak lives at 12 Main Street, Springfield and works for Acme Inc in Norway';
    for (const d of freeTextDetectors) for (const s of d.detect(t)) expect(d.types).toContain(s.type);
  });
});

describe('linear time on adversarial input', () => {
  // Pieces that start partial matches of every rule: titles, numbers, street words, units,
  // particles, separators, initials, place words, quote markers.
  const piece = fc.constantFrom(
    'Mr. ', 'Dr ', '12 ', '1668 ', 'Glyn ', 'St ', 'Street ', 'Apt. ', 'Suite 4 ', '\n', ', ', '\n, ', 'van ', 'der ', 'A. ', 'J ',
    'New ', 'Zealand ', 'corner of ', 'and ', 'PSC 12, Box ', 'APO ', 'AA ', '64677 ', 'Koskikatu ', 'Rua ', 'do ', '> ', 'Inc ', "'s ",
    'zip ', 'code ', 'É', 'ß', 'straße ', 'x',
  );
  it('finishes within a bound proportional to the input', () => {
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 40 }), fc.integer({ min: 200, max: 2000 }), (pieces, reps) => {
        const text = pieces.join('').repeat(Math.ceil(20_000 / Math.max(1, pieces.join('').length))).slice(0, 20_000 + reps);
        const t0 = performance.now();
        detectFreeText(text);
        const ms = performance.now() - t0;
        // ~20 kB: a linear scan takes a few ms; a quadratic one would take seconds
        expect(ms).toBeLessThan(1_000);
      }),
      { numRuns: 40 },
    );
  });

  it('scales linearly: 8x the input takes well under 30x the time', () => {
    const unit = '12 Glyn St Apt. 4\nMr. J. van der Koskikatu, New Zealand 64677 corner of Rua do and ';
    const time = (n: number): number => {
      const text = unit.repeat(n);
      const t0 = performance.now();
      for (let i = 0; i < 3; i++) detectFreeText(text);
      return performance.now() - t0;
    };
    time(200); // warm up
    const small = time(500);
    const big = time(4000);
    expect(big / Math.max(small, 1)).toBeLessThan(30);
  });

  it('tokenizes 1 MB of one long word and of one long run of punctuation quickly', () => {
    for (const text of ['a'.repeat(1_000_000), "a'".repeat(500_000), '-'.repeat(1_000_000), 'A-'.repeat(500_000)]) {
      const t0 = performance.now();
      tokenize(text);
      detectFreeText(text);
      expect(performance.now() - t0).toBeLessThan(5_000);
    }
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { detectStructured, structuredDetectors } from './detect-structured.js';
import type { Span } from './types.js';

interface Case {
  text: string;
  spans: { type: string; start: number; end: number }[];
}

const dir = fileURLToPath(new URL('../../test/fixtures/pii-cases/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
const cases = files.flatMap((f) =>
  readFileSync(dir + f, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l, i) => ({ name: `${f}:${i + 1}`, ...(JSON.parse(l) as Case) })),
);

const show = (text: string, spans: readonly Span[]) => spans.map((s) => `${s.type}:${JSON.stringify(text.slice(s.start, s.end))}`);

describe('structured detection on labeled cases (test/fixtures/pii-cases)', () => {
  it('has cases', () => expect(cases.length).toBeGreaterThan(30));

  for (const c of cases) {
    it(`${c.name}: every labeled span is covered by a span of its type, nothing else is flagged`, () => {
      const found = detectStructured(c.text);
      for (const g of c.spans) {
        const cover = found.find((s) => s.type === g.type && s.start <= g.start && s.end >= g.end);
        expect(cover, `${g.type} ${JSON.stringify(c.text.slice(g.start, g.end))} in ${show(c.text, found).join(', ')}`).toBeDefined();
      }
      for (const s of found) {
        const labeled = c.spans.some((g) => g.start < s.end && s.start < g.end);
        expect(labeled, `unlabeled ${s.type} ${JSON.stringify(c.text.slice(s.start, s.end))}`).toBe(true);
      }
    });
  }
});

describe('detectStructured', () => {
  it('returns disjoint spans sorted by start', () => {
    const text = cases.map((c) => c.text).join('\n');
    const spans = detectStructured(text);
    for (let i = 1; i < spans.length; i++) expect(spans[i]!.start).toBeGreaterThanOrEqual(spans[i - 1]!.end);
  });

  it('prefers the checksummed reading: an IBAN is not also a card, an SSN not also a phone', () => {
    expect(detectStructured('IBAN GB82WEST12345698765432').map((s) => s.type)).toEqual(['IBAN']);
    expect(detectStructured('SSN 536-90-4399').map((s) => s.type)).toEqual(['US_SSN']);
  });

  it('lists every detector once with the types it emits', () => {
    const names = structuredDetectors.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    const text = cases.map((c) => c.text).join('\n');
    for (const d of structuredDetectors) for (const s of d.detect(text)) expect(d.types).toContain(s.type);
  });

  // Regressions: one per false negative / false positive found while tuning on the corpus.
  const regressions: [string, string, string | null][] = [
    ['national format with two groups', "didn't get any message on my registered 0961-7596216. Could you", 'PHONE'],
    ['six digits in three groups after a context word', 'How can we reach you? You can call 33 93 31', 'PHONE'],
    ['(0) trunk inside an international number', 'fax: +41 (0)71 526 99 04', 'PHONE'],
    ['extension', 'Fax: 345-899-3560x4587', 'PHONE'],
    ['12-digit Maestro', 'What is the limit for card 501864667909?', 'CREDIT_CARD'],
    ['15-digit JCB 1800', 'I have lost my card 180016070420458. Could you', 'CREDIT_CARD'],
    ['lower-case IBAN', 'my iban is gb42nawi04454264788619', 'IBAN'],
    ['driver licence with dashes is not a phone', "my driver's license number is 2270-66-1551", 'US_DRIVER_LICENSE'],
    ['lower-case weekday after "on"', 'mr. elliott flew to finnbogastaðir on friday morning.', 'DATE'],
    ['age as "turned N"', 'He just turned 69 years old', 'AGE'],
    ['house number + street number is not a phone', 'The restaurant is at 9816 214 Pavlou Drandaki', null],
    ['Brazilian CEP after "zip code" is not a phone', 'My zip code is 90010-170', null],
    ['Portuguese postcode', 'support MysticWeb in Quinta de São Tiago 3610-114 in its mission', null],
    ['apartment number run', 'Miss Ashley Kvamme Apt. 722 20 40 rue Victor Hugo', null],
    ['token counts are not secrets', '{"prompt_tokens": 1532, "token_type": "Bearer"}', null],
  ];
  for (const [name, text, type] of regressions) {
    it(`regression: ${name}`, () => {
      const types = detectStructured(text).map((s) => s.type);
      if (type) expect(types).toContain(type);
      else expect(types).toEqual([]);
    });
  }
});

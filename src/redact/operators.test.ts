import { describe, expect, it } from 'vitest';
import { applyOperators, lastFour, pseudonym } from './operators.js';
import { mergeSpans } from './detect.js';
import type { Span } from './types.js';

const span = (start: number, end: number, type: Span['type'], score = 1): Span => ({ start, end, type, score, validator: 'test' });

describe('operators', () => {
  const text = 'Card 4111 1111 1111 1111, mail jo@ex.com.';
  const spans = [span(5, 24, 'CREDIT_CARD'), span(31, 40, 'EMAIL')];

  it('tags by default and keeps only the last four digits of a card (PCI DSS 3.4.1)', () => {
    expect(applyOperators(text, spans)).toBe('Card **** **** **** 1111, mail [EMAIL].');
  });

  it('masks character for character, or keeps, as the policy says per type', () => {
    expect(applyOperators(text, spans, { default: 'mask', perType: {} })).toBe('Card *******************, mail *********.');
    expect(applyOperators(text, spans, { default: 'keep', perType: { EMAIL: 'tag' } })).toBe('Card 4111 1111 1111 1111, mail [EMAIL].');
  });

  it('gives keyed pseudonyms that are stable across formatting and differ across keys and types', () => {
    const k1 = Buffer.alloc(32, 1);
    const k2 = Buffer.alloc(32, 2);
    expect(pseudonym(k1, 'CREDIT_CARD', '4111 1111 1111 1111')).toBe(pseudonym(k1, 'CREDIT_CARD', '4111-1111-1111-1111'));
    expect(pseudonym(k1, 'EMAIL', 'Jo@Ex.com')).toBe(pseudonym(k1, 'EMAIL', 'jo@ex.com'));
    expect(pseudonym(k1, 'EMAIL', 'jo@ex.com')).not.toBe(pseudonym(k2, 'EMAIL', 'jo@ex.com'));
    expect(pseudonym(k1, 'PERSON', '4111')).not.toBe(pseudonym(k1, 'NPI', '4111'));
    expect(pseudonym(k1, 'EMAIL', 'jo@ex.com')).toMatch(/^<EMAIL_[0-9a-f]{12}>$/u);
    const out = applyOperators(text, spans, { default: 'pseudonym', perType: {} }, k1);
    expect(out).not.toContain('jo@ex.com');
    expect(() => applyOperators(text, spans, { default: 'pseudonym', perType: {} })).toThrow(/key/u);
  });

  it('keeps separators when it truncates', () => {
    expect(lastFour('4111-1111-1111-1234')).toBe('****-****-****-1234');
    expect(lastFour('378282246310005')).toBe('***********0005');
  });
});

describe('identifiers that only look like data', () => {
  it('finds no card in the digits of a UUID (request ids are logged on every line)', async () => {
    const { detect } = await import('./detect.js');
    for (const id of ['01a20d80-1640-7329-83fe-596118000238', '01a20fc4-31cc-7639-b48d-683980985512']) {
      expect(detect(`{"reqId":"${id}","requestId":"${id}"}`).filter((s) => s.type !== 'DATE')).toEqual([]);
    }
    // The same digits on their own are still a card.
    expect(detect('card 596118000238').map((s) => s.type)).toContain('CREDIT_CARD');
  });
});

describe('merging overlapping findings', () => {
  it('covers the union of overlapping spans, typed by the more certain one', () => {
    const merged = mergeSpans([span(0, 10, 'PERSON', 0.6), span(5, 20, 'EMAIL', 1), span(30, 35, 'ZIP', 0.5)]);
    expect(merged).toEqual([{ ...span(0, 20, 'EMAIL', 1) }, span(30, 35, 'ZIP', 0.5)]);
  });

  it('drops empty spans and keeps disjoint ones in order', () => {
    expect(mergeSpans([span(8, 9, 'AGE'), span(3, 3, 'DATE'), span(1, 2, 'ZIP')]).map((s) => s.start)).toEqual([1, 8]);
  });
});

describe('categories', async () => {
  const { dataClassesOf, CATEGORIES } = await import('./categories.js');
  it('derives the data classes of a text from what it contains', () => {
    expect(dataClassesOf([{ type: 'CREDIT_CARD' }, { type: 'EMAIL' }])).toEqual(['cardholder_data', 'personal_data']);
    expect(dataClassesOf([{ type: 'MEDICAL_RECORD' }, { type: 'PERSON' }])).toEqual(['ephi', 'personal_data']);
    expect(dataClassesOf([{ type: 'SECRET' }])).toEqual([]);
  });
  it('names a HIPAA Safe Harbor identifier for every type that is one', () => {
    const hipaa = new Set(Object.values(CATEGORIES).map((c) => c.hipaa).filter(Boolean));
    // H16 (biometrics) and H17 (photographs) are not text.
    expect([...hipaa].sort((a, b) => a! - b!)).toEqual([1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 18]);
  });
});

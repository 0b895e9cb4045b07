// Bank identifiers: IBAN (per-country length + mod-97) and ABA routing numbers (3-7-1). Account
// numbers have no checksum and are found by their context words in detect-keyed.ts.
import { at, contextBefore, isAlnum, mk } from './detect-shared.js';
import type { Detector, Span } from './types.js';
import { abaValid, IBAN_LENGTHS, ibanValid } from './validators.js';
import { F_LETTERS_DIGITS, F_RUN9, factsOf } from './text-facts.js';

const IBAN_HEAD = /[A-Za-z]{2}[0-9]{2}/g;

export function detectIban(text: string): Span[] {
  // the shortest IBAN (Norway) has 15 characters; its country code is glued to two digits
  if (text.length < 15 || (factsOf(text).flags & F_LETTERS_DIGITS) === 0) return [];
  const out: Span[] = [];
  IBAN_HEAD.lastIndex = 0;
  for (let m = IBAN_HEAD.exec(text); m; m = IBAN_HEAD.exec(text)) {
    const start = m.index;
    if (isAlnum(at(text, start - 1))) continue;
    const len = IBAN_LENGTHS[m[0].slice(0, 2).toUpperCase()];
    if (len === undefined) continue;
    // Collect the remaining characters; a single space is allowed only between groups of four
    // ("GB82 WEST 1234 5698 7654 32"), so the walk is bounded by the country's length.
    let value = m[0];
    let i = start + 4;
    while (value.length < len && i < text.length) {
      const c = text.charCodeAt(i);
      if (isAlnum(c)) {
        value += text[i];
        i++;
      } else if (c === 32 && value.length % 4 === 0 && isAlnum(at(text, i + 1))) i++;
      else break;
    }
    if (value.length !== len || isAlnum(at(text, i))) continue;
    if (value !== value.toUpperCase() && value !== value.toLowerCase()) continue;
    if (!ibanValid(value)) continue;
    out.push(mk(start, i, 'IBAN', 1, 'mod97'));
    IBAN_HEAD.lastIndex = i;
  }
  return out;
}

const NINE_DIGITS = /(?<![0-9A-Za-z.-])[0-9]{9}(?![0-9A-Za-z]|[.-][0-9])/g;
const ROUTING_CONTEXT = /\b(?:routing|aba|rtn|transit|bank|wire|ach)\b/;

/** 9-digit numbers that pass the ABA checksum; without a context word the score stays low. */
export function detectAba(text: string): Span[] {
  if ((factsOf(text).flags & F_RUN9) === 0) return [];
  const out: Span[] = [];
  NINE_DIGITS.lastIndex = 0;
  for (let m = NINE_DIGITS.exec(text); m; m = NINE_DIGITS.exec(text)) {
    if (!abaValid(m[0])) continue;
    const ctx = contextBefore(text, m.index, ROUTING_CONTEXT, 40);
    out.push(mk(m.index, m.index + 9, 'ABA_ROUTING', ctx ? 0.95 : 0.4, ctx ? 'aba-checksum+context' : 'aba-checksum'));
  }
  return out;
}

export const bankDetector: Detector = {
  name: 'bank',
  types: ['IBAN', 'ABA_ROUTING'],
  detect: (text) => [...detectIban(text), ...detectAba(text)],
};

// Payment card data: PAN (Luhn + issuer ranges), and the CVV and expiry that PCI DSS 3.3.1 says
// must never be stored, reported only next to a PAN or a context word so that ordinary 3-digit
// numbers and dates are left alone.
import { at, contextBefore, isWordChar, mk } from './detect-shared.js';
import type { Detector, Span } from './types.js';
import { luhn } from './validators.js';
import { T_CVV } from './keyword-triggers.js';
import { F_SHORT_SEP, factsOf } from './text-facts.js';

/** Issuer (IIN) ranges and lengths; returns the brand or null when no issuer uses that prefix. */
export function cardBrand(d: string): string | null {
  const n = d.length;
  const p2 = Number(d.slice(0, 2));
  const p3 = Number(d.slice(0, 3));
  const p4 = Number(d.slice(0, 4));
  const p6 = Number(d.slice(0, 6));
  if (d[0] === '4' && (n === 13 || n === 16 || n === 19)) return 'visa';
  if (n === 16 && ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720))) return 'mastercard';
  if (n === 15 && (p2 === 34 || p2 === 37)) return 'amex';
  if (n >= 16 && n <= 19 && (p4 === 6011 || (p3 >= 644 && p3 <= 649) || p2 === 65 || (p6 >= 622126 && p6 <= 622925))) return 'discover';
  if (n >= 16 && n <= 19 && p4 >= 3528 && p4 <= 3589) return 'jcb';
  if (n === 15 && (p4 === 1800 || p4 === 2131)) return 'jcb';
  if (n >= 14 && n <= 19 && ((p3 >= 300 && p3 <= 305) || p4 === 3095 || p2 === 36 || p2 === 38 || p2 === 39)) return 'diners';
  if (n >= 16 && n <= 19 && (p2 === 62 || p2 === 81)) return 'unionpay';
  if (n >= 12 && n <= 19 && (p2 === 50 || (p2 >= 56 && p2 <= 69))) return 'maestro';
  return null;
}

const CARD_CONTEXT = /\b(?:card|credit|debit|visa|master ?card|amex|american express|discover|jcb|diners|maestro|unionpay|cc|pan|payment)\b/;
// Digit groups joined by single spaces or dashes; one match per maximal run (linear, no overlap).
const DIGIT_RUN = /[0-9]+(?:[ -][0-9]+)*/g;

interface Group {
  start: number;
  end: number;
  sep: string; // separator before this group ('' for the first)
}

export function detectCards(text: string): Span[] {
  // a card number has at least 12 digits, in groups of 3 or more
  const facts = factsOf(text);
  if (facts.digits < 12 || facts.longestDigitRun < 3) return [];
  const out: Span[] = [];
  DIGIT_RUN.lastIndex = 0;
  for (let m = DIGIT_RUN.exec(text); m; m = DIGIT_RUN.exec(text)) {
    const runStart = m.index;
    const runEnd = runStart + m[0].length;
    if (runEnd - runStart < 12) continue;
    // A run glued to letters or dots is part of something else (IBAN tail, version, decimal).
    const before = at(text, runStart - 1);
    if (before >= 0 && (isWordChar(before) || before === 46 || before === 43)) continue;
    const groups: Group[] = [];
    let gs = runStart;
    for (let i = runStart; i <= runEnd; i++) {
      if (i === runEnd || text[i] === ' ' || text[i] === '-') {
        groups.push({ start: gs, end: i, sep: gs === runStart ? '' : text[gs - 1]! });
        gs = i + 1;
      }
    }
    let i = 0;
    while (i < groups.length) {
      let best = -1;
      let digits = '';
      for (let j = i; j < groups.length; j++) {
        const g = groups[j]!;
        if (j > i && (g.sep !== groups[i + 1]!.sep || g.end - g.start < 3 || groups[i]!.end - groups[i]!.start < 3)) break;
        digits += text.slice(g.start, g.end);
        if (digits.length > 19) break;
        if (digits.length >= 12 && luhn(digits)) {
          const endsRun = j === groups.length - 1;
          const after = at(text, g.end);
          if (endsRun && after >= 0 && isWordChar(after)) continue;
          if (cardBrand(digits) || contextBefore(text, groups[i]!.start, CARD_CONTEXT)) best = j;
        }
      }
      if (best < 0) {
        i++;
        continue;
      }
      const start = groups[i]!.start;
      const end = groups[best]!.end;
      const d = text.slice(start, end).replace(/[ -]/g, '');
      out.push(mk(start, end, 'CREDIT_CARD', cardBrand(d) ? 1 : 0.85, cardBrand(d) ? 'luhn' : 'luhn+context'));
      i = best + 1;
    }
  }
  return out;
}

const EXPIRY = /(?<![0-9/.-])(0?[1-9]|1[0-2]) ?[/-] ?([0-9]{4}|[0-9]{2})(?![0-9/.-])/g;
const EXPIRY_CONTEXT = /\b(?:exp|expiry|expires?|expiration|valid ?(?:thru|through|until)|good ?thru)\b/;
const CVV_WORD = /\b(?:cvv2?|cvc2?|cvn|cid|csc|security code|card verification (?:value|code))\b/gi;
const CVV_AFTER_WORD = /["']?[\s:=#"'(),-]{0,8}(?:is\s{1,3})?[\s:"']{0,3}([0-9]{3,4})(?![0-9])/y;
const CVV_TOKEN = /(?<![\w/.$€£,-])[0-9]{3,4}(?![\w/.%,]|,[0-9])/g;
// What may stand between a PAN and its expiry/CVV in a card line ("4111… 03/27 123", CSV, JSON).
const CARD_LINE_GAP = /^[\s,;|:/"'=0-9-]*$/;

/** Spans of the card numbers found by detectCards, passed in so CVV/expiry can look near them. */
export function detectCardExtras(text: string, cards: readonly Span[]): Span[] {
  const out: Span[] = [];
  // Cards are sorted and disjoint: look only at the nearest one on each side (binary search).
  const nearCard = (start: number, end: number): boolean => {
    let lo = 0;
    let hi = cards.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cards[mid]!.end <= start) lo = mid + 1;
      else hi = mid;
    }
    const prev = cards[lo - 1];
    if (prev && start - prev.end <= 40 && CARD_LINE_GAP.test(text.slice(prev.end, start))) return true;
    const next = cards[lo];
    return next !== undefined && next.start >= end && next.start - end <= 30;
  };
  const facts = factsOf(text);
  if ((facts.flags & F_SHORT_SEP) !== 0) {
    EXPIRY.lastIndex = 0;
    for (let m = EXPIRY.exec(text); m; m = EXPIRY.exec(text)) {
      const yr = m[2]!;
      if (yr.length === 4 && (yr < '2000' || yr > '2099')) continue;
      const s = m.index;
      const e = s + m[0].length;
      if (contextBefore(text, s, EXPIRY_CONTEXT, 24)) out.push(mk(s, e, 'CARD_EXPIRY', 0.9, 'context'));
      else if (nearCard(s, e)) out.push(mk(s, e, 'CARD_EXPIRY', 0.75, 'near-card'));
    }
  }
  // No word can start a CVV keyword (keyword-triggers.ts): start at the end, the loop finds nothing.
  CVV_WORD.lastIndex = (facts.triggers & T_CVV) !== 0 ? 0 : text.length;
  for (let m = CVV_WORD.exec(text); m; m = CVV_WORD.exec(text)) {
    CVV_AFTER_WORD.lastIndex = m.index + m[0].length;
    const v = CVV_AFTER_WORD.exec(text);
    if (!v) continue;
    const e = CVV_AFTER_WORD.lastIndex;
    out.push(mk(e - v[1]!.length, e, 'CVV', 0.95, 'context'));
  }
  // A bare 3–4-digit token right after a PAN on the same card line is the CVV.
  for (const c of cards) {
    // A bounded window keeps this linear: the CVV sits within 40 characters of its PAN.
    const win = text.slice(c.end, c.end + 48);
    CVV_TOKEN.lastIndex = 0;
    const m = CVV_TOKEN.exec(win);
    if (!m || m.index > 40) continue;
    if (!CARD_LINE_GAP.test(win.slice(0, m.index))) continue;
    out.push(mk(c.end + m.index, c.end + m.index + m[0].length, 'CVV', 0.7, 'near-card'));
  }
  return out;
}

export const cardDetector: Detector = {
  name: 'cards',
  types: ['CREDIT_CARD', 'CVV', 'CARD_EXPIRY'],
  detect(text) {
    const cards = detectCards(text);
    return [...cards, ...detectCardExtras(text, cards)];
  },
};

// Payment card data: PAN (Luhn + issuer ranges), and the CVV and expiry that PCI DSS 3.3.1 says
// must never be stored, reported only next to a PAN or a context word so that ordinary 3-digit
// numbers and dates are left alone.
import { at, contextBefore, isWordChar, mk } from './detect-shared.js';
import type { Detector, Span } from './types.js';
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

// Groups of the current digit run (scratch reused across calls: detection is synchronous): start,
// end and the separator code unit before each group (-1 for the first). Grown on demand.
let groupStart: Int32Array = new Int32Array(64);
let groupEnd: Int32Array = new Int32Array(64);
let groupSep: Int32Array = new Int32Array(64);
const grow = (a: Int32Array): Int32Array => {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
};

/**
 * validators.ts luhn() of the digits of groups i..j taken together, read from the text: no string is built for
 * the (many) prefixes that fail. Groups hold only digits (DIGIT_RUN), as luhn() also requires.
 */
function luhnOfGroups(text: string, i: number, j: number): boolean {
  let sum = 0;
  let double = false;
  for (let k = j; k >= i; k--) {
    for (let p = groupEnd[k]! - 1; p >= groupStart[k]!; p--) {
      let d = text.charCodeAt(p) - 48;
      if (double) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
      double = !double;
    }
  }
  return sum % 10 === 0;
}

function digitsOfGroups(text: string, i: number, j: number): string {
  let digits = '';
  for (let k = i; k <= j; k++) digits += text.slice(groupStart[k]!, groupEnd[k]!);
  return digits;
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
    let count = 0;
    let gs = runStart;
    for (let i = runStart; i <= runEnd; i++) {
      if (i === runEnd || text.charCodeAt(i) === 32 || text.charCodeAt(i) === 45) {
        if (count === groupStart.length) {
          groupStart = grow(groupStart);
          groupEnd = grow(groupEnd);
          groupSep = grow(groupSep);
        }
        groupStart[count] = gs;
        groupEnd[count] = i;
        groupSep[count] = gs === runStart ? -1 : text.charCodeAt(gs - 1);
        count++;
        gs = i + 1;
      }
    }
    let i = 0;
    while (i < count) {
      let best = -1;
      let digitCount = 0;
      for (let j = i; j < count; j++) {
        if (j > i && (groupSep[j] !== groupSep[i + 1] || groupEnd[j]! - groupStart[j]! < 3 || groupEnd[i]! - groupStart[i]! < 3)) break;
        digitCount += groupEnd[j]! - groupStart[j]!;
        if (digitCount > 19) break;
        if (digitCount >= 12 && luhnOfGroups(text, i, j)) {
          const endsRun = j === count - 1;
          const after = at(text, groupEnd[j]!);
          if (endsRun && after >= 0 && isWordChar(after)) continue;
          if (cardBrand(digitsOfGroups(text, i, j)) || contextBefore(text, groupStart[i]!, CARD_CONTEXT)) best = j;
        }
      }
      if (best < 0) {
        i++;
        continue;
      }
      const start = groupStart[i]!;
      const end = groupEnd[best]!;
      const brand = cardBrand(text.slice(start, end).replace(/[ -]/g, ''));
      out.push(mk(start, end, 'CREDIT_CARD', brand ? 1 : 0.85, brand ? 'luhn' : 'luhn+context'));
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
  // Runs only when some word can start a CVV keyword (keyword-triggers.ts).
  CVV_WORD.lastIndex = 0;
  for (let m = (facts.triggers & T_CVV) !== 0 ? CVV_WORD.exec(text) : null; m; m = CVV_WORD.exec(text)) {
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

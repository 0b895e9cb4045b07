// Phone and fax numbers. libphonenumber-js alone finds only numbers valid in the default region
// (its `findNumbers` with default US missed most of the corpus's national formats such as
// "0490 75 40 81", "(37) 788-063", "99 668472"), so candidates come from a grouping scanner and
// libphonenumber raises the score of the ones it validates. Shapes that are more often something
// else (dates, IPv4, decimals, thousands, bare short numbers) are refused unless a context word
// ("phone", "fax", "call"…) is next to them.
import { isValidPhoneNumber } from 'libphonenumber-js';
import { at, contextAfter, contextBefore, isAsciiLetter, isWordChar, mk } from './detect-shared.js';
import type { Detector, Span } from './types.js';
import { factsOf } from './text-facts.js';

// Optional +CC and "(0)", optional "(area)", digit groups joined by single space, dot or dash,
// optional extension. Each repetition consumes exactly one separator and one digit group, so
// the match is linear; boundaries are checked in code instead of with backtracking look-arounds.
const CANDIDATE = /(?:\+[0-9]{1,3}[ .-]?(?:\(0\)[ .-]?)?)?(?:\([0-9]{1,5}\)[ .-]?)?[0-9]+(?:[ .-][0-9]+)*(?:[ ]?(?:x|ext\.?)[ ]?[0-9]{1,6})?/g;
const CONTEXT_BEFORE = /\b(?:phone|tel|telephone|call|called|calling|mobile|cell|cellphone|fax|office|desk|contact|reach|whatsapp|sms|text|dial|ring|answering|messages|hotline|pager|registered|mobil|handy|telefon|telefono|téléphone|tél|tlf|gsm|landline|home|work|ph|mob)\b/;
const CONTEXT_AFTER = /^\s?[-(]?\s?(?:office|fax|mobile|cell|home|work|phone|tel|desk)\b/;

const NATIONAL_REGIONS = ['GB', 'DE', 'FR', 'AU', 'IT', 'NL', 'ES', 'IN'] as const;
const DATE_SHAPE = /^(?:[0-9]{4}([-. ])[0-9]{1,2}\1[0-9]{1,2}|[0-9]{1,2}([-. ])[0-9]{1,2}\2(?:[0-9]{4}|[0-9]{2}))$/;
const IPV4_SHAPE = /^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$/;
const THOUSANDS_SHAPE = /^[0-9]{1,3}(?:\.[0-9]{3})+$|^[0-9]+\.[0-9]+$/;

function plausibleDate(s: string): boolean {
  const parts = s.split(/[-. ]/);
  const [a, b, c] = parts.map(Number) as [number, number, number];
  if (parts[0]!.length === 4) return b >= 1 && b <= 12 && c >= 1 && c <= 31;
  return a >= 1 && b >= 1 && a <= 31 && b <= 31 && (a <= 12 || b <= 12);
}

/** cand.search(/[ ]?(?:x|ext)/) by hand: the first i where "x" or "ext" starts, or a space before one does. */
function extensionAt(cand: string): number {
  const extAt = (j: number): boolean => cand.charCodeAt(j) === 120 || (cand.charCodeAt(j) === 101 && cand.charCodeAt(j + 1) === 120 && cand.charCodeAt(j + 2) === 116);
  for (let i = 0; i < cand.length; i++) if ((cand.charCodeAt(i) === 32 && extAt(i + 1)) || extAt(i)) return i;
  return -1;
}

/** main.split(/[^0-9]+/).filter(Boolean).length: the number of digit runs. */
function digitGroups(main: string): number {
  let groups = 0;
  let inRun = false;
  for (let i = 0; i < main.length; i++) {
    const c = main.charCodeAt(i);
    const digit = c >= 48 && c <= 57;
    if (digit && !inRun) groups++;
    inRun = digit;
  }
  return groups;
}

/**
 * False when UNIT_BEFORE cannot match the characters before s: it ends, after at most two spaces,
 * with '.', '#' or the last letter of one of its words (t, e, o, x, m; ASCII case folded as /i
 * does without the u flag). True means "run the pattern".
 */
function mayEndWithUnit(text: string, s: number): boolean {
  let q = s - 1;
  if (text.charCodeAt(q) === 32) q--;
  if (text.charCodeAt(q) === 32) q--;
  const c = text.charCodeAt(q);
  const l = c | 32;
  return c === 46 || c === 35 || l === 116 || l === 101 || l === 111 || l === 120 || l === 109;
}

/** False when ZIP_BEFORE cannot match the window before s: each of its words has a 'p' (/i: 'p' or 'P'). */
function mayHaveZipWord(text: string, s: number): boolean {
  for (let q = Math.max(0, s - 24); q < s; q++) if ((text.charCodeAt(q) | 32) === 112) return true;
  return false;
}

const UNIT_BEFORE = /(?:apt|suite|unit|no|box|room|ste|#)\.? {0,2}$/i;
const ZIP_BEFORE = /\b(?:zip|postal|postcode|cep|plz)\b[^\n]{0,12}$/i;

export function detectPhone(text: string): Span[] {
  // six digits at least (see below), and a run of two: texts with single digits only are left alone
  const facts = factsOf(text);
  if (facts.digits < 6 || facts.longestDigitRun < 2) return [];
  const out: Span[] = [];
  CANDIDATE.lastIndex = 0;
  for (let m = CANDIDATE.exec(text); m; m = CANDIDATE.exec(text)) {
    const s = m.index;
    const e = s + m[0].length;
    const before = at(text, s - 1);
    // Glued to a word, a decimal, a path or another number: part of something else.
    if (isWordChar(before) || before === 46 || before === 47 || before === 43 || before === 45 || before === 58 || before === 36) continue;
    const after = at(text, e);
    if (isWordChar(after) || after === 47 || (after === 58 && /[0-9]/.test(text[e + 1] ?? '')) || after === 37) continue;
    // A separator can't end the number ("555-1234." keeps the dot out: the regex never ends on one).
    const cand = m[0];
    // Most candidates are short numbers: under six digits in the whole match (the number without
    // its extension has no more), nothing below can accept them.
    // (counted in the text itself: the match's substring is slower to read)
    let candDigits = 0;
    for (let i = s; i < e; i++) {
      const c = text.charCodeAt(i);
      if (c >= 48 && c <= 57) candDigits++;
    }
    if (candDigits < 6) continue;
    const extAt = extensionAt(cand);
    const main = extAt >= 0 ? cand.slice(0, extAt) : cand;
    let digits = 0;
    for (let i = s, mainEnd = s + main.length; i < mainEnd; i++) {
      const c = text.charCodeAt(i);
      if (c >= 48 && c <= 57) digits++;
    }
    if (digits < 6 || digits > 15) continue;
    const groups = digitGroups(main);
    const hasPlus = main[0] === '+';
    const hasParen = main.indexOf('(') >= 0;
    const ctx = contextBefore(text, s, CONTEXT_BEFORE, 40) || contextAfter(text, e, CONTEXT_AFTER, 16);
    if (!hasPlus && !hasParen) {
      if (DATE_SHAPE.test(main) && plausibleDate(main)) continue;
      if (IPV4_SHAPE.test(main)) continue;
      if (THOUSANDS_SHAPE.test(main) && !ctx) continue;
    }
    // Strong shapes stand on their own; weak ones (two groups, one bare run, a number followed by
    // a word as in "17151 2450 Crown St", or after "Apt."/"Suite") need a context word, or else
    // libphonenumber must accept them as a US or international number. libphonenumber costs
    // about 50 µs a call, so it is asked only here.
    // /^ {1,2}[A-Za-z]/ on the next three characters, by hand
    const a1 = text.charCodeAt(e + 1);
    const spaceThenLetter = text.charCodeAt(e) === 32 && (isAsciiLetter(a1) || (a1 === 32 && isAsciiLetter(text.charCodeAt(e + 2))));
    const followedByWord = spaceThenLetter && !contextAfter(text, e, CONTEXT_AFTER, 16);
    // The two patterns below run only when a cheap look at the characters says they can match.
    const afterUnit = mayEndWithUnit(text, s) && UNIT_BEFORE.test(text.slice(Math.max(0, s - 8), s));
    const zipContext = mayHaveZipWord(text, s) && ZIP_BEFORE.test(text.slice(Math.max(0, s - 24), s));
    if (zipContext) continue;
    if (digits < 7) {
      // Six digits ("92 34 70") only in three or more groups and next to a context word.
      if (groups < 3 || !ctx) continue;
    } else if (groups === 1 && !hasPlus && !ctx) {
      // A bare digit string is a phone only in national length (10, or 11 with a trunk 0/1).
      if (!(digits === 10 || (digits === 11 && (main[0] === '0' || main[0] === '1')))) continue;
    }
    const weak = groups <= 2 || followedByWord || afterUnit;
    let validPhone = false;
    if (!ctx && weak) {
      // Only a national-length US number or a +CC number can pass: skip the call otherwise.
      const usLength = digits === 10 || (digits === 11 && main.replace(/[^0-9]/g, '')[0] === '1');
      validPhone = (usLength && isValidPhoneNumber(main, 'US')) || (hasPlus && isValidPhoneNumber(main));
      // National formats with a trunk 0 ("0151 23456789", "020 7946 0958"): try the regions most
      // common in our traffic; only numbers of plausible national length get here.
      if (!validPhone && !hasPlus && main[0] === '0' && digits >= 9 && digits <= 12) {
        validPhone = NATIONAL_REGIONS.some((r) => isValidPhoneNumber(main, r));
      }
      if (!validPhone) continue;
    }
    const score = validPhone ? 0.9 : ctx ? 0.8 : 0.65;
    out.push(mk(s, e, 'PHONE', score, validPhone ? 'libphonenumber' : ctx ? 'context' : 'pattern'));
  }
  return out;
}

export const phoneDetector: Detector = { name: 'phone', types: ['PHONE'], detect: detectPhone };

// Phone and fax numbers. libphonenumber-js alone finds only numbers valid in the default region
// (its `findNumbers` with default US missed most of the corpus's national formats such as
// "0490 75 40 81", "(37) 788-063", "99 668472"), so candidates come from a grouping scanner and
// libphonenumber raises the score of the ones it validates. Shapes that are more often something
// else (dates, IPv4, decimals, thousands, bare short numbers) are refused unless a context word
// ("phone", "fax", "call"…) is next to them.
import { isValidPhoneNumber } from 'libphonenumber-js';
import { at, contextAfter, contextBefore, isWordChar, mk } from './detect-shared.js';
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
    const extAt = cand.search(/[ ]?(?:x|ext)/);
    const main = extAt >= 0 ? cand.slice(0, extAt) : cand;
    let digits = 0;
    for (let i = 0; i < main.length; i++) if (main.charCodeAt(i) >= 48 && main.charCodeAt(i) <= 57) digits++;
    if (digits < 6 || digits > 15) continue;
    const groups = main.split(/[^0-9]+/).filter(Boolean).length;
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
    const followedByWord = /^ {1,2}[A-Za-z]/.test(text.slice(e, e + 3)) && !contextAfter(text, e, CONTEXT_AFTER, 16);
    const afterUnit = /(?:apt|suite|unit|no|box|room|ste|#)\.? {0,2}$/i.test(text.slice(Math.max(0, s - 8), s));
    const zipContext = /\b(?:zip|postal|postcode|cep|plz)\b[^\n]{0,12}$/i.test(text.slice(Math.max(0, s - 24), s));
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

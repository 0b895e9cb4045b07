// Dates (HIPAA identifier 3: every date element but the year that relates to a person), dates of
// birth (a date right after "DOB", "born", "date of birth"…) and ages (always over 89; younger
// ages when phrased as one: "aged 45", "45-year-old", "45 y/o"). Bare years and weekdays are
// reported with a low score: callers that keep years (Safe Harbor allows it) drop them by score.
import { at, contextBefore, isWordChar, mk } from './detect-shared.js';
import type { Detector, Span } from './types.js';
import { T_AGE_WORD, T_MONTH, T_WEEKDAY } from './keyword-triggers.js';
import { F_AGE_SUFFIX, F_SHORT_SEP, F_YEAR4, factsOf } from './text-facts.js';

const MONTH = '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const TIME = '(?:[T ](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\\.[0-9]{1,9})?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?';
const ISO = new RegExp(`(?<![0-9])(?:19|20)[0-9]{2}([-/.])(?:0?[1-9]|1[0-2])\\1(?:0?[1-9]|[12][0-9]|3[01])${TIME}(?![0-9])`, 'g');
const NUMERIC = new RegExp(`(?<![0-9./-])([0-9]{1,2})([/.-])([0-9]{1,2})\\2([0-9]{4}|[0-9]{2})${TIME}(?![0-9]|[./-][0-9])`, 'g');
// "March 3, 1987", "Mar. 3rd 1987", "March 1987", "3 Mar 1987", "3rd of March, 1987", "03-Mar-1987".
const MONTH_FIRST = new RegExp(`\\b(${MONTH})\\.?(?: {1,2}([0-9]{1,2})(?:st|nd|rd|th)?)?(?:,? {1,2}((?:19|20)[0-9]{2}))?\\b`, 'gi');
const DAY_FIRST = new RegExp(`\\b([0-9]{1,2})(?:st|nd|rd|th)?(?: of)?([ -])(${MONTH})\\.?(?:,?[ -]((?:19|20)?[0-9]{2}))?\\b`, 'gi');
const WEEKDAY = /\b(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b|\b(?:on|next|last|this|every|until|by|since|meet|from) (?:mon|tues|wednes|thurs|fri|satur|sun)day\b/g;
const YEAR_IN_CONTEXT = /\b(?:in|since|during|of|from|until|till|by|year|circa|before|after|around)\s{1,3}((?:19|20)[0-9]{2})(?![0-9]|[-/.][0-9])/gi;
const DOB_CONTEXT = /\b(?:dob|d\.o\.b\.?|born|date of birth|birth ?date|birthday|b-?day|fecha de nacimiento)\b/;

function dateOrDob(text: string, s: number, e: number, score: number, validator: string): Span {
  if (contextBefore(text, s, DOB_CONTEXT, 32)) return mk(s, e, 'DATE_OF_BIRTH', Math.min(1, score + 0.05), validator + '+dob-context');
  return mk(s, e, 'DATE', score, validator);
}

export function detectDates(text: string): Span[] {
  const out: Span[] = [];
  const facts = factsOf(text);
  // Each pattern runs only when the text has what it starts with (text-facts.ts); otherwise it is
  // not run at all (not even one exec call: on short texts the calls were a visible share).
  const year4 = (facts.flags & F_YEAR4) !== 0;
  const month = (facts.triggers & T_MONTH) !== 0;
  if (facts.digits > 0) {
    ISO.lastIndex = 0;
    for (let m = year4 ? ISO.exec(text) : null; m; m = ISO.exec(text)) out.push(dateOrDob(text, m.index, m.index + m[0].length, 0.9, 'date-pattern'));
    NUMERIC.lastIndex = 0;
    for (let m = (facts.flags & F_SHORT_SEP) !== 0 ? NUMERIC.exec(text) : null; m; m = NUMERIC.exec(text)) {
      const a = Number(m[1]);
      const b = Number(m[3]);
      // US (month first) or European (day first): both parts ≤ 31, at least one ≤ 12.
      if (a < 1 || b < 1 || a > 31 || b > 31 || (a > 12 && b > 12)) continue;
      const shortYear = m[4]!.length === 2;
      // "1.2.34" is more often a version than a date; dots need a 4-digit year.
      if (shortYear && m[2] === '.') continue;
      if (isWordChar(at(text, m.index - 1))) continue;
      out.push(dateOrDob(text, m.index, m.index + m[0].length, shortYear ? 0.7 : 0.85, 'date-pattern'));
    }
    DAY_FIRST.lastIndex = 0;
    for (let m = month ? DAY_FIRST.exec(text) : null; m; m = DAY_FIRST.exec(text)) {
      const d = Number(m[1]);
      if (d < 1 || d > 31) continue;
      if (!m[4] && m[3]![0] !== m[3]![0]!.toUpperCase()) continue; // "3 may" without a year: modal verb
      out.push(dateOrDob(text, m.index, m.index + m[0].length, m[4] ? 0.85 : 0.7, 'date-pattern'));
    }
    YEAR_IN_CONTEXT.lastIndex = 0;
    for (let m = year4 ? YEAR_IN_CONTEXT.exec(text) : null; m; m = YEAR_IN_CONTEXT.exec(text)) {
      const e = m.index + m[0].length;
      out.push(dateOrDob(text, e - 4, e, 0.4, 'year-context'));
    }
  }
  MONTH_FIRST.lastIndex = 0;
  for (let m = month ? MONTH_FIRST.exec(text) : null; m; m = MONTH_FIRST.exec(text)) {
    const [, month, day, year] = m;
    if (!day && !year) continue;
    if (day && (Number(day) < 1 || Number(day) > 31)) continue;
    // Lower-case month names are words too ("may 5 people"): need a year then.
    if (!year && month![0] !== month![0]!.toUpperCase()) continue;
    if (!year && /^may$/i.test(month!)) continue;
    out.push(dateOrDob(text, m.index, m.index + m[0].length, day && year ? 0.9 : 0.7, 'date-pattern'));
  }
  WEEKDAY.lastIndex = 0;
  for (let m = (facts.triggers & T_WEEKDAY) !== 0 ? WEEKDAY.exec(text) : null; m; m = WEEKDAY.exec(text)) {
    const e = m.index + m[0].length;
    const s = m[0][0] === m[0][0]!.toUpperCase() ? m.index : text.lastIndexOf(' ', e - 1) + 1; // lower case: after "on "
    out.push(mk(s, e, 'DATE', 0.35, 'weekday'));
  }
  return out;
}

// Each pattern captures the number only: that is what identifies (and what the corpus labels).
const AGE_PATTERNS: readonly RegExp[] = [
  /\b([0-9]{1,3})(?: |-)?(?:years?|yrs?|yo)(?: |-)?old\b/gi,
  /\b([0-9]{1,3}) ?(?:y\/o\b|y\.o\.|yo\b|yr old\b)/gi,
  /\b(?:aged?|age of|age:|turned|turning|turn|turns)\s{1,3}([0-9]{1,3})\b(?![.,][0-9])/gi,
  /\bwhen (?:he|she|i|they|you) (?:was|were) ([0-9]{1,3})\b(?![.,][0-9])/gi,
  // Over 89 HIPAA requires aggregation whatever the phrasing: "92 years", "93M", "age 101".
  /\b(9[0-9]|1[01][0-9]) ?(?:years?|yrs?\b|M\b|F\b)/g,
];

/** Which AGE_PATTERNS start with a word ("aged", "turned", "when she was"). */
const AGE_LED_BY_WORD: readonly boolean[] = [false, false, true, true, false];

export function detectAges(text: string): Span[] {
  const facts = factsOf(text);
  if (facts.digits === 0 || ((facts.flags & F_AGE_SUFFIX) === 0 && (facts.triggers & T_AGE_WORD) === 0)) return [];
  const out: Span[] = [];
  const suffix = (facts.flags & F_AGE_SUFFIX) !== 0;
  const word = (facts.triggers & T_AGE_WORD) !== 0;
  for (let k = 0; k < AGE_PATTERNS.length; k++) {
    // the patterns led by a word need T_AGE_WORD, the others (a number then y/M/F) F_AGE_SUFFIX
    if (!(AGE_LED_BY_WORD[k] ? word : suffix)) continue;
    const re = AGE_PATTERNS[k]!;
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const n = Number(m[1]);
      if (n > 125) continue;
      const s = m.index + m[0].indexOf(m[1]!);
      out.push(mk(s, s + m[1]!.length, 'AGE', n > 89 ? 0.95 : 0.85, 'age-pattern'));
    }
  }
  return out;
}

export const dateDetector: Detector = { name: 'dates', types: ['DATE', 'DATE_OF_BIRTH'], detect: detectDates };
export const ageDetector: Detector = { name: 'ages', types: ['AGE'], detect: detectAges };

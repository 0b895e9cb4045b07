// One pass over a text's tokens that every detector shares: the tokens themselves (for the
// free-text detectors), the digit runs, and cheap facts ("has a 9-digit run", "some word can start
// a keyword of the secrets detector") that let a structured detector skip its whole-text regular
// expression when the text cannot hold a match. Each fact is a necessary condition of the pattern
// it guards, so skipping never loses a finding; differential tests against the unguarded patterns
// keep them honest.
import { tokenize, type Token } from './detect-names-tokens.js';
import { T_KEYED } from './keyword-triggers.js';
import { W_HAS_LOWER, W_HAS_UPPER } from './word-classes.js';

/** A digit run of exactly 4 digits starting 19 or 20 (ISO dates, years after a context word). */
export const F_YEAR4 = 1 << 0;
/** A run of at most 2 digits followed by [/.-], optionally after one space (numeric dates, expiry). */
export const F_SHORT_SEP = 1 << 1;
/** A run of at most 3 digits followed by y, Y, M or F, optionally after one space or hyphen (ages). */
export const F_AGE_SUFFIX = 1 << 2;
/** ASCII letters directly followed by two or more digits (IBAN heads). */
export const F_LETTERS_DIGITS = 1 << 3;
/** digits '.' digits, with nothing between (IPv4). */
export const F_NUM_DOT_NUM = 1 << 4;
/** A run of exactly 9 digits (ABA routing numbers). */
export const F_RUN9 = 1 << 5;
/** A run of exactly 10 digits (NPI). */
export const F_RUN10 = 1 << 6;
/** Letters and digits with nothing between over 26 or more characters (base58 wallets). */
export const F_LONG_ALNUM = 1 << 7;
/** A word ending in "bc" directly followed by digits starting with 1 (bech32 wallets). */
export const F_BECH32 = 1 << 8;

export interface TextFacts {
  /** null for texts over FACTS_MAX_CHARS (see there) */
  tokens: Token[] | null;
  /** F_* bits */
  flags: number;
  /** T_* bits of every word (keyword-triggers.ts) */
  triggers: number;
  /** W_* bits of every word (word-classes.ts) */
  wordFlags: number;
  digits: number;
  longestDigitRun: number;
  /** ':' and '.' characters (never inside a word token) */
  colons: number;
  dots: number;
}

const isDigitCode = (c: number): boolean => c >= 48 && c <= 57;

function computeFacts(text: string): TextFacts {
  const tokens = tokenize(text);
  let flags = 0;
  let triggers = 0;
  let wordFlags = 0;
  let digits = 0;
  let longest = 0;
  let colons = 0;
  let dots = 0;
  let alnumRun = 0; // characters of glued word and number tokens so far
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    const prev = k > 0 ? tokens[k - 1] : undefined;
    if (t.kind === 'word' || t.kind === 'num') {
      alnumRun = t.glued && prev !== undefined && (prev.kind === 'word' || prev.kind === 'num') ? alnumRun + t.end - t.start : t.end - t.start;
      if (alnumRun >= 26) flags |= F_LONG_ALNUM;
    }
    if (t.kind === 'word') {
      triggers |= t.triggers;
      wordFlags |= t.flags;
      // "a/c" (account) is three tokens; the "a" may end a longer word ("éa/c": \b is ASCII)
      if ((text.charCodeAt(t.end - 1) | 32) === 97 && text.charCodeAt(t.end) === 47 && (text.charCodeAt(t.end + 1) | 32) === 99) triggers |= T_KEYED;
    } else if (t.kind === 'num') {
      const n = t.end - t.start;
      digits += n;
      if (n > longest) longest = n;
      const c0 = text.charCodeAt(t.start);
      if (n === 4 && ((c0 === 49 && text.charCodeAt(t.start + 1) === 57) || (c0 === 50 && text.charCodeAt(t.start + 1) === 48))) flags |= F_YEAR4;
      else if (n === 9) flags |= F_RUN9;
      else if (n === 10) flags |= F_RUN10;
      if (n <= 3) {
        let a = text.charCodeAt(t.end);
        if (n <= 2) {
          const b = a === 32 ? text.charCodeAt(t.end + 1) : a;
          if (b === 47 || b === 46 || b === 45) flags |= F_SHORT_SEP;
        }
        if (a === 32 || a === 45) a = text.charCodeAt(t.end + 1);
        if (a === 121 || a === 89 || a === 77 || a === 70) flags |= F_AGE_SUFFIX;
      }
      if (prev !== undefined && t.glued && prev.kind === 'word') {
        if (n >= 2) flags |= F_LETTERS_DIGITS;
        if (c0 === 49 && prev.lower.endsWith('bc')) flags |= F_BECH32;
      }
      if (text.charCodeAt(t.end) === 46 && isDigitCode(text.charCodeAt(t.end + 1))) flags |= F_NUM_DOT_NUM;
    } else if (t.kind === 'punct') {
      const c = t.text.charCodeAt(0);
      if (c === 58) colons++;
      else if (c === 46) dots++;
    }
  }
  return { tokens, flags, triggers, wordFlags, digits, longestDigitRun: longest, colons, dots };
}

// Detectors run one after another on the same text: the facts of the last text are kept until
// the engine is done with it (forgetFacts), so a large text's tokens do not outlive its call.
let lastText: string | undefined;
let lastFacts: TextFacts | undefined;

export function forgetFacts(): void {
  lastText = undefined;
  lastFacts = undefined;
}

/**
 * Above this many characters no facts are computed and every pattern runs: a token object per
 * word of a megabyte costs more (mostly in garbage collection) than the patterns it lets us skip,
 * and the free-text detectors then tokenize on their own.
 */
export const FACTS_MAX_CHARS = 1 << 16;

/** Facts of a text over FACTS_MAX_CHARS: only the digit counts (one loop, no objects); every other gate open. */
function openFacts(text: string): TextFacts {
  let digits = 0;
  let longest = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    if (isDigitCode(text.charCodeAt(i))) {
      digits++;
      if (++run > longest) longest = run;
    } else run = 0;
  }
  const many = Number.MAX_SAFE_INTEGER;
  return { tokens: null, flags: ~0, triggers: ~0, wordFlags: ~0, digits, longestDigitRun: longest, colons: many, dots: many };
}

/** Off only in tests, which check that the gates never change what a detector finds. */
export const gating = { enabled: true };

export function factsOf(text: string): TextFacts {
  if (text.length > FACTS_MAX_CHARS || !gating.enabled) {
    if (text !== lastText || lastFacts === undefined) {
      lastFacts = openFacts(text);
      lastText = text;
    }
    return lastFacts;
  }
  if (text !== lastText || lastFacts === undefined) {
    lastFacts = computeFacts(text);
    lastText = text;
  }
  return lastFacts;
}

/** Occurrences of `c` in the text, counted only up to `atLeast` (hyphens also join words, so they are counted here, when asked). */
export function hasAtLeast(text: string, c: string, atLeast: number): boolean {
  let n = 0;
  for (let p = text.indexOf(c); p >= 0; p = text.indexOf(c, p + 1)) if (++n >= atLeast) return true;
  return false;
}

/**
 * Letters but none of them uppercase ("the princess royal arrived…"). Every letter of the text is
 * inside a word token, so the words' case bits answer it without another pass over the text.
 */
export function isLowercase(facts: TextFacts): boolean {
  return (facts.wordFlags & W_HAS_UPPER) === 0 && (facts.wordFlags & W_HAS_LOWER) !== 0;
}

// One pass over a text's tokens that every detector shares: the tokens themselves (for the
// free-text detectors), the digit runs, and cheap facts ("has a 9-digit run", "some word can start
// a keyword of the secrets detector") that let a structured detector skip its whole-text regular
// expression when the text cannot hold a match. Each fact is a necessary condition of the pattern
// it guards, so skipping never loses a finding; differential tests against the unguarded patterns
// keep them honest.
import { tokenizeWithFacts, type ScanFacts, type Token } from './detect-names-tokens.js';
import { W_HAS_LOWER, W_HAS_UPPER } from './word-classes.js';

export { F_AGE_SUFFIX, F_BECH32, F_LETTERS_DIGITS, F_LONG_ALNUM, F_NUM_DOT_NUM, F_RUN10, F_RUN9, F_SHORT_SEP, F_YEAR4 } from './fact-bits.js';

/** What the tokenizer learnt (ScanFacts: F_*, T_*, W_* bits, digit and punctuation counts) and its tokens. */
export interface TextFacts extends ScanFacts {
  /** null for texts over FACTS_MAX_CHARS (see there) */
  tokens: Token[] | null;
}

const isDigitCode = (c: number): boolean => c >= 48 && c <= 57;

/**
 * The tokenizer computes the facts while it reads the text (detect-names-tokens.ts scan): one walk
 * over the characters, none over the tokens. What each F_* bit means is in fact-bits.ts.
 */
function computeFacts(text: string): TextFacts {
  const facts: TextFacts = { tokens: null, flags: 0, triggers: 0, wordFlags: 0, digits: 0, longestDigitRun: 0, colons: 0, dots: 0, words2: 0, upperWords2: 0 };
  facts.tokens = tokenizeWithFacts(text, facts);
  return facts;
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
  return { tokens: null, flags: ~0, triggers: ~0, wordFlags: ~0, digits, longestDigitRun: longest, colons: many, dots: many, words2: 0, upperWords2: 0 };
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

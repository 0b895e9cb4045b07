// The tokenizer shared by the free-text detectors (names, addresses, locations, organisations).
// One pass over the code units with no regular expression: each token is read to its end and
// never revisited, so tokenizing is linear in the length of the text. Every word token carries the
// dictionary bits of its lowercased form (word-classes.ts), looked up once here.
import { cpLength, isLetterOrMarkAt, isLowerAt, isSpaceAt, isUpperAt } from './char-classes.js';
import { F_AGE_SUFFIX, F_BECH32, F_LETTERS_DIGITS, F_LONG_ALNUM, F_NUM_DOT_NUM, F_RUN10, F_RUN9, F_SHORT_SEP, F_YEAR4 } from './fact-bits.js';
import { T_KEYED, wordTriggers } from './keyword-triggers.js';
import { W_HAS_LOWER, W_HAS_UPPER, wordFlags } from './word-classes.js';

export type TokenKind = 'word' | 'num' | 'punct' | 'nl';

export class Token {
  constructor(
    public kind: TokenKind,
    public start: number,
    /** exclusive */
    public end: number,
    public text: string,
    public lower: string,
    /** first character is an uppercase letter */
    public cap: boolean,
    /** two or more letters, all uppercase */
    public upper: boolean,
    /** at least one letter outside ASCII */
    public nonAscii: boolean,
    /** the token directly follows the previous one, with no whitespace between */
    public glued: boolean,
    /** W_* bits of `lower` for words (word-classes.ts), 0 for other tokens */
    public flags: number,
    /** T_* bits of the word (keyword-triggers.ts), 0 for other tokens */
    public triggers: number,
  ) {}
}

/** End of the run of letters and marks starting at i. */
function letterRunEnd(text: string, i: number): number {
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) i++;
    else if (c >= 128 && isLetterOrMarkAt(text, i)) i += cpLength(text, i);
    else break;
  }
  return i;
}

/**
 * After an apostrophe at i: an English contraction or possessive ("'s", "'re", "'ll", "'ve",
 * "'d", "'m" not followed by more letters) ends the word; anything else ("O'Brien") continues it.
 */
function isContraction(text: string, i: number): boolean {
  const a = text.charCodeAt(i + 1);
  if (a === 115 || a === 100 || a === 109) return !isLetterOrMarkAt(text, i + 2); // s d m
  const b = text.charCodeAt(i + 2);
  if ((a === 114 && b === 101) || (a === 108 && b === 108) || (a === 118 && b === 101)) return !isLetterOrMarkAt(text, i + 3); // re ll ve
  return false;
}

/** End of the word starting at i: letter runs joined by inner apostrophes and hyphens ("O'Brien", "Mayo-Walters"). */
function wordEnd(text: string, i: number): number {
  let j = letterRunEnd(text, i);
  for (;;) {
    const c = text.charCodeAt(j);
    if (c === 45 || ((c === 39 || c === 0x2019) && !isContraction(text, j))) {
      if (!isLetterOrMarkAt(text, j + 1)) return j;
      j = letterRunEnd(text, j + 1);
    } else return j;
  }
}

/** What a word's characters say about it, cached per distinct spelling (most words repeat). */
interface WordInfo {
  text: string;
  lower: string;
  cap: boolean;
  upper: boolean;
  nonAscii: boolean;
  flags: number;
  triggers: number;
}

function wordInfo(t: string): WordInfo {
  // ASCII words are classified from their code units; others ask the Unicode tables.
  let ascii = true;
  let hasLower = false;
  let hasUpperAscii = false;
  for (let k = 0; k < t.length; k++) {
    const d = t.charCodeAt(k);
    if (d >= 128) ascii = false;
    else if (d >= 97 && d <= 122) hasLower = true;
    else if (d >= 65 && d <= 90) hasUpperAscii = true;
  }
  let cap: boolean;
  let hasUpper = hasUpperAscii;
  if (ascii) cap = t.charCodeAt(0) <= 90;
  else {
    cap = isUpperAt(t, 0);
    for (let k = 0; k < t.length; k++) {
      if (t.charCodeAt(k) < 128) continue;
      if (isLowerAt(t, k)) hasLower = true;
      else if (isUpperAt(t, k)) hasUpper = true;
    }
  }
  const caseBits = (hasUpper ? W_HAS_UPPER : 0) | (hasLower ? W_HAS_LOWER : 0);
  const lower = ascii && !hasUpperAscii ? t : t.toLowerCase();
  return { text: t, lower, cap, upper: cap && t.length > 1 && !hasLower, nonAscii: !ascii, flags: wordFlags(lower) | caseBits, triggers: wordTriggers(t) };
}

// A hash table of the words seen so far, keyed by a hash of their code units (folded by the
// tokenizer while it reads the word) and confirmed against a copy of their code units, so a word
// seen before costs no substring and no string hashing; its Token shares the cached spelling.
// Heads, chain links, hashes and the copies live in flat typed arrays: a probe reads a few
// neighbouring numbers instead of following pointers to a word object and its string (a 32-bit
// hash kept on an object was not even a small integer for V8, and was boxed). Emptied when it
// holds MAX_CACHED words or POOL_UNITS code units, so memory stays bounded on any input.
const TABLE_BITS = 13;
const MAX_CACHED = 50_000;
const POOL_UNITS = 1 << 19;
const heads = new Int32Array(1 << TABLE_BITS).fill(-1);
const chain = new Int32Array(MAX_CACHED);
const hashes = new Int32Array(MAX_CACHED);
const offsets = new Int32Array(MAX_CACHED);
const lengths = new Int32Array(MAX_CACHED);
const pool = new Uint16Array(POOL_UNITS);
let poolUsed = 0;
const infos: WordInfo[] = [];

/** The table's hash of code units [start, end): the tokenizer folds the same way while it reads a word. */
function hashRange(text: string, start: number, end: number): number {
  let h = 0;
  for (let k = start; k < end; k++) h = (Math.imul(h, 31) + text.charCodeAt(k)) | 0;
  return h;
}

/** The cached word of text[start, end), whose hashRange is `h`. */
function lookupWord(text: string, start: number, end: number, h: number): WordInfo {
  const len = end - start;
  const slot = (h ^ (h >>> TABLE_BITS) ^ len) & ((1 << TABLE_BITS) - 1);
  for (let k = heads[slot]!; k >= 0; k = chain[k]!) {
    if (hashes[k] !== h || lengths[k] !== len) continue;
    const o = offsets[k]! - start;
    let q = start;
    while (q < end && pool[o + q] === text.charCodeAt(q)) q++;
    if (q === end) return infos[k]!;
  }
  const w = wordInfo(text.slice(start, end));
  if (len > POOL_UNITS >> 4) return w; // a very long "word" is not worth keeping
  if (infos.length >= MAX_CACHED || poolUsed + len > POOL_UNITS) {
    heads.fill(-1);
    infos.length = 0;
    poolUsed = 0;
  }
  const k = infos.length;
  infos.push(w);
  hashes[k] = h;
  lengths[k] = len;
  offsets[k] = poolUsed;
  for (let q = start; q < end; q++) pool[poolUsed++] = text.charCodeAt(q);
  chain[k] = heads[slot]!;
  heads[slot] = k;
  return w;
}

/**
 * What the shared pass (text-facts.ts) learns while the tokenizer reads the text, so that it does
 * not walk the tokens a second time: the F_* bits (fact-bits.ts), the T_* and W_* bits of every
 * word, digit counts, ':' and '.' punctuation, and the word counts of isShoutingText.
 */
export interface ScanFacts {
  flags: number;
  triggers: number;
  wordFlags: number;
  digits: number;
  longestDigitRun: number;
  colons: number;
  dots: number;
  /** words of two or more code units, and those of them that are all uppercase */
  words2: number;
  upperWords2: number;
}

const K_NONE = 0;
const K_WORD = 1;
const K_NUM = 2;
const K_OTHER = 3;

export function tokenize(text: string): Token[] {
  return scan(text, null);
}

/** The tokens of `text`, and its facts written into `facts` (whose fields must start at 0). */
export function tokenizeWithFacts(text: string, facts: ScanFacts): Token[] {
  return scan(text, facts);
}

function scan(text: string, f: ScanFacts | null): Token[] {
  const out: Token[] = [];
  const n = text.length;
  let glued = false;
  let i = 0;
  // facts state: the previous token's kind, and the characters of glued word and number tokens so far
  let prevKind = K_NONE;
  let prevLower = '';
  let alnumRun = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const start = i;
    let kind: TokenKind;
    const asciiLetter = (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
    if (asciiLetter || (c >= 128 && isLetterOrMarkAt(text, i))) {
      // Most words are ASCII letters only: read them and fold their hash in one loop. Anything
      // that can continue a word past its ASCII letters (a non-ASCII letter or mark, a hyphen or
      // an apostrophe) falls back to wordEnd and a second hash loop.
      let h = 0;
      let j = i;
      if (asciiLetter) {
        while (j < n) {
          const d = text.charCodeAt(j);
          if ((d >= 97 && d <= 122) || (d >= 65 && d <= 90)) {
            h = (Math.imul(h, 31) + d) | 0;
            j++;
          } else break;
        }
      }
      const d = j < n ? text.charCodeAt(j) : 0;
      if (!asciiLetter || d === 45 || d === 39 || d === 0x2019 || d >= 128) {
        j = wordEnd(text, i);
        h = hashRange(text, i, j);
      }
      i = j;
      const w = lookupWord(text, start, i, h);
      out.push(new Token('word', start, i, w.text, w.lower, w.cap, w.upper, w.nonAscii, glued, w.flags, w.triggers));
      if (f !== null) {
        alnumRun = glued && (prevKind === K_WORD || prevKind === K_NUM) ? alnumRun + i - start : i - start;
        if (alnumRun >= 26) f.flags |= F_LONG_ALNUM;
        f.triggers |= w.triggers;
        f.wordFlags |= w.flags;
        // "a/c" (account) is three tokens; the "a" may end a longer word ("éa/c": \b is ASCII)
        if ((text.charCodeAt(i - 1) | 32) === 97 && text.charCodeAt(i) === 47 && (text.charCodeAt(i + 1) | 32) === 99) f.triggers |= T_KEYED;
        if (i - start >= 2) {
          f.words2++;
          if (w.upper) f.upperWords2++;
        }
        prevKind = K_WORD;
        prevLower = w.lower;
      }
      glued = true;
      continue;
    }
    if (c >= 48 && c <= 57) {
      while (i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
      kind = 'num';
      if (f !== null) {
        const len = i - start;
        alnumRun = glued && (prevKind === K_WORD || prevKind === K_NUM) ? alnumRun + len : len;
        if (alnumRun >= 26) f.flags |= F_LONG_ALNUM;
        f.digits += len;
        if (len > f.longestDigitRun) f.longestDigitRun = len;
        if (len === 4 && ((c === 49 && text.charCodeAt(start + 1) === 57) || (c === 50 && text.charCodeAt(start + 1) === 48))) f.flags |= F_YEAR4;
        else if (len === 9) f.flags |= F_RUN9;
        else if (len === 10) f.flags |= F_RUN10;
        if (len <= 3) {
          let a = text.charCodeAt(i);
          if (len <= 2) {
            const b = a === 32 ? text.charCodeAt(i + 1) : a;
            if (b === 47 || b === 46 || b === 45) f.flags |= F_SHORT_SEP;
          }
          if (a === 32 || a === 45) a = text.charCodeAt(i + 1);
          if (a === 121 || a === 89 || a === 77 || a === 70) f.flags |= F_AGE_SUFFIX;
        }
        if (glued && prevKind === K_WORD) {
          if (len >= 2) f.flags |= F_LETTERS_DIGITS;
          if (c === 49 && prevLower.endsWith('bc')) f.flags |= F_BECH32;
        }
        if (text.charCodeAt(i) === 46) {
          const e = text.charCodeAt(i + 1);
          if (e >= 48 && e <= 57) f.flags |= F_NUM_DOT_NUM;
        }
        prevKind = K_NUM;
      }
    } else if (c === 10 || (c === 13 && text.charCodeAt(i + 1) === 10)) {
      i += c === 13 ? 2 : 1;
      kind = 'nl';
      prevKind = K_OTHER;
    } else if (c === 32 || c === 9 || c === 12 || c === 11 || c === 0xa0) {
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 32 || d === 9 || d === 12 || d === 11 || d === 0xa0) i++;
        else break;
      }
      glued = false;
      continue;
    } else if (c === 13 || (c >= 128 && isSpaceAt(text, i))) {
      i++;
      glued = false;
      continue;
    } else {
      i += cpLength(text, i);
      kind = 'punct';
      if (f !== null) {
        if (c === 58) f.colons++;
        else if (c === 46) f.dots++;
      }
      prevKind = K_OTHER;
    }
    const t = i - start === 1 ? text[start]! : text.slice(start, i);
    out.push(new Token(kind, start, i, t, c >= 128 ? t.toLowerCase() : t, false, false, false, glued, 0, 0));
    glued = kind !== 'nl';
  }
  return out;
}

/** True when the text has letters but none of them uppercase ("the princess royal arrived…"). */
export function isLowercaseText(text: string): boolean {
  return !/\p{Lu}/u.test(text) && /\p{Ll}/u.test(text);
}

/** True when the text is mostly uppercase ("CAN I SPEAK TO A REAL PERSON"). */
export function isShoutingText(tokens: readonly Token[]): boolean {
  let words = 0;
  let upper = 0;
  for (const t of tokens) {
    if (t.kind !== 'word' || t.text.length < 2) continue;
    words++;
    if (t.upper) upper++;
  }
  return isShouting(words, upper);
}

/** isShoutingText from its counts: words of two or more characters, and the all-uppercase ones among them. */
export const isShouting = (words: number, upper: number): boolean => words >= 3 && upper / words > 0.7;

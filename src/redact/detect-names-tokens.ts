// The tokenizer shared by the free-text detectors (names, addresses, locations, organisations).
// One pass over the code units with no regular expression: each token is read to its end and
// never revisited, so tokenizing is linear in the length of the text. Every word token carries the
// dictionary bits of its lowercased form (word-classes.ts), looked up once here.
import { cpLength, isLetterOrMarkAt, isLowerAt, isSpaceAt, isUpperAt } from './char-classes.js';
import { wordTriggers } from './keyword-triggers.js';
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
  /** hash of `text` and the next entry in the same table slot (lookupWord) */
  hash: number;
  next: WordInfo | undefined;
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
  return { text: t, hash: 0, next: undefined, lower, cap, upper: cap && t.length > 1 && !hasLower, nonAscii: !ascii, flags: wordFlags(lower) | caseBits, triggers: wordTriggers(t) };
}

// A hash table of the words seen so far, keyed by a hash of their code units and confirmed with
// startsWith, so a word seen before costs no substring and no string hashing; its Token shares the
// cached spelling. Emptied when it holds MAX_CACHED words so memory stays bounded on any input.
const TABLE_BITS = 13;
const MAX_CACHED = 50_000;
const table: (WordInfo | undefined)[] = new Array<WordInfo | undefined>(1 << TABLE_BITS).fill(undefined);
let cached = 0;

function lookupWord(text: string, start: number, end: number): WordInfo {
  const len = end - start;
  let h = len;
  for (let k = start; k < end; k++) h = (Math.imul(h, 31) + text.charCodeAt(k)) | 0;
  const slot = (h ^ (h >>> TABLE_BITS)) & ((1 << TABLE_BITS) - 1);
  const head = table[slot];
  for (let w = head; w !== undefined; w = w.next) {
    if (w.hash !== h) continue;
    const t = w.text;
    if (t.length === len && text.startsWith(t, start)) return w;
  }
  if (cached >= MAX_CACHED) {
    table.fill(undefined);
    cached = 0;
  }
  const w = wordInfo(text.slice(start, end));
  w.hash = h;
  w.next = table[slot];
  table[slot] = w;
  cached++;
  return w;
}

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const n = text.length;
  let glued = false;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const start = i;
    let kind: TokenKind;
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 128 && isLetterOrMarkAt(text, i))) {
      i = wordEnd(text, i);
      const w = lookupWord(text, start, i);
      out.push(new Token('word', start, i, w.text, w.lower, w.cap, w.upper, w.nonAscii, glued, w.flags, w.triggers));
      glued = true;
      continue;
    }
    if (c >= 48 && c <= 57) {
      while (i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
      kind = 'num';
    } else if (c === 10 || (c === 13 && text.charCodeAt(i + 1) === 10)) {
      i += c === 13 ? 2 : 1;
      kind = 'nl';
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
  return words >= 3 && upper / words > 0.7;
}

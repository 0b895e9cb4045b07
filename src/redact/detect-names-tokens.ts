// The tokenizer shared by the free-text detectors (names, addresses, locations, organisations).
// One pass over the text with a sticky regular expression whose alternatives cannot overlap, so
// tokenizing is linear in the length of the text.

export type TokenKind = 'word' | 'num' | 'punct' | 'nl';

export interface Token {
  kind: TokenKind;
  start: number;
  end: number;
  text: string;
  lower: string;
  /** first character is an uppercase letter */
  cap: boolean;
  /** two or more letters, all uppercase */
  upper: boolean;
  /** at least one letter outside ASCII */
  nonAscii: boolean;
  /** the token directly follows the previous one, with no whitespace between */
  glued: boolean;
}

// Words: letters and combining marks, inner apostrophes and hyphens ("O'Brien", "Mayo-Walters").
// Numbers: digit runs. Newlines are their own token; any other non-space character is punctuation.
const TOKEN = /([\p{L}\p{M}]+(?:(?:['’](?!(?:s|re|ll|ve|d|m)(?![\p{L}\p{M}]))|-)[\p{L}\p{M}]+)*)|(\d+)|(\r?\n)|([ \t\f\v\u00a0]+)|([^\s])|(\s)/uy;
const UPPER_FIRST = /^\p{Lu}/u;
const HAS_LOWER = /\p{Ll}/u;
const NON_ASCII = /[^\x00-\x7f]/;

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  let glued = false;
  let m: RegExpExecArray | null;
  while (TOKEN.lastIndex < text.length && (m = TOKEN.exec(text)) !== null) {
    const start = m.index;
    const t = m[0];
    const end = start + t.length;
    if (m[4] !== undefined || m[6] !== undefined) {
      glued = false;
      continue;
    }
    let kind: TokenKind = 'punct';
    if (m[1] !== undefined) kind = 'word';
    else if (m[2] !== undefined) kind = 'num';
    else if (m[3] !== undefined) kind = 'nl';
    const cap = kind === 'word' && UPPER_FIRST.test(t);
    out.push({
      kind,
      start,
      end,
      text: t,
      lower: t.toLowerCase(),
      cap,
      upper: cap && t.length > 1 && !HAS_LOWER.test(t),
      nonAscii: kind === 'word' && NON_ASCII.test(t),
      glued,
    });
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

/**
 * Memoizes a per-word predicate (word endings are checked against dozens of suffixes); the cache is
 * cleared when it grows past `max` entries so memory stays bounded on any input.
 */
export function memoWord(fn: (lower: string) => boolean, max = 20_000): (lower: string) => boolean {
  const cache = new Map<string, boolean>();
  return (lower) => {
    let v = cache.get(lower);
    if (v === undefined) {
      if (cache.size >= max) cache.clear();
      v = fn(lower);
      cache.set(lower, v);
    }
    return v;
  };
}

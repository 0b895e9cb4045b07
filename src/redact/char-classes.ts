// Unicode character classes the tokenizer needs (letter or mark, uppercase, lowercase, space),
// answered from a lookup table instead of a regular expression per character: the table is filled
// lazily, one code unit at a time, so a text pays the regex only for characters never seen before.

const LETTER_OR_MARK = 1;
const UPPER = 2;
const LOWER = 4;
const SPACE = 8;
const KNOWN = 128;

const LM_RE = /^[\p{L}\p{M}]$/u;
const LU_RE = /^\p{Lu}$/u;
const LL_RE = /^\p{Ll}$/u;
const SPACE_RE = /^\s$/u;

function classify(s: string): number {
  return KNOWN | (LM_RE.test(s) ? LETTER_OR_MARK : 0) | (LU_RE.test(s) ? UPPER : 0) | (LL_RE.test(s) ? LOWER : 0) | (SPACE_RE.test(s) ? SPACE : 0);
}

// BMP code units; surrogates are classified as code points below and never stored here.
const BMP = new Uint8Array(65536);
for (let c = 0; c < 128; c++) BMP[c] = classify(String.fromCharCode(c));
const ASTRAL = new Map<number, number>();

/** Class bits of the code point at i (a surrogate pair is read as one code point). */
function bitsAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c < 0xd800 || c > 0xdfff) {
    let b = BMP[c]!;
    if (b === 0) BMP[c] = b = classify(String.fromCharCode(c));
    return b;
  }
  const cp = text.codePointAt(i)!;
  if (cp <= 0xffff) return KNOWN; // lone surrogate: no class
  let b = ASTRAL.get(cp);
  if (b === undefined) {
    if (ASTRAL.size > 4096) ASTRAL.clear();
    ASTRAL.set(cp, (b = classify(String.fromCodePoint(cp))));
  }
  return b;
}

/** Code units taken by the code point at i (2 for a surrogate pair). */
export function cpLength(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 2;
  }
  return 1;
}

/** \p{L} or \p{M} at i; false outside the string. */
export function isLetterOrMarkAt(text: string, i: number): boolean {
  if (i >= text.length) return false;
  const c = text.charCodeAt(i);
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
  return (bitsAt(text, i) & LETTER_OR_MARK) !== 0;
}

export const isUpperAt = (text: string, i: number): boolean => (bitsAt(text, i) & UPPER) !== 0;
export const isLowerAt = (text: string, i: number): boolean => (bitsAt(text, i) & LOWER) !== 0;
/** JavaScript's \s. */
export const isSpaceAt = (text: string, i: number): boolean => (bitsAt(text, i) & SPACE) !== 0;

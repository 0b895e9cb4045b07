// Which keyword-led detectors a word can wake up. Each structured detector that scans the text for
// keywords ("MRN", "password", "March", "aged"…) first asks whether any word of the text could
// start one of its matches; most texts have none, and a regular expression over the whole text is
// then skipped. The bits of a word are computed once per distinct spelling (the tokenizer caches
// them with the word), so the question costs one OR per word.
//
// A bit must be a necessary condition of its detector's pattern, never a guess: a pattern anchored
// with \b (ASCII word boundary) can only start where an ASCII letter follows a character that is
// not [A-Za-z0-9_], so the prefixes below are tested at those segment starts of the word; patterns
// with no \b are tested anywhere in the word ("contains").

export const T_CVV = 1 << 0;
export const T_KEYED = 1 << 1;
export const T_SECRET_KEY = 1 << 2;
export const T_TOKEN_CONTEXT = 1 << 3;
export const T_PREFIXED_SECRET = 1 << 4;
export const T_MONTH = 1 << 5;
export const T_WEEKDAY = 1 << 6;
export const T_AGE_WORD = 1 << 7;

interface Family {
  bit: number;
  /** matched at a segment start of the word (ASCII case folded) */
  prefixes?: readonly string[];
  /** matched anywhere in the word (ASCII case folded) */
  contains?: readonly string[];
}

const FAMILIES: readonly Family[] = [
  // detect-cards.ts CVV_WORD
  { bit: T_CVV, prefixes: ['cvv', 'cvc', 'cvn', 'cid', 'csc', 'security', 'card'] },
  // detect-keyed.ts KEYWORDS ("a/c" spans three tokens: text-facts.ts looks for it)
  {
    bit: T_KEYED,
    prefixes: ['mrn', 'med', 'chart', 'patient', 'hospital', 'member', 'subscriber', 'policy', 'group', 'health', 'insurance', 'mbi', 'beneficiary', 'bank', 'checking', 'savings', 'deposit', 'account', 'acct', 'passport', 'driv', 'dl', 'device', 'udid', 'idf', 'gaid', 'android', 'advertising', 'hardware'],
  },
  // detect-secrets.ts SECRET_KEY (no \b: "dbpassword=" is a key too); "api_key" ends a word with "api"
  { bit: T_SECRET_KEY, contains: ['pass', 'pwd', 'secret', 'token', 'api', 'access', 'private', 'auth', 'credential', 'session', 'cookie', 'bearer'] },
  // detect-secrets.ts TOKEN_CONTEXT
  { bit: T_TOKEN_CONTEXT, prefixes: ['key', 'token', 'secret', 'bearer', 'credential', 'api', 'pass', 'auth', 'sig'] },
  // detect-secrets.ts PREFIXED (its matches are only kept when no letter or digit comes before)
  { bit: T_PREFIXED_SECRET, prefixes: ['akia', 'asia', 'agpa', 'aida', 'aroa', 'aipa', 'anpa', 'anva', 'gh', 'xox', 'sk', 'rk', 'whsec', 'aiza', 'glpat', 'npm', 'hf', 'sg'] },
  // detect-dates.ts MONTH_FIRST, DAY_FIRST (the month follows a space or '-')
  { bit: T_MONTH, prefixes: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  // detect-dates.ts WEEKDAY (both alternatives contain a weekday name at a word start)
  { bit: T_WEEKDAY, prefixes: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] },
  // detect-dates.ts AGE_PATTERNS led by a word ("aged 45", "turned 45", "when she was 45")
  { bit: T_AGE_WORD, prefixes: ['age', 'turn', 'when'] },
];

const isAsciiWordChar = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isAsciiLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/**
 * T_* bits of one word token's text (letters joined by hyphens or apostrophes). Only ASCII letters
 * are case folded: in a non-unicode /i pattern no other character matches an ASCII letter.
 */
export function wordTriggers(word: string): number {
  const folded = word.replace(/[A-Z]+/g, (s) => s.toLowerCase());
  let bits = 0;
  for (const f of FAMILIES) {
    if (f.contains?.some((s) => folded.includes(s))) bits |= f.bit;
    if (!f.prefixes) continue;
    for (let k = 0; k < folded.length && (bits & f.bit) === 0; k++) {
      if (!isAsciiLetter(folded.charCodeAt(k)) || (k > 0 && isAsciiWordChar(folded.charCodeAt(k - 1)))) continue;
      if (f.prefixes.some((p) => folded.startsWith(p, k))) bits |= f.bit;
    }
  }
  return bits;
}

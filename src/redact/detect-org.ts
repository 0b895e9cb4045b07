// Organisations (lower priority: not a HIPAA identifier on their own). A capitalised chunk is an
// organisation when it ends with a legal or sector word ("Inc", "Ltd", "Partners", "Bank"), or
// when the words before it say so ("work for", "employed by", "joined").
import type { Token } from './detect-names-tokens.js';
import { W_ORG_CUE, W_ORG_SUFFIX } from './word-classes.js';

/** Two-word cues ending right before the chunk ("work for X", "employed by X"). */
const ORG_CUE_PAIRS: ReadonlySet<string> = new Set([
  'work for', 'works for', 'worked for', 'working for', 'work at', 'works at', 'worked at', 'working at', 'employed by', 'employed at',
  'ceo of', 'cto of', 'cfo of', 'founder of', 'president of', 'director of', 'office of', 'offices of', 'employee of', 'join us at',
  'shares of', 'stock of', 'support for', 'to support', 'recording for', 'address of',
]);
/** Last words of ORG_CUE_PAIRS: the pair's string is built only when the word before the chunk is one. */
const ORG_CUE_PAIR_ENDS: ReadonlySet<string> = new Set([...ORG_CUE_PAIRS].map((p) => p.slice(p.lastIndexOf(' ') + 1)));

export function isOrgSuffix(t: Token | undefined): boolean {
  return t !== undefined && (t.flags & W_ORG_SUFFIX) !== 0 && (t.cap || t.upper);
}

/** True when the words before token i say an organisation follows. */
export function hasOrgCue(tokens: readonly Token[], i: number): boolean {
  const a = tokens[i - 2];
  const b = tokens[i - 1];
  if (b !== undefined && (b.flags & W_ORG_CUE) !== 0) return true;
  if (a?.kind === 'word' && b?.kind === 'word' && ORG_CUE_PAIR_ENDS.has(b.lower) && ORG_CUE_PAIRS.has(`${a.lower} ${b.lower}`)) return true;
  return false;
}

/** "X, Y and Z" where each is one capitalised word: a partnership name ("Hawkins, Richardson and Santana"). */
export function partnershipEnd(tokens: readonly Token[], i: number): number {
  const cap = (t: Token | undefined): boolean => t !== undefined && t.kind === 'word' && t.cap && !t.upper;
  if (!cap(tokens[i]) || tokens[i + 1]?.text !== ',' || !cap(tokens[i + 2])) return -1;
  let j = i + 2;
  if (tokens[j + 1]?.text === ',' && cap(tokens[j + 2])) j += 2;
  if (tokens[j + 1]?.kind === 'word' && tokens[j + 1]!.lower === 'and' && cap(tokens[j + 2])) return j + 3;
  return -1;
}

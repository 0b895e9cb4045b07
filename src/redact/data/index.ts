// Builds the lookup sets of the free-text detectors from the word lists beside this file, once.
import { CITIES, COUNTRIES, US_STATE_CODES, US_STATES } from './places.js';
import { FIRST_NAMES } from './first-names.js';
import { SURNAMES } from './surnames.js';
import { ENGLISH_WORDS } from './english-words.js';
import {
  COMMON_WORDS,
  DEMONYMS,
  REGIONS,
  HONORIFICS,
  NAME_PARTICLES,
  NAME_SUFFIXES,
  ORG_SUFFIXES,
  STREET_PREFIXES,
  STREET_SUFFIXES,
  STREET_WORD_ENDINGS,
  STRONG_STREET_SUFFIXES,
  UNIT_DESIGNATORS,
} from './words.js';

const words = (s: string): string[] => s.split(/\s+/).filter(Boolean);
const set = (s: string): ReadonlySet<string> => new Set(words(s));
const phrases = (s: string): string[] =>
  s
    .split(/[,\n]/)
    .map((p) => p.trim().replace(/\s+/g, ' '))
    .filter(Boolean);

export const COMMON: ReadonlySet<string> = new Set([...words(COMMON_WORDS), ...words(ENGLISH_WORDS), ...words(DEMONYMS)]);
export const FIRST: ReadonlySet<string> = set(FIRST_NAMES);
/** Short tokens are kept only when they are frequent East Asian surnames. */
const SHORT_SURNAMES = new Set(['li', 'wu', 'xu', 'yu', 'hu', 'ng', 'lu', 'ly', 'vo', 'vu', 'ho', 'ma', 'oh', 'ko']);
export const SURNAME: ReadonlySet<string> = new Set(words(SURNAMES).filter((w) => w.length > 2 || SHORT_SURNAMES.has(w)));
export const HONORIFIC: ReadonlySet<string> = set(HONORIFICS);
export const NAME_SUFFIX: ReadonlySet<string> = set(NAME_SUFFIXES);
export const PARTICLE: ReadonlySet<string> = set(NAME_PARTICLES);
export const STREET_SUFFIX: ReadonlySet<string> = set(STREET_SUFFIXES);
export const STRONG_STREET_SUFFIX: ReadonlySet<string> = set(STRONG_STREET_SUFFIXES);
export const STREET_PREFIX: ReadonlySet<string> = set(STREET_PREFIXES);
export const STREET_ENDINGS: readonly string[] = words(STREET_WORD_ENDINGS).filter((w) => !w.endsWith('.'));
export const UNIT: ReadonlySet<string> = set(UNIT_DESIGNATORS);
export const ORG_SUFFIX: ReadonlySet<string> = new Set(words(ORG_SUFFIXES).map((w) => w.replace(/\.$/, '')));
export const STATE_CODE: ReadonlySet<string> = set(US_STATE_CODES);

export type PlaceKind = 'country' | 'state' | 'city' | 'region';
/** Lowercased place name (one or more words joined by single spaces) → kind. */
export const PLACES: ReadonlyMap<string, PlaceKind> = (() => {
  const m = new Map<string, PlaceKind>();
  for (const p of phrases(REGIONS)) m.set(p, 'region');
  for (const p of phrases(CITIES)) m.set(p, 'city');
  for (const p of phrases(US_STATES)) m.set(p, 'state');
  for (const p of phrases(COUNTRIES)) m.set(p, 'country');
  return m;
})();
/** The longest place name in words, for bounded multi-word lookups. */
export const MAX_PLACE_WORDS = Math.max(...[...PLACES.keys()].map((k) => k.split(' ').length));

/**
 * Every leading run of words of a place name ("new", "new york"; "st." also as "st"), so a
 * multi-word lookup stops as soon as no place can continue the words read so far.
 */
export const PLACE_PREFIXES: ReadonlySet<string> = (() => {
  const s = new Set<string>();
  for (const k of PLACES.keys()) {
    const w = k.split(' ');
    for (let n = 1; n <= w.length; n++) {
      const p = w.slice(0, n).join(' ');
      s.add(p);
      if (p.endsWith('.')) s.add(p.slice(0, -1));
    }
  }
  return s;
})();

/** First words of the place names, to skip lookups that cannot match. */
export const PLACE_FIRST_WORDS: ReadonlySet<string> = new Set([...PLACES.keys()].map((k) => k.split(' ')[0]!));

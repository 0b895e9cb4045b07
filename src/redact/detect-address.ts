// Street addresses (HIPAA H2: geographic subdivisions smaller than a state) and ZIP codes.
//
// An address is found from its core, then grown over the lines that follow it:
//  - core: "6750 Koskikatu 25", "1668 Glyn St", "370 3911 Fourth Avenue", "Villacher Strasse 89",
//    "Rua do Arenque 1634", "PSC 6293, Box 8158", "Unit 7349 Box 6067", "the corner of X and Y",
//    "Apt. 675 62314 Mellemvej 32";
//  - tail: unit designators ("Apt. 864", "Suite 455"), a city line, a state or region code
//    ("CO", "QC"), a postal code and a country, separated by commas and newlines, as long as
//    each piece looks like one.
// Every step moves forward over the token array and each tail loop is bounded, so the scan is
// linear in the number of tokens.
import { PLACES, PLACE_PREFIXES, MAX_PLACE_WORDS } from './data/index.js';
import { tokenize, type Token } from './detect-names-tokens.js';
import { W_ADDRESS_LEAD, W_ADDRESS_CUE, W_COMMON, W_PLACE_FIRST, W_STATE_CODE, W_STOP, W_STREET_MORPH, W_STREET_PREFIX, W_STREET_SUFFIX, W_STRONG_STREET_SUFFIX, W_UNIT, W_VOWEL, W_PLACE_LATER, W_ZIP_LABEL } from './word-classes.js';
import type { Detector, Span } from './types.js';

const MAX_STREET_WORDS = 5;
const MAX_TAIL_PIECES = 8;
/** Line prefixes of quoted mail and lists: "> ", "| ", "* ". */
const QUOTE_MARKERS = '>|*?•-';
// Stop words and address cue words are word classes (word-classes.ts): W_STOP, W_ADDRESS_CUE.

const isWord = (t: Token | undefined): t is Token & { kind: 'word' } => t !== undefined && t.kind === 'word';
const isNum = (t: Token | undefined, min = 1, max = 6): boolean => t !== undefined && t.kind === 'num' && t.text.length >= min && t.text.length <= max;
const isPunct = (t: Token | undefined, c: string): boolean => t !== undefined && t.kind === 'punct' && t.text === c;

/** A word that can be part of a street name: capitalised, or not an everyday English word. */
function streetWord(t: Token | undefined, lowerText: boolean): boolean {
  if (!isWord(t)) return false;
  if (t.cap || t.nonAscii) return true;
  if ((t.flags & (W_STREET_SUFFIX | W_STREET_PREFIX)) !== 0) return true;
  return lowerText ? (t.flags & W_COMMON) === 0 : false;
}

const hasStreetMorphology = (t: Token): boolean => (t.flags & W_STREET_MORPH) !== 0;
const isCommon = (t: Token): boolean => (t.flags & W_COMMON) !== 0;

/** Skips an abbreviation period ("St.", "u.", "39.") glued to the token before it. */
function skipDot(tokens: readonly Token[], i: number): number {
  const t = tokens[i];
  const prev = tokens[i - 1];
  // only after abbreviations ("St.", "rkp.", "u.") and house numbers ("19."), not after "Road."
  if (prev && prev.kind === 'word' && prev.text.length > 3 && (prev.flags & W_VOWEL) !== 0) return i; // W_VOWEL: /[aeiouy]/ on prev.lower
  return t !== undefined && isPunct(t, '.') && t.glued ? i + 1 : i;
}

/** Matches a place name of up to MAX_PLACE_WORDS words at i; returns the index after it, or -1. */
export function matchPlace(tokens: readonly Token[], i: number, kinds?: ReadonlySet<string>): { end: number; kind: string } | null {
  const t0 = tokens[i];
  if (!t0 || (t0.flags & W_PLACE_FIRST) === 0) return null;
  let key = '';
  let best: { end: number; kind: string } | null = null;
  let j = i;
  for (let n = 0; n < MAX_PLACE_WORDS; n++) {
    const t = tokens[j];
    if (!isWord(t)) break;
    if (n === 0) key = t.lower;
    else {
      // no place name goes on like this; W_PLACE_LATER (a word that ends some multi-word prefix)
      // answers most of these without building the key
      if ((t.flags & W_PLACE_LATER) === 0) break;
      key = `${key} ${t.lower}`;
      if (!PLACE_PREFIXES.has(key)) break;
    }
    const kind = PLACES.get(key);
    if (kind && (!kinds || kinds.has(kind))) best = { end: j + 1, kind };
    j++;
    // allow "St." / "St" inside "St. Louis"
    if (isPunct(tokens[j], '.') && tokens[j]?.glued) {
      const dotted = PLACES.get(`${key}.`);
      if (dotted) key = `${key}.`;
      j++;
      if (!dotted) break;
    }
  }
  return best;
}

/** "Apt. 864", "Suite 455", "apt 12B", "# 4": returns the index after it, or -1. */
function matchUnit(tokens: readonly Token[], i: number): number {
  const t = tokens[i];
  if (!t) return -1;
  let j: number;
  if (t.kind === 'punct' && t.text === '#') j = i + 1;
  else if ((t.flags & W_UNIT) !== 0 && t.lower !== 'box') j = skipDot(tokens, i + 1);
  else return -1;
  const n = tokens[j];
  if (isNum(n, 1, 6)) {
    let k = j + 1;
    const suffix = tokens[k];
    if (isWord(suffix) && suffix.glued && suffix.text.length <= 2) k++;
    return k;
  }
  if (isWord(n) && n.text.length <= 2 && n.upper) return j + 1;
  return -1;
}

/** Postal codes: 4-6 digits, ZIP+4, Canadian "A1A 1A1" is left out (rare in this corpus). */
function matchZip(tokens: readonly Token[], i: number): number {
  const t = tokens[i];
  if (!isNum(t, 4, 6)) return -1;
  if (isPunct(tokens[i + 1], '-') && isNum(tokens[i + 2], 4, 4) && tokens[i + 1]?.glued) return i + 3;
  return i + 1;
}

interface Found {
  start: number; // token index
  end: number; // token index, exclusive
}

/**
 * False when no address core can be found: every branch of matchCore needs a number token, a
 * lead word (W_ADDRESS_LEAD: "PSC", "USNS", "corner"…) or, for a street without a number, a strong
 * street suffix (W_STRONG_STREET_SUFFIX). Takes the text's digit count and the OR of its words'
 * W_* bits (text-facts.ts), so that texts without any of them skip the scan over their tokens.
 */
export function mayHoldAddress(digits: number, wordFlags: number): boolean {
  return digits > 0 || (wordFlags & (W_ADDRESS_LEAD | W_STRONG_STREET_SUFFIX)) !== 0;
}

/** The core of an address starting at token i, or null. */
function matchCore(tokens: readonly Token[], i: number, lowerText: boolean): Found | null {
  const t = tokens[i];
  if (!t || t.kind === 'punct' || t.kind === 'nl') return null;
  // Fast rejection (most tokens): a word that no branch below can take. Capitalised or foreign
  // words (and every word of lowercase text) are street words; everyday words are not.
  if (t.kind === 'word' && (t.flags & (W_ADDRESS_LEAD | W_UNIT | W_STREET_PREFIX | W_STREET_SUFFIX)) === 0 && (isCommon(t) || !(t.cap || t.nonAscii || lowerText))) return null;

  // Military: "PSC 6293, Box 8158", "Unit 7349 Box 6067", "CMR 450 Box 12"
  const lead = (t.flags & W_ADDRESS_LEAD) !== 0;
  if (lead && ['usns', 'usnv', 'uss', 'usns', 'uscgc'].includes(t.lower) && isWord(tokens[i + 1]) && tokens[i + 2]?.kind === 'nl' && isWord(tokens[i + 3]) && ['apo', 'fpo', 'dpo'].includes(tokens[i + 3]!.lower)) {
    return { start: i, end: i + 2 };
  }
  if (lead && ['psc', 'unit', 'cmr'].includes(t.lower) && isNum(tokens[i + 1])) {
    let j = i + 2;
    if (isPunct(tokens[j], ',')) j++;
    if (isWord(tokens[j]) && tokens[j]!.lower === 'box' && isNum(tokens[j + 1])) return { start: i, end: j + 2 };
  }
  // "P.O. Box 123", "PO Box 123"
  if (lead && (t.lower === 'po' || t.lower === 'p')) {
    let j = i + 1;
    while (j < i + 4 && tokens[j] && (isPunct(tokens[j], '.') || (isWord(tokens[j]) && tokens[j]!.lower === 'o'))) j++;
    if (isWord(tokens[j]) && tokens[j]!.lower === 'box' && isNum(tokens[j + 1])) return { start: i, end: j + 2 };
  }

  // "the corner of X and Y"
  if (lead && t.lower === 'corner' && isWord(tokens[i + 1]) && tokens[i + 1]!.lower === 'of') {
    let j = i + 2;
    let words = 0;
    while (j < i + 10 && tokens[j] && !(isWord(tokens[j]) && tokens[j]!.lower === 'and')) {
      const x = tokens[j]!;
      if (x.kind === 'nl' || (x.kind === 'punct' && x.text !== '.')) return null;
      if (x.kind === 'word') words++;
      j++;
    }
    if (!words || !isWord(tokens[j]) || tokens[j]!.lower !== 'and') return null;
    j++;
    const after = j;
    while (j < after + 6 && tokens[j]) {
      const x = tokens[j]!;
      if (x.kind === 'num' || streetWord(x, true)) j = skipDot(tokens, j + 1);
      else break;
    }
    if (j === after) return null;
    const prev = tokens[i - 1];
    return { start: isWord(prev) && prev.lower === 'the' ? i - 1 : i, end: j };
  }

  // Unit first: "Apt. 675 62314 Mellemvej 32"
  const unitEnd = matchUnit(tokens, i);
  if (unitEnd > 0 && isWord(t) && t.cap && isNum(tokens[unitEnd])) {
    const rest = matchNumberLed(tokens, unitEnd, lowerText);
    if (rest) return { start: i, end: rest.end };
  }

  if (isNum(t, 1, 6)) return matchNumberLed(tokens, i, lowerText);
  if (streetWord(t, lowerText) && !isCommon(t)) return matchNameLed(tokens, i, lowerText);
  if ((t.flags & (W_STREET_PREFIX | W_STREET_SUFFIX)) !== 0 && t.cap) return matchNameLed(tokens, i, lowerText);
  return null;
}

/** "6750 Koskikatu 25", "1668 Glyn St", "370 3911 Fourth Avenue", "137 Avenue Teboulbi". */
function matchNumberLed(tokens: readonly Token[], i: number, lowerText: boolean): Found | null {
  let j = i + 1;
  if (isNum(tokens[j], 1, 6)) j++; // "370 3911 Fourth Avenue", "1987 74 Diakou Street"
  const wordsStart = j;
  let lastSuffix = -1;
  let firstPrefix = false;
  let morph = false;
  let capOrForeign = false;
  while (j < wordsStart + MAX_STREET_WORDS * 2 && tokens[j]) {
    const x = tokens[j]!;
    if (x.kind === 'word') {
      const particle = x.text.length <= 3 && !x.cap && (x.lower === 'do' || x.lower === 'da' || x.lower === 'de' || x.lower === 'del' || x.lower === 'la' || x.lower === 'des' || x.lower === 'di' || x.lower === 'van');
      if (!streetWord(x, lowerText) && !particle && ((j === wordsStart && !lowerText) || (x.flags & W_STOP) !== 0 || x.text.length === 1)) break;
      if ((x.flags & W_STREET_SUFFIX) !== 0 && j > wordsStart) lastSuffix = j;
      if (j === wordsStart && (x.flags & W_STREET_PREFIX) !== 0) firstPrefix = true;
      if (hasStreetMorphology(x)) morph = true;
      if (x.cap || x.nonAscii || (lowerText && !isCommon(x))) capOrForeign = true;
      j++;
      j = skipDot(tokens, j);
    } else break;
  }
  if (j === wordsStart || (!capOrForeign && !(lowerText && lastSuffix >= 0))) return null;
  if (countWords(tokens, wordsStart, j) > MAX_STREET_WORDS) return null;
  // European house number after the street name: "Koskikatu 25", "Mlýnská 1540", "tér 19."
  if (isNum(tokens[j], 1, 5) && !tokens[j]!.glued) {
    let k = skipDot(tokens, j + 1);
    if (isNum(tokens[k], 1, 4)) k++; // "Strada Provinciale 65 22"
    // "Brucker Bundesstrasse 31 Zezig Streets"
    return { start: i, end: extendStreet(tokens, k, lowerText) };
  }
  if ((lastSuffix >= 0 && (capOrForeign || lowerText)) || firstPrefix || (morph && capOrForeign)) {
    return { start: i, end: extendStreet(tokens, j, lowerText) };
  }
  return null;
}

/** After a street, another "Words Suffix" group may follow: "Cheriton Dr Reuquén Extensions". */
function extendStreet(tokens: readonly Token[], j: number, lowerText: boolean): number {
  let k = j;
  let words = 0;
  while (k < j + 6 && streetWord(tokens[k], lowerText) && !tokens[k]!.upper) {
    words++;
    k++;
    if ((tokens[k - 1]!.flags & W_STREET_SUFFIX) !== 0 && words >= 2) return skipDot(tokens, k);
  }
  return j;
}

/** "Villacher Strasse 89", "Rua do Arenque 1634", "Pivovarská 276" (with a cue), "Baker Street". */
function matchNameLed(tokens: readonly Token[], i: number, lowerText: boolean): Found | null {
  let j = i;
  let morph = false;
  let strongSuffixAt = -1;
  const first = tokens[i]!;
  while (j < i + MAX_STREET_WORDS * 2 && tokens[j]) {
    const x = tokens[j]!;
    if (x.kind !== 'word') break;
    const particle = !x.cap && x.text.length <= 3 && ['do', 'da', 'de', 'del', 'la', 'des', 'di', 'dos', 'das', 'u'].includes(x.lower);
    if (!streetWord(x, lowerText) && !particle) break;
    if (hasStreetMorphology(x)) morph = true;
    if ((x.flags & W_STRONG_STREET_SUFFIX) !== 0 && j > i) strongSuffixAt = j;
    j++;
    j = skipDot(tokens, j);
  }
  const words = countWords(tokens, i, j);
  if (!words || words > MAX_STREET_WORDS) return null;
  const n = tokens[j];
  if (n && isNum(n, 1, 5) && !n.glued) {
    const yearLike = n.text.length === 4 && /^(19|20)\d\d$/.test(n.text);
    let end = skipDot(tokens, j + 1);
    const tailFollows = matchUnit(tokens, end) > 0 || (tokens[end]?.kind === 'nl' && matchUnit(tokens, end + 1) > 0);
    const cue = hasCue(tokens, i);
    if ((morph && !yearLike) || tailFollows || (cue && !yearLike && (first.cap || first.nonAscii || lowerText))) {
      if (isNum(tokens[end], 1, 4)) end++;
      return { start: i, end: extendStreet(tokens, end, lowerText) };
    }
    return null;
  }
  // no number: only a strong suffix right after capitalised words ("Baker Street", "Herceg Gateway St.")
  if (strongSuffixAt > i && strongSuffixAt === lastWordIndex(tokens, i, j) && allWordsCap(tokens, i, j)) {
    const suffix = tokens[strongSuffixAt]!;
    // "St George" is Saint George; "Dr Smith" is a doctor
    const next = tokens[skipDot(tokens, strongSuffixAt + 1)];
    if ((suffix.lower === 'st' || suffix.lower === 'dr') && isWord(next) && next.cap) return null;
    if (words >= 2) return { start: i, end: j };
  }
  return null;
}

function countWords(tokens: readonly Token[], i: number, j: number): number {
  let n = 0;
  for (let k = i; k < j; k++) if (tokens[k]!.kind === 'word') n++;
  return n;
}

function allWordsCap(tokens: readonly Token[], i: number, j: number): boolean {
  for (let k = i; k < j; k++) if (tokens[k]!.kind === 'word' && !tokens[k]!.cap) return false;
  return true;
}

function lastWordIndex(tokens: readonly Token[], i: number, j: number): number {
  for (let k = j - 1; k >= i; k--) if (tokens[k]!.kind === 'word') return k;
  return -1;
}

function hasCue(tokens: readonly Token[], i: number): boolean {
  for (let k = i - 1; k >= 0 && k >= i - 6; k--) {
    const t = tokens[k]!;
    if (t.kind === 'nl' && k < i - 1) return false;
    if ((t.flags & W_ADDRESS_CUE) !== 0) return true;
  }
  return false;
}

/** Grows an address over unit, city, region, postal code and country pieces. */
function matchTail(tokens: readonly Token[], end: number, lowerText: boolean): number {
  let pos = end;
  for (let piece = 0; piece < MAX_TAIL_PIECES; piece++) {
    // separators
    let j = pos;
    let newline = false;
    let comma = false;
    while (j < pos + 8 && tokens[j]) {
      const x = tokens[j]!;
      if (x.kind === 'nl') newline = true;
      else if (isPunct(x, ',')) comma = true;
      else if (!(newline && x.kind === 'punct' && QUOTE_MARKERS.includes(x.text))) break;
      j++;
    }
    if (tokens[j]?.kind === 'nl') break;
    const next = matchPiece(tokens, j, newline || comma, comma, lowerText);
    if (next <= j) break;
    pos = next;
  }
  return pos;
}

function matchPiece(tokens: readonly Token[], j: number, separated: boolean, afterComma: boolean, lowerText: boolean): number {
  const t = tokens[j];
  if (!t) return -1;
  const unit = matchUnit(tokens, j);
  if (unit > 0) return unit;
  const zip = matchZip(tokens, j);
  if (zip > 0) return zip;
  // "APO AE 99081"
  if (isWord(t) && ['apo', 'fpo', 'dpo'].includes(t.lower) && isWord(tokens[j + 1]) && isNum(tokens[j + 2], 5, 5)) return j + 3;
  const place = matchPlace(tokens, j, COUNTRY_OR_STATE);
  if (place && (t.cap || lowerText)) return place.end;
  // region codes: "CO", "QC", ", nan", ", mp"
  if (isWord(t) && t.text.length <= 3 && (t.upper || afterComma || (t.flags & W_STATE_CODE) !== 0)) {
    const after = tokens[j + 1];
    const endish = !after || after.kind === 'nl' || isPunct(after, ',') || isNum(after, 4, 6) || isPunct(after, '.');
    if ((t.upper && t.text.length <= 3 && (separated || endish)) || (afterComma && endish)) return j + 1;
  }
  // a city line: capitalised words ending the line or followed by a region, postal code or country
  if (isWord(t) && (t.cap || t.nonAscii || (lowerText && !isCommon(t))) && !isCommon(t)) {
    let k = j;
    while (k < j + 5 && isWord(tokens[k])) {
      const x = tokens[k]!;
      const particle = !x.cap && x.text.length <= 3 && isWord(tokens[k + 1]) && tokens[k + 1]!.cap;
      if (!particle && !((x.cap || x.nonAscii || lowerText) && !(isCommon(x) && !x.upper))) break;
      k++;
    }
    const after = tokens[k];
    const endish = !after || after.kind === 'nl' || isPunct(after, ',') || isNum(after, 4, 6) || (isWord(after) && (after.upper || matchPlace(tokens, k, COUNTRY_OR_STATE) !== null));
    if (endish && (separated || !after || after.kind === 'nl' || isNum(after, 4, 6) || matchPlace(tokens, k, COUNTRY_OR_STATE) !== null)) return k;
    if (!after && !separated) return k;
    if (isPunct(after, '.') && (separated || !tokens[k + 1])) return k;
  }
  return -1;
}

const COUNTRY_OR_STATE: ReadonlySet<string> = new Set(['country', 'state', 'city']);

export interface AddressMatch {
  start: number;
  end: number;
  /** token range */
  first: number;
  last: number;
}

/** Finds street addresses; returns character spans and the token ranges they cover. */
export function findAddresses(text: string, tokens: readonly Token[], lowerText: boolean): AddressMatch[] {
  const out: AddressMatch[] = [];
  let i = 0;
  while (i < tokens.length) {
    const core = matchCore(tokens, i, lowerText);
    if (!core) {
      i++;
      continue;
    }
    let startTok = core.start;
    // "Katrina and Rúa do Paseo 46", "Đoko and ul. Miła 53": a corner given without "the corner of"
    const and = tokens[startTok - 1];
    const before = tokens[startTok - 2];
    if (isWord(and) && and.lower === 'and' && isWord(before) && (before.cap || before.nonAscii) && !isCommon(before)) {
      const beforeBefore = tokens[startTok - 3];
      if (!beforeBefore || beforeBefore.kind !== 'word' || !beforeBefore.cap) startTok -= 2;
    }
    let endTok = core.end;
    const unit = matchUnit(tokens, endTok);
    if (unit > 0) endTok = unit;
    endTok = matchTail(tokens, endTok, lowerText);
    const s = tokens[startTok]!.start;
    const e = tokens[endTok - 1]!.end;
    out.push({ start: s, end: e, first: startTok, last: endTok - 1 });
    i = endTok;
  }
  return mergeAdjacent(text, out);
}

/** "17151 2450 Crown St" already joins; this joins address pieces split only by spaces/newlines. */
function mergeAdjacent(text: string, found: AddressMatch[]): AddressMatch[] {
  const out: AddressMatch[] = [];
  for (const a of found) {
    const prev = out[out.length - 1];
    if (prev && /^[\s,]*$/.test(text.slice(prev.end, a.start)) && a.start - prev.end <= 8) {
      prev.end = a.end;
      prev.last = a.last;
    } else out.push({ ...a });
  }
  return out;
}

/** ZIP codes given with a label: "zip code is 35350", "ZIP: 3520", "postal code 75008". */
export function findLabeledZips(tokens: readonly Token[]): Span[] {
  const out: Span[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    // one bit test instead of six string comparisons per word (W_ZIP_LABEL is exactly those six words)
    if (t.kind !== 'word' || (t.flags & W_ZIP_LABEL) === 0) continue;
    const l = t.lower;
    let j = -1;
    if (l === 'zip' || l === 'zipcode' || l === 'postcode' || l === 'plz') j = i + 1;
    else if ((l === 'postal' || l === 'post') && isWord(tokens[i + 1]) && tokens[i + 1]!.lower === 'code') j = i + 2;
    if (j < 0) continue;
    if (isWord(tokens[j]) && tokens[j]!.lower === 'code') j++;
    for (let k = j; k < j + 3 && tokens[k]; k++) {
      const x = tokens[k]!;
      if (isNum(x, 3, 6)) {
        const end = matchZip(tokens, k);
        const endTok = tokens[(end > 0 ? end : k + 1) - 1]!;
        out.push({ start: x.start, end: endTok.end, type: 'ZIP', score: 0.85, validator: 'context' });
        break;
      }
      if (!(x.kind === 'punct' || (x.kind === 'word' && (x.lower === 'is' || x.lower === 'was' || x.lower === 'number')))) break;
    }
  }
  return out;
}

export function detectAddresses(text: string, tokens: readonly Token[] = tokenize(text), lowerText = !/\p{Lu}/u.test(text)): Span[] {
  const spans: Span[] = findAddresses(text, tokens, lowerText).map((a) => ({
    start: a.start,
    end: a.end,
    type: 'STREET_ADDRESS' as const,
    score: 0.8,
    validator: 'pattern',
  }));
  for (const z of findLabeledZips(tokens)) if (!spans.some((s) => s.start < z.end && z.start < s.end)) spans.push(z);
  return spans.sort((a, b) => a.start - b.start);
}

export const addressDetector: Detector = {
  name: 'street-address',
  types: ['STREET_ADDRESS', 'ZIP'],
  detect: (text) => detectAddresses(text),
};

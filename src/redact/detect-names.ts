// Free-text identifiers (HIPAA H1 names, H2 geography): PERSON, STREET_ADDRESS, ZIP, LOCATION,
// ORGANIZATION. No model: a tokenizer, dictionaries built for this project (./data/), honorifics
// and context words, capitalisation and name/place word endings.
//
// Order: addresses first (their words are not names: "Cheriton Dr", "Rua do Arenque"), then
// chunks of capitalised words (plus initials and particles: "Faina D. Yefremova", "Donald van der
// Voet") classified as person, place or organisation. Every loop moves forward over the tokens
// and looks ahead or back a bounded number of tokens, so the scan is linear.
import { PARTICLE } from './data/index.js';
import { findAddresses, findLabeledZips, mayHoldAddress } from './detect-address.js';
import { hasOrgCue, isOrgSuffix, partnershipEnd } from './detect-org.js';
import { placeAt } from './detect-location.js';
import { isLowercaseText, isShouting, isShoutingText, tokenize, type Token } from './detect-names-tokens.js';
import type { Detector, EntityType, Span } from './types.js';
import { factsOf, isLowercase } from './text-facts.js';
import {
  W_AMBIGUOUS,
  W_COMMON,
  W_ENGLISH_ENDING,
  W_FIRST,
  W_HONORIFIC,
  W_NAME_SUFFIX,
  W_PLACE_ENDING,
  W_SURNAME,
  W_SURNAME_ENDING,
  LOCATION_CUES,
  PERSON_AFTER,
  PERSON_CUES,
} from './word-classes.js';

const MAX_CHUNK_WORDS = 6;
const NAME_LISTS = W_FIRST | W_SURNAME;

const PERSON_CUE_PAIRS: ReadonlySet<string> = new Set(['name is', "name's", 'name :', 'i am', 'this is', 'it is', "it's", 'under', 'speaker', 'to mr', 'me at']);
/** Two-word location cues (classify). */
const LOCATION_CUE_PAIRS: ReadonlySet<string> = new Set(['moved here', 'originally from', 'lives in', 'live in']);
/**
 * Last words of the two-word cues: classify builds the pair of the two words before a chunk only
 * when the second is one of these, since no other pair can be a cue.
 */
const CUE_PAIR_ENDS: ReadonlySet<string> = new Set(
  [...PERSON_CUE_PAIRS, ...LOCATION_CUE_PAIRS].filter((p) => p.includes(' ')).map((p) => p.slice(p.lastIndexOf(' ') + 1)),
);

const isWord = (t: Token | undefined): t is Token & { kind: 'word' } => t !== undefined && t.kind === 'word';

function isSentenceStart(tokens: readonly Token[], i: number): boolean {
  const p = tokens[i - 1];
  if (!p) return true;
  if (p.kind === 'nl') return true;
  if (p.kind === 'punct') return '.!?:"“”>*-•|()[]'.includes(p.text) || p.text === "'";
  return false;
}

function isInitial(tokens: readonly Token[], i: number): number {
  const t = tokens[i];
  if (!isWord(t) || t.text.length !== 1 || !t.cap) return -1;
  const d = tokens[i + 1];
  return d && d.kind === 'punct' && d.text === '.' && d.glued ? i + 2 : i + 1;
}

interface Chunk {
  start: number; // token index
  end: number; // exclusive
  honorific: boolean;
  initials: number;
  words: Token[];
}

interface Ctx {
  tokens: readonly Token[];
  claimed: Uint8Array;
  lowerText: boolean;
  shouting: boolean;
}

/** Can token i begin or continue a name-like chunk? */
function properWord(ctx: Ctx, i: number, continuing: boolean): boolean {
  const t = ctx.tokens[i];
  if (!isWord(t) || ctx.claimed[i]) return false;
  if (t.text.length === 1) return false;
  const f = t.flags;
  // acronyms ("ASAP", "HXDO") and roman numerals ("VII") are not names unless a list knows them
  if (t.upper && t.text.length <= 4 && (f & NAME_LISTS) === 0) return false;
  if (t.upper && /^[IVXLC]+$/.test(t.text)) return false;
  if (t.cap && !ctx.shouting) {
    if ((f & W_COMMON) === 0) return (f & W_ENGLISH_ENDING) === 0 || (f & NAME_LISTS) !== 0;
    // a capitalised everyday word can still be a name mid-sentence ("Mark White", "Will")
    if ((f & NAME_LISTS) !== 0 && (continuing || !isSentenceStart(ctx.tokens, i))) return (f & W_HONORIFIC) === 0;
    return false;
  }
  if (t.cap && ctx.shouting) return false;
  // lowercase: only a dictionary name that is not an English word, or after a lowercase name
  if ((f & (W_COMMON | W_AMBIGUOUS)) !== 0) return false;
  if ((f & W_FIRST) !== 0) return true;
  if (continuing && (ctx.lowerText || (f & (W_SURNAME | W_SURNAME_ENDING)) !== 0 || t.nonAscii)) return (f & W_ENGLISH_ENDING) === 0;
  if (ctx.lowerText && placeAt(ctx.tokens, i)) return true;
  return false;
}

function readChunk(ctx: Ctx, i: number): Chunk | null {
  const { tokens } = ctx;
  let j = i;
  let honorific = false;
  const t = tokens[i]!;
  // Honorific: "Mr. Fábio Barros", "ms. Marcela", "Dr Kyle Kuefer"
  if ((t.flags & W_HONORIFIC) !== 0 && (t.cap || t.lower.length <= 3)) {
    let k = i + 1;
    if (tokens[k]?.kind === 'punct' && tokens[k]!.text === '.' && tokens[k]!.glued) k++;
    const n = tokens[k];
    if ((isWord(n) && !ctx.claimed[k] && (n.cap || (n.flags & (W_COMMON | W_AMBIGUOUS)) === 0) && (n.flags & W_COMMON) === 0) || (isWord(n) && n.cap && (n.flags & NAME_LISTS) !== 0)) {
      honorific = true;
      j = k;
    }
  }
  if (!honorific && isWord(t) && (t.cap || ctx.lowerText) && !ctx.shouting) {
    const place = placeAt(tokens, i);
    if (place && place.end - i > 1 && !ctx.claimed[place.end - 1]) {
      const words: Token[] = [];
      for (let k = i; k < place.end; k++) if (tokens[k]!.kind === 'word') words.push(tokens[k]!);
      return { start: i, end: place.end, honorific: false, initials: 0, words };
    }
  }
  if (!honorific && !properWord(ctx, i, false)) return null;
  const words: Token[] = [];
  let initials = 0;
  const start = i;
  let first = true;
  while (j < tokens.length && words.length < MAX_CHUNK_WORDS) {
    const x = tokens[j]!;
    if (!first && !x.glued && tokens[j - 1] && tokens[j - 1]!.end + 1 < x.start) break; // more than one space
    if (!first) {
      const ini = isInitial(tokens, j);
      if (ini > 0 && words.length > 0 && properWord(ctx, ini, true)) {
        initials++;
        j = ini;
        continue;
      }
      if (isWord(x) && PARTICLE.has(x.text) && words.length > 0) {
        // "van der Voet": particles only between name words
        let k = j;
        while (k < j + 3 && isWord(tokens[k]) && PARTICLE.has(tokens[k]!.text)) k++;
        if (properWord(ctx, k, true) && tokens[k]!.cap) {
          j = k;
          continue;
        }
        break;
      }
      if ((x.flags & W_NAME_SUFFIX) !== 0 && x.cap && words.length > 0) {
        words.push(x);
        j++;
        if (tokens[j]?.text === '.' && tokens[j]!.glued) j++;
        break;
      }
    }
    if (!properWord(ctx, j, !first || honorific)) break;
    // a lowercase word continues a capitalised chunk only in lowercase text
    if (!first && !x.cap && words[0]?.cap) break;
    words.push(x);
    j++;
    first = false;
  }
  if (!words.length) return null;
  return { start, end: j, honorific, initials, words };
}

function prevWords(tokens: readonly Token[], i: number, n: number): string[] {
  const out: string[] = [];
  for (let k = i - 1; k >= 0 && out.length < n; k--) {
    const t = tokens[k]!;
    if (t.kind === 'nl') break;
    if (t.kind === 'word') out.unshift(t.lower);
    else if (t.text === ':' || t.text === ',') out.unshift(t.text);
    else if (t.text === '.' || t.text === '!' || t.text === '?') break;
  }
  return out;
}

function classify(ctx: Ctx, c: Chunk): { type: EntityType; score: number; validator: string } | null {
  const { tokens } = ctx;
  const ws = c.words;
  let firstHits = 0;
  let surnameHits = 0;
  let morph = 0;
  let placeEnding = false;
  for (const w of ws) {
    const f = w.flags;
    if ((f & W_FIRST) !== 0) firstHits++;
    if ((f & W_SURNAME) !== 0) surnameHits++;
    if ((f & W_SURNAME_ENDING) !== 0) morph++;
    if ((f & W_PLACE_ENDING) !== 0) placeEnding = true;
  }
  const before = prevWords(tokens, c.start, 3);
  const b1 = before[before.length - 1] ?? '';
  // '' stands for a pair that cannot be a cue (its second word ends none): no cue is ''
  const b2 = before.length >= 2 ? (CUE_PAIR_ENDS.has(b1) ? `${before[before.length - 2]!} ${b1}` : '') : b1;
  const after = tokens[c.end];
  const after2 = tokens[c.end + 1];
  const afterWord = isWord(after) ? after.lower : after?.kind === 'punct' && after.text === "'" && isWord(after2) && after2.lower === 's' ? "'s" : '';
  const possessive = afterWord === "'s" || (isWord(after) && after.lower.endsWith("'s"));

  if (c.honorific) return { type: 'PERSON', score: 0.9, validator: 'context' };
  const last = tokens[c.end - 1];
  if (ws.length >= 2 && isOrgSuffix(last)) return { type: 'ORGANIZATION', score: 0.8, validator: 'dictionary' };
  if (ws.length === 1 && isOrgSuffix(tokens[c.end]) ) return null; // handled by the caller extending the chunk

  const place = placeAt(tokens, c.start);
  const wholePlace = place !== null && place.end >= c.end - (tokens[c.end - 1]?.text === '.' ? 1 : 0);
  const locCue = LOCATION_CUES.has(b1) || LOCATION_CUE_PAIRS.has(b2);
  const personCue = PERSON_CUES.has(b1) || PERSON_CUE_PAIRS.has(b2) || (before.length === 0 && after?.text === ':') || (after?.text === ',' && before.length === 0);
  const orgCue = hasOrgCue(tokens, c.start);
  const nameEvidence = firstHits + surnameHits + c.initials;

  if (wholePlace) {
    const isFirstName = ws.length === 1 && (ws[0]!.flags & W_FIRST) !== 0;
    if (locCue || !isFirstName) return { type: 'LOCATION', score: place!.kind === 'country' ? 0.9 : 0.75, validator: 'dictionary' };
    if (personCue) return { type: 'PERSON', score: 0.6, validator: 'context' };
    return { type: 'PERSON', score: 0.5, validator: 'dictionary' };
  }
  if (orgCue && nameEvidence === 0) return { type: 'ORGANIZATION', score: 0.6, validator: 'context' };
  if (c.initials > 0 || (firstHits > 0 && ws.length >= 2)) return { type: 'PERSON', score: 0.85, validator: 'dictionary' };
  if (nameEvidence > 0) {
    if (locCue && firstHits === 0 && !personCue && placeEnding) return { type: 'LOCATION', score: 0.5, validator: 'context' };
    return { type: 'PERSON', score: firstHits ? 0.8 : 0.7, validator: 'dictionary' };
  }
  if (personCue || possessive || PERSON_AFTER.has(afterWord)) return { type: 'PERSON', score: 0.6, validator: 'context' };
  if (locCue) return { type: 'LOCATION', score: 0.55, validator: 'context' };
  if (morph > 0) return { type: 'PERSON', score: 0.55, validator: 'pattern' };
  if (placeEnding) return { type: 'LOCATION', score: 0.45, validator: 'pattern' };
  if (orgCue) return { type: 'ORGANIZATION', score: 0.5, validator: 'context' };
  // CamelCase words (SqliteError, AppError) are code identifiers, not names.
  if (ws.length === 1 && /[a-z][A-Z]/u.test(ws[0]!.text)) return null;
  // an unknown capitalised word: most often a name in the texts this sees
  return { type: 'PERSON', score: 0.4, validator: 'pattern' };
}

/** '@/\\|%=_#'.includes(s) for a punctuation token's text (one code point), without a builtin call per token. */
function isMachinePunct(s: string): boolean {
  if (s.length !== 1) return false;
  const c = s.charCodeAt(0);
  return c === 64 || c === 47 || c === 92 || c === 124 || c === 37 || c === 61 || c === 95 || c === 35;
}

/**
 * Marks the tokens of e-mail addresses, URLs, identifiers and codes ("UtaKortig@jourrapide.com",
 * "GB56HXDO88…", "client_ip") so that their words are not taken as names.
 */
function markMachineText(tokens: readonly Token[], claimed: Uint8Array): void {
  let runStart = 0;
  for (let i = 0; i <= tokens.length; i++) {
    const t = tokens[i];
    if (t && i > runStart && t.glued) continue;
    // tokens[runStart..i) is one whitespace-free run
    let machine = false;
    for (let k = runStart; k < i && !machine; k++) {
      const x = tokens[k]!;
      if (x.kind === 'punct' && isMachinePunct(x.text)) machine = true;
      else if (x.kind === 'punct' && x.text === '.' && k > runStart && k + 1 < i && tokens[k - 1]!.kind === 'word' && tokens[k + 1]!.kind === 'word') machine = true;
      else if (x.kind === 'num' && ((k > runStart && tokens[k - 1]!.kind === 'word') || (k + 1 < i && tokens[k + 1]!.kind === 'word'))) machine = true;
    }
    if (machine) for (let k = runStart; k < i; k++) claimed[k] = 1;
    runStart = i;
  }
}

let claimedScratch = new Uint8Array(256);

/** All free-text spans of `text`, sorted by start; spans never overlap. */
export function detectFreeText(text: string): Span[] {
  const facts = factsOf(text);
  const tokens = facts.tokens ?? tokenize(text);
  const lowerText = facts.tokens ? isLowercase(facts) : isLowercaseText(text);
  // One scratch buffer for every call (detection is synchronous): a fresh typed array per text
  // cost more than the rest of a short text's analysis. Only indices < tokens.length are read.
  if (claimedScratch.length < tokens.length) claimedScratch = new Uint8Array(Math.max(tokens.length, 2 * claimedScratch.length));
  claimedScratch.fill(0, 0, tokens.length);
  const shouting = facts.tokens ? isShouting(facts.words2, facts.upperWords2) : isShoutingText(tokens);
  const ctx: Ctx = { tokens, claimed: claimedScratch, lowerText, shouting };
  const spans: Span[] = [];

  // facts of a text without the token pass have every word bit set (text-facts.ts openFacts)
  for (const a of mayHoldAddress(facts.digits, facts.wordFlags) ? findAddresses(text, tokens, lowerText) : []) {
    spans.push({ start: a.start, end: a.end, type: 'STREET_ADDRESS', score: 0.8, validator: 'pattern' });
    for (let k = a.first; k <= a.last; k++) ctx.claimed[k] = 1;
  }

  markMachineText(tokens, ctx.claimed);

  let i = 0;
  while (i < tokens.length) {
    if (ctx.claimed[i]) {
      i++;
      continue;
    }
    // partnership names: "Hawkins, Richardson and Santana"
    const pEnd = tokens[i + 1]?.text === ',' && tokens[i]!.cap && (hasOrgCue(tokens, i) || isOrgSuffix(tokens[i + 5])) ? partnershipEnd(tokens, i) : -1;
    if (pEnd > 0) {
      spans.push({ start: tokens[i]!.start, end: tokens[pEnd - 1]!.end, type: 'ORGANIZATION', score: 0.6, validator: 'context' });
      i = pEnd;
      continue;
    }
    const c = readChunk(ctx, i);
    if (!c) {
      i++;
      continue;
    }
    let end = c.end;
    // "Smith Ltd.", "Healthpocket Inc": an organisation suffix right after a one-word chunk
    if (isOrgSuffix(tokens[end]) && !ctx.claimed[end]) {
      end++;
      if (tokens[end]?.text === '.' && tokens[end]!.glued) end++;
      spans.push({ start: tokens[c.start]!.start, end: tokens[end - 1]!.end, type: 'ORGANIZATION', score: 0.8, validator: 'dictionary' });
      i = end;
      continue;
    }
    const cls = classify(ctx, c);
    if (cls) {
      spans.push({ start: tokens[c.start]!.start, end: tokens[end - 1]!.end, type: cls.type, score: cls.score, validator: cls.validator });
      // "Bjert 6091", "Aalborg NO 9100": a postal code after a place
      if (cls.type === 'LOCATION') {
        let k = end;
        if (isWord(tokens[k]) && tokens[k]!.upper && tokens[k]!.text.length === 2) k++;
        const z = tokens[k];
        if (z && z.kind === 'num' && z.text.length >= 4 && z.text.length <= 5 && !/^(19|20)\d\d$/.test(z.text)) {
          spans.push({ start: z.start, end: z.end, type: 'ZIP', score: 0.6, validator: 'context' });
          end = k + 1;
        }
      }
    }
    i = end;
  }

  for (const z of findLabeledZips(tokens)) if (!spans.some((s) => s.start < z.end && z.start < s.end)) spans.push(z);
  for (let k = 1; k < spans.length; k++) if (spans[k]!.start < spans[k - 1]!.start) return spans.sort((a, b) => a.start - b.start);
  return spans;
}

// One analysis serves the four detectors below when they run one after another on the same text.
let lastText: string | undefined;
let lastSpans: Span[] = [];
function analysed(text: string): Span[] {
  if (text !== lastText) {
    lastSpans = detectFreeText(text);
    lastText = text;
  }
  return lastSpans;
}
const only = (types: readonly EntityType[]) => (text: string): Span[] => analysed(text).filter((s) => types.includes(s.type));

export const personDetector: Detector = { name: 'person', types: ['PERSON'], detect: only(['PERSON']) };
export const streetAddressDetector: Detector = { name: 'street-address', types: ['STREET_ADDRESS', 'ZIP'], detect: only(['STREET_ADDRESS', 'ZIP']) };
export const locationDetector: Detector = { name: 'location', types: ['LOCATION'], detect: only(['LOCATION']) };
export const organizationDetector: Detector = { name: 'organization', types: ['ORGANIZATION'], detect: only(['ORGANIZATION']) };

export const freeTextDetectors: Detector[] = [personDetector, streetAddressDetector, locationDetector, organizationDetector];

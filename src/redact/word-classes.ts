// Every dictionary and word-ending class a lowercased word belongs to, as one bit mask computed
// once per distinct word. The free-text detectors ask dozens of set and suffix questions about the
// same few tokens; reading bits from the token replaces a hash lookup (or a suffix loop) each time.
import { AMBIGUOUS_NAMES } from './data/words.js';
import {
  COMMON,
  FIRST,
  HONORIFIC,
  NAME_SUFFIX,
  ORG_SUFFIX,
  PLACE_FIRST_WORDS,
  PLACE_PREFIXES,
  STATE_CODE,
  STREET_ENDINGS,
  STREET_PREFIX,
  STREET_SUFFIX,
  STRONG_STREET_SUFFIX,
  SURNAME,
  UNIT,
} from './data/index.js';

export const W_COMMON = 1 << 0;
export const W_FIRST = 1 << 1;
export const W_SURNAME = 1 << 2;
export const W_AMBIGUOUS = 1 << 3;
export const W_HONORIFIC = 1 << 4;
export const W_NAME_SUFFIX = 1 << 5;
export const W_STREET_SUFFIX = 1 << 6;
export const W_STREET_PREFIX = 1 << 7;
export const W_STRONG_STREET_SUFFIX = 1 << 8;
export const W_UNIT = 1 << 9;
export const W_ORG_SUFFIX = 1 << 10;
export const W_STATE_CODE = 1 << 11;
export const W_PLACE_FIRST = 1 << 12;
export const W_STOP = 1 << 13;
export const W_ADDRESS_CUE = 1 << 14;
export const W_ORG_CUE = 1 << 15;
/** Ends like a surname ("-sson", "-ović", "-yama"). */
export const W_SURNAME_ENDING = 1 << 16;
/** Ends like an English word that names rarely are ("-tion", "-ness", "-ing"). */
export const W_ENGLISH_ENDING = 1 << 17;
/** Ends like a town ("-burg", "-ville", "-stadt"). */
export const W_PLACE_ENDING = 1 << 18;
/** A street word or ends like one ("Koskikatu", "Magrethevej"). */
export const W_STREET_MORPH = 1 << 19;
/** Words that can open an address core with no number first: "PSC 6293", "P.O. Box", "corner of", "USNS Ship". */
export const W_ADDRESS_LEAD = 1 << 20;
/** The word's own spelling has an uppercase (\p{Lu}) or a lowercase (\p{Ll}) letter; set by the tokenizer, not by wordFlags. */
export const W_HAS_UPPER = 1 << 21;
export const W_HAS_LOWER = 1 << 22;
/** The lowercased word has one of a, e, i, o, u, y (detect-address.ts skipDot: abbreviations have none). */
export const W_VOWEL = 1 << 23;
/** Can be the second or a later word of a place name (detect-address.ts matchPlace). */
export const W_PLACE_LATER = 1 << 24;
/** "zip", "zipcode", "postcode", "plz", "postal", "post": the words that can open a labeled ZIP (findLabeledZips). */
export const W_ZIP_LABEL = 1 << 25;

/** Last words of the multi-word place prefixes: a word outside this set cannot extend a place name. */
const PLACE_LATER_WORDS: ReadonlySet<string> = new Set([...PLACE_PREFIXES].filter((p) => p.includes(' ')).map((p) => p.slice(p.lastIndexOf(' ') + 1)));
const ZIP_LABELS: ReadonlySet<string> = new Set(['zip', 'zipcode', 'postcode', 'plz', 'postal', 'post']);

const ADDRESS_LEADS: ReadonlySet<string> = new Set(['usns', 'usnv', 'uss', 'uscgc', 'psc', 'unit', 'cmr', 'po', 'p', 'corner']);

/** Given names that are also English words: not taken as names when written in lowercase. */
export const AMBIGUOUS: ReadonlySet<string> = new Set(AMBIGUOUS_NAMES.split(/\s+/).filter(Boolean));

/** Surname endings across European and Asian languages. */
const SURNAME_ENDINGS = [
  'sson', 'ssen', 'sen', 'dóttir', 'dottir', 'ová', 'ova', 'ov', 'ev', 'eva', 'ski', 'ska', 'cki', 'cka', 'dzki', 'wicz', 'icz', 'ić', 'vić',
  'vic', 'ovic', 'escu', 'eanu', 'poulos', 'opoulos', 'akis', 'idis', 'iadis', 'enko', 'chuk', 'yuk', 'yan', 'ian', 'ishvili', 'shvili', 'oglu',
  'oğlu', 'nen', 'inen', 'lainen', 'mann', 'stein', 'berger', 'baum', 'feld', 'thal', 'ovich', 'evich', 'ovna', 'evna', 'ini', 'elli',
  'etti', 'otti', 'ucci', 'ez', 'es', 'ský', 'ská', 'czyk', 'ák', 'ék', 'ics', 'ffy', 'szky', 'moto', 'mura', 'yama', 'kawa', 'shita',
  'uchi', 'hashi', 'saki', 'zaki', 'bayashi', 'naga', 'ström', 'qvist', 'kvist', 'gren', 'lund', 'dahl', 'vold', 'rud', 'heim', 'sma', 'stra',
  'inga', 'ema', 'ens', 'aert', 'ckx', 'eau', 'ault', 'ier', 'iers', 'ois', 'ieri', 'one', 'ano', 'ino', 'ello', 'ado', 'edo', 'ida',
  'ová', 'ná', 'ká', 'lá', 'ý', 'ć', 'ş', 'ö', 'ø', 'ä', 'ü', 'ő', 'ű', 'é',
];

/** English word endings that names rarely have. */
const ENGLISH_ENDINGS = ['tion', 'sion', 'ness', 'ment', 'ing', 'ity', 'ous', 'ive', 'able', 'ible', 'ful', 'less', 'ism', 'ist', 'ize', 'ized', 'ise', 'ised', 'ly', 'ed', 'ance', 'ence', 'ship', 'hood', 'ical', 'ology', 'ture', 'ware', 'ics'];

/** Word endings of town names (-burg, -ville, -stadt …), used only when nothing says person. */
const PLACE_ENDINGS = [
  'burg', 'bourg', 'borough', 'ville', 'stadt', 'stad', 'heim', 'hausen', 'dorf', 'ingen', 'holm', 'pur', 'abad', 'grad', 'polis',
  'chester', 'caster', 'mouth', 'minster', 'by', 'thorpe', 'wick', 'kirchen', 'kirch', 'bury', 'field', 'ford', 'port', 'haven', 'vik', 'fjord', 'øy',
];

/** Words that end a street name's run of words ("12 Main and …"). */
const STOP_WORDS = ['and', 'or', 'the', 'of', 'for', 'to', 'in', 'on', 'at', 'is', 'was', 'are', 'were', 'with', 'from', 'by', 'a', 'an', 'my', 'your', 'his', 'her', 'their', 'our', 'it', 'this', 'that', 'but', 'if', 'i', 'you', 'we', 'they', 'he', 'she', 'be', 'been', 'have', 'has', 'had', 'will', 'would', 'can', 'could', 'street', 'st'];

/** Words that, a few tokens before a candidate, make "Name 12" an address. */
const ADDRESS_CUES = [
  'address', 'addresses', 'live', 'lives', 'lived', 'living', 'located', 'location', 'at', 'on', 'to', 'street', 'meet', 'deliver',
  'delivered', 'ship', 'shipped', 'send', 'sent', 'moved', 'move', 'mail', 'return', 'visit', 'office', 'offices', 'billing', 'shipping',
];

/** Words right before a proper noun that make it a place rather than a person. */
export const LOCATION_CUES: ReadonlySet<string> = new Set([
  'in', 'from', 'to', 'at', 'near', 'visit', 'visiting', 'visited', 'towards', 'toward', 'across', 'around', 'outside', 'inside',
  'via', 'into', 'through', 'throughout', 'of', 'between', 'within', 'travelling', 'traveling',
]);

/** Words before a name: "my name is", "called", "Dear", "said", "by". */
export const PERSON_CUES: ReadonlySet<string> = new Set([
  'named', 'called', 'call', 'dear', 'hi', 'hello', 'hey', 'thanks', 'said', 'says', 'told', 'tell', 'ask', 'asked', 'by', 'with', 'met', 'meet',
  'contact', 'patient', 'signed', 'sincerely', 'regards', 'cheers', 'love', 'mom', 'dad', 'son', 'daughter', 'wife', 'husband', 'brother',
  'sister', 'friend', 'kid', 'child', 'guardian', 'beneficiary', 'starring', 'featuring', 'feat', 'uncle', 'aunt', 'grandma', 'grandpa',
  'cousin', 'nephew', 'niece', 'colleague', 'boss', 'manager', 'is', 'am', "i'm",
]);

/** Words after a name: "X said", "X is a", "X's". */
export const PERSON_AFTER: ReadonlySet<string> = new Set(['said', 'says', 'told', 'asked', 'replied', 'wrote', 'shouted', 'explained', 'lives', 'spent', 'began', 'listed', 'had', 'has', 'is', 'was', 'will', 'and']);

/** One word right before an organisation: "joined X", "the bank X". */
const ORG_CUE_WORDS = ['joined', 'acquired', 'company', 'firm', 'bank', 'employer', 'startup', 'corporation'];

const endsWithAny = (lower: string, endings: readonly string[]): boolean => {
  for (const e of endings) if (lower.length > e.length + 2 && lower.endsWith(e)) return true;
  return false;
};

function computeFlags(lower: string): number {
  let f = 0;
  if (COMMON.has(lower)) f |= W_COMMON;
  if (FIRST.has(lower)) f |= W_FIRST;
  if (SURNAME.has(lower)) f |= W_SURNAME;
  if (AMBIGUOUS.has(lower)) f |= W_AMBIGUOUS;
  if (HONORIFIC.has(lower)) f |= W_HONORIFIC;
  if (NAME_SUFFIX.has(lower)) f |= W_NAME_SUFFIX;
  if (STREET_SUFFIX.has(lower)) f |= W_STREET_SUFFIX;
  if (STREET_PREFIX.has(lower)) f |= W_STREET_PREFIX;
  if (STRONG_STREET_SUFFIX.has(lower)) f |= W_STRONG_STREET_SUFFIX;
  if (UNIT.has(lower)) f |= W_UNIT;
  if (ORG_SUFFIX.has(lower)) f |= W_ORG_SUFFIX;
  if (STATE_CODE.has(lower)) f |= W_STATE_CODE;
  if (PLACE_FIRST_WORDS.has(lower)) f |= W_PLACE_FIRST;
  if (STOP_SET.has(lower)) f |= W_STOP;
  if (ADDRESS_CUE_SET.has(lower)) f |= W_ADDRESS_CUE;
  if (ORG_CUE_SET.has(lower)) f |= W_ORG_CUE;
  if (ADDRESS_LEADS.has(lower)) f |= W_ADDRESS_LEAD;
  if (endsWithAny(lower, SURNAME_ENDINGS)) f |= W_SURNAME_ENDING;
  if (endsWithAny(lower, ENGLISH_ENDINGS)) f |= W_ENGLISH_ENDING;
  if (endsWithAny(lower, PLACE_ENDINGS)) f |= W_PLACE_ENDING;
  if ((f & (W_STREET_PREFIX | W_STREET_SUFFIX)) !== 0 || endsWithAny(lower, STREET_ENDINGS)) f |= W_STREET_MORPH;
  if (/[aeiouy]/.test(lower)) f |= W_VOWEL;
  if (PLACE_LATER_WORDS.has(lower)) f |= W_PLACE_LATER;
  if (ZIP_LABELS.has(lower)) f |= W_ZIP_LABEL;
  return f;
}

const STOP_SET: ReadonlySet<string> = new Set(STOP_WORDS);
const ADDRESS_CUE_SET: ReadonlySet<string> = new Set(ADDRESS_CUES);
const ORG_CUE_SET: ReadonlySet<string> = new Set(ORG_CUE_WORDS);

// Cleared when it grows past MAX_CACHED so memory stays bounded on any input.
const MAX_CACHED = 50_000;
const cache = new Map<string, number>();

/** The W_* bits of a lowercased word. */
export function wordFlags(lower: string): number {
  let f = cache.get(lower);
  if (f === undefined) {
    if (cache.size >= MAX_CACHED) cache.clear();
    f = computeFlags(lower);
    cache.set(lower, f);
  }
  return f;
}

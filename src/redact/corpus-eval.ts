// Scores a detection function on the labeled PII corpus (test/fixtures/pii/, a copy of
// shared/corpus/pii/: Microsoft presidio-research, identities from Fake Name Generator,
// MIT + CC BY-SA 3.0 US; see SOURCES.md there).
//
// Matching rules (shared/reference/pii.md): a predicted span is a true positive when it has the
// same type as a gold span and overlaps it by at least one character; precision is counted over
// predicted spans, recall over gold spans. "Fully masked" means every non-space character of a
// gold span is covered by some prediction of any type: this is the leak metric.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EntityType } from './types.js';

export interface GoldSpan {
  type: string;
  start: number;
  end: number;
  value: string;
}

export interface Sample {
  id: string;
  text: string;
  spans: GoldSpan[];
  template_id?: number;
}

/** Labels that have no EntityType of ours; they still count in "all labeled spans fully masked". */
export type ExtraGoldType = 'TITLE' | 'NRP';
export type GoldType = EntityType | ExtraGoldType;

/** Corpus label → our type. Every label of the corpus is listed (a test checks that). */
export const CORPUS_LABELS: Readonly<Record<string, GoldType>> = {
  PERSON: 'PERSON',
  STREET_ADDRESS: 'STREET_ADDRESS',
  ADDRESS: 'STREET_ADDRESS',
  GPE: 'LOCATION',
  LOCATION: 'LOCATION',
  ORGANIZATION: 'ORGANIZATION',
  CREDIT_CARD: 'CREDIT_CARD',
  DATE_TIME: 'DATE',
  PHONE_NUMBER: 'PHONE',
  TITLE: 'TITLE',
  PREFIX: 'TITLE',
  AGE: 'AGE',
  NRP: 'NRP',
  EMAIL_ADDRESS: 'EMAIL',
  ZIP_CODE: 'ZIP',
  DOMAIN_NAME: 'URL',
  IBAN_CODE: 'IBAN',
  US_SSN: 'US_SSN',
  IP_ADDRESS: 'IP_ADDRESS',
  US_DRIVER_LICENSE: 'US_DRIVER_LICENSE',
};

/** Predicted types scored as another gold type (the corpus has one DATE_TIME label for both). */
const PREDICTED_ALIASES: Readonly<Record<string, string>> = { DATE_OF_BIRTH: 'DATE' };

/** The direct identifiers of pii.md's table (4,852 gold spans on the full corpus). */
export const DIRECT_IDENTIFIER_TYPES: ReadonlySet<string> = new Set<string>([
  'EMAIL',
  'PHONE',
  'CREDIT_CARD',
  'IBAN',
  'US_SSN',
  'IP_ADDRESS',
  'URL',
  'PERSON',
  'STREET_ADDRESS',
  'ZIP',
  'US_DRIVER_LICENSE',
]);

export const FREE_TEXT_TYPES = ['PERSON', 'STREET_ADDRESS', 'ZIP', 'LOCATION', 'ORGANIZATION'] as const;

export const CORPUS_FILES = {
  tuning: 'presidio_research_synth_v2.jsonl',
  heldOut: 'presidio_research_generated_large.jsonl',
} as const;

export const DEFAULT_CORPUS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures', 'pii');

/** Loads one JSONL file of the corpus and maps its labels to our types. */
export function loadCorpusFile(path: string): Sample[] {
  const out: Sample[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as Sample;
    const spans = row.spans.map((s) => {
      const type = CORPUS_LABELS[s.type];
      if (!type) throw new Error(`corpus ${row.id}: unknown label ${s.type}`);
      return { ...s, type };
    });
    out.push({ id: row.id, text: row.text, spans, ...(row.template_id === undefined ? {} : { template_id: row.template_id }) });
  }
  return out;
}

/** `which`: the tuning half (synth_v2), the held-out half (generated_large) or both. */
export function loadCorpus(which: 'tuning' | 'heldOut' | 'all' = 'all', dir = DEFAULT_CORPUS_DIR): Sample[] {
  if (which === 'all') return [...loadCorpusFile(join(dir, CORPUS_FILES.tuning)), ...loadCorpusFile(join(dir, CORPUS_FILES.heldOut))];
  return loadCorpusFile(join(dir, CORPUS_FILES[which]));
}

export interface PredictedSpan {
  start: number;
  end: number;
  type: string;
}

export interface TypeScore {
  gold: number;
  predicted: number;
  /** predicted spans that overlap a gold span of the same type */
  tpPredicted: number;
  /** gold spans overlapped by a prediction of the same type */
  tpGold: number;
  precision: number;
  recall: number;
  f1: number;
  /** gold spans whose every non-space character is covered by a prediction of any type */
  fullyMasked: number;
  fullyMaskedShare: number;
}

export interface Evaluation {
  samples: number;
  bytes: number;
  perType: Record<string, TypeScore>;
  direct: { gold: number; fullyMasked: number; fullyMaskedShare: number; predicted: number; tpPredicted: number; precision: number };
  all: { gold: number; fullyMasked: number; fullyMaskedShare: number };
  /** share of predicted characters that fall inside some gold span (type ignored) */
  untypedCharPrecision: number;
  /** the first few misses and false positives, for tuning */
  misses: { id: string; type: string; value: string }[];
  falsePositives: { id: string; type: string; value: string }[];
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);
const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11 || c === 0xa0;

export interface EvaluateOptions {
  /** keep up to this many misses / false positives per type (default 0) */
  keepExamples?: number;
}

/** Runs `detect` on every sample and scores it with the rules above. */
export function evaluate(detect: (text: string) => readonly PredictedSpan[], samples: readonly Sample[], opts: EvaluateOptions = {}): Evaluation {
  const keep = opts.keepExamples ?? 0;
  const perType: Record<string, TypeScore> = {};
  const score = (t: string): TypeScore =>
    (perType[t] ??= { gold: 0, predicted: 0, tpPredicted: 0, tpGold: 0, precision: 0, recall: 0, f1: 0, fullyMasked: 0, fullyMaskedShare: 0 });
  const misses: Evaluation['misses'] = [];
  const fps: Evaluation['falsePositives'] = [];
  const missCount: Record<string, number> = {};
  const fpCount: Record<string, number> = {};
  let bytes = 0;
  let directPred = 0;
  let directTp = 0;
  let predChars = 0;
  let predCharsInGold = 0;

  for (const sample of samples) {
    const { text } = sample;
    bytes += Buffer.byteLength(text);
    const predicted = detect(text).map((p) => ({ start: p.start, end: p.end, type: PREDICTED_ALIASES[p.type] ?? p.type }));
    const covered = new Uint8Array(text.length);
    for (const p of predicted) for (let i = Math.max(0, p.start); i < Math.min(text.length, p.end); i++) covered[i] = 1;
    const inGold = new Uint8Array(text.length);
    for (const g of sample.spans) for (let i = g.start; i < g.end; i++) inGold[i] = 1;
    for (let i = 0; i < text.length; i++) {
      if (covered[i]) {
        predChars++;
        if (inGold[i]) predCharsInGold++;
      }
    }

    for (const g of sample.spans) {
      const s = score(g.type);
      s.gold++;
      if (predicted.some((p) => p.type === g.type && p.start < g.end && g.start < p.end)) s.tpGold++;
      else if (keep && (missCount[g.type] = (missCount[g.type] ?? 0) + 1) <= keep) misses.push({ id: sample.id, type: g.type, value: g.value });
      let full = true;
      for (let i = g.start; i < g.end; i++) {
        if (!covered[i] && !isSpace(text.charCodeAt(i))) {
          full = false;
          break;
        }
      }
      if (full) s.fullyMasked++;
    }
    for (const p of predicted) {
      const s = score(p.type);
      s.predicted++;
      const hit = sample.spans.some((g) => g.type === p.type && p.start < g.end && g.start < p.end);
      if (hit) s.tpPredicted++;
      else if (keep && (fpCount[p.type] = (fpCount[p.type] ?? 0) + 1) <= keep) fps.push({ id: sample.id, type: p.type, value: text.slice(p.start, p.end) });
      if (DIRECT_IDENTIFIER_TYPES.has(p.type)) {
        directPred++;
        if (hit) directTp++;
      }
    }
  }

  let directGold = 0;
  let directFull = 0;
  let allGold = 0;
  let allFull = 0;
  for (const [type, s] of Object.entries(perType)) {
    s.precision = ratio(s.tpPredicted, s.predicted);
    s.recall = ratio(s.tpGold, s.gold);
    s.f1 = s.precision + s.recall === 0 ? 0 : (2 * s.precision * s.recall) / (s.precision + s.recall);
    s.fullyMaskedShare = ratio(s.fullyMasked, s.gold);
    allGold += s.gold;
    allFull += s.fullyMasked;
    if (DIRECT_IDENTIFIER_TYPES.has(type)) {
      directGold += s.gold;
      directFull += s.fullyMasked;
    }
  }
  return {
    samples: samples.length,
    bytes,
    perType,
    direct: { gold: directGold, fullyMasked: directFull, fullyMaskedShare: ratio(directFull, directGold), predicted: directPred, tpPredicted: directTp, precision: ratio(directTp, directPred) },
    all: { gold: allGold, fullyMasked: allFull, fullyMaskedShare: ratio(allFull, allGold) },
    untypedCharPrecision: ratio(predCharsInGold, predChars),
    misses,
    falsePositives: fps,
  };
}

/** A fixed-width table of an evaluation, one row per type with gold spans or predictions. */
export function formatEvaluation(e: Evaluation, title = ''): string {
  const f = (n: number): string => n.toFixed(2);
  const lines = [title, 'type                 gold  pred     P     R    F1  fully-masked'];
  for (const [type, s] of Object.entries(e.perType).sort((a, b) => b[1].gold - a[1].gold)) {
    lines.push(`${type.padEnd(18)} ${String(s.gold).padStart(6)} ${String(s.predicted).padStart(5)}  ${f(s.precision)}  ${f(s.recall)}  ${f(s.f1)}  ${f(s.fullyMaskedShare)}`);
  }
  lines.push(`direct identifiers fully masked ${f(e.direct.fullyMaskedShare)} (${e.direct.fullyMasked}/${e.direct.gold}), precision ${f(e.direct.precision)} (${e.direct.tpPredicted}/${e.direct.predicted})`);
  lines.push(`all labeled spans fully masked ${f(e.all.fullyMaskedShare)} (${e.all.fullyMasked}/${e.all.gold}); untyped char precision ${f(e.untypedCharPrecision)}`);
  return lines.join('\n');
}

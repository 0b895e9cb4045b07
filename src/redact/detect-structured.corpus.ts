// Scores detectStructured on the labeled presidio-research corpus (shared/corpus/pii; MIT +
// CC BY-SA 3.0 US, see SOURCES.md there) with the rules of shared/reference/pii.md: a prediction
// is a TP when it has the gold type and overlaps by ≥ 1 char; "fully masked" = every non-space
// char of the gold span covered by a prediction of any type. Used by the corpus test and by hand
// (`npx tsx src/redact/detect-structured.corpus.ts`).
import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';
import { detectStructured } from './detect-structured.js';
import type { Span } from './types.js';

// The copy in test/fixtures (SOURCES.md there): the suite runs on a fresh clone without ../shared.
export const CORPUS_DIR = fileURLToPath(new URL('../../test/fixtures/pii/', import.meta.url));
export const CORPUS_FILES = ['presidio_research_synth_v2.jsonl', 'presidio_research_generated_large.jsonl'] as const;

/** Corpus label → our type, for the labels the structured detectors cover. */
export const LABEL_MAP: Readonly<Record<string, string>> = {
  EMAIL_ADDRESS: 'EMAIL',
  PHONE_NUMBER: 'PHONE',
  CREDIT_CARD: 'CREDIT_CARD',
  US_SSN: 'US_SSN',
  IP_ADDRESS: 'IP_ADDRESS',
  IBAN_CODE: 'IBAN',
  DOMAIN_NAME: 'URL',
  DATE_TIME: 'DATE',
  AGE: 'AGE',
  US_DRIVER_LICENSE: 'US_DRIVER_LICENSE',
};
const PRED_ALIAS: Readonly<Record<string, string>> = { DATE_OF_BIRTH: 'DATE' };

export interface Sample {
  id: string;
  text: string;
  spans: { type: string; start: number; end: number; value: string }[];
}

export function loadCorpus(file: string): Sample[] {
  const path = `${CORPUS_DIR}/${file}`;
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Sample);
}

export interface TypeScore {
  gold: number;
  pred: number;
  tpPred: number;
  tpGold: number;
  fullyMasked: number;
  precision: number;
  recall: number;
  fullyMaskedShare: number;
}

export interface Miss {
  id: string;
  type: string;
  value: string;
  kind: 'fn' | 'fp';
  context: string;
}

export function score(samples: readonly Sample[], detect: (t: string) => Span[] = detectStructured): { perType: Record<string, TypeScore>; misses: Miss[] } {
  const acc: Record<string, Omit<TypeScore, 'precision' | 'recall' | 'fullyMaskedShare'>> = {};
  const get = (t: string) => (acc[t] ??= { gold: 0, pred: 0, tpPred: 0, tpGold: 0, fullyMasked: 0 });
  const misses: Miss[] = [];
  const ctx = (s: Sample, a: number, b: number) => s.text.slice(Math.max(0, a - 40), a) + '[' + s.text.slice(a, b) + ']' + s.text.slice(b, b + 20);
  for (const s of samples) {
    const preds = detect(s.text);
    const gold = s.spans.map((g) => ({ ...g, type: LABEL_MAP[g.type] ?? g.type }));
    const covered = new Uint8Array(s.text.length);
    for (const p of preds) covered.fill(1, p.start, p.end);
    for (const g of gold) {
      if (!Object.values(LABEL_MAP).includes(g.type)) continue;
      const t = get(g.type);
      t.gold++;
      const hit = preds.some((p) => (PRED_ALIAS[p.type] ?? p.type) === g.type && p.start < g.end && g.start < p.end);
      if (hit) t.tpGold++;
      let full = true;
      for (let i = g.start; i < g.end; i++) if (!covered[i] && !/\s/.test(s.text[i]!)) full = false;
      if (full) t.fullyMasked++;
      if (!hit || !full) misses.push({ id: s.id, type: g.type, value: g.value, kind: 'fn', context: ctx(s, g.start, g.end) });
    }
    for (const p of preds) {
      const pt = PRED_ALIAS[p.type] ?? p.type;
      if (!Object.values(LABEL_MAP).includes(pt)) continue;
      const t = get(pt);
      t.pred++;
      if (gold.some((g) => g.type === pt && p.start < g.end && g.start < p.end)) t.tpPred++;
      else misses.push({ id: s.id, type: pt, value: s.text.slice(p.start, p.end), kind: 'fp', context: ctx(s, p.start, p.end) });
    }
  }
  const perType: Record<string, TypeScore> = {};
  for (const [k, v] of Object.entries(acc)) {
    perType[k] = { ...v, precision: v.pred ? v.tpPred / v.pred : 1, recall: v.gold ? v.tpGold / v.gold : 1, fullyMaskedShare: v.gold ? v.fullyMasked / v.gold : 1 };
  }
  return { perType, misses };
}

/** MB of text per CPU-second over the whole corpus, concatenated into one string, best of `runs`. */
export function throughput(samples: readonly Sample[], runs = 5): { bytes: number; mbPerCpuSecond: number; spans: number } {
  const text = samples.map((s) => s.text).join('\n');
  const bytes = Buffer.byteLength(text);
  let best = Infinity;
  let spans = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = process.cpuUsage();
    spans = detectStructured(text).length;
    const d = process.cpuUsage(t0);
    best = Math.min(best, (d.user + d.system) / 1e6);
  }
  return { bytes, mbPerCpuSecond: bytes / 1e6 / best, spans };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const show = process.argv[2];
  for (const f of CORPUS_FILES) {
    const { perType, misses } = score(loadCorpus(f));
    console.log(`\n${f}`);
    for (const [t, v] of Object.entries(perType).sort()) {
      console.log(`${t.padEnd(18)} gold ${String(v.gold).padStart(4)} pred ${String(v.pred).padStart(4)}  P ${v.precision.toFixed(3)}  R ${v.recall.toFixed(3)}  full ${v.fullyMaskedShare.toFixed(3)}`);
    }
    if (show) for (const m of misses.filter((x) => x.type === show || show === 'all')) console.log(m.kind, m.type, JSON.stringify(m.context));
  }
  const all = CORPUS_FILES.flatMap((f) => loadCorpus(f));
  console.log('\nthroughput', throughput(all));
}

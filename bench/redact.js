// @ts-check
// Redaction accuracy and throughput on the labeled PII corpus (test/fixtures/pii/: Microsoft
// presidio-research, identities from Fake Name Generator; MIT + CC BY-SA 3.0 US), our engine beside
// the two npm peers in the same run: redact-pii's SyncRedactor and @redactpii/node's Redactor.
// Neither peer returns spans, so their spans are recovered by aligning the redacted string with the
// input (shared/reference/pii.md). Scoring: a hit is the same type and at least one character of
// overlap; "fully masked" is every non-space character of a gold span covered by any prediction.
// Throughput is corpus bytes per process CPU-second (process.cpuUsage), median of 5 passes right after
// the scoring pass (so it includes the JIT's warm-up); the median of 5 further passes is printed beside
// it as the steady state of a long-running process.
import { detect } from '../dist/redact/detect.js';
import { evaluate, loadCorpus, formatEvaluation } from '../dist/redact/corpus-eval.js';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Placeholder → our type; null = masked but untyped (counts for masking, not for a type). */
const PEER_TYPES = {
  PERSON_NAME: 'PERSON',
  STREET_ADDRESS: 'STREET_ADDRESS',
  ZIPCODE: 'ZIP',
  PHONE_NUMBER: 'PHONE',
  CREDIT_CARD_NUMBER: 'CREDIT_CARD',
  EMAIL_ADDRESS: 'EMAIL',
  US_SOCIAL_SECURITY_NUMBER: 'US_SSN',
  IP_ADDRESS: 'IP_ADDRESS',
  URL: 'URL',
  USERNAME: 'USERNAME',
  PASSWORD: 'PASSWORD',
  CREDENTIALS: 'CREDENTIALS',
  DIGITS: 'DIGITS',
};
// no word boundaries: a placeholder can be glued to kept text ("GB56HXDOCREDIT_CARD_NUMBER")
const PLACEHOLDER = new RegExp(`(${Object.keys(PEER_TYPES).sort((a, b) => b.length - a.length).join('|')})`, 'g');
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Spans of `input` replaced by placeholders in `output`: the output's literal pieces must appear in
 * the input in order; what lies between them was replaced. Returns null when they do not align.
 * @param {string} input @param {string} output
 */
export function alignRedaction(input, output) {
  if (input === output) return [];
  const parts = [];
  const types = [];
  let last = 0;
  for (const m of output.matchAll(PLACEHOLDER)) {
    parts.push(output.slice(last, m.index));
    types.push(PEER_TYPES[/** @type {keyof typeof PEER_TYPES} */ (m[1])]);
    last = m.index + m[0].length;
  }
  parts.push(output.slice(last));
  if (!types.length) return null;
  const re = new RegExp(`^${parts.map(escape).join('([\\s\\S]+?)')}$`);
  const m = re.exec(input);
  if (!m) return null;
  const spans = [];
  let pos = parts[0].length;
  for (let k = 0; k < types.length; k++) {
    const value = m[k + 1] ?? '';
    spans.push({ start: pos, end: pos + value.length, type: types[k] });
    pos += value.length + parts[k + 1].length;
  }
  return spans;
}

function peerDetector(redact) {
  let unaligned = 0;
  const fn = (text) => {
    const spans = alignRedaction(text, redact(text));
    if (spans === null) {
      unaligned++;
      return [];
    }
    return spans;
  };
  return { fn, unaligned: () => unaligned };
}

/** Median MB per CPU-second of the first `passes` passes and of the `passes` after them. */
function cpuThroughput(fn, samples, bytes, passes = 5) {
  const rates = [];
  for (let p = 0; p < 2 * passes; p++) {
    const t0 = process.cpuUsage();
    for (const s of samples) fn(s.text);
    const u = process.cpuUsage(t0);
    rates.push(bytes / 1e6 / ((u.user + u.system) / 1e6));
  }
  const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  return { first: median(rates.slice(0, passes)), steady: median(rates.slice(passes)) };
}

const FREE_TEXT = ['PERSON', 'STREET_ADDRESS', 'LOCATION', 'ORGANIZATION', 'ZIP'];

export async function benchRedact(results) {
  const samples = loadCorpus('all');
  const { SyncRedactor } = require('redact-pii');
  const { Redactor } = await import('@redactpii/node');
  const rp = new SyncRedactor();
  const rpn = new Redactor();
  const peers = {
    'redact-pii': peerDetector((t) => rp.redact(t)),
    '@redactpii/node': peerDetector((t) => rpn.redact(t)),
  };
  const runs = {
    evident: { fn: (t) => detect(t), unaligned: () => 0 },
    ...peers,
  };
  const evals = {};
  const mbps = {};
  const steady = {};
  for (const [name, r] of Object.entries(runs)) {
    const e = evaluate(r.fn, samples);
    evals[name] = e;
    const t = cpuThroughput(r.fn, samples, e.bytes);
    mbps[name] = t.first;
    steady[name] = t.steady;
    console.log(formatEvaluation(e, `\n${name} on ${e.samples} samples (${(e.bytes / 1e3).toFixed(0)} kB)${r.unaligned() ? `, ${r.unaligned()} outputs not aligned` : ''}; ${mbps[name].toFixed(2)} MB per CPU-second (steady state ${steady[name].toFixed(2)})`));
  }
  // held-out vs tuned half, our engine only (the free-text detectors were tuned on synth_v2)
  for (const half of /** @type {const} */ (['tuning', 'heldOut'])) {
    const e = evaluate(detect, loadCorpus(half));
    const ft = FREE_TEXT.map((t) => `${t} R ${(e.perType[t]?.recall ?? 0).toFixed(2)} P ${(e.perType[t]?.precision ?? 0).toFixed(2)}`).join(', ');
    console.log(`evident on ${half === 'tuning' ? 'synth_v2 (tuned on)' : 'generated_large (held out)'}: direct fully masked ${e.direct.fullyMaskedShare.toFixed(3)}, all ${e.all.fullyMaskedShare.toFixed(3)}, direct precision ${e.direct.precision.toFixed(3)}; ${ft}`);
  }

  const ours = evals.evident;
  const rpE = evals['redact-pii'];
  const rpnE = evals['@redactpii/node'];
  const ratio = (a, b) => (b > 0 ? a / b : 0);
  const typeLine = (e) => ['PERSON', 'STREET_ADDRESS', 'LOCATION', 'ORGANIZATION', 'ZIP', 'PHONE', 'CREDIT_CARD', 'IBAN']
    .map((t) => `${t} ${(e.perType[t]?.fullyMaskedShare ?? 0).toFixed(2)}`).join(' ');

  results.push({
    name: 'redaction: direct identifiers fully masked (corpus, 4,852 spans)',
    value: ours.direct.fullyMaskedShare,
    unit: 'share',
    baseline: rpE.direct.fullyMaskedShare,
    baselineName: 'redact-pii',
    ratio: ratio(ours.direct.fullyMaskedShare, rpE.direct.fullyMaskedShare),
    target: '>= 0.99',
    pass: ours.direct.fullyMaskedShare >= 0.99,
    detail: `@redactpii/node ${rpnE.direct.fullyMaskedShare.toFixed(3)}; ours by type: ${typeLine(ours)}`,
  });
  results.push({
    name: 'redaction: all labeled spans fully masked (corpus, incl. dates, places, orgs, titles)',
    value: ours.all.fullyMaskedShare,
    unit: 'share',
    baseline: rpE.all.fullyMaskedShare,
    baselineName: 'redact-pii',
    ratio: ratio(ours.all.fullyMaskedShare, rpE.all.fullyMaskedShare),
    target: '>= 0.85',
    pass: ours.all.fullyMaskedShare >= 0.85,
    detail: `@redactpii/node ${rpnE.all.fullyMaskedShare.toFixed(3)}`,
  });
  results.push({
    name: 'redaction: precision of direct-identifier spans (same type, >= 1 char overlap)',
    value: ours.direct.precision,
    unit: 'share',
    baseline: rpE.direct.precision,
    baselineName: 'redact-pii',
    ratio: ratio(ours.direct.precision, rpE.direct.precision),
    target: '>= 0.95',
    pass: ours.direct.precision >= 0.95,
    detail: `${ours.direct.tpPredicted}/${ours.direct.predicted} predicted spans; @redactpii/node ${rpnE.direct.precision.toFixed(3)}; untyped char precision ours ${ours.untypedCharPrecision.toFixed(3)}, redact-pii ${rpE.untypedCharPrecision.toFixed(3)}`,
  });
  results.push({
    name: 'redaction: throughput on the corpus (short samples)',
    value: mbps.evident,
    unit: 'MB/CPU-s',
    baseline: mbps['@redactpii/node'],
    baselineName: '@redactpii/node',
    ratio: ratio(mbps.evident, mbps['@redactpii/node']),
    target: '>= 20',
    pass: mbps.evident >= 20,
    detail: `redact-pii ${mbps['redact-pii'].toFixed(2)} MB/CPU-s; median of 5 passes over ${(ours.bytes / 1e3).toFixed(0)} kB; steady state (5 passes later) ours ${steady.evident.toFixed(2)}, @redactpii/node ${steady['@redactpii/node'].toFixed(2)}, redact-pii ${steady['redact-pii'].toFixed(2)}`,
  });
}

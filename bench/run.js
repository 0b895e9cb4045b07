// @ts-check
// `npm run bench`: every benchmark prints its figure beside a baseline measured in the same run,
// with the ratio and the target. Exit code 0 always: targets are reported, not asserted.
import { benchAppends, benchVerify } from './ledger.js';
import { benchDecision, benchWebhook } from './policy.js';
import { benchRegistry } from './registry.js';
import { benchScan } from './scan.js';
import { benchRedact } from './redact.js';

const results = [];
const only = process.argv[2];
const suites = { appends: benchAppends, verify: benchVerify, decision: benchDecision, webhook: benchWebhook, scan: benchScan, redact: benchRedact, registry: benchRegistry };
for (const [name, fn] of Object.entries(suites)) {
  if (only && only !== name) continue;
  await fn(results);
}

const fmt = (n) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));
for (const r of results) {
  console.log(`${r.pass ? 'PASS' : 'MISS'}  ${r.name}`);
  console.log(`      ${fmt(r.value)} ${r.unit}  vs  ${fmt(r.baseline)} (${r.baselineName})  ratio ${r.ratio.toFixed(2)}${r.lowerIsBetter ? ' (lower is better)' : ''}  target ${r.target}`);
  if (r.detail) console.log(`      ${r.detail}`);
}
if (process.env.BENCH_JSON) console.log(JSON.stringify(results, null, 2));

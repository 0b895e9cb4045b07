// @ts-check
// Ledger benchmarks, each printed beside a baseline measured in the same run:
//  - durable appends/s (group commit on SQLite; PostgreSQL when BENCH_DATABASE_URL is set) vs a raw
//    file append of the same bytes with one fsync per batch of the same size;
//  - verification leaves/s vs the raw SHA-256 rate of the same leaves.
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hash, randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { loadConfig } from '../dist/config.js';
import { initialize, openRuntime } from '../dist/main.js';
import { canonicalBytes } from '../dist/util/canonical-json.js';
import { LedgerVerifier } from '../dist/ledger/verify.js';
import { BUNDLE_FORMAT, checkpointLine, headerLine, leafLine, verifyBundleFile } from '../dist/ledger/bundle.js';
import { verifyLeavesParallel, workerCount } from '../dist/ledger/parallel/verifier.js';
import { MerkleFrontier, leafHash } from '../dist/ledger/merkle.js';
import { signCheckpoint } from '../dist/ledger/checkpoint.js';
import { signerFromSeed } from '../dist/ledger/note.js';

const silent = pino({ level: 'silent' });
const N_APPEND = Number(process.env.BENCH_APPENDS ?? 40_000);
const N_VERIFY = Number(process.env.BENCH_LEAVES ?? 500_000);

const event = (i) => ({ action: 'ledger.annotated', outcome: 'allowed', actor: { type: 'system', via: 'bench' }, body: { note: `benchmark event ${i} ${'x'.repeat(60)}` } });

/** One unit of work per event, `concurrency` in flight, each resolving only once durable. */
async function appendRun(rt, n, concurrency) {
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    while (next < n) {
      const i = next++;
      await rt.database.transact((tx) => rt.ledger.append(tx, event(i)));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function rawAppend(dir, records, batch) {
  const file = join(dir, 'raw.log');
  const fd = openSync(file, 'a', 0o600);
  const started = process.hrtime.bigint();
  for (let i = 0; i < records.length; i++) {
    writeSync(fd, records[i]);
    if ((i + 1) % batch === 0 || i === records.length - 1) fsyncSync(fd);
  }
  const s = Number(process.hrtime.bigint() - started) / 1e9;
  closeSync(fd);
  return s;
}

export async function benchAppends(results) {
  const dir = mkdtempSync(join(tmpdir(), 'evident-bench-'));
  try {
    const url = process.env.BENCH_DATABASE_URL;
    const config = loadConfig({ env: {}, overrides: { dataDir: join(dir, 'data'), ...(url ? { database: { url } } : {}) } });
    await initialize(config, { logger: silent });
    const rt = await openRuntime(config, { logger: silent, sequencer: true });
    const levels = (process.env.BENCH_CONCURRENCY ?? '8,32,128,512').split(',').map(Number);
    try {
      await appendRun(rt, 2000, 64); // warm up
      for (const concurrency of levels) {
        const before = rt.database.stats();
        const seconds = await appendRun(rt, N_APPEND, concurrency);
        const after = rt.database.stats();
        const units = after.units - before.units;
        const syncs = Math.max(1, after.syncs - before.syncs);
        const batch = rt.database.dialect === 'sqlite' ? Math.max(1, Math.round(units / syncs)) : 1;
        const leaf = canonicalBytes({ v: 1, id: '01a20b34-cb43-7874-8e3a-ee3855ce9f10', time: new Date().toISOString(), ...event(0) });
        const rawSeconds = rawAppend(dir, Array.from({ length: N_APPEND }, () => leaf), batch);
        const ours = N_APPEND / seconds;
        const raw = N_APPEND / rawSeconds;
        results.push({
          name: `ledger durable appends (${rt.database.dialect}, ${concurrency} in flight, sequencer running)`,
          value: ours,
          unit: 'appends/s',
          baseline: raw,
          baselineName: `raw append of ${leaf.length} B records, fsync per ${batch}`,
          ratio: ours / raw,
          target: '>= 0.5 of baseline',
          pass: ours / raw >= 0.5,
          detail: `group commit: ${batch} events per fsync on average`,
        });
      }
      await rt.ledger.integrate();
      // The database check compares every stored leaf hash and subtree hash too (serial).
      const t = process.hrtime.bigint();
      const report = await rt.ledger.verifyStored();
      const rate = report.entries / (Number(process.hrtime.bigint() - t) / 1e9);
      results.push({
        name: `ledger verify of the stored ledger (${rt.database.dialect}, ${report.entries} entries, stored hashes compared)`,
        value: rate,
        unit: 'leaves/s',
        baseline: rate,
        baselineName: 'itself (informational)',
        ratio: 1,
        target: 'informational',
        pass: report.ok,
      });
    } finally {
      await rt.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchVerify(results) {
  const origin = 'evident.bench/verify';
  const signer = signerFromSeed(origin, randomBytes(32));
  const leaves = Array.from({ length: N_VERIFY }, (_, i) => canonicalBytes({ v: 1, id: `01a20b34-cb43-7874-8e3a-${String(i).padStart(12, '0')}`, time: '2026-11-24T00:00:00.000Z', ...event(i) }));
  // A checkpoint about every 1000 leaves, as a busy server signs them.
  const checkpoints = [];
  const f = new MerkleFrontier();
  leaves.forEach((l, i) => {
    f.append(leafHash(l));
    if ((i + 1) % 1000 === 0 || i === leaves.length - 1) checkpoints.push(signCheckpoint({ origin, size: f.size, root: f.root(), extensions: [] }, signer));
  });
  const base = { origin, verifiers: [signer.verifier], checkpoints };

  // Baseline: one SHA-256 per leaf, nothing else, one thread.
  let t = process.hrtime.bigint();
  for (const l of leaves) hash('sha256', l, 'buffer');
  const rawRate = N_VERIFY / (Number(process.hrtime.bigint() - t) / 1e9);
  const push = (name, rate, target, pass, detail) =>
    results.push({ name, value: rate, unit: 'leaves/s', baseline: rawRate, baselineName: 'raw SHA-256 of the same leaves, one thread', ratio: rate / rawRate, target, pass, detail });

  t = process.hrtime.bigint();
  const v = new LedgerVerifier(base);
  for (let i = 0; i < leaves.length; i++) v.add(i, leaves[i]);
  const serial = v.finish();
  push('ledger verification, one thread (in memory)', N_VERIFY / (Number(process.hrtime.bigint() - t) / 1e9), 'informational', serial.ok, `${checkpoints.length} checkpoints`);

  t = process.hrtime.bigint();
  const par = await verifyLeavesParallel(leaves, base);
  const parRate = N_VERIFY / (Number(process.hrtime.bigint() - t) / 1e9);
  push(`ledger verification, ${workerCount()} workers (in memory)`, parRate, '>= 500k leaves/s', par.intact && par.rootHash === serial.rootHash && parRate >= 500_000);

  const dir = mkdtempSync(join(tmpdir(), 'evident-bench-'));
  try {
    const file = join(dir, 'bundle.jsonl');
    const header = headerLine({ format: BUNDLE_FORMAT, origin, verifierKeys: [signer.verifier.encoded], treeSize: N_VERIFY, checkpoints: checkpoints.length, exportedAt: new Date().toISOString() });
    writeFileSync(file, header + checkpoints.map(checkpointLine).join('') + leaves.map((l, i) => leafLine(i, l)).join(''));
    // First run cold (worker start-up, JIT, page cache), then the steady state: the target is a
    // throughput, the start-up a fixed cost of about a tenth of a second.
    for (const label of ['cold', 'warm']) {
      t = process.hrtime.bigint();
      const r = await verifyBundleFile(file, { trustedKeys: [signer.verifier] });
      const bundleRate = N_VERIFY / (Number(process.hrtime.bigint() - t) / 1e9);
      push(
        `ledger verification of an offline bundle file, end to end (read, parse, hash, signatures), ${label}`,
        bundleRate,
        label === 'warm' ? '>= 500k leaves/s' : 'informational',
        r.ok && (label === 'cold' || bundleRate >= 500_000),
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Kill -9 the server in the middle of a burst of acknowledged appends, restart, and check that
// every acknowledged event is there and the ledger verifies.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { openRuntime } from '../../src/main.js';
import type { Dialect } from '../../src/db/tables.js';
import { createTestStorage } from './db.js';

const BIN = join(import.meta.dirname, '../../bin/evident.js');

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
}

export async function spawnServe(env: NodeJS.ProcessEnv, args: string[] = []): Promise<ServeProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${out}`)), 30_000);
    const check = () => {
      const m = /listening on (http:\/\/[^\s]+)/u.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${out}`));
    });
  });
  child.removeAllListeners('exit');
  return { child, url, output: () => out };
}

export interface CrashResult {
  acknowledged: number;
  missing: string[];
  verified: boolean;
  entries: number;
}

export async function crashRound(opts: { dialect: Dialect; killAfterAcks: number; concurrency: number; rounds?: number }): Promise<CrashResult[]> {
  const storage = await createTestStorage(opts.dialect);
  const env = { EVIDENT_DATA_DIR: storage.dataDir, EVIDENT_LOG_LEVEL: 'warn', ...(storage.url ? { EVIDENT_DATABASE_URL: storage.url } : {}) };
  const results: CrashResult[] = [];
  const acked = new Set<string>();
  try {
    for (let round = 0; round < (opts.rounds ?? 1); round++) {
      const serve = await spawnServe(env);
      const token = readFileSync(join(storage.dataDir, 'bootstrap-admin-token'), 'utf8').trim();
      let stop = false;
      let killed = false;
      const worker = async (w: number) => {
        for (let i = 0; !stop; i++) {
          try {
            const res = await fetch(`${serve.url}/api/v1/ledger/annotations`, {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body: JSON.stringify({ note: `round ${round} worker ${w} n ${i}` }),
            });
            if (res.status === 201) {
              acked.add(((await res.json()) as { eventId: string }).eventId);
              if (!killed && acked.size >= opts.killAfterAcks * (round + 1)) {
                killed = true;
                serve.child.kill('SIGKILL');
              }
            } else {
              await res.text();
            }
          } catch {
            stop = true; // the server is gone
          }
        }
      };
      await Promise.all(Array.from({ length: opts.concurrency }, (_, w) => worker(w)));
      await new Promise((r) => (serve.child.exitCode !== null || serve.child.signalCode !== null ? r(null) : serve.child.once('exit', r)));

      // Restart on the same data: recover, integrate what was pending, verify.
      const config = loadConfig({ env: {}, overrides: { dataDir: storage.dataDir, ...(storage.url ? { database: { url: storage.url } } : {}) } });
      const rt = await openRuntime(config, { logger: pino({ level: 'silent' }) });
      try {
        await rt.ledger.integrate();
        const ids = [...acked];
        const present = new Set<string>();
        for (let i = 0; i < ids.length; i += 500) {
          const rows = await rt.database.db.selectFrom('ledger_entries').select(['event_id', 'seq']).where('event_id', 'in', ids.slice(i, i + 500)).execute();
          for (const r of rows) if (r.seq !== null) present.add(r.event_id);
        }
        const report = await rt.ledger.verifyStored();
        results.push({ acknowledged: acked.size, missing: ids.filter((id) => !present.has(id)), verified: report.ok, entries: report.entries });
      } finally {
        await rt.close();
      }
    }
  } finally {
    await storage.cleanup();
  }
  return results;
}

// A CLI process writing the SQLite file while the server writes it too: the writers take turns
// (BEGIN IMMEDIATE + busy timeout) and the ledger stays one consistent tree.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { spawnServe } from './helpers/crash.js';
import { createTestStorage } from './helpers/db.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../bin/evident.js');

describe('server and CLI writing one SQLite data dir', () => {
  it('serialize their writes and keep the ledger consistent', async () => {
    const storage = await createTestStorage('sqlite');
    const env = { PATH: process.env.PATH, EVIDENT_DATA_DIR: storage.dataDir, EVIDENT_LOG_LEVEL: 'warn' };
    const serve = await spawnServe(env);
    try {
      const token = readFileSync(join(storage.dataDir, 'bootstrap-admin-token'), 'utf8').trim();
      let stop = false;
      let served = 0;
      const load = (async () => {
        while (!stop) {
          const r = await fetch(`${serve.url}/api/v1/ledger/annotations`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ note: 'concurrent with the CLI' }),
          });
          expect(r.status).toBe(201);
          served += 1;
        }
      })();
      const issued = [];
      for (let i = 0; i < 3; i++) {
        const { stdout } = await run(process.execPath, [BIN, 'token', 'issue', '--principal', 'admin', '--json'], { env });
        issued.push(JSON.parse(stdout).token as string);
      }
      stop = true;
      await load;
      expect(served).toBeGreaterThan(0);
      for (const t of issued) {
        const r = await fetch(`${serve.url}/api/v1/whoami`, { headers: { authorization: `Bearer ${t}` } });
        expect(r.status).toBe(200);
      }
      serve.child.kill('SIGTERM');
      await new Promise((r) => serve.child.once('exit', r));
      const { stdout } = await run(process.execPath, [BIN, 'ledger', 'verify', '--json'], { env });
      expect(JSON.parse(stdout)).toMatchObject({ ok: true, uncovered: 0 });
    } finally {
      if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
      await storage.cleanup();
    }
  });
});

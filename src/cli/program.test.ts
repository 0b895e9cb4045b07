import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import BetterSqlite3 from 'better-sqlite3';
import { cli } from '../../test/helpers/cli.js';
import { rewriteHistory } from '../../test/helpers/insider.js';
import { tempDir } from '../../test/helpers/db.js';
import { parseVerifierKey } from '../ledger/note.js';
import { loadConfig } from '../config.js';
import { openRuntime } from '../main.js';
import { pino } from 'pino';

const dirs: string[] = [];
const fresh = () => {
  const d = join(tempDir(), 'data');
  dirs.push(d);
  return d;
};

describe('evident CLI', () => {
  afterEach(() => void dirs.splice(0));

  it('prints help and its version', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    for (const c of ['init', 'serve', 'ledger', 'token']) expect(help.out).toContain(c);
    expect((await cli(['ledger', '--help'])).out).toMatch(/verify[\s\S]*export[\s\S]*checkpoint/u);
    expect((await cli(['--version'])).out.trim()).toMatch(/^\d+\.\d+\.\d+$/u);
    expect((await cli(['frobnicate'])).code).toBe(1);
  });

  it('init --json prints the token once, the key in verifier-key form and the data dir; twice is a conflict', async () => {
    const dir = fresh();
    const r = await cli(['init', '--data-dir', dir, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(Object.keys(out).sort()).toEqual(['adminToken', 'dataDir', 'ledgerPublicKey']);
    expect(out.adminToken).toMatch(/^evd_[A-Za-z0-9_-]{43}$/u);
    expect(parseVerifierKey(out.ledgerPublicKey).name).toMatch(/^evident\//u);
    expect(out.dataDir).toBe(dir);
    const again = await cli(['init', '--data-dir', dir]);
    expect(again.code).toBe(6);
    expect(again.err).toContain('already initialized');
    const jsonErr = await cli(['init', '--data-dir', dir, '--json']);
    expect(JSON.parse(jsonErr.err).error.code).toBe('CONFLICT');
  });

  it('honours EVIDENT_DATA_DIR and refuses unknown EVIDENT_ variables', async () => {
    const dir = fresh();
    expect((await cli(['init', '--json'], { EVIDENT_DATA_DIR: dir })).code).toBe(0);
    const bad = await cli(['ledger', 'verify'], { EVIDENT_DATA_DIR: dir, EVIDENT_PROT: '1' });
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('EVIDENT_PROT');
  });

  it('reports config file mistakes with file:line:column', async () => {
    const dir = fresh();
    const file = join(tempDir(), 'evident.yaml');
    writeFileSync(file, 'server:\n  port: 99999\n  hots: 0.0.0.0\nledger:\n  checkpointIntervalMs: 5000\n');
    const r = await cli(['init', '--data-dir', dir, '--config', file]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${file}:2:9: server.port`);
    expect(r.err).toContain(`${file}:3:3: server.hots: unknown field "hots"`);
    expect(r.err).toContain(`${file}:5:25: ledger.checkpointIntervalMs`);
  });

  it('verifies an intact ledger (exit 0) and names the first edited entry (exit 3)', async () => {
    const dir = fresh();
    await cli(['init', '--data-dir', dir]);
    const ok = await cli(['ledger', 'verify', '--data-dir', dir]);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('OK');
    const db = new BetterSqlite3(join(dir, 'evident.db'));
    const row = db.prepare('select leaf from ledger_entries where seq = 1').get() as { leaf: Buffer };
    db.prepare('update ledger_entries set leaf = ? where seq = 1').run(Buffer.from(row.leaf.toString().replace('"human"', '"service"')));
    db.close();
    const bad = await cli(['ledger', 'verify', '--data-dir', dir]);
    expect(bad.code).toBe(3);
    expect(bad.out).toContain('first bad index 1');
    const json = JSON.parse((await cli(['ledger', 'verify', '--data-dir', dir, '--json'])).out);
    expect(json).toMatchObject({ ok: false, firstBadIndex: 1, problems: [{ kind: 'leaf-hash', index: 1 }] });
  });

  it('is not fooled by an insider who rewrites the database and re-signs it with a key of their own', async () => {
    const dir = fresh();
    const init = JSON.parse((await cli(['init', '--data-dir', dir, '--json'])).out);
    rewriteHistory(dir, { editIndex: 1, checkpoints: 'forge' });
    const local = await cli(['ledger', 'verify', '--data-dir', dir, '--json']);
    expect(local.code).toBe(3);
    expect(JSON.parse(local.out)).toMatchObject({ ok: false, keysFrom: 'key-file' });
    const pinned = await cli(['ledger', 'verify', '--data-dir', dir, '--key', init.ledgerPublicKey, '--json']);
    expect(pinned.code).toBe(3);
    expect(JSON.parse(pinned.out).keysFrom).toBe('pinned');
  });

  it('refuses entries that no signed checkpoint covers, and the server will not sign over them', async () => {
    const dir = fresh();
    await cli(['init', '--data-dir', dir]);
    rewriteHistory(dir, { editIndex: 0, checkpoints: 'delete' });
    const r = await cli(['ledger', 'verify', '--data-dir', dir, '--json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.out).problems[0]).toMatchObject({ kind: 'unsigned-entries', index: 0 });
    const rt = await openRuntime(loadConfig({ env: {}, overrides: { dataDir: dir } }), { logger: pino({ level: 'silent' }) });
    try {
      await rt.database.transact((tx) => rt.ledger.append(tx, { action: 'ledger.annotated', outcome: 'allowed', actor: { type: 'system' }, body: { note: 'after the rewrite' } }));
      await expect(rt.ledger.integrate()).rejects.toMatchObject({ code: 'LEDGER_INTEGRITY' });
    } finally {
      await rt.close();
    }
  });

  it('exports a bundle and verifies it offline, pinned to the key and to a kept checkpoint', async () => {
    const dir = fresh();
    const init = JSON.parse((await cli(['init', '--data-dir', dir, '--json'])).out);
    const kept = join(tempDir(), 'kept.checkpoint');
    const cp = await cli(['ledger', 'checkpoint', '--data-dir', dir]);
    expect(cp.out).toMatch(/^evident\/[0-9a-f]+\n4\n/u);
    writeFileSync(kept, cp.out);
    const out = join(tempDir(), 'bundle.jsonl');
    const exp = await cli(['ledger', 'export', '--data-dir', dir, '--out', out]);
    expect(exp.code).toBe(0);
    expect(exp.out).toContain('4 entries');
    const v = await cli(['ledger', 'verify', '--bundle', out, '--key', init.ledgerPublicKey, '--checkpoint', kept]);
    expect(v.code).toBe(0);
    expect(v.out).not.toContain('key inside the bundle');
    const unpinned = await cli(['ledger', 'verify', '--bundle', out]);
    expect(unpinned.out).toContain('key inside the bundle');
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    writeFileSync(out, lines.slice(0, -1).join('\n') + '\n');
    const cut = await cli(['ledger', 'verify', '--bundle', out, '--key', init.ledgerPublicKey, '--json']);
    expect(cut.code).toBe(3);
    expect(JSON.parse(cut.out)).toMatchObject({ ok: false, firstBadIndex: 3 });
    expect((await cli(['ledger', 'verify', '--bundle', join(dir, 'nope.jsonl')])).code).toBe(1);
    expect((await cli(['ledger', 'verify', '--bundle', out, '--key', 'not-a-key'])).err).toContain('invalid');
  });

  it('issues a break-glass token, recorded in the ledger', async () => {
    const dir = fresh();
    await cli(['init', '--data-dir', dir]);
    const r = await cli(['token', 'issue', '--principal', 'admin', '--data-dir', dir, '--json']);
    expect(r.code).toBe(0);
    const { token } = JSON.parse(r.out);
    const rt = await openRuntime(loadConfig({ env: {}, overrides: { dataDir: dir } }), { logger: pino({ level: 'silent' }) });
    try {
      expect((await rt.identity.authenticateToken(token)).name).toBe('admin');
      const events = await rt.ledger.entries(0, 10);
      expect(events.entries.at(-1)!.event).toMatchObject({ action: 'token.created', actor: { type: 'system', via: 'cli:break-glass' } });
    } finally {
      await rt.close();
    }
    expect((await cli(['token', 'issue', '--principal', 'nobody', '--data-dir', dir])).code).toBe(5);
  });

  it('says what to do when the data dir was never initialized, and creates nothing there', async () => {
    const dir = fresh();
    const r = await cli(['ledger', 'verify', '--data-dir', dir]);
    expect(r.code).toBe(5);
    expect(r.err).toContain('evident init');
    expect(existsSync(dir)).toBe(false);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { Kysely, SqliteDialect, sql } from 'kysely';
import BetterSqlite3 from 'better-sqlite3';
import { createSqliteGroupCommit } from './group-commit.js';
import { migrateToLatest } from './migrate.js';
import type { DB } from './tables.js';
import { openDatabase, type Database } from './database.js';
import { createTestStorage, DIALECTS, tempDir, type TestStorage } from '../../test/helpers/db.js';

describe.each(DIALECTS)('database on %s', (dialect) => {
  let storage: TestStorage;
  let database: Database;
  afterEach(async () => {
    await database?.close();
    await storage?.cleanup();
  });

  async function open() {
    storage = await createTestStorage(dialect);
    database = await openDatabase({ dataDir: storage.dataDir, url: storage.url });
    return database;
  }

  it('migrates and answers', async () => {
    const db = await open();
    await db.ping();
    const rows = await db.db.selectFrom('principals').selectAll().execute();
    expect(rows).toEqual([]);
  });

  it('commits concurrent units independently: one failing unit rolls back alone', async () => {
    const db = await open();
    const now = new Date().toISOString();
    const insert = (key: string) => db.transact(async (tx) => {
      await tx.insertInto('evident_meta').values({ key, value: now }).execute();
      if (key.endsWith('-bad')) throw new Error(`unit ${key} fails after writing`);
      return key;
    });
    const keys = Array.from({ length: 60 }, (_, i) => (i % 7 === 3 ? `k${i}-bad` : `k${i}`));
    const results = await Promise.allSettled(keys.map(insert));
    results.forEach((r, i) => expect(r.status).toBe(keys[i]!.endsWith('-bad') ? 'rejected' : 'fulfilled'));
    const stored = (await db.db.selectFrom('evident_meta').select('key').execute()).map((r) => r.key).sort();
    expect(stored).toEqual(keys.filter((k) => !k.endsWith('-bad')).sort());
    if (dialect === 'sqlite') {
      // Group commit: far fewer batches (and fsyncs) than units.
      expect(db.stats().batches).toBeLessThan(30);
    }
  });

  it('a unit that violates a constraint fails without touching its neighbours', async () => {
    const db = await open();
    await db.transact((tx) => tx.insertInto('evident_meta').values({ key: 'dup', value: '1' }).execute());
    const [a, b, c] = await Promise.allSettled([
      db.transact((tx) => tx.insertInto('evident_meta').values({ key: 'a', value: '1' }).execute()),
      db.transact((tx) => tx.insertInto('evident_meta').values({ key: 'dup', value: '2' }).execute()),
      db.transact((tx) => tx.insertInto('evident_meta').values({ key: 'c', value: '1' }).execute()),
    ]);
    expect([a!.status, b!.status, c!.status]).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const row = await db.db.selectFrom('evident_meta').select('value').where('key', '=', 'dup').executeTakeFirstOrThrow();
    expect(row.value).toBe('1');
    const count = await sql<{ n: number }>`select count(*) as n from evident_meta`.execute(db.db);
    expect(Number(count.rows[0]!.n)).toBe(3);
  });
});

// Two handles in one process only make sense on PostgreSQL: on SQLite the synchronous driver would
// block the event loop waiting for a lock the other handle can then never release. The SQLite case
// is tested with real processes in test/multi-process.test.ts.
describe.each(DIALECTS.filter((d) => d === 'postgres'))('two pools on one %s database', (dialect) => {
  it('serialize their writes instead of failing', async () => {
    const storage = await createTestStorage(dialect);
    const a = await openDatabase({ dataDir: storage.dataDir, url: storage.url });
    const b = await openDatabase({ dataDir: storage.dataDir, url: storage.url });
    try {
      const write = (db: Database, key: string) =>
        db.transact(async (tx) => {
          const n = await tx.selectFrom('evident_meta').select('key').execute();
          await tx.insertInto('evident_meta').values({ key, value: String(n.length) }).execute();
        });
      await Promise.all(Array.from({ length: 40 }, (_, i) => write(i % 2 ? a : b, `k${i}`)));
      const rows = await a.db.selectFrom('evident_meta').select('key').execute();
      expect(rows).toHaveLength(40);
    } finally {
      await a.close();
      await b.close();
      await storage.cleanup();
    }
  });
});

// A group commit over a scratch SQLite file whose durability barrier the test controls.
async function groupWithSync(sync: () => Promise<void>) {
  const dir = tempDir();
  const raw = new BetterSqlite3(`${dir}/t.db`);
  raw.pragma('journal_mode = WAL');
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: raw }) });
  await migrateToLatest(db, 'sqlite');
  const group = createSqliteGroupCommit({ db, walFile: `${dir}/t.db-wal`, dataDir: dir, maxBatch: 100, sync });
  return {
    group,
    put: (key: string) => group.run((tx) => tx.insertInto('evident_meta').values({ key, value: '1' }).execute()),
    close: async () => {
      await group.close();
      await db.destroy();
    },
  };
}

const eio = () => Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });

describe('group commit when the disk fails', () => {
  it('does not acknowledge a batch that committed while the failing fsync was in flight', async () => {
    let calls = 0;
    const g = await groupWithSync(async () => {
      calls += 1;
      if (calls === 1) {
        await new Promise((r) => setTimeout(r, 100));
        throw eio();
      }
    });
    const a = g.put('a');
    await new Promise((r) => setTimeout(r, 20)); // A committed, its fsync in flight
    const b = g.put('b');
    const [ra, rb] = await Promise.allSettled([a, b]);
    expect(ra.status).toBe('rejected');
    expect(rb.status).toBe('rejected');
    expect(calls).toBe(1); // no second fsync was trusted
    await g.close();
  });

  it('acknowledges nothing of the batch and refuses every later write', async () => {
    let failing = false;
    const g = await groupWithSync(async () => {
      if (failing) throw eio();
    });
    await g.put('before');
    failing = true;
    const results = await Promise.allSettled([g.put('a'), g.put('b'), g.put('c')]);
    expect(results.every((r) => r.status === 'rejected' && (r.reason as { code: string }).code === 'UNAVAILABLE')).toBe(true);
    expect(g.group.problem()).toMatch(/restart/u);
    failing = false;
    await expect(g.put('after')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await g.close();
  });
});

// Opens the relational store: SQLite in the data dir by default, PostgreSQL when a URL is given.
// `transact` is the only way services change state; it resolves only once the change is durable.
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { DB, Dialect, Executor, Tx } from './tables.js';
import { migrateToLatest } from './migrate.js';
import { createSqliteGroupCommit, type GroupCommit } from './group-commit.js';
import { AppError } from '../errors.js';
import { isTransientConflict } from './errors.js';

export interface Database {
  readonly dialect: Dialect;
  /** For reads outside a transaction. Writes go through transact(). */
  readonly db: Kysely<DB>;
  /**
   * Runs fn in a transaction and resolves after it is committed and durable. On SQLite
   * concurrent calls are group-committed (one fsync for many); on PostgreSQL each is its own
   * transaction and the server groups the WAL flushes.
   */
  transact<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
  stats(): { batches: number; units: number; syncs: number };
  /** A reason the store refuses writes (after a failed fsync), or null. */
  problem(): string | null;
  /**
   * Resolves once everything committed so far is durable. On SQLite a commit is visible to readers
   * a moment before its group fsync; anything that leaves the process as proof (a signed
   * checkpoint) waits on this first. On PostgreSQL a commit is durable before it is visible.
   */
  durable(): Promise<void>;
  /** Registers a listener called after every durable commit (the ledger sequencer's wake-up). */
  onCommit(listener: () => void): void;
}

export interface OpenDatabaseOptions {
  dataDir: string;
  url?: string | undefined;
  poolSize?: number;
  groupCommitMaxBatch?: number;
  /** Skip migrations (read-only tools on an existing store). */
  migrate?: boolean;
  readonly?: boolean;
}

const INT8_OID = 20;

// int8 arrives as text from pg; ledger indices fit well inside 2^53, and exceeding it is a bug.
const pgTypes = {
  getTypeParser(oid: number, format?: string) {
    if (oid === INT8_OID) {
      return (v: string) => {
        const n = Number(v);
        if (!Number.isSafeInteger(n)) throw new Error(`int8 value ${v} exceeds 2^53`);
        return n;
      };
    }
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export function isPostgresUrl(url: string | undefined): url is string {
  return !!url && /^postgres(ql)?:\/\//u.test(url);
}

export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  const database = isPostgresUrl(opts.url) ? openPostgres(opts) : openSqlite(opts);
  if (opts.url && !isPostgresUrl(opts.url)) {
    throw new AppError('CONFIG_INVALID', 'database.url must be a postgres:// or postgresql:// URL; leave it unset for SQLite');
  }
  try {
    if (opts.migrate !== false) await migrateToLatest(database.db, database.dialect);
  } catch (e) {
    await database.close();
    throw e;
  }
  return database;
}

function openSqlite(opts: OpenDatabaseOptions): Database {
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const file = join(opts.dataDir, 'evident.db');
  // Create the file 0600 ourselves: SQLite gives its -wal and -shm files the same mode.
  if (!opts.readonly) closeSync(openSync(file, 'a', 0o600));
  const raw = new BetterSqlite3(file, { readonly: opts.readonly ?? false });
  raw.pragma('journal_mode = WAL');
  // NORMAL: commits are written to the WAL without fsync; group commit fsyncs the WAL once per
  // batch before anything is acknowledged (see group-commit.ts and docs/adr/0002).
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(raw) }) });
  const group: GroupCommit = createSqliteGroupCommit({ db, walFile: `${file}-wal`, dataDir: opts.dataDir, maxBatch: opts.groupCommitMaxBatch ?? 1000 });
  const listeners: (() => void)[] = [];
  return {
    dialect: 'sqlite',
    db,
    transact: async (fn) => {
      const r = await group.run(fn);
      for (const l of listeners) l();
      return r;
    },
    durable: () => group.durable(),
    onCommit: (l) => void listeners.push(l),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: async () => {
      await group.close();
      await db.destroy();
    },
    stats: () => group.stats(),
    problem: () => group.problem(),
  };
}

// Kysely prepares every statement anew; better-sqlite3 statements are reusable, so keep the
// most recent ones (the mutex in Kysely's driver means one statement runs at a time).
function withStatementCache(raw: BetterSqlite3.Database): BetterSqlite3.Database {
  const cache = new Map<string, BetterSqlite3.Statement>();
  const prepare = raw.prepare.bind(raw);
  return new Proxy(raw, {
    get(target, prop, receiver) {
      if (prop === 'prepare') {
        return (source: string) => {
          let stmt = cache.get(source);
          if (!stmt) {
            stmt = prepare(source);
            if (cache.size >= 256) cache.delete(cache.keys().next().value!);
            cache.set(source, stmt);
          }
          return stmt;
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

function openPostgres(opts: OpenDatabaseOptions): Database {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.poolSize ?? 10,
    types: pgTypes,
    // Durable commit is the product's promise; do not inherit a server default that weakens it.
    options: '-c synchronous_commit=on',
  });
  pool.on('error', () => {
    // An idle client died (server restart); the pool replaces it. Queries surface their own errors.
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  let units = 0;
  const listeners: (() => void)[] = [];
  return {
    dialect: 'postgres',
    db,
    transact: async (fn) => {
      units += 1;
      // Units are re-runnable by contract, so a deadlock victim is simply run again.
      for (let attempt = 1; ; attempt++) {
        try {
          const r = await db.transaction().execute((trx) => fn(trx as unknown as Tx));
          for (const l of listeners) l();
          return r;
        } catch (e) {
          if (!isTransientConflict(e) || attempt >= 5) throw e;
          await new Promise((res) => setTimeout(res, attempt * 10 * Math.random()));
        }
      }
    },
    durable: async () => undefined,
    onCommit: (l) => void listeners.push(l),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: async () => {
      await db.destroy();
    },
    stats: () => ({ batches: units, units, syncs: units }),
    problem: () => null,
  };
}

export type { Executor };

// Group commit for SQLite. Units of work queue up; a batch runs them in one transaction, commits
// once, then fsyncs the WAL once. Only after that fsync does any unit of the batch resolve. The next batch runs while the
// previous fsync is in flight, so CPU work overlaps disk latency.
//
// Why this is durable: the database runs with journal_mode=WAL, synchronous=NORMAL, so COMMIT
// write()s the WAL frames without fsync; fsync of the WAL file then makes every commit before it
// durable. SQLite itself fsyncs the WAL before a checkpoint copies it into the database file and
// fsyncs the database file before the WAL is reused, so a checkpoint cannot lose acknowledged
// frames. A failed fsync poisons the store: after one, Linux may drop the dirty pages and report
// later fsyncs as successful, so no further write is acknowledged until restart.
import { open, type FileHandle } from 'node:fs/promises';
import { sql, type Kysely } from 'kysely';
import type { DB, Tx } from './tables.js';
import { fsyncDir } from '../util/durable-fs.js';
import { AppError } from '../errors.js';

interface Unit {
  fn: (tx: Tx) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

type Outcome = { unit: Unit; ok: true; value: unknown } | { unit: Unit; ok: false; error: unknown };

export interface GroupCommit {
  run<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  stats(): { batches: number; units: number; syncs: number };
  /** Why writes are refused, once an fsync failed; null while healthy. */
  problem(): string | null;
  /** Resolves once every commit made so far is durable (reads that leave the process wait on it). */
  durable(): Promise<void>;
}

/**
 * fsyncs the WAL (or the database file, before any WAL exists). The descriptor stays open: SQLite
 * keeps the WAL file (same inode) for as long as our connection is open, and one thread-pool
 * round trip per batch instead of three is measurable at low concurrency.
 */
function walSyncer(): { sync: (walFile: string) => Promise<void>; close: () => Promise<void> } {
  let fh: FileHandle | undefined;
  return {
    async sync(walFile) {
      if (!fh) {
        try {
          fh = await open(walFile, 'r');
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
          const db = await open(walFile.replace(/-wal$/u, ''), 'r');
          try {
            await db.sync();
          } finally {
            await db.close();
          }
          return;
        }
      }
      await fh.sync();
    },
    async close() {
      await fh?.close();
      fh = undefined;
    },
  };
}

export function createSqliteGroupCommit(opts: {
  db: Kysely<DB>;
  walFile: string;
  dataDir: string;
  maxBatch: number;
  /** The durability barrier; replaceable to exercise a failing disk. */
  sync?: (walFile: string) => Promise<void>;
}): GroupCommit {
  const syncer = walSyncer();
  const sync = opts.sync ?? syncer.sync;
  const queue: Unit[] = [];
  let draining = false;
  let poisoned: AppError | null = null;
  let closed = false;
  let idle: Promise<void> = Promise.resolve();
  let markIdle: () => void = () => {};
  const counters = { batches: 0, units: 0, syncs: 0 };

  // --- fsync coalescing: a caller never rides on a sync that started before its commit.
  let inFlight: Promise<void> | null = null;
  let next: Promise<void> | null = null;
  let dirSynced = false;

  // Batches committed, and how many of them the last completed fsync covers.
  let committed = 0;
  let synced = 0;

  function startSync(): Promise<void> {
    const upTo = committed;
    const p = (async () => {
      counters.syncs += 1;
      await sync(opts.walFile);
      synced = Math.max(synced, upTo);
      if (!dirSynced) {
        fsyncDir(opts.dataDir);
        dirSynced = true;
      }
    })();
    p.then(
      () => {
        if (inFlight === p) inFlight = null;
      },
      () => {
        if (inFlight === p) inFlight = null;
      },
    );
    return p;
  }

  function requestSync(): Promise<void> {
    if (poisoned) return Promise.reject(poisoned);
    if (next) return next;
    if (!inFlight) return (inFlight = startSync());
    const prior = inFlight;
    // After a failed fsync a later one may "succeed" over pages the kernel dropped: never start one.
    next = prior.then(
      () => {
        next = null;
        return (inFlight = startSync());
      },
      (e: unknown) => {
        next = null;
        throw e;
      },
    );
    return next;
  }

  function poison(cause: unknown): AppError {
    poisoned ??= new AppError('UNAVAILABLE', 'storage could not make writes durable; no further writes are accepted until Evident restarts', undefined, { cause });
    return poisoned;
  }

  // Fast path: every unit of the batch in one transaction, no savepoints (a savepoint makes SQLite
  // copy each page a unit touches to its sub-journal, doubling the cost of an insert). If any
  // unit throws, the whole batch is rolled back and its units are re-run one transaction each, so
  // the failing unit fails alone and the others commit as if run serially. Units must therefore be
  // plain database work that is safe to run again (no side effects outside the transaction).
  async function executeBatch(batch: Unit[]): Promise<Outcome[] | AppError> {
    if (batch.length > 1) {
      const fast = await runTogether(batch);
      if (fast !== 'retry') return fast;
    }
    const outcomes: Outcome[] = [];
    for (const unit of batch) {
      const r = await runTogether([unit]);
      if (r === 'retry') throw new Error('unreachable: a single unit cannot ask for a retry');
      if (r instanceof AppError) return r;
      outcomes.push(r[0]!);
    }
    return outcomes;
  }

  // BEGIN IMMEDIATE takes the write lock up front (waiting up to busy_timeout), so another process
  // writing the same file (the CLI next to a running server) queues instead of failing mid-way.
  async function runTogether(units: Unit[]): Promise<Outcome[] | AppError | 'retry'> {
    return opts.db.connection().execute(async (conn) => {
      const tx = conn as unknown as Tx;
      try {
        await sql`begin immediate`.execute(conn);
      } catch (e) {
        return new AppError('UNAVAILABLE', 'the database could not start a transaction (is another process holding it?)', undefined, { cause: e });
      }
      const outcomes: Outcome[] = [];
      for (const unit of units) {
        try {
          outcomes.push({ unit, ok: true, value: await unit.fn(tx) });
        } catch (error) {
          await sql`rollback`.execute(conn).catch(() => undefined);
          if (units.length > 1) return 'retry' as const;
          return [{ unit, ok: false as const, error }];
        }
      }
      try {
        await sql`commit`.execute(conn);
      } catch (e) {
        await sql`rollback`.execute(conn).catch(() => undefined);
        return new AppError('UNAVAILABLE', 'the database could not commit; nothing was written', undefined, { cause: e });
      }
      return outcomes;
    });
  }

  function settle(outcomes: Outcome[]): void {
    for (const o of outcomes) {
      if (o.ok) o.unit.resolve(o.value);
      else o.unit.reject(o.error);
    }
  }

  async function drain(): Promise<void> {
    draining = true;
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, opts.maxBatch);
        if (poisoned) {
          for (const u of batch) u.reject(poisoned);
          continue;
        }
        counters.batches += 1;
        counters.units += batch.length;
        const result = await executeBatch(batch);
        if (result instanceof AppError) {
          for (const u of batch) u.reject(result);
          continue;
        }
        if (!result.some((o) => o.ok)) {
          settle(result);
          continue;
        }
        committed += 1;
        requestSync().then(
          () => {
            if (poisoned) for (const o of result) o.unit.reject(o.ok ? poisoned : o.error);
            else settle(result);
          },
          (e) => {
            const err = poison(e);
            for (const o of result) o.unit.reject(o.ok ? err : o.error);
          },
        );
      }
    } finally {
      draining = false;
      markIdle();
    }
  }

  return {
    run<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      if (closed) return Promise.reject(new AppError('UNAVAILABLE', 'the database is closed'));
      if (poisoned) return Promise.reject(poisoned);
      return new Promise<T>((resolve, reject) => {
        queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
        if (!draining) {
          idle = new Promise((r) => (markIdle = r));
          void drain();
        }
      });
    },
    async close() {
      closed = true;
      if (draining) await idle;
      await (next ?? inFlight ?? Promise.resolve()).catch(() => undefined);
      await syncer.close();
    },
    stats: () => ({ ...counters }),
    problem: () => poisoned?.message ?? null,
    durable: () => (poisoned ? Promise.reject(poisoned) : synced >= committed ? Promise.resolve() : requestSync()),
  };
}

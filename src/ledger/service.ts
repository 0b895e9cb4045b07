// The ledger service: append inside the caller's transaction, integrate into the Merkle tree in
// batches with one signed checkpoint each, serve entries and proofs, verify the stored log.
import type { Database } from '../db/database.js';
import type { Executor, Tx } from '../db/tables.js';
import { AppError } from '../errors.js';
import { canonicalBytes } from '../util/canonical-json.js';
import { uuidv7 } from '../util/ids.js';
import type { SubjectKeyService } from '../keys/service.js';
import { LedgerEventSchema, type LedgerEvent } from './event-catalog.js';
import type { LedgerStore } from './store.js';
import {
  EMPTY_ROOT,
  MerkleFrontier,
  consistencyProofRanges,
  foldSubtrees,
  inclusionProofRanges,
  leafHash,
  rangeSubtrees,
  type LeafRange,
} from './merkle.js';
import { openCheckpoint, signCheckpoint } from './checkpoint.js';
import type { NoteSigner, NoteVerifier } from './note.js';
import { LedgerVerifier, type VerifyReport } from './verify.js';
import type { Leaf } from './schema.js';
import { BUNDLE_FORMAT, checkpointLine, headerLine, leafLine } from './bundle.js';

export interface LedgerKeys {
  origin: string;
  /** Absent in read-only tools (verify, export). */
  signer?: NoteSigner;
  /** Every key this ledger has signed with (current first). */
  verifiers: NoteVerifier[];
}

export interface LedgerMetrics {
  appended(action: string, outcome: string): void;
  integrated(count: number, size: number, seconds: number): void;
}

export interface AppendResult {
  eventId: string;
  leafHash: string;
}

export interface IntegrateResult {
  size: number;
  integrated: number;
  checkpoint: string;
}

const MAX_ENTRIES_PER_PAGE = 1000;

export function createLedgerService(deps: {
  database: Database;
  store: LedgerStore;
  keys: LedgerKeys;
  subjectKeys: SubjectKeyService;
  now?: () => Date;
  metrics?: LedgerMetrics;
  integrateBatchSize?: number;
}) {
  const { database, store, keys } = deps;
  const now = deps.now ?? (() => new Date());
  const batchSize = deps.integrateBatchSize ?? 20_000;
  let integrating: Promise<IntegrateResult | null> | null = null;

  // Fail closed: an action whose record cannot be written does not happen.
  async function recordOrFail(write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (e) {
      throw new AppError('LEDGER_UNAVAILABLE', 'the ledger could not record this action, so it was not carried out; retry later', undefined, { cause: e });
    }
  }

  async function append(tx: Tx, input: LedgerEvent): Promise<AppendResult> {
    const parsed = LedgerEventSchema.safeParse(input);
    if (!parsed.success) {
      // A malformed event is a bug in the caller; failing here fails the action (fail closed).
      throw new AppError('INTERNAL', `ledger event ${JSON.stringify(input.action)} is malformed: ${parsed.error.issues[0]?.message ?? ''}`);
    }
    const e = parsed.data;
    const id = uuidv7();
    const time = now().toISOString();
    const leafObj: Record<string, unknown> = { v: 1, id, time, action: e.action, outcome: e.outcome, actor: e.actor, body: e.body };
    if (e.target) leafObj.target = e.target;
    if (e.reason) leafObj.reason = e.reason;
    if (e.requestId) leafObj.requestId = e.requestId;
    if (e.subject) leafObj.subject = await deps.subjectKeys.seal(tx, e.subject.id, e.subject.data, id);
    const leaf = canonicalBytes(leafObj);
    const h = leafHash(leaf);
    await recordOrFail(() => store.insertEntry(tx, {
      event_id: id,
      leaf,
      leaf_hash: h,
      action: e.action,
      outcome: e.outcome,
      actor_id: e.actor.id ?? null,
      target_type: e.target?.type ?? null,
      target_id: e.target?.id ?? null,
      request_id: e.requestId ?? null,
      occurred_at: time,
    }));
    deps.metrics?.appended(e.action, e.outcome);
    return { eventId: id, leafHash: h.toString('base64') };
  }

  /** Appends in a transaction of its own: for denials, recorded after the action rolled back. */
  function record(event: LedgerEvent): Promise<AppendResult> {
    return database.transact((tx) => append(tx, event));
  }

  async function integrateOnce(): Promise<IntegrateResult | null> {
    const signer = keys.signer;
    if (!signer) throw new AppError('INTERNAL', 'this process holds no ledger signing key');
    const started = process.hrtime.bigint();
    const result = await database.transact(async (tx) => {
      const state = await store.getState(tx, database.dialect === 'postgres');
      if (!state) throw new AppError('LEDGER_UNAVAILABLE', 'ledger state is missing; run "evident init"');
      const pending = await store.pending(tx, batchSize);
      if (pending.length === 0) return null;
      const frontier = MerkleFrontier.deserialize(state.size, state.frontier);
      await checkHead(tx, state, frontier);
      const nodes: { level: number; idx: number; hash: Buffer }[] = [];
      for (const p of pending) frontier.append(p.leaf_hash, (level, idx, hash) => nodes.push({ level, idx, hash }));
      await store.assignSeqs(tx, pending.map((p) => p.id), state.size);
      await store.insertNodes(tx, nodes);
      const root = frontier.root();
      const at = now().toISOString();
      const note = signCheckpoint({ origin: keys.origin, size: frontier.size, root, extensions: [] }, signer);
      await store.insertCheckpoint(tx, { size: frontier.size, root, note, created_at: at });
      await store.updateState(tx, { size: frontier.size, frontier: frontier.serialize(), root, updated_at: at });
      return { size: frontier.size, integrated: pending.length, checkpoint: note };
    });
    if (result) deps.metrics?.integrated(result.integrated, result.size, Number(process.hrtime.bigint() - started) / 1e9);
    return result;
  }

  /**
   * Extends the tree only from a head that matches the last checkpoint we signed: if the stored
   * head, frontier or checkpoints were altered, signing on top would launder the alteration.
   */
  async function checkHead(tx: Tx, state: { size: number; root: Buffer }, frontier: MerkleFrontier): Promise<void> {
    const latest = await store.latestCheckpoint(tx);
    let ok = frontier.root().equals(state.root);
    if (ok && latest) {
      try {
        const cp = openCheckpoint(latest.note, keys.verifiers, keys.origin);
        ok = cp.size === state.size && cp.root.equals(state.root) && latest.size === cp.size;
      } catch {
        ok = false;
      }
    } else if (ok) {
      ok = state.size === 0;
    }
    if (!ok) {
      throw new AppError('LEDGER_INTEGRITY', 'the ledger head does not match its last signed checkpoint, so no new checkpoint is signed; run "evident ledger verify"');
    }
  }

  /** Integrates everything pending (in batches); one integration runs at a time per process. */
  async function integrate(): Promise<IntegrateResult | null> {
    while (integrating) await integrating.catch(() => undefined);
    const run = (async () => {
      // A read first: an idle pass must not commit (every commit wakes the sequencer again).
      if ((await store.pending(database.db, 1)).length === 0) return null;
      let last: IntegrateResult | null = null;
      for (;;) {
        const r = await integrateOnce();
        if (!r) return last;
        last = r;
        if (r.integrated < batchSize) return last;
      }
    })();
    integrating = run;
    try {
      return await run;
    } finally {
      integrating = null;
    }
  }

  /** Creates the empty tree's head row if missing (in the caller's transaction when given). */
  async function ensureState(tx?: Tx): Promise<void> {
    if (tx) await store.initState(tx, EMPTY_ROOT, now().toISOString());
    else await database.transact((t) => store.initState(t, EMPTY_ROOT, now().toISOString()));
  }

  // Everything served from the tree (checkpoints, entries, proofs, exports) is bounded by a
  // checkpoint that is durable: a signed statement must never outlive a crash of its own log.
  async function treeSize(tx: Executor = database.db): Promise<number> {
    await database.durable();
    const cp = await store.latestCheckpoint(tx);
    return cp?.size ?? 0;
  }

  async function latestCheckpoint(): Promise<string> {
    await database.durable();
    const cp = await store.latestCheckpoint(database.db);
    if (cp) return cp.note;
    const r = await integrate();
    if (r) return r.checkpoint;
    throw new AppError('LEDGER_UNAVAILABLE', 'the ledger has no checkpoint yet');
  }

  async function rangeHashes(tx: Executor, ranges: LeafRange[]): Promise<Buffer[]> {
    const refs = ranges.flatMap(rangeSubtrees);
    const found = await store.subtreeHashes(tx, refs);
    return ranges.map((r) =>
      foldSubtrees(
        rangeSubtrees(r).map((s) => {
          const h = found.get(`${s.level}/${s.index}`);
          if (!h) throw new AppError('LEDGER_INTEGRITY', `ledger node ${s.level}/${s.index} is missing; run "evident ledger verify"`);
          return h;
        }),
      ),
    );
  }

  async function rootAt(tx: Executor, size: number): Promise<Buffer> {
    if (size === 0) return EMPTY_ROOT;
    const [h] = await rangeHashes(tx, [{ start: 0, end: size }]);
    return h!;
  }

  function checkSize(size: number, latest: number, what: string): void {
    if (size > latest) throw new AppError('BAD_REQUEST', `${what} ${size} is larger than the latest checkpoint's tree size ${latest}`);
  }

  async function inclusionProof(index: number, size?: number) {
    const latest = await treeSize();
    const n = size ?? latest;
    checkSize(n, latest, 'size');
    if (index >= n) throw new AppError('BAD_REQUEST', `index ${index} is not below tree size ${n}`);
    const db = database.db;
    const [leaf] = await rangeHashes(db, [{ start: index, end: index + 1 }]);
    const proof = await rangeHashes(db, inclusionProofRanges(index, n));
    const root = await rootAt(db, n);
    const cp = await store.checkpointAt(db, n);
    return {
      index,
      treeSize: n,
      leafHash: leaf!.toString('base64'),
      proof: proof.map((h) => h.toString('base64')),
      rootHash: root.toString('base64'),
      ...(cp ? { checkpoint: cp.note } : {}),
    };
  }

  async function consistencyProof(first: number, second?: number) {
    const latest = await treeSize();
    const n = second ?? latest;
    checkSize(n, latest, 'second');
    if (first < 1 || first > n) throw new AppError('BAD_REQUEST', `first must be between 1 and second (${n}); got ${first}`);
    const db = database.db;
    const proof = first === n ? [] : await rangeHashes(db, consistencyProofRanges(first, n));
    return {
      first,
      second: n,
      firstRootHash: (await rootAt(db, first)).toString('base64'),
      secondRootHash: (await rootAt(db, n)).toString('base64'),
      proof: proof.map((h) => h.toString('base64')),
    };
  }

  function toEntry(r: { seq: number | null; event_id: string; leaf: Buffer; leaf_hash: Buffer }) {
    return {
      index: r.seq ?? -1,
      eventId: r.event_id,
      leaf: r.leaf.toString('base64'),
      leafHash: r.leaf_hash.toString('base64'),
      event: JSON.parse(r.leaf.toString('utf8')) as Leaf & Record<string, unknown>,
    };
  }

  async function entries(start: number, end?: number) {
    const size = await treeSize();
    const stop = Math.min(end ?? start + 100, size, start + MAX_ENTRIES_PER_PAGE);
    if (end !== undefined && end < start) throw new AppError('BAD_REQUEST', `end ${end} is before start ${start}`);
    if (end !== undefined && end - start > MAX_ENTRIES_PER_PAGE) {
      throw new AppError('BAD_REQUEST', `at most ${MAX_ENTRIES_PER_PAGE} entries per request; ask for start=${start}&end=${start + MAX_ENTRIES_PER_PAGE}`);
    }
    const rows = stop > start ? await store.entriesBySeq(database.db, start, stop) : [];
    return { treeSize: size, entries: rows.map(toEntry) };
  }

  /**
   * The events recorded about one target, each with its leaf index (null until integrated): what a
   * point-in-time answer cites so an auditor can fetch and verify each with an inclusion proof.
   */
  async function eventsAbout(target: { type: string; id: string }, limit = 1000) {
    const rows = await store.entriesForTarget(database.db, target.type, target.id, limit);
    return rows.map((r) => ({ eventId: r.event_id, index: r.seq, action: r.action, outcome: r.outcome, occurredAt: r.occurred_at }));
  }

  /** One event with its inclusion proof in the latest checkpoint: enough to verify it offline. */
  async function eventProof(eventId: string) {
    const row = await store.entryByEventId(database.db, eventId);
    if (!row) throw new AppError('NOT_FOUND', `ledger event ${JSON.stringify(eventId)} was not found`);
    const entry = toEntry(row);
    if (row.seq === null) return { ...entry, inclusion: null };
    const size = await treeSize();
    return { ...entry, inclusion: await inclusionProof(row.seq, size) };
  }

  /**
   * Recomputes the whole tree from the stored leaves and checks every stored leaf hash, subtree
   * hash, checkpoint signature and root, and the head state. Read-only.
   */
  async function verifyStored(
    opts: { trustedCheckpoints?: string[]; pageSize?: number; verifiers?: NoteVerifier[] } = {},
  ): Promise<VerifyReport & { pending: number }> {
    const db = database.db;
    const page = opts.pageSize ?? 5000;
    // A snapshot while the server keeps integrating: the head first, then only what it covers
    // (rows are append-only, so [0, head) cannot change under us).
    const head = await store.getState(db, false);
    const limit = head?.size ?? 0;
    const notes: string[] = [...(opts.trustedCheckpoints ?? [])];
    for (let after = -1; ; ) {
      const rows = (await store.checkpointNotes(db, after, 1000)).filter((r) => r.size <= limit);
      if (rows.length === 0) break;
      notes.push(...rows.map((r) => r.note));
      after = rows[rows.length - 1]!.size;
    }
    const v = new LedgerVerifier({ origin: keys.origin, verifiers: opts.verifiers ?? keys.verifiers, checkpoints: notes });

    // Stored subtree hashes are what proofs are served from: each is compared with the recomputed
    // one as it completes, so an edit that kept its leaf hash consistent is still pinned down.
    const stored = new Map<string, Buffer>();
    v.onNode = (level, idx, hash) => {
      const key = `${level}/${idx}`;
      const s = stored.get(key);
      stored.delete(key);
      if (!s || !s.equals(hash)) {
        const first = idx * 2 ** level;
        v.reportExternal(
          { kind: 'node-hash', index: first, message: `stored subtree hash ${key} (entries ${first}..${first + 2 ** level - 1}) ${s ? 'does not match' : 'is missing for'} the entries` },
          false,
        );
      }
    };
    const prefetchNodes = async (from: number, to: number) => {
      // Node (L, i) completes with leaf (i+1)*2^L - 1: fetch those completing in [from, to).
      stored.clear();
      for (let level = 1; 2 ** level <= to; level++) {
        const first = Math.ceil((from + 1) / 2 ** level) - 1;
        const last = Math.floor(to / 2 ** level) - 1;
        if (last < first) continue;
        for (const r of await store.nodeRange(db, level, first, last)) stored.set(`${level}/${r.idx}`, r.hash);
      }
    };

    for (let from = 0; !v.stopped && from < limit; ) {
      const rows = await store.leafPage(db, from, Math.min(page, limit - from));
      if (rows.length === 0) break;
      await prefetchNodes(rows[0]!.seq!, rows[rows.length - 1]!.seq! + 1);
      for (const r of rows) {
        v.add(r.seq!, r.leaf, r.leaf_hash);
        if (v.stopped) break;
      }
      from = rows[rows.length - 1]!.seq! + 1;
    }
    v.end();
    const state = head;
    if (!v.stopped && state && (state.size !== v.size || !MerkleFrontier.deserialize(state.size, state.frontier).root().equals(state.root))) {
      v.reportExternal({ kind: 'state-mismatch', index: Math.min(state.size, v.size), message: `the ledger head records ${state.size} entries but ${v.size} are present` }, false);
    }
    const report = v.finish();
    if (report.ok && state && !state.root.equals(Buffer.from(report.rootHash, 'base64'))) {
      report.ok = false;
      report.problems.push({ kind: 'state-mismatch', message: 'the ledger head root does not match the recomputed tree' });
    }
    return { ...report, pending: await store.pendingCount(db) };
  }

  /**
   * Writes an offline bundle of the tree as of the latest checkpoint: a consistent snapshot even
   * while appends continue. Returns the exported tree size.
   */
  async function exportBundle(write: (chunk: string) => Promise<void>, opts: { pageSize?: number } = {}): Promise<{ treeSize: number; checkpoints: number }> {
    const db = database.db;
    const page = opts.pageSize ?? 5000;
    await database.durable();
    const latest = await store.latestCheckpoint(db);
    const size = latest?.size ?? 0;
    const notes: string[] = [];
    for (let after = -1; ; ) {
      const rows = await store.checkpointNotes(db, after, 1000);
      const upto = rows.filter((r) => r.size <= size);
      notes.push(...upto.map((r) => r.note));
      if (upto.length < rows.length || rows.length === 0) break;
      after = rows[rows.length - 1]!.size;
    }
    await write(
      headerLine({
        format: BUNDLE_FORMAT,
        origin: keys.origin,
        verifierKeys: keys.verifiers.map((v) => v.encoded),
        treeSize: size,
        checkpoints: notes.length,
        exportedAt: now().toISOString(),
      }),
    );
    for (const n of notes) await write(checkpointLine(n));
    for (let from = 0; from < size; ) {
      const rows = await store.entriesBySeq(db, from, Math.min(size, from + page));
      if (rows.length === 0) throw new AppError('LEDGER_INTEGRITY', `ledger entry ${from} is missing; run "evident ledger verify"`);
      await write(rows.map((r) => leafLine(r.seq!, r.leaf)).join(''));
      from = rows[rows.length - 1]!.seq! + 1;
    }
    return { treeSize: size, checkpoints: notes.length };
  }

  return {
    exportBundle,
    append,
    record,
    integrate,
    ensureState,
    treeSize,
    latestCheckpoint,
    inclusionProof,
    consistencyProof,
    entries,
    eventProof,
    eventsAbout,
    verifyStored,
    keys,
  };
}

export type LedgerService = ReturnType<typeof createLedgerService>;

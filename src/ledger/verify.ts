// Pure, streaming verification of a ledger: feed leaves in index order, get a report. Shared by
// `evident ledger verify` (database), `--bundle` (offline file) and evidence exports. It needs only
// the leaves, the signed checkpoints and the verifier keys: nothing of our server.
import { MerkleFrontier, leafHash } from './merkle.js';
import { openCheckpoint } from './checkpoint.js';
import { NoteError, type NoteVerifier } from './note.js';

export type ProblemKind =
  | 'checkpoint-signature'
  | 'checkpoint-format'
  | 'split-view'
  | 'missing-entry'
  | 'out-of-order'
  | 'leaf-hash'
  | 'node-hash'
  | 'checkpoint-mismatch'
  | 'truncated'
  | 'unsigned-entries'
  | 'state-mismatch';

export interface Problem {
  kind: ProblemKind;
  message: string;
  /** The first leaf index the problem implicates. */
  index?: number;
  /** Tree size of the checkpoint involved. */
  size?: number;
}

export interface VerifyReport {
  ok: boolean;
  origin: string;
  entries: number;
  rootHash: string;
  checkpointsVerified: number;
  latestCheckpointSize: number | null;
  /** Entries after the latest checkpoint. Indices and their checkpoint are written together, so any is a problem. */
  uncovered: number;
  /** First index that cannot be trusted, when any; exact unless `firstBadIndexExact` is false. */
  firstBadIndex: number | null;
  firstBadIndexExact: boolean;
  problems: Problem[];
}

interface OpenedCheckpoint {
  size: number;
  root: Buffer;
}

export interface LedgerVerifierOptions {
  origin: string;
  verifiers: readonly NoteVerifier[];
  checkpoints: Iterable<string>;
}

export class LedgerVerifier {
  readonly #origin: string;
  readonly #frontier = new MerkleFrontier();
  readonly #checkpoints: OpenedCheckpoint[] = [];
  readonly #problems: Problem[] = [];
  #next = 0; // index into #checkpoints of the next one to compare
  #lastGoodSize = 0;
  #stopped = false;
  #firstBad: number | null = null;
  #firstBadExact = true;
  #verified = 0;
  #ended = false;
  onNode: ((level: number, index: number, hash: Buffer) => void) | undefined;

  constructor(opts: LedgerVerifierOptions) {
    this.#origin = opts.origin;
    const bySize = new Map<number, OpenedCheckpoint>();
    for (const note of opts.checkpoints) {
      let c;
      try {
        c = openCheckpoint(note, opts.verifiers, opts.origin);
      } catch (e) {
        const size = /^[^\n]*\n(\d+)\n/u.exec(note)?.[1];
        const kind: ProblemKind = e instanceof NoteError && /signature|signed/u.test(e.message) ? 'checkpoint-signature' : 'checkpoint-format';
        this.#problem({ kind, message: `checkpoint${size ? ` of size ${size}` : ''} is not valid: ${(e as Error).message}`, ...(size ? { size: Number(size) } : {}) });
        continue;
      }
      this.#verified += 1;
      const prior = bySize.get(c.size);
      if (prior && !prior.root.equals(c.root)) {
        this.#problem({ kind: 'split-view', size: c.size, message: `two validly signed checkpoints of size ${c.size} have different roots` });
        continue;
      }
      bySize.set(c.size, { size: c.size, root: c.root });
    }
    this.#checkpoints = [...bySize.values()].sort((a, b) => a.size - b.size);
    // The empty tree needs no leaves: check it (and any size-0 checkpoint) right away.
    this.#compareAtSize();
  }

  get size(): number {
    return this.#frontier.size;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  #problem(p: Problem): void {
    if (this.#problems.length < 100) this.#problems.push(p);
  }

  #fail(p: Problem, exact: boolean): void {
    this.#problem(p);
    if (this.#firstBad === null && p.index !== undefined) {
      this.#firstBad = p.index;
      this.#firstBadExact = exact;
    }
    this.#stopped = true;
  }

  #compareAtSize(): void {
    const size = this.#frontier.size;
    while (this.#next < this.#checkpoints.length && this.#checkpoints[this.#next]!.size === size) {
      const c = this.#checkpoints[this.#next]!;
      this.#next += 1;
      if (!this.#frontier.root().equals(c.root)) {
        this.#fail(
          {
            kind: 'checkpoint-mismatch',
            size,
            index: this.#lastGoodSize,
            message: `the first ${size} entries do not match the checkpoint signed at size ${size}: an entry at index ${this.#lastGoodSize} or later (below ${size}) was altered, removed or reordered`,
          },
          false,
        );
        return;
      }
      this.#lastGoodSize = size;
    }
  }

  /**
   * Adds the leaf at `index`. `recordedHash` is the leaf hash stored beside it, when there is one:
   * a mismatch pinpoints an edit exactly. Returns the computed leaf hash (undefined once stopped).
   */
  add(index: number, leaf: Uint8Array, recordedHash?: Uint8Array): Buffer | undefined {
    if (this.#stopped) return undefined;
    const expected = this.#frontier.size;
    if (index !== expected) {
      const kind: ProblemKind = index > expected ? 'missing-entry' : 'out-of-order';
      const message =
        index > expected ? `entry ${expected} is missing (the next entry present is ${index})` : `entry ${index} appears again after entry ${expected - 1}: entries are out of order`;
      this.#fail({ kind, index: Math.min(index, expected), message }, true);
      return undefined;
    }
    const h = leafHash(leaf);
    if (recordedHash && !h.equals(recordedHash)) {
      this.#fail({ kind: 'leaf-hash', index, message: `entry ${index} was modified: its bytes no longer match its recorded leaf hash` }, true);
      return undefined;
    }
    this.#frontier.append(h, this.onNode);
    if (!this.#stopped) this.#compareAtSize();
    return h;
  }

  /** Marks a problem found outside the leaves (a stored node, the head state). */
  reportExternal(p: Problem, exact: boolean): void {
    this.#fail(p, exact);
  }

  /**
   * Call after the last leaf. A signed size beyond the entries present means truncation; entries
   * beyond the latest signed size are vouched for by nothing (the log signs a checkpoint in the same
   * transaction that indexes entries), so they fail too.
   */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    const latest = this.#checkpoints.at(-1);
    const size = this.#frontier.size;
    if (this.#stopped) return;
    if (latest && latest.size > size) {
      this.#fail(
        { kind: 'truncated', index: size, size: latest.size, message: `the ledger ends at ${size} entries but a checkpoint was signed at size ${latest.size}: entries from index ${size} are missing` },
        true,
      );
    } else if (size > (latest?.size ?? 0)) {
      const from = latest?.size ?? 0;
      this.#fail(
        { kind: 'unsigned-entries', index: from, message: `entries from index ${from} to ${size - 1} are covered by no signed checkpoint${latest ? '' : ' (there is none)'}: nothing vouches for them` },
        true,
      );
    }
  }

  finish(): VerifyReport {
    this.end();
    const latest = this.#checkpoints.at(-1);
    const size = this.#frontier.size;
    return {
      ok: this.#problems.length === 0,
      origin: this.#origin,
      entries: size,
      rootHash: this.#frontier.root().toString('base64'),
      checkpointsVerified: this.#verified,
      latestCheckpointSize: latest?.size ?? null,
      uncovered: latest ? Math.max(0, size - latest.size) : size,
      firstBadIndex: this.#firstBad,
      firstBadIndexExact: this.#firstBad === null ? true : this.#firstBadExact,
      problems: this.#problems,
    };
  }
}

// RFC 6962 / RFC 9162 §2.1 Merkle tree hashing, proofs and their verification.
// Pure functions over SHA-256; sizes and indices are JS numbers (exact up to 2^53), so every
// shift below is arithmetic, never a 32-bit bitwise operator.
import { hash } from 'node:crypto';

export const HASH_SIZE = 32;
export const EMPTY_ROOT: Buffer = hash('sha256', Buffer.alloc(0), 'buffer');

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

/** SHA-256(0x00 || data). */
export function leafHash(data: Uint8Array): Buffer {
  const buf = Buffer.allocUnsafe(data.length + 1);
  buf[0] = LEAF_PREFIX;
  buf.set(data, 1);
  return hash('sha256', buf, 'buffer');
}

/** SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  const buf = Buffer.allocUnsafe(1 + left.length + right.length);
  buf[0] = NODE_PREFIX;
  buf.set(left, 1);
  buf.set(right, 1 + left.length);
  return hash('sha256', buf, 'buffer');
}

function isOdd(n: number): boolean {
  return n % 2 === 1;
}

function half(n: number): number {
  return Math.floor(n / 2);
}

/** Largest power of two strictly smaller than n (n >= 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  let k = 1;
  while (k < n) k *= 2;
  return k === n;
}

/** A complete (perfect) subtree: 2^level leaves starting at leaf index * 2^level. */
export interface SubtreeRef {
  level: number;
  index: number;
}

/** Half-open range of leaves [start, end) whose Merkle tree hash a proof needs. */
export interface LeafRange {
  start: number;
  end: number;
}

/**
 * The complete subtrees, largest first, whose right fold is MTH(leaves[start:end]). Ranges
 * that occur in RFC 6962 trees always decompose this way: their start is aligned to the split.
 */
export function rangeSubtrees(range: LeafRange): SubtreeRef[] {
  const out: SubtreeRef[] = [];
  let a = range.start;
  while (a < range.end) {
    let size = 1;
    let level = 0;
    while (a % (size * 2) === 0 && a + size * 2 <= range.end) {
      size *= 2;
      level += 1;
    }
    out.push({ level, index: a / size });
    a += size;
  }
  return out;
}

/** Right fold of complete-subtree hashes (largest first) into one range hash. */
export function foldSubtrees(hashes: readonly Buffer[]): Buffer {
  if (hashes.length === 0) return EMPTY_ROOT;
  let h = hashes[hashes.length - 1]!;
  for (let i = hashes.length - 2; i >= 0; i--) h = nodeHash(hashes[i]!, h);
  return h;
}

/** RFC 6962 §2.1.1 PATH(m, D[n]) as leaf ranges, leaf-to-root order. */
export function inclusionProofRanges(index: number, size: number): LeafRange[] {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    throw new RangeError(`leaf index ${index} is not inside a tree of size ${size}`);
  }
  const out: LeafRange[] = [];
  let start = 0;
  let end = size;
  let m = index;
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (m < start + k) {
      out.push({ start: start + k, end });
      end = start + k;
    } else {
      out.push({ start, end: start + k });
      start = start + k;
    }
  }
  return out.reverse();
}

/** RFC 6962 §2.1.2 PROOF(m, D[n]) as leaf ranges, in proof order. */
export function consistencyProofRanges(size1: number, size2: number): LeafRange[] {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 1 || size1 > size2) {
    throw new RangeError(`no consistency proof from size ${size1} to size ${size2}`);
  }
  const out: LeafRange[] = [];
  let start = 0;
  let end = size2;
  let m = size1;
  let complete = true;
  for (;;) {
    const n = end - start;
    if (m === n) {
      if (!complete) out.push({ start, end });
      break;
    }
    const k = splitPoint(n);
    if (m <= k) {
      out.push({ start: start + k, end });
      end = start + k;
    } else {
      out.push({ start, end: start + k });
      start = start + k;
      m -= k;
      complete = false;
    }
  }
  return out.reverse();
}

/** Computes MTH over leaf hashes held in memory. */
export function rootFromLeafHashes(leafHashes: readonly Buffer[]): Buffer {
  const f = new MerkleFrontier();
  for (const h of leafHashes) f.append(h);
  return f.root();
}

/**
 * The right edge of a growing tree: the roots of its perfect subtrees, largest first
 * (a "compact range" in Trillian's terms). Appending reports every subtree it completes.
 */
export class MerkleFrontier {
  #size: number;
  #hashes: Buffer[];

  constructor(size = 0, hashes: Buffer[] = []) {
    if (popcount(size) !== hashes.length) {
      throw new RangeError(`a frontier of size ${size} holds ${popcount(size)} hashes, got ${hashes.length}`);
    }
    this.#size = size;
    this.#hashes = hashes.slice();
  }

  get size(): number {
    return this.#size;
  }

  get hashes(): readonly Buffer[] {
    return this.#hashes;
  }

  append(leaf: Buffer, onNode?: (level: number, index: number, hash: Buffer) => void): void {
    let h = leaf;
    let n = this.#size;
    let index = n;
    let level = 0;
    while (isOdd(n)) {
      h = nodeHash(this.#hashes.pop()!, h);
      level += 1;
      index = half(index);
      n = half(n);
      onNode?.(level, index, h);
    }
    this.#hashes.push(h);
    this.#size += 1;
  }

  root(): Buffer {
    return foldSubtrees(this.#hashes);
  }

  clone(): MerkleFrontier {
    return new MerkleFrontier(this.#size, this.#hashes);
  }

  serialize(): Buffer {
    return Buffer.concat(this.#hashes);
  }

  static deserialize(size: number, bytes: Uint8Array): MerkleFrontier {
    const hashes: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += HASH_SIZE) {
      hashes.push(Buffer.from(bytes.subarray(i, i + HASH_SIZE)));
    }
    return new MerkleFrontier(size, hashes);
  }
}

export function popcount(n: number): number {
  let c = 0;
  while (n > 0) {
    if (isOdd(n)) c += 1;
    n = half(n);
  }
  return c;
}

export class ProofError extends Error {
  override name = 'ProofError';
}

function checkHashes(what: string, hashes: readonly Uint8Array[]): void {
  hashes.forEach((h, i) => {
    if (h.length !== HASH_SIZE) throw new ProofError(`${what}[${i}] is ${h.length} bytes, want ${HASH_SIZE}`);
  });
}

/** RFC 9162 §2.1.3.2: the root an inclusion proof implies, or a ProofError. */
export function rootFromInclusionProof(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
): Buffer {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || size < 0) {
    throw new ProofError('index and size must be non-negative integers');
  }
  if (index >= size) throw new ProofError(`index ${index} is beyond tree size ${size}`);
  if (leaf.length !== HASH_SIZE) throw new ProofError(`leaf hash is ${leaf.length} bytes, want ${HASH_SIZE}`);
  checkHashes('proof', proof);
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of proof) {
    if (sn === 0) throw new ProofError('inclusion proof is too long');
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new ProofError('inclusion proof is too short');
  return r;
}

export function verifyInclusion(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): void {
  if (root.length !== HASH_SIZE) throw new ProofError(`root is ${root.length} bytes, want ${HASH_SIZE}`);
  const got = rootFromInclusionProof(index, size, leaf, proof);
  if (!got.equals(root)) throw new ProofError('inclusion proof does not lead to the expected root');
}

/** RFC 9162 §2.1.4.2, with upstream's edge rules (size1 == 0 is never provable). */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): void {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 0 || size2 < 0) {
    throw new ProofError('sizes must be non-negative integers');
  }
  if (size2 < size1) throw new ProofError(`size1 ${size1} is greater than size2 ${size2}`);
  if (size1 === 0) throw new ProofError('a consistency proof from the empty tree is meaningless');
  // Equal sizes compare the roots as given (upstream semantics): no hashing happens.
  if (size1 === size2) {
    if (proof.length !== 0) throw new ProofError('sizes are equal but the proof is not empty');
    if (!Buffer.from(root1).equals(root2)) throw new ProofError('sizes are equal but the roots differ');
    return;
  }
  if (root1.length !== HASH_SIZE || root2.length !== HASH_SIZE) {
    throw new ProofError(`roots must be ${HASH_SIZE} bytes`);
  }
  checkHashes('proof', proof);
  if (proof.length === 0) throw new ProofError('consistency proof is empty');
  const path: Uint8Array[] = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Buffer = Buffer.from(path[0]!);
  let sr: Buffer = Buffer.from(path[0]!);
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    if (sn === 0) throw new ProofError('consistency proof is too long');
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new ProofError('consistency proof is too short');
  if (!fr.equals(root1)) throw new ProofError('consistency proof does not lead to the first root');
  if (!sr.equals(root2)) throw new ProofError('consistency proof does not lead to the second root');
}

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  EMPTY_ROOT,
  MerkleFrontier,
  consistencyProofRanges,
  foldSubtrees,
  inclusionProofRanges,
  leafHash,
  nodeHash,
  rangeSubtrees,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
  type LeafRange,
} from './merkle.js';

const TLOG = join(import.meta.dirname, '../../test/fixtures/tlog');
const hex = (s: string) => Buffer.from(s, 'hex');
const b64 = (s: string | null | undefined) => Buffer.from(s ?? '', 'base64');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.json') ? [p] : [];
  });
}

const reference = JSON.parse(readFileSync(join(TLOG, 'rfc6962-reference-tree.json'), 'utf8')) as {
  leaves_hex: string[];
  roots_by_size_hex: string[];
  node_hashes_by_level_hex: string[][];
  inclusion_proofs: { index: number; size: number; proof_hex: string[] }[];
  consistency_proofs: { size1: number; size2: number; proof_hex: string[] }[];
  hasher_vectors: { kind: string; input_hex?: string; left_hex?: string; right_hex?: string; want_hex: string }[];
};
const refLeafHashes = reference.leaves_hex.map((l) => leafHash(hex(l)));

/** Computes proof hashes from in-memory leaf hashes the way the ledger store does from rows. */
function rangeHash(leaves: Buffer[], r: LeafRange): Buffer {
  return foldSubtrees(rangeSubtrees(r).map((s) => rootFromLeafHashes(leaves.slice(s.index * 2 ** s.level, (s.index + 1) * 2 ** s.level))));
}

describe('RFC 6962 reference tree (google/certificate-transparency, transparency-dev/merkle)', () => {
  it('hasher known answers', () => {
    for (const v of reference.hasher_vectors) {
      const got =
        v.kind === 'empty' ? EMPTY_ROOT : v.kind === 'leaf' ? leafHash(hex(v.input_hex!)) : nodeHash(hex(v.left_hex!), hex(v.right_hex!));
      expect(got.toString('hex'), v.kind).toBe(v.want_hex);
    }
  });

  it('roots for every size 0..8', () => {
    reference.roots_by_size_hex.forEach((want, n) => {
      expect(rootFromLeafHashes(refLeafHashes.slice(0, n)).toString('hex')).toBe(want);
    });
  });

  it('every complete subtree hash, as reported while appending', () => {
    const seen = new Map<string, string>();
    const f = new MerkleFrontier();
    refLeafHashes.forEach((h, i) => {
      seen.set(`0/${i}`, h.toString('hex'));
      f.append(h, (level, index, hash) => seen.set(`${level}/${index}`, hash.toString('hex')));
    });
    reference.node_hashes_by_level_hex.forEach((level, l) => level.forEach((want, i) => expect(seen.get(`${l}/${i}`)).toBe(want)));
    expect(seen.size).toBe(15);
  });

  it('generates and verifies the exact inclusion proofs', () => {
    for (const p of reference.inclusion_proofs) {
      const proof = inclusionProofRanges(p.index, p.size).map((r) => rangeHash(refLeafHashes, r));
      expect(proof.map((h) => h.toString('hex'))).toEqual(p.proof_hex);
      verifyInclusion(p.index, p.size, refLeafHashes[p.index]!, proof, hex(reference.roots_by_size_hex[p.size]!));
    }
  });

  it('generates and verifies the exact consistency proofs', () => {
    for (const p of reference.consistency_proofs) {
      const proof = consistencyProofRanges(p.size1, p.size2).map((r) => rangeHash(refLeafHashes, r));
      expect(proof.map((h) => h.toString('hex'))).toEqual(p.proof_hex);
      verifyConsistency(p.size1, p.size2, proof, hex(reference.roots_by_size_hex[p.size1]!), hex(reference.roots_by_size_hex[p.size2]!));
    }
  });
});

describe('transparency-dev/merkle testdata probes', () => {
  const inclusion = walk(join(TLOG, 'transparency-dev-merkle/inclusion'));
  const consistency = walk(join(TLOG, 'transparency-dev-merkle/consistency'));

  it('has the 98 + 98 probes', () => {
    expect(inclusion).toHaveLength(98);
    expect(consistency).toHaveLength(98);
  });

  it.each(inclusion.map((f) => [f.slice(TLOG.length + 1), f]))('inclusion %s', (_name, file) => {
    const t = JSON.parse(readFileSync(file, 'utf8'));
    const run = () => verifyInclusion(t.leafIdx, t.treeSize, b64(t.leafHash), (t.proof ?? []).map(b64), b64(t.root));
    if (t.wantErr) expect(run).toThrow();
    else expect(run).not.toThrow();
  });

  it.each(consistency.map((f) => [f.slice(TLOG.length + 1), f]))('consistency %s', (_name, file) => {
    const t = JSON.parse(readFileSync(file, 'utf8'));
    const run = () => verifyConsistency(t.size1, t.size2, (t.proof ?? []).map(b64), b64(t.root1), b64(t.root2));
    if (t.wantErr) expect(run).toThrow();
    else expect(run).not.toThrow();
  });
});

describe('Argon 2020 CT log (golang/mod testdata): a real tree of 961,984,013 leaves', () => {
  const dir = join(TLOG, 'golang-mod-argon2020');
  const read = (n: string) => JSON.parse(readFileSync(join(dir, n), 'utf8'));
  const sth = read('sth.json');
  it('inclusion of entry 10000', () => {
    const entry = read('entries.json').entries[0];
    const proof = read('proof.json');
    verifyInclusion(proof.leaf_index, sth.tree_size, leafHash(b64(entry.leaf_input)), proof.audit_path.map(b64), b64(sth.sha256_root_hash));
  });
  it('consistency from tree size 3,654,490', () => {
    const old = read('old-tree.json');
    const cons = read('consistency.json');
    expect(cons.consistency).toHaveLength(30);
    verifyConsistency(old.tree_size, sth.tree_size, cons.consistency.map(b64), b64(old.sha256_root_hash), b64(sth.sha256_root_hash));
    const tampered = cons.consistency.map(b64);
    tampered[7][3] ^= 1;
    expect(() => verifyConsistency(old.tree_size, sth.tree_size, tampered, b64(old.sha256_root_hash), b64(sth.sha256_root_hash))).toThrow();
  });
});

describe('properties over random trees', () => {
  it('every generated inclusion and consistency proof verifies, and a flipped bit never does', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), fc.nat(), fc.nat(), (size, a, b) => {
        const leaves = Array.from({ length: size }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
        const root = rootFromLeafHashes(leaves);
        const index = a % size;
        const proof = inclusionProofRanges(index, size).map((r) => rangeHash(leaves, r));
        verifyInclusion(index, size, leaves[index]!, proof, root);
        if (proof.length > 0) {
          const bad = proof.map((h) => Buffer.from(h));
          const victim = bad[b % bad.length]!;
          victim[b % 32] = victim[b % 32]! ^ 0x80;
          expect(() => verifyInclusion(index, size, leaves[index]!, bad, root)).toThrow();
        }
        const size1 = 1 + (b % size);
        const cproof = consistencyProofRanges(size1, size).map((r) => rangeHash(leaves, r));
        verifyConsistency(size1, size, cproof, rootFromLeafHashes(leaves.slice(0, size1)), root);
      }),
      { numRuns: 300 },
    );
  });

  it('a frontier survives serialisation at every size', () => {
    const f = new MerkleFrontier();
    for (let i = 0; i < 40; i++) {
      const copy = MerkleFrontier.deserialize(f.size, f.serialize());
      expect(copy.root().equals(f.root())).toBe(true);
      f.append(leafHash(Buffer.from([i])));
    }
    expect(() => new MerkleFrontier(3, [])).toThrow(/holds 2 hashes/);
  });

  it('rejects out-of-range proof requests', () => {
    expect(() => inclusionProofRanges(5, 5)).toThrow(RangeError);
    expect(() => consistencyProofRanges(0, 5)).toThrow(RangeError);
    expect(() => consistencyProofRanges(6, 5)).toThrow(RangeError);
  });
});

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestLedger, annotation, type TestLedger } from '../../test/helpers/ledger.js';
import { verifyBundleFile, BundleError } from './bundle.js';
import { parseVerifierKey, signerFromSeed } from './note.js';

// The bundle is dialect-independent: SQLite is enough to produce one.
describe('offline ledger bundle', () => {
  let t: TestLedger;
  let file: string;
  let lines: string[];

  beforeAll(async () => {
    t = await createTestLedger('sqlite');
    for (let round = 0; round < 5; round++) {
      await Promise.all(Array.from({ length: 13 }, (_, i) => t.database.transact((tx) => t.ledger.append(tx, annotation(round * 100 + i)))));
      await t.ledger.integrate();
    }
    // Appended after the last checkpoint: not part of the snapshot.
    await t.database.transact((tx) => t.ledger.append(tx, annotation(9999)));
    file = join(t.storage.dataDir, 'bundle.jsonl');
    const chunks: string[] = [];
    const r = await t.ledger.exportBundle(async (c) => void chunks.push(c), { pageSize: 7 });
    expect(r).toEqual({ treeSize: 65, checkpoints: 5 });
    writeFileSync(file, chunks.join(''));
    lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  });
  afterAll(async () => t.close());

  const variant = (mutate: (l: string[]) => string[]) => {
    const f = join(t.storage.dataDir, `variant-${randomBytes(4).toString('hex')}.jsonl`);
    writeFileSync(f, mutate([...lines]).join('\n') + '\n');
    return f;
  };
  const trusted = () => [parseVerifierKey(t.ledger.keys.verifiers[0]!.encoded)];

  it('verifies intact, against the pinned key and the bundle key alike', async () => {
    expect(lines).toHaveLength(1 + 5 + 65);
    const r = await verifyBundleFile(file, { trustedKeys: trusted() });
    expect(r).toMatchObject({ ok: true, entries: 65, checkpointsVerified: 5, keysFrom: 'trusted', uncovered: 0 });
    expect((await verifyBundleFile(file)).keysFrom).toBe('bundle');
  });

  it('detects an edited leaf, naming the range its checkpoint covers', async () => {
    const f = variant((l) => {
      const i = 6 + 40;
      const obj = JSON.parse(l[i]!);
      const leaf = Buffer.from(obj.leaf, 'base64').toString('utf8').replace(/note \d+/u, 'note 31337');
      l[i] = JSON.stringify({ index: obj.index, leaf: Buffer.from(leaf).toString('base64') });
      return l;
    });
    const r = await verifyBundleFile(f, { trustedKeys: trusted() });
    expect(r.ok).toBe(false);
    expect(r.problems[0]!.kind).toBe('checkpoint-mismatch');
    expect(r.firstBadIndex).toBe(39);
    expect(r.firstBadIndexExact).toBe(false);
  });

  it('detects a deleted, a reordered and a truncated leaf', async () => {
    const deleted = await verifyBundleFile(variant((l) => l.filter((_, i) => i !== 6 + 20)), { trustedKeys: trusted() });
    expect(deleted).toMatchObject({ ok: false, firstBadIndex: 20 });
    const swapped = await verifyBundleFile(
      variant((l) => {
        [l[6 + 10], l[6 + 11]] = [l[6 + 11]!, l[6 + 10]!];
        return l;
      }),
      { trustedKeys: trusted() },
    );
    expect(swapped).toMatchObject({ ok: false, firstBadIndex: 10 });
    const truncated = await verifyBundleFile(variant((l) => l.slice(0, -3)), { trustedKeys: trusted() });
    expect(truncated).toMatchObject({ ok: false, firstBadIndex: 62 });
    expect(truncated.problems[0]!.kind).toBe('truncated');
  });

  it('rejects forged checkpoints and bundles signed by another key', async () => {
    const forged = await verifyBundleFile(variant((l) => ((l[3] = l[3]!.replace(/\\n39\\n/u, '\\n40\\n')), l)), { trustedKeys: trusted() });
    expect(forged.ok).toBe(false);
    expect(forged.problems[0]!.kind).toBe('checkpoint-signature');
    const other = signerFromSeed(t.origin, randomBytes(32));
    const wrongKey = await verifyBundleFile(file, { trustedKeys: [other.verifier] });
    expect(wrongKey.ok).toBe(false);
    expect(wrongKey.checkpointsVerified).toBe(0);
  });

  it('refuses leaves that no checkpoint covers, even with the header adjusted', async () => {
    const forged = await verifyBundleFile(
      variant((l) => {
        const h = JSON.parse(l[0]!);
        l[0] = JSON.stringify({ ...h, treeSize: h.treeSize + 1 });
        return [...l, JSON.stringify({ index: 65, leaf: Buffer.from('{"action":"forged"}').toString('base64') })];
      }),
      { trustedKeys: trusted() },
    );
    expect(forged).toMatchObject({ ok: false, firstBadIndex: 65 });
    expect(forged.problems[0]!.kind).toBe('unsigned-entries');
    const noCheckpoints = await verifyBundleFile(
      variant((l) => [JSON.stringify({ ...JSON.parse(l[0]!), checkpoints: 0 }), ...l.slice(6)]),
      { trustedKeys: trusted() },
    );
    expect(noCheckpoints).toMatchObject({ ok: false, firstBadIndex: 0 });
  });

  it('refuses a file that is not a bundle with a clear error', async () => {
    await expect(verifyBundleFile(variant(() => ['{"hello":1}']))).rejects.toThrow(BundleError);
    await expect(verifyBundleFile(variant((l) => [l[0]!, 'garbage']))).rejects.toThrow(/line 2/);
  });
});

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { CHUNK, verifyLeavesParallel } from './verifier.js';
import { MerkleFrontier, leafHash } from '../merkle.js';
import { signCheckpoint } from '../checkpoint.js';
import { signerFromSeed } from '../note.js';
import { BUNDLE_FORMAT, checkpointLine, headerLine, leafLine, verifyBundleFile } from '../bundle.js';
import { tempDir } from '../../../test/helpers/db.js';
import { rmSync } from 'node:fs';
import { nativeBinding } from '../native.js';

it('the native addon is built (npm ci compiles it)', () => {
  expect(nativeBinding()).not.toBeNull();
});

const origin = 'evident.test/parallel';
const signer = signerFromSeed(origin, randomBytes(32));
const leaves = Array.from({ length: 4 * CHUNK + 123 }, (_, i) => Buffer.from(`{"n":${i},"pad":"${'p'.repeat(i % 50)}"}`));

/** Signed checkpoints at the given sizes, computed serially. */
function checkpointsAt(sizes: number[], wrongAt?: number): string[] {
  const out: string[] = [];
  const f = new MerkleFrontier();
  const want = new Set(sizes);
  for (let i = 0; i <= leaves.length; i++) {
    if (want.has(f.size)) {
      const root = f.size === wrongAt ? randomBytes(32) : f.root();
      out.push(signCheckpoint({ origin, size: f.size, root, extensions: [] }, signer));
    }
    if (i < leaves.length) f.append(leafHash(leaves[i]!));
  }
  return out;
}

const serialRoot = (n: number) => {
  const f = new MerkleFrontier();
  for (let i = 0; i < n; i++) f.append(leafHash(leaves[i]!));
  return f.root().toString('base64');
};

describe.each([true, false])('parallel verification (native hashing: %s)', (native) => {
  const dir = tempDir();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 4 * CHUNK + 123])('matches the serial root for %i leaves, with checkpoints inside chunks', async (n) => {
    const sizes = [0, 1, 7, CHUNK - 1, CHUNK, CHUNK + 3, 2 * CHUNK + 5, n].filter((s) => s <= n);
    const r = await verifyLeavesParallel(leaves.slice(0, n), { origin, verifiers: [signer.verifier], checkpoints: checkpointsAt(sizes), workers: 2, native });
    expect(r).toMatchObject({ intact: true, entries: n, rootHash: serialRoot(n), latestCheckpointSize: n });
  });

  it('finds a checkpoint whose root does not match, a truncation, and a forged signature', async () => {
    const n = 3 * CHUNK;
    const opts = { origin, verifiers: [signer.verifier], workers: 2, native };
    expect((await verifyLeavesParallel(leaves.slice(0, n), { ...opts, checkpoints: checkpointsAt([CHUNK, 2 * CHUNK + 9, n], 2 * CHUNK + 9) })).intact).toBe(false);
    expect((await verifyLeavesParallel(leaves.slice(0, n - 1), { ...opts, checkpoints: checkpointsAt([n]) })).intact).toBe(false);
    const forged = checkpointsAt([CHUNK])[0]!.replace(`\n${CHUNK}\n`, `\n${CHUNK + 1}\n`);
    expect((await verifyLeavesParallel(leaves.slice(0, n), { ...opts, checkpoints: [forged] })).intact).toBe(false);
    const edited = leaves.slice(0, n);
    edited[2 * CHUNK + 100] = Buffer.from('{"n":"edited"}');
    expect((await verifyLeavesParallel(edited, { ...opts, checkpoints: checkpointsAt([n]) })).intact).toBe(false);
  });

  describe('large bundles take the parallel path, and tampering still gets an exact report', () => {
    const cps = checkpointsAt([CHUNK, 2 * CHUNK + 77, 3 * CHUNK, leaves.length]);
    const write = (name: string, mutate: (lines: string[]) => string[] = (l) => l) => {
      const lines = leaves.map((l, i) => leafLine(i, l).trimEnd());
      const header = headerLine({ format: BUNDLE_FORMAT, origin, verifierKeys: [signer.verifier.encoded], treeSize: leaves.length, checkpoints: cps.length, exportedAt: new Date().toISOString() });
      const file = join(dir, name);
      writeFileSync(file, header + cps.map(checkpointLine).join('') + mutate(lines).join('\n') + '\n');
      return file;
    };

    it('intact', async () => {
      const r = await verifyBundleFile(write('ok.jsonl'), { trustedKeys: [signer.verifier], native });
      expect(r).toMatchObject({ ok: true, entries: leaves.length, rootHash: serialRoot(leaves.length), checkpointsVerified: 4 });
      const serial = await verifyBundleFile(write('ok.jsonl'), { trustedKeys: [signer.verifier], parallel: false, native });
      expect(serial.rootHash).toBe(r.rootHash);
    });

    it('an edited leaf', async () => {
      const r = await verifyBundleFile(
        write('edited.jsonl', (l) => ((l[2 * CHUNK + 500] = leafLine(2 * CHUNK + 500, Buffer.from('{"n":"x"}')).trimEnd()), l)),
        { trustedKeys: [signer.verifier], native },
      );
      expect(r).toMatchObject({ ok: false, firstBadIndex: 2 * CHUNK + 77 });
    });

    it('a removed leaf and a swapped pair', async () => {
      const removed = await verifyBundleFile(write('removed.jsonl', (l) => l.filter((_, i) => i !== CHUNK + 5)), { trustedKeys: [signer.verifier], native });
      expect(removed).toMatchObject({ ok: false, firstBadIndex: CHUNK + 5, firstBadIndexExact: true });
      const swapped = await verifyBundleFile(
        write('swapped.jsonl', (l) => {
          [l[3 * CHUNK + 1], l[3 * CHUNK + 2]] = [l[3 * CHUNK + 2]!, l[3 * CHUNK + 1]!];
          return l;
        }),
        { trustedKeys: [signer.verifier], native },
      );
      expect(swapped).toMatchObject({ ok: false, firstBadIndex: 3 * CHUNK + 1 });
    });

    it('one strict grammar on every path: blank lines, leading zeros and loose base64 are refused', async () => {
      const variants: [string, (l: string[]) => string[]][] = [
        ['blank line', (l) => [...l.slice(0, 3 * CHUNK), '', ...l.slice(3 * CHUNK)]],
        ['leading zero', (l) => ((l[CHUNK + 9] = l[CHUNK + 9]!.replace(`"index":${CHUNK + 9}`, `"index":0${CHUNK + 9}`)), l)],
        ['data after padding', (l) => ((l[2 * CHUNK] = `{"index":${2 * CHUNK},"leaf":"AAAA=BBB"}`), l)],
        ['non-canonical padding bits', (l) => ((l[5] = '{"index":5,"leaf":"AB=="}'), l)],
      ];
      for (const [name, mutate] of variants) {
        const file = write(`${name.replace(/ /gu, '-')}.jsonl`, mutate);
        await expect(verifyBundleFile(file, { trustedKeys: [signer.verifier], native }), name).rejects.toThrow(/line \d+: expected/u);
        await expect(verifyBundleFile(file, { trustedKeys: [signer.verifier], native, parallel: false }), name).rejects.toThrow(/line \d+: expected/u);
      }
    });

    it('a truncated file', async () => {
      const r = await verifyBundleFile(write('cut.jsonl', (l) => l.slice(0, 4 * CHUNK)), { trustedKeys: [signer.verifier], native });
      expect(r).toMatchObject({ ok: false, firstBadIndex: 4 * CHUNK });
    });
  });
});

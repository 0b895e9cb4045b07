// The offline ledger bundle: JSON Lines, self-contained, verifiable with no database and no
// server. Line 1 is the header; then every signed checkpoint; then every leaf in index order.
//   {"format":"evident-ledger-bundle/v1","origin":…,"verifierKeys":[…],"treeSize":N,"checkpoints":K,"exportedAt":…}
//   {"checkpoint":"<signed note text>"}            (K lines, ascending size)
//   {"index":0,"leaf":"<base64 of the exact leaf bytes>"}   (N lines)
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { parseVerifierKey, type NoteVerifier } from './note.js';
import { LedgerVerifier, type VerifyReport } from './verify.js';
import { CHUNK, verifyBundleLeavesParallel, workerCount } from './parallel/verifier.js';

export const BUNDLE_FORMAT = 'evident-ledger-bundle/v1';
const MAX_LINE = 16 * 1024 * 1024;

export const BundleHeaderSchema = z
  .object({
    format: z.literal(BUNDLE_FORMAT),
    origin: z.string().min(1).max(255),
    verifierKeys: z.array(z.string().max(512)).min(1).max(100),
    treeSize: z.number().int().min(0),
    checkpoints: z.number().int().min(0),
    exportedAt: z.string().max(32),
  })
  .strict();
export type BundleHeader = z.infer<typeof BundleHeaderSchema>;

export function headerLine(h: BundleHeader): string {
  return JSON.stringify(h) + '\n';
}
export function checkpointLine(note: string): string {
  return JSON.stringify({ checkpoint: note }) + '\n';
}
export function leafLine(index: number, leaf: Uint8Array): string {
  return `{"index":${index},"leaf":"${Buffer.from(leaf).toString('base64')}"}\n`;
}

export class BundleError extends Error {
  override name = 'BundleError';
}

export interface BundleVerifyOptions {
  /** Keys the auditor trusts. Without them the bundle's own keys are used, and the report says so. */
  trustedKeys?: NoteVerifier[];
  /** Checkpoints the auditor kept from earlier: the bundle must be consistent with them. */
  trustedCheckpoints?: string[];
}

export interface BundleReport extends VerifyReport {
  header: BundleHeader;
  keysFrom: 'trusted' | 'bundle';
}

// One grammar on every path (serial, JavaScript workers, native): no leading zeros, canonical base64.
const LEAF_LINE = /^\{"index":(0|[1-9][0-9]{0,15}),"leaf":"([A-Za-z0-9+/]*={0,2})"\}$/u;
/** Below this many entries one thread is as fast as starting workers. */
const PARALLEL_MIN_ENTRIES = 4 * CHUNK;

/** Reads the header and checkpoint lines, and where the leaf lines begin. */
async function readPreamble(path: string): Promise<{ header: BundleHeader; checkpoints: string[]; leafOffset: number; leafLine: number }> {
  const fh = await open(path, 'r');
  try {
    let buf = Buffer.alloc(0);
    let pos = 0;
    let consumed = 0;
    let lineNo = 0;
    const nextLine = async (): Promise<string | null> => {
      for (;;) {
        const nl = buf.indexOf(10);
        if (nl >= 0) {
          const line = buf.subarray(0, nl).toString('utf8');
          buf = buf.subarray(nl + 1);
          consumed += nl + 1;
          lineNo += 1;
          if (nl > MAX_LINE) throw new BundleError(`line ${lineNo} is longer than ${MAX_LINE} bytes`);
          return line;
        }
        if (buf.length > MAX_LINE) throw new BundleError(`line ${lineNo + 1} is longer than ${MAX_LINE} bytes`);
        const chunk = Buffer.allocUnsafe(1 << 20);
        const { bytesRead } = await fh.read(chunk, 0, chunk.length, pos);
        if (bytesRead === 0) {
          if (buf.length === 0) return null;
          const line = buf.toString('utf8');
          consumed += buf.length;
          buf = Buffer.alloc(0);
          lineNo += 1;
          return line;
        }
        pos += bytesRead;
        buf = Buffer.concat([buf, chunk.subarray(0, bytesRead)]);
      }
    };
    const first = await nextLine();
    if (first === null) throw new BundleError('the file is empty');
    const parsed = BundleHeaderSchema.safeParse(safeJson(first, 1));
    if (!parsed.success) throw new BundleError(`line 1 is not an ${BUNDLE_FORMAT} header: ${parsed.error.issues[0]?.message ?? ''}`);
    const checkpoints: string[] = [];
    while (checkpoints.length < parsed.data.checkpoints) {
      const line = await nextLine();
      if (line === null) break;
      const c = z.object({ checkpoint: z.string().max(1 << 20) }).strict().safeParse(safeJson(line, lineNo));
      if (!c.success) throw new BundleError(`line ${lineNo}: expected a checkpoint line`);
      checkpoints.push(c.data.checkpoint);
    }
    return { header: parsed.data, checkpoints, leafOffset: consumed, leafLine: lineNo + 1 };
  } finally {
    await fh.close();
  }
}

/** Streams and verifies a bundle file. Throws BundleError when the file is not a bundle at all. */
export async function verifyBundleFile(path: string, opts: BundleVerifyOptions & { parallel?: boolean; native?: boolean } = {}): Promise<BundleReport> {
  const pre = await readPreamble(path);
  const keysFrom: 'trusted' | 'bundle' = opts.trustedKeys?.length ? 'trusted' : 'bundle';
  const verifiers = keysFrom === 'trusted' ? opts.trustedKeys! : pre.header.verifierKeys.map((k) => parseVerifierKey(k));
  const checkpoints = [...(opts.trustedCheckpoints ?? []), ...pre.checkpoints];
  const base = { origin: pre.header.origin, verifiers, checkpoints };

  // Fast path: hash in parallel workers. Only a clean result is taken from it; any problem is
  // re-examined by the serial verifier below, which names the first bad index exactly.
  if ((opts.parallel ?? true) && pre.header.treeSize >= PARALLEL_MIN_ENTRIES && workerCount() > 1) {
    // A worker failure is not a verdict: the serial path below decides.
    const fast = await verifyBundleLeavesParallel(path, pre.leafOffset, { ...base, ...(opts.native === false ? { native: false } : {}) }).catch(() => null);
    if (fast && fast.intact && fast.entries === pre.header.treeSize && (fast.latestCheckpointSize ?? 0) === fast.entries) {
      return {
        ok: true,
        origin: pre.header.origin,
        entries: fast.entries,
        rootHash: fast.rootHash,
        checkpointsVerified: fast.checkpointsVerified,
        latestCheckpointSize: fast.latestCheckpointSize,
        uncovered: 0,
        firstBadIndex: null,
        firstBadIndexExact: true,
        problems: [],
        header: pre.header,
        keysFrom,
      };
    }
  }

  const verifier = new LedgerVerifier(base);
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20, start: pre.leafOffset }), crlfDelay: Infinity });
  let lineNo = pre.leafLine - 1;
  for await (const line of lines) {
    lineNo += 1;
    if (line.length > MAX_LINE) throw new BundleError(`line ${lineNo} is longer than ${MAX_LINE} bytes`);
    const m = LEAF_LINE.exec(line);
    const leaf = m ? Buffer.from(m[2]!, 'base64') : undefined;
    if (!m || !leaf || leaf.toString('base64') !== m[2]) throw new BundleError(`line ${lineNo}: expected {"index":N,"leaf":"<canonical base64>"}`);
    verifier.add(Number(m[1]), leaf);
    if (verifier.stopped) break;
  }
  lines.close();
  const report = verifier.finish();
  if (report.ok && report.entries !== pre.header.treeSize) {
    report.ok = false;
    report.problems.push({ kind: 'truncated', index: report.entries, message: `the header promises ${pre.header.treeSize} entries but the file holds ${report.entries}` });
    report.firstBadIndex ??= report.entries;
  }
  return { ...report, header: pre.header, keysFrom };
}

function safeJson(line: string, lineNo: number): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw new BundleError(`line ${lineNo} is not JSON`);
  }
}

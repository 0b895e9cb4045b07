// The offline ledger bundle: JSON Lines, self-contained, verifiable with no database and no
// server. Line 1 is the header; then every signed checkpoint; then every leaf in index order.
//   {"format":"evident-ledger-bundle/v1","origin":…,"verifierKeys":[…],"treeSize":N,"checkpoints":K,"exportedAt":…}
//   {"checkpoint":"<signed note text>"}            (K lines, ascending size)
//   {"index":0,"leaf":"<base64 of the exact leaf bytes>"}   (N lines)
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { parseVerifierKey, type NoteVerifier } from './note.js';
import { LedgerVerifier, type VerifyReport } from './verify.js';

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

const LEAF_LINE = /^\{"index":(\d+),"leaf":"([A-Za-z0-9+/=]*)"\}$/u;

/** Streams and verifies a bundle file. Throws BundleError when the file is not a bundle at all. */
export async function verifyBundleFile(path: string, opts: BundleVerifyOptions = {}): Promise<BundleReport> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  let header: BundleHeader | undefined;
  const notes: string[] = [...(opts.trustedCheckpoints ?? [])];
  let verifier: LedgerVerifier | undefined;
  let keysFrom: 'trusted' | 'bundle' = 'trusted';
  let lineNo = 0;
  for await (const line of lines) {
    lineNo += 1;
    if (line.length > MAX_LINE) throw new BundleError(`line ${lineNo} is longer than ${MAX_LINE} bytes`);
    if (!header) {
      const parsed = BundleHeaderSchema.safeParse(safeJson(line, lineNo));
      if (!parsed.success) throw new BundleError(`line 1 is not an ${BUNDLE_FORMAT} header: ${parsed.error.issues[0]?.message ?? ''}`);
      header = parsed.data;
      continue;
    }
    if (!verifier && notes.length - (opts.trustedCheckpoints?.length ?? 0) < header.checkpoints) {
      const c = z.object({ checkpoint: z.string().max(1 << 20) }).strict().safeParse(safeJson(line, lineNo));
      if (!c.success) throw new BundleError(`line ${lineNo}: expected a checkpoint line`);
      notes.push(c.data.checkpoint);
      continue;
    }
    if (!verifier) {
      let keys = opts.trustedKeys;
      if (!keys || keys.length === 0) {
        keysFrom = 'bundle';
        keys = header.verifierKeys.map((k) => parseVerifierKey(k));
      }
      verifier = new LedgerVerifier({ origin: header.origin, verifiers: keys, checkpoints: notes });
    }
    const m = LEAF_LINE.exec(line);
    if (!m) throw new BundleError(`line ${lineNo}: expected {"index":N,"leaf":"<base64>"}`);
    verifier.add(Number(m[1]), Buffer.from(m[2]!, 'base64'));
    if (verifier.stopped) break;
  }
  lines.close();
  if (!header) throw new BundleError('the file is empty');
  verifier ??= new LedgerVerifier({
    origin: header.origin,
    verifiers: opts.trustedKeys?.length ? opts.trustedKeys : header.verifierKeys.map((k) => parseVerifierKey(k)),
    checkpoints: notes,
  });
  if (!opts.trustedKeys?.length) keysFrom = 'bundle';
  const report = verifier.finish();
  if (report.ok && report.entries !== header.treeSize) {
    report.ok = false;
    report.problems.push({ kind: 'truncated', index: report.entries, message: `the header promises ${header.treeSize} entries but the file holds ${report.entries}` });
    report.firstBadIndex ??= report.entries;
  }
  return { ...report, header, keysFrom };
}

function safeJson(line: string, lineNo: number): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw new BundleError(`line ${lineNo} is not JSON`);
  }
}

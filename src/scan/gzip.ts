// gzip, streamed: node:zlib inflates member after member (concatenated members are one stream)
// into a forward-only reader, so a layer of many GB is never held in memory. Bounded by the
// scan's streamed-bytes budget and by the inflate ratio: a gzip bomb stops with a finding.
// zstd (the other OCI layer compression) is in zstd.ts.
import { createGunzip } from 'node:zlib';
import { Readable, pipeline } from 'node:stream';
import type { Finding } from './types.js';
import type { Budget } from './limits.js';
import { chunkReader, type SeqReader } from './seq.js';

export function startsLikeGzip(head: Uint8Array): boolean {
  return head[0] === 0x1f && head[1] === 0x8b && head[2] === 0x08;
}

export function startsLikeZstd(head: Uint8Array): boolean {
  return head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd;
}

/** Input is fed to zlib in pieces this size; the ratio check is as fine as this. */
const FEED = 256 * 1024;
/** Output below this is never called a bomb (as for zip members). */
const RATIO_GRACE = 2 ** 20;

export interface Gunzip {
  /** The decompressed bytes. Ends early (with `stopped`) on corrupt data or a bound. */
  reader: SeqReader;
  /** Problems met so far: corrupt or truncated data, a bomb, trailing data. Read after use. */
  findings: Finding[];
  /** Stops inflating; resolves once nothing reads `input` any more. */
  close(): Promise<void>;
}

export function gunzip(input: SeqReader, budget: Budget): Gunzip {
  const { maxRatio, maxStreamedBytes } = budget.limits;
  const findings: Finding[] = [];
  const gz = createGunzip({ chunkSize: 128 * 1024 });
  let fed = 0;
  let out = 0;
  let stopped = false;
  // The read in flight from `input`: close() waits for it, so that whoever reads `input` next
  // (the tar walker around a nested .gz member) never races the feeder for the same bytes.
  let inFlight: Promise<unknown> = Promise.resolve();
  const feed = Readable.from(
    (async function* () {
      for (;;) {
        const p = input.chunk(FEED);
        inFlight = p;
        const c = await p;
        if (c.length === 0) return;
        fed += c.length;
        yield Buffer.from(c.buffer, c.byteOffset, c.length);
      }
    })(),
  );
  // Errors reach the consumer through the iterator; this callback only keeps them handled.
  pipeline(feed, gz, () => {});
  const it = gz[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const halt = () => {
    if (!gz.destroyed) gz.destroy();
    if (!feed.destroyed) feed.destroy();
    void it.return?.()?.catch(() => {});
  };
  const close = async () => {
    halt();
    await inFlight.catch(() => {});
  };
  const stop = (rule: string, detail: string) => {
    if (stopped) return;
    stopped = true;
    findings.push({ rule, severity: 'suspicious', detail });
    halt();
  };
  const next = async (): Promise<Uint8Array | undefined> => {
    if (stopped) return undefined;
    let r: IteratorResult<Buffer>;
    try {
      r = await it.next();
    } catch (e) {
      const msg = (e as Error).message;
      stop(/unexpected end/iu.test(msg) ? 'gzip-truncated' : 'gzip-corrupt', `gzip data does not inflate past ${out} bytes (${msg}); what follows was not inspected`);
      return undefined;
    }
    if (r.done) {
      // zlib stops quietly at zero bytes after a member and ignores the rest, which another reader
      // may not: data there is not part of what was scanned.
      if (fed > gz.bytesWritten) findings.push({ rule: 'gzip-trailing-data', severity: 'suspicious', detail: `${fed - gz.bytesWritten}+ bytes after the last gzip member were not inflated or inspected` });
      return undefined;
    }
    const c = r.value;
    out += c.length;
    budget.streamed += c.length;
    if (out > RATIO_GRACE && out > fed * maxRatio) {
      stop('gzip-bomb', `inflates past ${maxRatio}x its compressed size (${out} bytes from at most ${fed}); stopped, the rest was not inspected`);
    } else if (budget.streamed > maxStreamedBytes) {
      stop('stream-too-large', `more than ${maxStreamedBytes} decompressed bytes in one scan; stopped after ${out} bytes of this stream, the rest was not inspected`);
    }
    return c;
  };
  return { reader: chunkReader(next, () => stopped), findings, close };
}

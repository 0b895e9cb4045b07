// zstd (an OCI layer compression), streamed: fzstd (pure JavaScript; Node 20's zlib has no zstd)
// decompresses into a forward-only reader, bounded like gzip by the scan's streamed-bytes budget
// and the ratio. A frame's header decides how much memory the decoder takes (its window), up to
// 2 GB: every frame header is read here first and a window above MAX_WINDOW stops the stream
// with a finding before the decoder sees it.
import { Decompress } from 'fzstd';
import type { Budget } from './limits.js';
import type { Finding } from './types.js';
import { chunkReader, type SeqReader } from './seq.js';
import type { Gunzip } from './gzip.js';

/** zstd's own default ceiling for `--long` (2^27): real layers stay far below it. */
export const MAX_WINDOW = 128 * 2 ** 20;
const FEED = 256 * 1024;
const RATIO_GRACE = 2 ** 20;

/**
 * Follows frame boundaries in the compressed bytes (headers, block headers, checksums, skippable
 * frames) without decoding, and reports the window each frame asks for.
 */
export class ZstdFrameWalker {
  private need = 4;
  private state: 'magic' | 'descriptor' | 'header' | 'block' | 'data' | 'checksum' | 'skipsize' | 'skip' = 'magic';
  private acc: number[] = [];
  private checksum = false;
  private last = false;
  /** Set when the stream breaks the format or asks for too much: the reason. */
  problem: string | undefined;
  frames = 0;

  /**
   * Consumes `c`; returns false (with `problem`) as soon as the stream must not be decoded further.
   * `cuts` gets the offsets in `c` where a block ended: the decoder is fed block by block, so one
   * push never produces more than one block (128 KiB) between two checks of the bounds.
   */
  feed(c: Uint8Array, cuts: number[] = []): boolean {
    let i = 0;
    while (i < c.length && !this.problem) {
      if (this.state === 'data' || this.state === 'skip') {
        const n = Math.min(this.need, c.length - i);
        i += n;
        this.need -= n;
        if (this.need === 0) {
          this.afterData();
          cuts.push(i);
        }
        continue;
      }
      this.acc.push(c[i++]!);
      if (this.acc.length < this.need) continue;
      const b = this.acc;
      this.acc = [];
      this.step(b);
    }
    return !this.problem;
  }

  private afterData(): void {
    if (this.state === 'skip') return this.expect('magic', 4);
    if (this.last) return this.checksum ? this.expect('checksum', 4) : this.expect('magic', 4);
    this.expect('block', 3);
  }

  private expect(state: ZstdFrameWalker['state'], need: number): void {
    this.state = state;
    this.need = need;
  }

  private step(b: number[]): void {
    switch (this.state) {
      case 'magic': {
        const m = (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
        if (m === 0xfd2fb528) return this.expect('descriptor', 1);
        if ((m & 0xfffffff0) === 0x184d2a50) return this.expect('skipsize', 4);
        this.problem = `bytes after frame ${this.frames} are not a zstd frame`;
        return;
      }
      case 'descriptor': {
        const d = b[0]!;
        if (d & 0x08) {
          this.problem = 'a frame header sets the reserved bit';
          return;
        }
        const single = (d >> 5) & 1;
        const fcf = d >> 6;
        const dictBytes = [0, 1, 2, 4][d & 3]!;
        const fcsBytes = fcf ? 1 << fcf : single;
        this.checksum = ((d >> 2) & 1) === 1;
        this.headerSingle = single === 1;
        this.headerFcs = fcsBytes;
        this.headerDict = dictBytes;
        // Never empty: a window byte, or (single segment) at least one byte of content size.
        return this.expect('header', (single ? 0 : 1) + dictBytes + fcsBytes);
      }
      case 'header': {
        let window: number;
        if (!this.headerSingle) {
          const exp = b[0]! >> 3;
          const base = 2 ** (10 + exp);
          window = base + (base / 8) * (b[0]! & 7);
        } else {
          // Single segment: the window is the content size (fcsBytes of it, little endian; 2 bytes add 256).
          let v = 0;
          const at = this.headerDict;
          for (let k = this.headerFcs - 1; k >= 0; k--) v = v * 256 + b[at + k]!;
          window = this.headerFcs === 2 ? v + 256 : v;
        }
        if (window > MAX_WINDOW) {
          this.problem = `frame ${this.frames + 1} asks for a ${window}-byte window, above the ${MAX_WINDOW}-byte bound`;
          return;
        }
        this.frames++;
        this.last = false;
        return this.expect('block', 3);
      }
      case 'block': {
        const h = b[0]! | (b[1]! << 8) | (b[2]! << 16);
        this.last = (h & 1) === 1;
        const type = (h >> 1) & 3;
        const size = h >> 3;
        if (type === 3) {
          this.problem = 'a block of the reserved type';
          return;
        }
        this.expect('data', type === 1 ? 1 : size);
        // An empty raw block has no data: it ends here (the cut falls on the next data boundary).
        if (this.need === 0) this.afterData();
        return;
      }
      case 'checksum':
        return this.expect('magic', 4);
      case 'skipsize': {
        this.expect('skip', (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0);
        if (this.need === 0) this.expect('magic', 4);
        return;
      }
    }
  }

  private headerSingle = false;
  private headerFcs = 0;
  private headerDict = 0;

  /** True when the stream ended between frames, as a complete stream does. */
  get atFrameBoundary(): boolean {
    return this.state === 'magic' && this.acc.length === 0;
  }
}

/** Decompresses `input` as a stream; the same contract as gunzip (see gzip.ts). */
export function unzstd(input: SeqReader, budget: Budget): Gunzip {
  const { maxRatio, maxStreamedBytes } = budget.limits;
  const findings: Finding[] = [];
  const walker = new ZstdFrameWalker();
  const queue: Uint8Array[] = [];
  const z = new Decompress((chunk) => {
    if (chunk.length) queue.push(chunk);
  });
  let fed = 0;
  let out = 0;
  let stopped = false;
  let ended = false;
  let inFlight: Promise<unknown> = Promise.resolve();
  const stop = (rule: string, detail: string) => {
    if (stopped) return;
    stopped = true;
    queue.length = 0;
    findings.push({ rule, severity: 'suspicious', detail });
  };
  const next = async (): Promise<Uint8Array | undefined> => {
    while (!stopped) {
      const c = queue.shift();
      if (c) {
        out += c.length;
        budget.streamed += c.length;
        if (out > RATIO_GRACE && out > fed * maxRatio) stop('zstd-bomb', `decompresses past ${maxRatio}x its compressed size (${out} bytes from at most ${fed}); stopped, the rest was not inspected`);
        else if (budget.streamed > maxStreamedBytes) stop('stream-too-large', `more than ${maxStreamedBytes} decompressed bytes in one scan; stopped after ${out} bytes of this stream, the rest was not inspected`);
        return stopped ? undefined : c;
      }
      if (ended) return undefined;
      const p = input.chunk(FEED);
      inFlight = p;
      const raw = await p;
      const final = raw.length === 0;
      fed += raw.length;
      // The window check comes first: the decoder allocates what a frame header asks for.
      const cuts: number[] = [];
      if (!walker.feed(raw, cuts)) {
        stop('zstd-unsafe-frame', `${walker.problem}; decompression stopped after ${out} bytes, the rest was not inspected`);
        return undefined;
      }
      if (final && !walker.atFrameBoundary) {
        stop('zstd-truncated', `the zstd stream ends inside frame ${walker.frames}; decompression stopped after ${out} bytes, the rest was not inspected`);
        return undefined;
      }
      try {
        let from = 0;
        for (const to of [...cuts, raw.length]) {
          if (to > from) z.push(raw.subarray(from, to), false);
          from = to;
          // RLE blocks make 128 KiB from 4 bytes: the bounds are checked block by block, not per chunk.
          let pending = 0;
          for (const q of queue) pending += q.length;
          if (out + pending > RATIO_GRACE && out + pending > fed * maxRatio) {
            stop('zstd-bomb', `decompresses past ${maxRatio}x its compressed size (${out + pending} bytes from at most ${fed}); stopped, the rest was not inspected`);
            return undefined;
          }
          if (budget.streamed + pending > maxStreamedBytes) {
            stop('stream-too-large', `more than ${maxStreamedBytes} decompressed bytes in one scan; stopped after ${out} bytes of this stream, the rest was not inspected`);
            return undefined;
          }
        }
        if (final) z.push(new Uint8Array(0), true);
      } catch (e) {
        stop('zstd-corrupt', `zstd data does not decompress past ${out} bytes (${(e as Error).message}); what follows was not inspected`);
        return undefined;
      }
      if (final) ended = true;
    }
    return undefined;
  };
  return {
    reader: chunkReader(next, () => stopped),
    findings,
    close: async () => {
      stopped = true;
      queue.length = 0;
      await inFlight.catch(() => {});
    },
  };
}

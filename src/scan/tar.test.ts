import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanBytes, scanFile } from './scan.js';
import type { ScanResult } from './types.js';
import { mutatedFrom } from '../../test/helpers/mutate.js';

const DATA = join(import.meta.dirname, '../../test/fixtures/model-files/picklescan/data');
const evil = readFileSync(join(DATA, 'malicious1_v4.pkl'));
const torchZip = readFileSync(join(DATA, 'new_pytorch_model.bin'));
const benignPickle = readFileSync(join(DATA, 'benign0_v4.pkl'));

interface Entry {
  name: string;
  data?: Uint8Array;
  /** typeflag, default '0'. */
  type?: string;
  link?: string;
  /** Written as a pax 'x' header before this entry. */
  pax?: Record<string, string>;
  /** Name written as a GNU 'L' record (header name truncated). */
  gnuLong?: boolean;
  /** ustar prefix field. */
  prefix?: string;
  /** Declared size when it should lie. */
  size?: number;
  corruptChecksum?: boolean;
  devmajor?: number;
}

const pad = (n: number) => Buffer.alloc((512 - (n % 512)) % 512);

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, '0')}\0`;
}

/** One 512-byte header, ustar (POSIX) unless `gnu`. */
function header(name: string, size: number, type: string, opts: { link?: string; prefix?: string; gnu?: boolean; corrupt?: boolean; devmajor?: number } = {}): Buffer {
  const h = Buffer.alloc(512);
  h.write(name.slice(0, 100), 0, 'utf8');
  h.write(octal(0o644, 8), 100);
  h.write(octal(0, 8), 108);
  h.write(octal(0, 8), 116);
  h.write(octal(size, 12), 124);
  h.write(octal(0, 12), 136);
  h.write(type, 156);
  if (opts.link) h.write(opts.link.slice(0, 100), 157);
  if (opts.gnu) h.write('ustar  \0', 257, 'latin1');
  else h.write('ustar\x0000', 257, 'latin1');
  if (opts.devmajor !== undefined) h.write(octal(opts.devmajor, 8), 329);
  if (opts.prefix) h.write(opts.prefix, 345);
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  if (opts.corrupt) h[0] = h[0]! ^ 1;
  return h;
}

function paxBody(recs: Record<string, string>): Buffer {
  return Buffer.concat(
    Object.entries(recs).map(([k, v]) => {
      const body = ` ${k}=${v}\n`;
      let len = Buffer.byteLength(body) + 1;
      while (String(len).length + Buffer.byteLength(body) !== len) len++;
      return Buffer.from(`${len}${body}`);
    }),
  );
}

/** A tar writer for tests: each knob reproduces something real archives (or attackers) do. */
function tar(entries: Entry[], opts: { end?: boolean; trailer?: Uint8Array } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.data ?? new Uint8Array(0));
    if (e.pax) {
      const body = paxBody(e.pax);
      parts.push(header('PaxHeaders/x', body.length, 'x'), body, pad(body.length));
    }
    if (e.gnuLong) {
      const body = Buffer.from(`${e.name}\0`);
      parts.push(header('././@LongLink', body.length, 'L', { gnu: true }), body, pad(body.length));
    }
    const size = e.size ?? data.length;
    parts.push(header(e.name, size, e.type ?? '0', { link: e.link, prefix: e.prefix, gnu: e.gnuLong, corrupt: e.corruptChecksum, devmajor: e.devmajor }));
    parts.push(data, pad(data.length));
  }
  if (opts.end !== false) parts.push(Buffer.alloc(1024));
  if (opts.trailer) parts.push(Buffer.from(opts.trailer));
  return Buffer.concat(parts);
}

const rules = (r: ScanResult) => r.findings.map((f) => f.rule);
const dangerousIn = (r: ScanResult) => r.findings.filter((f) => f.severity === 'dangerous').map((f) => f.member);

/** A pickle that imports builtins.eval and then carries `n` bytes of BINBYTES before STOP. */
function bigPickle(n: number, malicious: boolean): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32LE(n);
  const imp = malicious ? Buffer.from('\x8c\x08builtins\x94\x8c\x04eval\x94\x93\x94', 'latin1') : Buffer.alloc(0);
  return Buffer.concat([Buffer.from([0x80, 4]), imp, Buffer.from('B'), len, Buffer.alloc(n, 7), Buffer.from(malicious ? '0.' : '.', 'latin1')]);
}

function safetensors(dataBytes: number): Buffer {
  const hdr = Buffer.from(JSON.stringify({ w: { dtype: 'U8', shape: [dataBytes], data_offsets: [0, dataBytes] } }));
  const n = Buffer.alloc(8);
  n.writeBigUInt64LE(BigInt(hdr.length));
  return Buffer.concat([n, hdr, Buffer.alloc(dataBytes, 1)]);
}

describe('tar layers', () => {
  const layer = tar([
    { name: 'models/', type: '5' },
    { name: 'models/README.md', data: Buffer.from('# a model\n') },
    { name: 'models/evil.pkl', data: evil },
  ]);

  it('finds a malicious pickle inside layer.tar, naming the member', async () => {
    const r = await scanBytes('layer.tar', layer);
    expect(r.format).toBe('tar');
    expect(r.verdict).toBe('dangerous');
    expect(dangerousIn(r)).toEqual(['models/evil.pkl']);
  });

  it('finds it inside layer.tar.gz, in memory and from a file', async () => {
    const gz = gzipSync(layer);
    const r = await scanBytes('layer.tar.gz', gz);
    expect(r.format).toBe('tar+gzip');
    expect(r.verdict).toBe('dangerous');
    expect(dangerousIn(r)).toEqual(['models/evil.pkl']);
    const dir = mkdtempSync(join(tmpdir(), 'evident-tar-'));
    try {
      writeFileSync(join(dir, 'layer.tar.gz'), gz);
      writeFileSync(join(dir, 'layer.tar'), layer);
      for (const f of ['layer.tar.gz', 'layer.tar']) {
        const fr = await scanFile(join(dir, f));
        expect(fr.verdict).toBe('dangerous');
        expect(dangerousIn(fr)).toEqual(['models/evil.pkl']);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads a tar split over several gzip members', async () => {
    const half = 1024;
    const gz = Buffer.concat([gzipSync(layer.subarray(0, half)), gzipSync(layer.subarray(half))]);
    const r = await scanBytes('layer.tar.gz', gz);
    expect(dangerousIn(r)).toEqual(['models/evil.pkl']);
    expect(rules(r)).not.toContain('gzip-corrupt');
  });

  it('calls a benign PyTorch zip inside a tar.gz safe, scanned as on its own', async () => {
    const r = await scanBytes('weights.tar.gz', gzipSync(tar([{ name: 'model/pytorch_model.bin', data: torchZip }, { name: 'model/config.json', data: Buffer.from('{}') }])));
    expect(r.verdict, JSON.stringify(r.findings)).toBe('safe');
    const own = await scanBytes('pytorch_model.bin', torchZip);
    expect(r.findings.filter((f) => f.member?.startsWith('model/pytorch_model.bin')).map((f) => f.rule).sort()).toEqual(own.findings.map((f) => f.rule).sort());
  });

  it('scans a gzipped pickle as its content', async () => {
    const r = await scanBytes('model.pkl.gz', gzipSync(evil));
    expect(r.format).toBe('gzip');
    expect(r.verdict).toBe('dangerous');
    expect((await scanBytes('ok.pkl.gz', gzipSync(benignPickle))).verdict).toBe('safe');
  });

  it('opens nested archives: a tar.gz inside a tar', async () => {
    const inner = gzipSync(tar([{ name: 'evil.pkl', data: evil }]));
    const r = await scanBytes('outer.tar', tar([{ name: 'layers/inner.tar.gz', data: inner }]));
    expect(dangerousIn(r)).toEqual(['layers/inner.tar.gz!evil.pkl']);
    const rg = await scanBytes('outer.tar.gz', gzipSync(tar([{ name: 'layers/inner.tar.gz', data: inner }])));
    expect(dangerousIn(rg)).toEqual(['layers/inner.tar.gz!evil.pkl']);
  });

  it('picks up the outer walk exactly where a nested .gz member stopped early', async () => {
    const noise = Buffer.from(Array.from({ length: 3 * 2 ** 20 }, (_, i) => (i * 2654435761) >>> 24));
    // The inner walk stops at a bad checksum with most of the inner gzip still unread.
    const inner = gzipSync(tar([{ name: 'a.txt', data: Buffer.from('a') }, { name: 'x', data: noise, corruptChecksum: true }]));
    const outer = gzipSync(tar([{ name: 'inner.tar.gz', data: inner }, { name: 'after/evil.pkl', data: evil }, { name: 'after/noise', data: noise.subarray(0, 100_000) }]));
    const r = await scanBytes('outer.tar.gz', outer);
    expect(dangerousIn(r)).toEqual(['after/evil.pkl']);
    expect(r.findings.filter((f) => f.rule === 'tar-bad-checksum').map((f) => f.member)).toEqual(['inner.tar.gz']);
    expect(rules(r)).not.toContain('tar-truncated');
  });

  it('stops at the depth limit', async () => {
    let b: Buffer = tar([{ name: 'evil.pkl', data: evil }]);
    for (let i = 0; i < 6; i++) b = gzipSync(tar([{ name: `l${i}.tar.gz`, data: b }]));
    const r = await scanBytes('deep.tar.gz', b);
    expect(rules(r)).toContain('archive-too-deep');
    expect(r.verdict).toBe('suspicious');
  });
});

describe('tar headers', () => {
  const long = `${'very-long-directory-name/'.repeat(8)}evil.pkl`;

  it('takes GNU long names', async () => {
    const r = await scanBytes('gnu.tar', tar([{ name: long, data: evil, gnuLong: true }]));
    expect(dangerousIn(r)).toEqual([long]);
  });

  it('takes pax paths, and a pax size over the header size', async () => {
    const r = await scanBytes('pax.tar', tar([{ name: 'short', data: evil, pax: { path: long } }]));
    expect(dangerousIn(r)).toEqual([long]);
    // The header says 0 bytes, pax says the real size: a reader that ignores pax sees no pickle.
    const hidden = await scanBytes('pax.tar', tar([{ name: 'empty', data: evil, size: 0, pax: { size: String(evil.length) } }]));
    expect(dangerousIn(hidden)).toEqual(['empty']);
  });

  it('joins the ustar prefix', async () => {
    const r = await scanBytes('prefix.tar', tar([{ name: 'evil.pkl', prefix: 'a/b', data: evil }]));
    expect(dangerousIn(r)).toEqual(['a/b/evil.pkl']);
  });

  it('stops at a bad checksum with a finding', async () => {
    const r = await scanBytes('bad.tar', tar([{ name: 'ok.txt', data: Buffer.from('hi') }, { name: 'evil.pkl', data: evil, corruptChecksum: true }]));
    expect(rules(r)).toContain('tar-bad-checksum');
    expect(r.verdict).toBe('suspicious');
    const first = await scanBytes('bad.tar', tar([{ name: 'evil.pkl', data: evil, corruptChecksum: true }]));
    expect(first.format).toBe('tar');
    expect(rules(first)).toContain('tar-bad-checksum');
  });

  it('reports paths and links that leave the extraction root', async () => {
    const r = await scanBytes(
      'escape.tar',
      tar([
        { name: '../../etc/cron.d/x', data: Buffer.from('* * * * * root sh') },
        { name: '/abs/file', data: Buffer.from('x') },
        { name: 'lib/link', type: '2', link: '../../../etc' },
        { name: 'lib/abs', type: '2', link: '/etc/passwd' },
        { name: 'lib/ok', type: '2', link: '../bin/x' },
        { name: 'hard', type: '1', link: '../outside' },
        { name: 'dev/mem', type: '3', devmajor: 1 },
      ]),
    );
    const esc = r.findings.filter((f) => f.rule === 'tar-path-escape').map((f) => f.member);
    // An absolute link target is the layer's own root (OS layers are full of them): not an escape.
    expect(esc.sort()).toEqual(['../../etc/cron.d/x', '/abs/file', 'hard', 'lib/link']);
    expect(r.findings.find((f) => f.rule === 'tar-device-node')?.member).toBe('dev/mem');
    expect(r.findings.find((f) => f.rule === 'tar-links')?.detail).toMatch(/3 symbolic link.*1 hard link/u);
    expect(r.verdict).toBe('suspicious');
  });

  it('reports data after the end of the archive, a truncated member, a sparse file', async () => {
    const trailing = await scanBytes('t.tar', tar([{ name: 'a', data: Buffer.from('x') }], { trailer: tar([{ name: 'evil.pkl', data: evil }]) }));
    expect(rules(trailing)).toContain('tar-trailing-data');
    const cut = tar([{ name: 'evil.pkl', data: evil }, { name: 'big', data: Buffer.alloc(5000, 1) }], { end: false }).subarray(0, 2048);
    const rc = await scanBytes('cut.tar', cut);
    expect(rules(rc)).toContain('tar-truncated');
    expect(dangerousIn(rc)).toEqual(['evil.pkl']);
    const sparse = await scanBytes('s.tar', tar([{ name: 'disk.img', data: Buffer.alloc(512, 1), pax: { 'GNU.sparse.major': '1', 'GNU.sparse.minor': '0', 'GNU.sparse.name': 'disk.img', 'GNU.sparse.realsize': '1048576' } }]));
    expect(sparse.findings.find((f) => f.rule === 'tar-sparse-member')?.member).toBe('disk.img');
  });

  it('keeps ordinary layers quiet: one summary for unrecognized members', async () => {
    const r = await scanBytes('l.tar', tar(Array.from({ length: 50 }, (_, i) => ({ name: `usr/share/doc/f${i}.txt`, data: Buffer.from(`file ${i}\n`) }))));
    expect(r.verdict).toBe('safe');
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.detail).toMatch(/^50 member/u);
  });
});

describe('bounds', () => {
  it('stops a gzip bomb with a finding', async () => {
    const member = gzipSync(Buffer.alloc(16 * 2 ** 20)); // ~16 KiB
    const bomb = Buffer.concat(Array.from({ length: 1024 }, () => member)); // 16 GiB inflated
    const t = performance.now();
    const r = await scanBytes('bomb.gz', bomb);
    expect(performance.now() - t).toBeLessThan(5000);
    expect(rules(r)).toContain('gzip-bomb');
    expect(r.verdict).toBe('suspicious');
  });

  it('stops at the streamed-bytes bound', async () => {
    const gz = gzipSync(tar([{ name: 'a.bin', data: Buffer.from(Array.from({ length: 3 * 2 ** 20 }, (_, i) => (i * 7919) % 251)) }]));
    const r = await scanBytes('l.tar.gz', gz, { limits: { maxStreamedBytes: 2 ** 20 } });
    expect(rules(r)).toContain('stream-too-large');
  });

  it('reports a member over the prefix bound whose format needs all of it', async () => {
    const limits = { maxStreamMemberBytes: 64 * 1024 };
    const big = bigPickle(200 * 1024, false);
    const r = await scanBytes('l.tar.gz', gzipSync(tar([{ name: 'big.pkl', data: big }])), { limits });
    expect(r.findings.find((f) => f.rule === 'member-too-large-to-scan')?.member).toBe('big.pkl');
    expect(r.verdict).toBe('suspicious');
    // Its imports at the head are still seen.
    const bad = await scanBytes('l.tar.gz', gzipSync(tar([{ name: 'big.pkl', data: bigPickle(200 * 1024, true) }])), { limits });
    expect(dangerousIn(bad)).toContain('big.pkl');
    // Read by position (a plain tar), the member is a window and is scanned whole.
    const plain = await scanBytes('l.tar', tar([{ name: 'big.pkl', data: big }]), { limits });
    expect(plain.verdict, JSON.stringify(plain.findings)).toBe('safe');
  });

  it('judges large safetensors and raw members by their head', async () => {
    const limits = { maxStreamMemberBytes: 64 * 1024 };
    const raw = Buffer.from(Array.from({ length: 300 * 1024 }, (_, i) => (i * 31 + (i >> 9)) & 0xff));
    const r = await scanBytes('w.tar.gz', gzipSync(tar([{ name: 'model.safetensors', data: safetensors(200 * 1024) }, { name: 'blob.bin', data: raw }])), { limits });
    expect(r.verdict, JSON.stringify(r.findings)).toBe('safe');
    expect(rules(r)).not.toContain('member-too-large-to-scan');
  });

  describe('zstd layers', () => {
    const ZSTD = new URL('../../test/fixtures/zstd/', import.meta.url).pathname;
    const MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
    /** A frame of `n` RLE blocks of 128 KiB each (4 bytes apiece), window 128 KiB. */
    const rleFrame = (n: number) => Buffer.from([...MAGIC, 0x00, 7 << 3, ...Array.from({ length: n }, (_, i) => [(i === n - 1 ? 1 : 0) | (1 << 1), 0x00, 0x10, 0x41]).flat()]);

    it('decompresses a zstd layer as a stream and finds the pickle inside', async () => {
      const evil = await scanFile(join(ZSTD, 'layer-evil.tar.zst'));
      expect(evil).toMatchObject({ format: 'tar+zstd', verdict: 'dangerous' });
      expect(evil.findings.find((f) => f.rule === 'pickle-dangerous-global')).toMatchObject({ member: 'model/weights.pkl' });
      const benign = await scanFile(join(ZSTD, 'layer-benign.tar.zst'));
      expect(benign, JSON.stringify(benign.findings)).toMatchObject({ format: 'tar+zstd', verdict: 'safe' });
    });

    it('stops before a frame that asks for a huge window, a decompression bomb, or a cut stream', async () => {
      const huge = await scanBytes('big-window.zst', Buffer.from([...MAGIC, 0x00, 20 << 3, 0x01, 0x00, 0x00]));
      expect(rules(huge)).toContain('zstd-unsafe-frame');
      expect(huge.verdict).toBe('suspicious');
      expect(huge.findings.find((f) => f.rule === 'zstd-unsafe-frame')!.detail).toMatch(/asks for a 1073741824-byte window/u);
      const bomb = await scanBytes('bomb.zst', rleFrame(20_000), { limits: { maxRatio: 100 } });
      expect(rules(bomb)).toContain('zstd-bomb');
      expect(bomb.verdict).toBe('suspicious');
      const cut = await scanBytes('cut.tar.zst', readFileSync(join(ZSTD, 'layer-evil.tar.zst')).subarray(0, 120));
      expect(rules(cut)).toContain('zstd-truncated');
      expect(cut.verdict).not.toBe('safe');
      const garbage = await scanBytes('layer.tar.zst', Buffer.concat([Buffer.from(MAGIC), Buffer.alloc(100, 3)]));
      expect(garbage.format).toBe('zstd');
      expect(garbage.verdict).toBe('suspicious');
    });
  });

  it('reports corrupt gzip and data behind the last member', async () => {
    const gz = gzipSync(tar([{ name: 'evil.pkl', data: evil }]));
    const cut = await scanBytes('cut.gz', gz.subarray(0, gz.length - 12));
    expect(rules(cut).some((r) => r === 'gzip-truncated' || r === 'gzip-corrupt')).toBe(true);
    const hidden = await scanBytes('h.gz', Buffer.concat([gzipSync(Buffer.from('hello')), Buffer.alloc(16), gzipSync(evil)]));
    expect(rules(hidden)).toContain('gzip-trailing-data');
    expect(hidden.verdict).toBe('suspicious');
  });
});

describe('hostile tar and gzip bytes', () => {
  const seedTar = tar([
    { name: 'models/evil.pkl', data: evil },
    { name: `${'d/'.repeat(60)}x`, data: benignPickle, gnuLong: true },
    { name: 'p', data: torchZip.subarray(0, 2000), pax: { path: 'pax/name' } },
    { name: 'l', type: '2', link: '../x' },
  ]);
  const seeds = [seedTar, gzipSync(seedTar)];
  const mutated = mutatedFrom(seeds);

  it('never throws on mutated tar and tar.gz, and finishes in time', async () => {
    await fc.assert(
      fc.asyncProperty(mutated, async (b) => {
        const t = performance.now();
        const r = await scanBytes('fuzz', b);
        expect(r.findings.filter((f) => f.rule === 'scanner-error')).toEqual([]);
        expect(performance.now() - t).toBeLessThan(2000);
      }),
      { numRuns: 300 },
    );
  });

  it('never calls random content of a tar.gz dangerous', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 16, maxLength: 4096 }), async (bytes) => {
        const r = await scanBytes('layer.tar.gz', gzipSync(tar([{ name: 'blob', data: bytes }])));
        expect(r.verdict).not.toBe('dangerous');
        const g = await scanBytes('blob.gz', gzipSync(bytes));
        expect(g.verdict).not.toBe('dangerous');
      }),
      { numRuns: 300 },
    );
  });
});


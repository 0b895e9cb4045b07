import { crc32, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { scanBytes } from './scan.js';

/** The smallest pickle that imports builtins.eval (protocol 4, STACK_GLOBAL). */
const evil = () => Buffer.concat([Buffer.from([0x80, 4, 0x95, 0, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('\x8c\x08builtins\x94\x8c\x04eval\x94\x93\x94\x8c\x02xx\x94\x85\x94R\x94.', 'latin1')]);

interface Member {
  name: string;
  data: Uint8Array;
  deflate?: boolean;
  flags?: number;
  crc?: number;
  localName?: string;
  /** Declared uncompressed size, when it should lie. */
  usize?: number;
}

/** A zip writer for tests: each knob reproduces a trick seen in the wild. */
function zip(members: Member[], opts: { zip64?: boolean; breakCentral?: boolean; prefix?: Uint8Array } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = opts.prefix?.length ?? 0;
  for (const m of members) {
    const body = m.deflate ? deflateRawSync(m.data) : Buffer.from(m.data);
    const crc = m.crc ?? crc32(m.data);
    const name = Buffer.from(m.name);
    const lname = Buffer.from(m.localName ?? m.name);
    const usize = m.usize ?? m.data.length;
    const z64 = opts.zip64;
    const extra = z64 ? Buffer.alloc(4 + 16) : Buffer.alloc(0);
    if (z64) {
      extra.writeUInt16LE(1, 0);
      extra.writeUInt16LE(16, 2);
      extra.writeBigUInt64LE(BigInt(usize), 4);
      extra.writeBigUInt64LE(BigInt(body.length), 12);
    }
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(z64 ? 45 : 20, 4);
    lh.writeUInt16LE(m.flags ?? 0, 6);
    lh.writeUInt16LE(m.deflate ? 8 : 0, 8);
    lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(z64 ? 0xffffffff : body.length, 18);
    lh.writeUInt32LE(z64 ? 0xffffffff : usize, 22);
    lh.writeUInt16LE(lname.length, 26);
    lh.writeUInt16LE(extra.length, 28);
    locals.push(lh, lname, extra, body);
    const cextra = z64 ? Buffer.alloc(4 + 24) : Buffer.alloc(0);
    if (z64) {
      cextra.writeUInt16LE(1, 0);
      cextra.writeUInt16LE(24, 2);
      cextra.writeBigUInt64LE(BigInt(usize), 4);
      cextra.writeBigUInt64LE(BigInt(body.length), 12);
      cextra.writeBigUInt64LE(BigInt(offset), 20);
    }
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(z64 ? 45 : 20, 4);
    ch.writeUInt16LE(z64 ? 45 : 20, 6);
    ch.writeUInt16LE(m.flags ?? 0, 8);
    ch.writeUInt16LE(m.deflate ? 8 : 0, 10);
    ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(z64 ? 0xffffffff : body.length, 20);
    ch.writeUInt32LE(z64 ? 0xffffffff : usize, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt16LE(cextra.length, 30);
    ch.writeUInt32LE(z64 ? 0xffffffff : offset, 42);
    centrals.push(ch, name, cextra);
    offset += 30 + lname.length + extra.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  if (opts.breakCentral) cd.fill(0x41, 0, Math.min(cd.length, 20));
  const tail: Buffer[] = [];
  if (opts.zip64) {
    const z = Buffer.alloc(56);
    z.writeUInt32LE(0x06064b50, 0);
    z.writeBigUInt64LE(44n, 4);
    z.writeBigUInt64LE(BigInt(members.length), 24);
    z.writeBigUInt64LE(BigInt(members.length), 32);
    z.writeBigUInt64LE(BigInt(cd.length), 40);
    z.writeBigUInt64LE(BigInt(offset), 48);
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(0x07064b50, 0);
    loc.writeBigUInt64LE(BigInt(offset + cd.length), 8);
    loc.writeUInt32LE(1, 16);
    tail.push(z, loc);
  }
  const e = Buffer.alloc(22);
  e.writeUInt32LE(0x06054b50, 0);
  e.writeUInt16LE(opts.zip64 ? 0xffff : members.length, 8);
  e.writeUInt16LE(opts.zip64 ? 0xffff : members.length, 10);
  e.writeUInt32LE(opts.zip64 ? 0xffffffff : cd.length, 12);
  e.writeUInt32LE(opts.zip64 ? 0xffffffff : offset, 16);
  return Buffer.concat([...(opts.prefix ? [Buffer.from(opts.prefix)] : []), ...locals, cd, ...tail, e]);
}

const rules = (r: { findings: { rule: string }[] }) => r.findings.map((f) => f.rule);
const dangerousImports = (r: { findings: { rule: string; detail: string; severity: string }[] }) =>
  r.findings.filter((f) => f.severity === 'dangerous' && f.rule.endsWith('-global')).map((f) => /`([^`]+)`/u.exec(f.detail)![1]);

describe('zip reader tricks', () => {
  it('reads a plain member, stored and deflated', async () => {
    for (const deflate of [false, true]) {
      const r = await scanBytes('m.zip', zip([{ name: 'model/a.pkl', data: evil(), deflate }]));
      expect(r.format).toBe('zip');
      expect(dangerousImports(r)).toEqual(['builtins eval']);
      expect(r.findings[0]!.member).toBe('model/a.pkl');
    }
  });

  it.each([0x1, 0x20, 0x40])('flag bit 0x%s on plain data does not hide the member', async (flags) => {
    const r = await scanBytes('m.zip', zip([{ name: 'a.pkl', data: evil(), flags, deflate: flags === 0x20 }]));
    expect(dangerousImports(r)).toEqual(['builtins eval']);
    expect(rules(r)).toContain('zip-flag-anomaly');
  });

  it('a truly encrypted member is reported, not crashed on', async () => {
    const noise = Uint8Array.from({ length: 40 }, (_, i) => (i * 97 + 13) % 256);
    const r = await scanBytes('m.zip', zip([{ name: 'secret.pkl', data: noise, flags: 1, crc: 0x12345678, usize: 28 }]));
    expect(r.verdict).toBe('suspicious');
    expect(rules(r)).toEqual(['unscannable-encrypted']);
  });

  it('a bad CRC is a finding and the member is still scanned', async () => {
    const r = await scanBytes('m.zip', zip([{ name: 'a.pkl', data: evil(), crc: 1 }]));
    expect(rules(r)).toContain('zip-bad-crc');
    expect(dangerousImports(r)).toEqual(['builtins eval']);
  });

  it('a broken central directory still yields the members from local headers', async () => {
    const r = await scanBytes('m.zip', zip([{ name: 'ok.txt', data: Buffer.from('hello') }, { name: 'a.pkl', data: evil(), deflate: true }], { breakCentral: true }));
    expect(rules(r)).toContain('zip-central-directory-invalid');
    expect(dangerousImports(r)).toEqual(['builtins eval']);
    const noEnd = zip([{ name: 'a.pkl', data: evil() }]).subarray(0, 30 + 5 + evil().length);
    expect(dangerousImports(await scanBytes('m.zip', noEnd))).toEqual(['builtins eval']);
  });

  it('names that differ between the central directory and the local header are reported', async () => {
    const r = await scanBytes('m.zip', zip([{ name: 'data.pkl', localName: 'datap.kl', data: evil() }]));
    expect(rules(r)).toContain('zip-name-mismatch');
    expect(dangerousImports(r)).toEqual(['builtins eval']);
  });

  it('zip64 records and sizes are read', async () => {
    const r = await scanBytes('m.zip', zip([{ name: 'a.txt', data: Buffer.from('x') }, { name: 'b.pkl', data: evil(), deflate: true }], { zip64: true }));
    expect(r.format).toBe('zip');
    expect(dangerousImports(r)).toEqual(['builtins eval']);
    expect(rules(r).filter((x) => x.startsWith('zip-'))).toEqual([]);
  });

  it('a zip bomb is bounded by ratio, member and total caps, and reported', async () => {
    const zeros = new Uint8Array(64 * 2 ** 20);
    const bomb = zip([{ name: 'zeros.bin', data: zeros, deflate: true }]);
    expect(bomb.length).toBeLessThan(200_000);
    const t = Date.now();
    const r = await scanBytes('bomb.zip', bomb);
    expect(rules(r)).toContain('zip-bomb');
    expect(Date.now() - t).toBeLessThan(5000);
    const member = await scanBytes('bomb.zip', bomb, { limits: { maxRatio: 10_000, maxMemberBytes: 2 ** 20 } });
    expect(rules(member)).toContain('zip-member-too-large');
    const many = zip(Array.from({ length: 4 }, (_, i) => ({ name: `z${i}`, data: new Uint8Array(2 ** 20), deflate: true })));
    const total = await scanBytes('many.zip', many, { limits: { maxRatio: 10_000, maxTotalInflated: 3 * 2 ** 20 } });
    expect(rules(total)).toContain('zip-bomb');
  });

  it('nested archives are scanned down to the depth limit', async () => {
    let inner: Uint8Array = zip([{ name: 'a.pkl', data: evil() }]);
    const one = await scanBytes('n.zip', zip([{ name: 'inner.zip', data: inner, deflate: true }]));
    expect(dangerousImports(one)).toEqual(['builtins eval']);
    expect(one.findings.find((f) => f.severity === 'dangerous')!.member).toBe('inner.zip!a.pkl');
    for (let i = 0; i < 6; i++) inner = zip([{ name: `level${i}.zip`, data: inner }]);
    const deep = await scanBytes('deep.zip', inner);
    expect(rules(deep)).toContain('archive-too-deep');
    expect(deep.verdict).toBe('suspicious');
  });

  it('a pickle with a zip behind it is scanned as both (polyglot)', async () => {
    const poly = zip([{ name: 'b.pkl', data: evil() }], { prefix: Buffer.from('(lp0\n.') });
    const r = await scanBytes('poly.bin', poly);
    expect(dangerousImports(r)).toEqual(['builtins eval']);
    expect(rules(r)).toContain('polyglot');
  });

  it('a PyTorch zip skips raw tensor members but scans data.pkl with the torch allow-list', async () => {
    const dataPkl = Buffer.from('80025d71002863746f7263680a466c6f617453746f726167650a7101612e', 'hex'); // [torch.FloatStorage]
    const r = await scanBytes('m.pt', zip([
      { name: 'archive/data.pkl', data: dataPkl },
      { name: 'archive/data/0', data: evil() },
      { name: 'archive/version', data: Buffer.from('3\n') },
    ]));
    expect(r.format).toBe('pytorch-zip');
    expect(r.verdict).toBe('safe');
    expect(r.findings.map((f) => /`([^`]+)`/u.exec(f.detail)?.[1])).toEqual(['torch FloatStorage']);
  });
});

// @ts-check
// Model-file scanner throughput, each beside SHA-256 of the same bytes in the same run (the
// registry hashes every artifact anyway, so hashing is the cost floor of intake):
//  - a 64 MiB state-dict pickle of many small tensors: opcode-dense, the walker's worst realistic case;
//  - a ~200 MiB PyTorch zip checkpoint: data.pkl plus raw storages, read by position.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { scanFile } from '../dist/scan/scan.js';

const MiB = 2 ** 20;

/** A torch-style data.pkl: an OrderedDict of `n` tensors rebuilt with _rebuild_tensor_v2. */
export function stateDictPickle(targetBytes) {
  const parts = [];
  const s = (str) => Buffer.from(str, 'latin1');
  const uni = (str) => {
    const b = Buffer.from(str, 'utf8');
    const h = Buffer.alloc(5);
    h[0] = 0x58;
    h.writeUInt32LE(b.length, 1);
    return Buffer.concat([h, b]);
  };
  parts.push(Buffer.from([0x80, 2]), s('ccollections\nOrderedDict\nq\x00)Rq\x01('));
  let memo = 2;
  let size = 0;
  for (let i = 0; size < targetBytes; i++) {
    const chunk = Buffer.concat([
      uni(`model.layers.${i}.weight`),
      i === 0 ? s('ctorch._utils\n_rebuild_tensor_v2\nq\x02') : s('h\x02'),
      s('(('),
      uni('storage'),
      i === 0 ? s('ctorch\nFloatStorage\nq\x03') : s('h\x03'),
      uni(String(i)),
      uni('cpu'),
      s('J'), Buffer.from([0, 1, 0, 0]),
      s('tQK\x00M\x00\x01K\x10\x86M\x10\x00K\x01\x86\x89h\x00)Rq'), Buffer.from([memo++ % 256]),
      s('tR'),
    ]);
    parts.push(chunk);
    size += chunk.length;
    if (i % 1000 === 999) parts.push(s('u('));
  }
  parts.push(s('u.'));
  return Buffer.concat(parts);
}

function storedZip(members) {
  const locals = [];
  const central = [];
  let offset = 0;
  for (const { name, data } of members) {
    const n = Buffer.from(name);
    const crc = crc32(data);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(data.length, 18);
    lh.writeUInt32LE(data.length, 22);
    lh.writeUInt16LE(n.length, 26);
    locals.push(lh, n, data);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(data.length, 20);
    ch.writeUInt32LE(data.length, 24);
    ch.writeUInt16LE(n.length, 28);
    ch.writeUInt32LE(offset, 42);
    central.push(ch, n);
    offset += 30 + n.length + data.length;
  }
  const cd = Buffer.concat(central);
  const e = Buffer.alloc(22);
  e.writeUInt32LE(0x06054b50, 0);
  e.writeUInt16LE(members.length, 8);
  e.writeUInt16LE(members.length, 10);
  e.writeUInt32LE(cd.length, 12);
  e.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, e]);
}

/** SHA-256 of the file, read in 4 MiB chunks like the scanner reads it. */
function sha256File(path) {
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(4 * MiB);
  for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) h.update(buf.subarray(0, n));
  closeSync(fd);
  return h.digest('hex');
}

async function best(fn, runs = 5) {
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await fn();
    min = Math.min(min, Number(process.hrtime.bigint() - t) / 1e9);
  }
  return min;
}

async function compare(results, name, path, expectVerdict, detail) {
  const r = await scanFile(path);
  if (r.verdict !== expectVerdict) throw new Error(`${name}: expected ${expectVerdict}, got ${r.verdict}: ${JSON.stringify(r.findings.slice(0, 3))}`);
  const mib = statSync(path).size / MiB;
  const scan = mib / (await best(() => scanFile(path)));
  const sha = mib / (await best(async () => sha256File(path)));
  const ratio = scan / sha;
  results.push({ name, value: scan, unit: 'MiB/s', baseline: sha, baselineName: 'sha256 of the same bytes', ratio, target: '>= 0.5x', pass: ratio >= 0.5, detail: `${mib.toFixed(0)} MiB; ${detail}` });
}

export async function benchScan(results) {
  const dir = mkdtempSync(join(tmpdir(), 'evident-bench-scan-'));
  try {
    const pkl = stateDictPickle(64 * MiB);
    const pklPath = join(dir, 'state_dict.pkl');
    writeFileSync(pklPath, pkl);
    // Plain pickle allow-list: torch globals are `suspicious` outside a PyTorch container.
    await compare(results, 'pickle scan, 64 MiB opcode-dense state-dict pickle (every opcode walked)', pklPath, 'suspicious', 'torch-style data.pkl with ~690k tensors, ~17M opcodes');

    const dataPkl = stateDictPickle(2 * MiB);
    const members = [{ name: 'archive/data.pkl', data: dataPkl }, { name: 'archive/version', data: Buffer.from('3\n') }];
    const storage = Buffer.alloc(4 * MiB, 7);
    for (let i = 0; i < 50; i++) members.push({ name: `archive/data/${i}`, data: storage });
    const zipPath = join(dir, 'model.pt');
    writeFileSync(zipPath, storedZip(members));
    await compare(results, 'PyTorch zip scan, ~200 MiB checkpoint (data.pkl walked, raw storages skipped by position)', zipPath, 'safe', '2 MiB data.pkl + 50 x 4 MiB storages');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

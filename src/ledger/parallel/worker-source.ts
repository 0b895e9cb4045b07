// The hashing worker, as source text (run with `eval: true`), so it works the same from compiled
// dist/ and from TypeScript sources under the test runner. It turns one block of leaves (bundle
// lines, or packed leaf bytes) into their leaf hashes, checking the index sequence and any
// recorded hashes; folding the hashes into the tree is the main thread's job.
export const WORKER_SOURCE = String.raw`
const { parentPort } = require('node:worker_threads');
const { hash } = require('node:crypto');
const LEAF_LINE = /^\{"index":(0|[1-9][0-9]{0,15}),"leaf":"([A-Za-z0-9+/]*={0,2})"\}$/;
let native = null;

function leafHashInto(bytes, out, at) {
  const buf = Buffer.allocUnsafe(bytes.length + 1);
  buf[0] = 0;
  buf.set(bytes, 1);
  out.set(hash('sha256', buf, 'buffer'), at);
}

// Parses bundle lines into packed leaves; null offsets and a line number on a malformed line.
function parseLines(m, data) {
  if (native) {
    const leaves = Buffer.allocUnsafe(Math.ceil((data.length * 3) / 4) + 4);
    const offsets = new Uint32Array(m.maxLeaves + 1);
    const n = native.parseLeafLines(data, m.start, leaves, offsets);
    if (n < 0) return { bad: -n - 1 };
    return { leaves, offsets: offsets.subarray(0, n + 1) };
  }
  const parts = [];
  const offsets = [0];
  let total = 0;
  let pos = 0;
  let line = 0;
  while (pos < data.length) {
    let end = data.indexOf(10, pos);
    if (end < 0) end = data.length;
    const text = data.toString('latin1', pos, end);
    pos = end + 1;
    line += 1;
    const r = LEAF_LINE.exec(text);
    if (!r || Number(r[1]) !== m.start + parts.length) return { bad: line - 1 };
    const leaf = Buffer.from(r[2], 'base64');
    if (leaf.toString('base64') !== r[2]) return { bad: line - 1 };
    parts.push(leaf);
    total += leaf.length;
    offsets.push(total);
  }
  return { leaves: Buffer.concat(parts, total), offsets: Uint32Array.from(offsets) };
}

parentPort.on('message', (m) => {
  if (m.nativePath && native === null) native = require(m.nativePath);
  if (!m.nativePath) native = null;
  const data = Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength);
  let leaves = data;
  let offsets = m.offsets;
  if (m.kind === 'lines') {
    const p = parseLines(m, data);
    if (p.bad !== undefined) {
      parentPort.postMessage({ id: m.id, count: 0, hashes: null, error: { index: m.start + p.bad, kind: 'malformed' } });
      return;
    }
    leaves = p.leaves;
    offsets = p.offsets;
  }
  const n = offsets.length - 1;
  // Not from Node's shared pool: a pooled buffer cannot be transferred (Node 21+ throws).
  const hashes = Buffer.allocUnsafeSlow(32 * n);
  if (native) native.leafHashes(leaves, offsets, hashes);
  else for (let i = 0; i < n; i++) leafHashInto(leaves.subarray(offsets[i], offsets[i + 1]), hashes, 32 * i);
  let error = null;
  if (m.recorded) {
    const rec = Buffer.from(m.recorded.buffer, m.recorded.byteOffset, m.recorded.byteLength);
    for (let i = 0; i < n; i++) {
      if (hashes.compare(rec, i * 32, i * 32 + 32, i * 32, i * 32 + 32) !== 0) {
        error = { index: m.start + i, kind: 'leaf-hash' };
        break;
      }
    }
  }
  parentPort.postMessage({ id: m.id, count: n, hashes, error }, [hashes.buffer]);
});
`;

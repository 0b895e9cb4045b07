// 7z archives through 7-Zip compiled to WebAssembly, inside its own in-memory file system (nothing
// touches the disk). The listing comes first: encrypted entries and archives that would unpack
// past the bound are reported, not extracted.
import sevenZipModule from '7z-wasm';
import type { SevenZipModuleFactory } from '7z-wasm';
import type { Finding } from './types.js';
import type { ScanLimits } from './limits.js';

// The package is CommonJS with a default-export typing: at run time the import is the factory
// itself, under a bundler it may be `{ default: factory }`.
const SevenZip = ((sevenZipModule as unknown as { default?: SevenZipModuleFactory }).default ?? sevenZipModule) as unknown as SevenZipModuleFactory;

export const SEVENZIP_MAGIC = [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c];

export function startsLike7z(head: Uint8Array): boolean {
  return SEVENZIP_MAGIC.every((b, i) => head[i] === b);
}

export interface Unpacked {
  members: { name: string; data: Uint8Array }[];
  findings: Finding[];
}

interface Listed {
  path: string;
  size: number;
  encrypted: boolean;
  folder: boolean;
}

function parseListing(text: string): Listed[] {
  // `-slt` prints the archive's own block, a `----------` line, then one block per entry.
  const body = text.split(/^-{10}$/mu).slice(1).join('\n');
  return body
    .split(/\n\s*\n/u)
    .map((block) => Object.fromEntries(block.split('\n').map((l) => l.split(' = ')).filter((kv) => kv.length >= 2).map(([k, ...v]) => [k!.trim(), v.join(' = ')])) as Record<string, string>)
    .filter((r) => r.Path !== undefined)
    .map((r) => ({ path: r.Path!, size: Number(r.Size ?? 0) || 0, encrypted: r.Encrypted === '+', folder: r.Folder === '+' || (r.Attributes ?? '').startsWith('D') }));
}

export async function unpack7z(bytes: Uint8Array, limits: ScanLimits): Promise<Unpacked> {
  const findings: Finding[] = [];
  if (bytes.length > limits.max7zBytes) {
    findings.push({ rule: 'sevenzip-too-large', severity: 'suspicious', detail: `archive of ${bytes.length} bytes exceeds the ${limits.max7zBytes}-byte bound for 7z; not unpacked, not scanned` });
    return { members: [], findings };
  }
  let out: string[] = [];
  const sz = await SevenZip({ print: (s: string) => out.push(s), printErr: (s: string) => out.push(s) });
  const run = (args: string[]): string => {
    out = [];
    try {
      sz.callMain(args);
    } catch (e) {
      out.push(`ERROR: ${(e as Error).message ?? String(e)}`);
    }
    return out.join('\n');
  };
  sz.FS.mkdir('/scan');
  const fd = sz.FS.open('/scan/archive.7z', 'w+');
  sz.FS.write(fd, bytes, 0, bytes.length);
  sz.FS.close(fd);
  // A wrong password instead of a prompt: an encrypted archive fails fast.
  const listing = run(['l', '-slt', '-pnot-the-password', '-t7z', '/scan/archive.7z']);
  if (/encrypted|wrong password/iu.test(listing) && !/^-{10}$/mu.test(listing)) {
    findings.push({ rule: 'unscannable-encrypted', severity: 'suspicious', detail: '7z archive headers are encrypted: its members cannot be listed or inspected' });
    return { members: [], findings };
  }
  if (/^ERROR/mu.test(listing) && !/^-{10}$/mu.test(listing)) {
    findings.push({ rule: 'sevenzip-unreadable', severity: 'suspicious', detail: `7-Zip cannot read the archive: ${listing.split('\n').filter((l) => /ERROR|Can.?t/u.test(l)).join(' ').slice(0, 300)}` });
    return { members: [], findings };
  }
  const entries = parseListing(listing).filter((e) => !e.folder);
  if (entries.length > limits.maxEntries) {
    findings.push({ rule: 'sevenzip-too-many-members', severity: 'suspicious', detail: `${entries.length} members exceed the bound of ${limits.maxEntries}; not unpacked` });
    return { members: [], findings };
  }
  const total = entries.reduce((s, e) => s + e.size, 0);
  if (total > limits.max7zUnpacked) {
    findings.push({ rule: 'zip-bomb', severity: 'suspicious', detail: `7z members declare ${total} unpacked bytes, above the ${limits.max7zUnpacked}-byte bound; not unpacked, not scanned` });
    return { members: [], findings };
  }
  for (const e of entries.filter((x) => x.encrypted)) {
    findings.push({ rule: 'unscannable-encrypted', severity: 'suspicious', detail: 'member is encrypted: its content cannot be inspected', member: e.path });
  }
  const plain = entries.filter((e) => !e.encrypted);
  if (plain.length === 0) return { members: [], findings };
  const extracted = run(['x', '-pnot-the-password', '-t7z', '-y', '-snl-', '-o/scan/out', '/scan/archive.7z', ...plain.map((e) => e.path)]);
  if (/^ERROR/mu.test(extracted)) {
    findings.push({ rule: 'sevenzip-unreadable', severity: 'suspicious', detail: `7-Zip reported errors unpacking: ${extracted.split('\n').filter((l) => /ERROR/u.test(l)).join(' ').slice(0, 300)}` });
  }
  const members: Unpacked['members'] = [];
  let sum = 0;
  const walk = (dir: string, rel: string) => {
    let names: string[] = [];
    try {
      names = sz.FS.readdir(dir).filter((n: string) => n !== '.' && n !== '..');
    } catch {
      return;
    }
    for (const n of names) {
      const p = `${dir}/${n}`;
      const st = sz.FS.stat(p);
      if (sz.FS.isDir(st.mode)) walk(p, `${rel}${n}/`);
      else if (sz.FS.isFile(st.mode) && sum + st.size <= limits.max7zUnpacked) {
        sum += st.size;
        members.push({ name: `${rel}${n}`, data: sz.FS.readFile(p) });
      }
    }
  };
  walk('/scan/out', '');
  return { members, findings };
}

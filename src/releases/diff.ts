// Differences between two version specs, path by path, so a reviewer sees what the change changes
// rather than two documents. Arrays of references are compared as sets keyed by name (an artifact
// replaced by a new digest is one "changed" entry, not a removal and an addition).
export interface DiffEntry {
  path: string;
  op: 'added' | 'removed' | 'changed';
  from?: unknown;
  to?: unknown;
}

const MAX_ENTRIES = 500;

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** Arrays of objects that all have a distinct string `name` are keyed by it. */
function keyedByName(a: unknown[]): Map<string, unknown> | null {
  const m = new Map<string, unknown>();
  for (const x of a) {
    if (!isObject(x) || typeof x.name !== 'string' || m.has(x.name)) return null;
    m.set(x.name, x);
  }
  return m;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function diffSpecs(from: unknown, to: unknown): DiffEntry[] {
  const out: DiffEntry[] = [];
  const walk = (a: unknown, b: unknown, path: string): void => {
    if (out.length >= MAX_ENTRIES || same(a, b)) return;
    if (a === undefined) return void out.push({ path, op: 'added', to: b });
    if (b === undefined) return void out.push({ path, op: 'removed', from: a });
    if (isObject(a) && isObject(b)) {
      for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) walk(a[k], b[k], path ? `${path}.${k}` : k);
      return;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      const ka = keyedByName(a);
      const kb = keyedByName(b);
      if (ka && kb) {
        for (const k of [...new Set([...ka.keys(), ...kb.keys()])].sort()) walk(ka.get(k), kb.get(k), `${path}[${JSON.stringify(k)}]`);
        return;
      }
    }
    out.push({ path, op: 'changed', from: a, to: b });
  };
  walk(from, to, '');
  return out;
}

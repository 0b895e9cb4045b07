// Package URLs (https://github.com/package-url/purl-spec): `pkg:type/namespace/name@version?qualifiers#subpath`.
// Only what matching needs: type, namespace, name, version, percent-decoded; qualifiers and
// subpath are dropped (a download_url qualifier does not change which package it is).
import { isEcosystem, type Ecosystem } from './osv-versions.js';

export interface Purl {
  type: string;
  namespace?: string;
  name: string;
  version?: string;
  /** `pkg:type/namespace/name@version` as written, without qualifiers or subpath. */
  base: string;
}

const MAX_PURL = 4096;

export function parsePurl(s: string): Purl | null {
  if (s.length > MAX_PURL || !/^pkg:/iu.test(s)) return null;
  let rest = s.slice(4).replace(/^\/+/u, '');
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  if (q >= 0) rest = rest.slice(0, q);
  const base = `pkg:${rest}`;
  const slash = rest.indexOf('/');
  if (slash <= 0) return null;
  const type = rest.slice(0, slash).toLowerCase();
  let path = rest.slice(slash + 1).replace(/\/+$/u, '');
  let version: string | null | undefined;
  const at = path.lastIndexOf('@');
  // An '@' in the first segment of an npm path is an unencoded scope, not a version.
  if (at > 0 && path.slice(at).indexOf('/') < 0) {
    version = decode(path.slice(at + 1));
    path = path.slice(0, at);
  }
  const segments = path.split('/').filter((x) => x !== '').map(decode);
  if (segments.some((x) => x === null) || segments.length === 0 || version === null) return null;
  const name = segments.pop()!;
  const namespace = segments.length > 0 ? segments.join('/') : undefined;
  return { type, name, base, ...(namespace ? { namespace } : {}), ...(version ? { version } : {}) };
}

function decode(x: string): string | null {
  try {
    return decodeURIComponent(x);
  } catch {
    return null;
  }
}

const ECOSYSTEMS: Record<string, Ecosystem> = { pypi: 'PyPI', npm: 'npm', golang: 'Go' };

/** The OSV ecosystem and package name a purl names, or null for types we do not match. */
export function purlPackage(p: Purl): { ecosystem: Ecosystem; name: string } | null {
  const ecosystem = Object.hasOwn(ECOSYSTEMS, p.type) ? ECOSYSTEMS[p.type] : undefined;
  if (!ecosystem || !isEcosystem(ecosystem)) return null;
  // npm: "@scope/name"; Go: the module path is namespace + name; PyPI has no namespace.
  const name = ecosystem === 'PyPI' ? p.name : p.namespace ? `${p.namespace}/${p.name}` : p.name;
  return { ecosystem, name };
}

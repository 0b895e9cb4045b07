// Version and name rules of the ecosystems the offline matcher understands. OSV ranges of type
// ECOSYSTEM compare versions with the ecosystem's own rules; SEMVER ranges always use SemVer 2.0.
// - PyPI: PEP 440 (@renovatebot/pep440: 2.2.0rc0 < 2.2.0rc1 < 2.2.0 < 2.2.0.post1), names compared
//   after PEP 503 normalization (`Jinja2` = `jinja2`, `llama_cpp.python` = `llama-cpp-python`).
// - npm: SemVer 2.0 (node-semver; 5.0.0-beta.3 < 5.0.0), names exact (`@scope/name`).
// - Go: SemVer on the module version with its leading `v` removed; pseudo-versions
//   (v0.0.0-20191016112426-3962a5ea8da1) are SemVer pre-releases. Names are module paths, exact.
import * as pep440 from '@renovatebot/pep440';
import semver from 'semver';

export type Ecosystem = 'PyPI' | 'npm' | 'Go';

export interface VersionScheme {
  /** A comparable form, or null when the string is not a version of this scheme. */
  parse(v: string): unknown;
  compare(a: unknown, b: unknown): number;
}

const PEP440: VersionScheme = {
  parse: (v) => (v.length <= 256 && pep440.valid(v) !== null ? v : null),
  compare: (a, b) => pep440.compare(a as string, b as string),
};

const SEMVER: VersionScheme = {
  parse(v) {
    if (v.length > 256) return null;
    const bare = v.startsWith('v') ? v.slice(1) : v;
    // "1.0" and "2" appear in real advisories (node-fetch's `introduced: "1.0"`); read them as
    // 1.0.0 and 2.0.0 rather than dropping the range.
    const padded = /^\d+$/u.test(bare) ? `${bare}.0.0` : /^\d+\.\d+$/u.test(bare) ? `${bare}.0` : bare;
    return semver.parse(padded);
  },
  compare: (a, b) => semver.compare(a as semver.SemVer, b as semver.SemVer),
};

export function isEcosystem(e: string): e is Ecosystem {
  return e === 'PyPI' || e === 'npm' || e === 'Go';
}

/** The scheme for a range, or null when we cannot evaluate it (GIT ranges, other ecosystems). */
export function schemeFor(ecosystem: string, rangeType: string): VersionScheme | null {
  if (rangeType === 'SEMVER') return SEMVER;
  if (rangeType !== 'ECOSYSTEM') return null;
  if (ecosystem === 'PyPI') return PEP440;
  if (ecosystem === 'npm' || ecosystem === 'Go') return SEMVER;
  return null;
}

/** The scheme an ecosystem's `versions` lists and fix versions use. */
export function ecosystemScheme(ecosystem: Ecosystem): VersionScheme {
  return ecosystem === 'PyPI' ? PEP440 : SEMVER;
}

export function normalizePackageName(ecosystem: string, name: string): string {
  if (ecosystem === 'PyPI') return name.toLowerCase().replace(/[-_.]+/gu, '-');
  return name;
}

/** Largest of some versions by the ecosystem's rules (unparsable ones lose). */
export function maxVersion(ecosystem: Ecosystem, versions: readonly string[]): string | undefined {
  const s = ecosystemScheme(ecosystem);
  let best: { raw: string; v: unknown } | undefined;
  for (const raw of versions) {
    const v = s.parse(raw);
    if (v === null) continue;
    if (!best || s.compare(v, best.v) > 0) best = { raw, v };
  }
  return best?.raw ?? versions[0];
}

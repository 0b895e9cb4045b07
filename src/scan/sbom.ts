// Matches the components of a CycloneDX JSON SBOM (spec 1.2-1.6) against an offline OSV advisory
// set. Components are read from `components` (nested ones included) and `metadata.component`;
// each needs a `purl` of type pypi, npm or golang (qualifiers ignored) to be matched. Components
// without one (an ML-BOM model card, a file) are counted, not reported.
// One vulnerability is one match: records that alias each other (a GHSA and the PYSEC of the same
// CVE) are merged, with the other ids in `aliases` and all matched record ids in `records`.
// Severity gate: a match at or above the threshold is a `dangerous` finding (blocks); below it is a
// `safe` informational finding (shown to approvers, never blocks). A record without any severity
// counts as at the threshold: the safe default is to block what we cannot rate.
import { AppError } from '../errors.js';
import { levelRank, SEVERITY_LEVELS, type SeverityLevel } from './osv-severity.js';
import { maxVersion, type Ecosystem } from './osv-versions.js';
import { queryAdvisories, type AdvisoryHit, type AdvisorySet } from './osv.js';
import { parsePurl, purlPackage } from './sbom-purl.js';
import type { Finding } from './types.js';

const SPEC_VERSIONS = new Set(['1.2', '1.3', '1.4', '1.5', '1.6']);
const MAX_COMPONENTS = 200_000;
const MAX_DEPTH = 32;

export interface SbomMatch {
  /** Component name as the SBOM gives it. */
  component: string;
  /** purl without qualifiers or subpath. */
  purl: string;
  ecosystem: Ecosystem;
  version: string;
  /** The id reported for this vulnerability (a GHSA when one matched). */
  advisoryId: string;
  /** Every other id of the same vulnerability: matched records and their declared aliases. */
  aliases: string[];
  /** Ids of the advisory records that matched (one or more for one vulnerability). */
  records: string[];
  severity: SeverityLevel | 'unknown';
  /** Lowest version that fixes every merged record, when known. */
  fixed?: string;
}

export interface SbomAudit {
  findings: Finding[];
  matches: SbomMatch[];
  stats: { components: number; matched: number; unsupported: number };
}

interface Component {
  name: string;
  purl?: string;
  version?: string;
  field: string;
}

export function auditSbom(sbom: unknown, advisories: AdvisorySet, threshold: SeverityLevel): SbomAudit {
  if (!SEVERITY_LEVELS.includes(threshold)) throw new AppError('VALIDATION_FAILED', `severity threshold ${JSON.stringify(threshold)} is not one of ${SEVERITY_LEVELS.join(', ')}`);
  const components = readComponents(sbom);
  const findings: Finding[] = [];
  const matches: SbomMatch[] = [];
  const seen = new Set<string>();
  let unsupported = 0;
  for (const c of components) {
    const purl = c.purl === undefined ? null : parsePurl(c.purl);
    if (c.purl !== undefined && !purl) {
      findings.push({ rule: 'sbom-invalid-purl', severity: 'suspicious', detail: `${c.field}.purl ${JSON.stringify(c.purl.slice(0, 200))} is not a valid package URL; component not checked` });
      continue;
    }
    const pkg = purl ? purlPackage(purl) : null;
    const version = purl?.version ?? c.version;
    if (!purl || !pkg || !version) {
      unsupported++;
      continue;
    }
    const key = `${pkg.ecosystem}\0${pkg.name}\0${version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    for (const group of groupByAlias(queryAdvisories(advisories, pkg.ecosystem, pkg.name, version))) {
      const m = toMatch(c.name, purl.base, pkg.ecosystem, version, group);
      matches.push(m);
      findings.push(toFinding(m, threshold));
    }
  }
  return { findings, matches, stats: { components: components.length, matched: seen.size, unsupported } };
}

function toMatch(component: string, purl: string, ecosystem: Ecosystem, version: string, group: AdvisoryHit[]): SbomMatch {
  const records = group.map((h) => h.record.id).sort(preferGhsa);
  const advisoryId = records[0]!;
  const aliases = [...new Set([...records.slice(1), ...group.flatMap((h) => h.record.aliases ?? [])])].filter((a) => a !== advisoryId).sort();
  let severity: SbomMatch['severity'] = 'unknown';
  for (const h of group) if (levelRank(h.level) > levelRank(severity)) severity = h.level;
  const fixes = group.map((h) => h.fixed).filter((f): f is string => f !== undefined);
  // Every merged record must be fixed, so the fix is the highest of theirs (only if all have one).
  const fixed = fixes.length === group.length ? maxVersion(ecosystem, fixes) : undefined;
  return { component, purl, ecosystem, version, advisoryId, aliases, records, severity, ...(fixed ? { fixed } : {}) };
}

function toFinding(m: SbomMatch, threshold: SeverityLevel): Finding {
  const blocks = m.severity === 'unknown' || levelRank(m.severity) >= levelRank(threshold);
  const also = m.aliases.length > 0 ? ` (also ${m.aliases.join(', ')})` : '';
  const sev = m.severity === 'unknown' ? 'severity unknown, treated as blocking' : `severity ${m.severity}`;
  const fix = m.fixed ? `; fixed in ${m.fixed}` : '; no fixed version';
  const gate = blocks ? '' : ` (below the ${threshold} threshold)`;
  return { rule: 'sbom-vulnerable-component', severity: blocks ? 'dangerous' : 'safe', detail: `${m.purl}: ${m.advisoryId}${also}, ${sev}${gate}${fix}` };
}

/** GHSA ids first (they carry the richest data), then the rest alphabetically. */
function preferGhsa(a: string, b: string): number {
  const ga = a.startsWith('GHSA-') ? 0 : 1;
  const gb = b.startsWith('GHSA-') ? 0 : 1;
  return ga - gb || (a < b ? -1 : a > b ? 1 : 0);
}

/** Records connected by an id or alias (a GHSA listing a CVE that a PYSEC also lists) merge. */
function groupByAlias(hits: AdvisoryHit[]): AdvisoryHit[][] {
  const parent = hits.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const owner = new Map<string, number>();
  hits.forEach((h, i) => {
    for (const id of [h.record.id, ...(h.record.aliases ?? [])]) {
      const j = owner.get(id);
      if (j === undefined) owner.set(id, i);
      else parent[find(i)] = find(j);
    }
  });
  const groups = new Map<number, AdvisoryHit[]>();
  hits.forEach((h, i) => {
    const root = find(i);
    groups.set(root, [...(groups.get(root) ?? []), h]);
  });
  return [...groups.values()];
}

// ---- CycloneDX structure -----------------------------------------------------------------------

function fail(field: string, problem: string): never {
  throw new AppError('VALIDATION_FAILED', `SBOM field ${field}: ${problem}`, { field });
}

/** All components, depth-first, with the JSON path of each for error messages. */
export function readComponents(sbom: unknown): Component[] {
  if (!isObject(sbom)) fail('(root)', 'must be a CycloneDX JSON object');
  if (sbom.bomFormat !== 'CycloneDX') fail('bomFormat', `must be "CycloneDX", got ${JSON.stringify(sbom.bomFormat)}`);
  if (typeof sbom.specVersion !== 'string' || !SPEC_VERSIONS.has(sbom.specVersion)) {
    fail('specVersion', `must be one of ${[...SPEC_VERSIONS].join(', ')}, got ${JSON.stringify(sbom.specVersion)}`);
  }
  const out: Component[] = [];
  const stack: Array<{ value: unknown; field: string; depth: number }> = [];
  if (sbom.metadata !== undefined) {
    if (!isObject(sbom.metadata)) fail('metadata', 'must be an object');
    if (sbom.metadata.component !== undefined) stack.push({ value: sbom.metadata.component, field: 'metadata.component', depth: 0 });
  }
  pushList(stack, sbom.components, 'components', 0);
  while (stack.length > 0) {
    const { value, field, depth } = stack.pop()!;
    if (!isObject(value)) fail(field, 'must be an object');
    if (typeof value.name !== 'string') fail(`${field}.name`, 'must be a string');
    for (const k of ['purl', 'version'] as const) {
      if (value[k] !== undefined && typeof value[k] !== 'string') fail(`${field}.${k}`, 'must be a string');
    }
    out.push({ name: value.name, field, ...(value.purl !== undefined ? { purl: value.purl as string } : {}), ...(value.version !== undefined ? { version: value.version as string } : {}) });
    if (out.length > MAX_COMPONENTS) fail('components', `more than ${MAX_COMPONENTS} components`);
    if (value.components !== undefined) {
      if (depth + 1 > MAX_DEPTH) fail(`${field}.components`, `nested deeper than ${MAX_DEPTH}`);
      pushList(stack, value.components, `${field}.components`, depth + 1);
    }
  }
  return out;
}

function pushList(stack: Array<{ value: unknown; field: string; depth: number }>, list: unknown, field: string, depth: number): void {
  if (list === undefined) return;
  if (!Array.isArray(list)) fail(field, 'must be an array');
  if (list.length > MAX_COMPONENTS) fail(field, `more than ${MAX_COMPONENTS} components`);
  // Reversed so the stack pops them in document order.
  for (let i = list.length - 1; i >= 0; i--) stack.push({ value: list[i], field: `${field}[${i}]`, depth });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

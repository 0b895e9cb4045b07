// An offline set of OSV advisories (https://ossf.github.io/osv-schema/) and the question "which
// records affect package P at version V". Records come as JSON or YAML (the PyPA database is YAML);
// YAML is read with the failsafe schema so `2.10` stays the string "2.10" and dates stay strings.
// Semantics (OSV schema, "Evaluation"): withdrawn records never match; a version matches an
// `affected[]` entry when it is listed in `versions[]` or lies inside an ECOSYSTEM/SEMVER range
// whose events, sorted by version, open (`introduced`, "0" = from the start) and close (`fixed`
// exclusive, `last_affected` inclusive) it; `limit` caps a range. GIT ranges are ignored. A range
// with an event that is not a version of its scheme (`fixed: "7.2.4, 6.11.4"`) is skipped and
// listed in `problems`, rather than guessed at.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { recordSeverity, type SeverityLevel } from './osv-severity.js';
import { normalizePackageName, schemeFor, type VersionScheme } from './osv-versions.js';

const MAX_RECORD_BYTES = 4 * 1024 * 1024;
const MAX_FILES = 200_000;

// Versions are strings in OSV; a JSON number is accepted and read as its text.
const text = z.union([z.string(), z.number()]).transform(String);
const eventSchema = z.object({ introduced: text.optional(), fixed: text.optional(), last_affected: text.optional(), limit: text.optional() });
const severitySchema = z.array(z.object({ type: z.string(), score: z.string() })).max(100);
const affectedSchema = z.object({
  package: z.object({ ecosystem: z.string(), name: z.string(), purl: z.string().optional() }).optional(),
  ranges: z.array(z.object({ type: z.string(), events: z.array(eventSchema).max(10_000) })).max(1000).optional(),
  versions: z.array(text).max(100_000).optional(),
  severity: severitySchema.optional(),
});
const recordSchema = z.object({
  id: z.string().min(1).max(200),
  aliases: z.array(z.string()).max(1000).optional(),
  withdrawn: z.string().optional(),
  summary: z.string().optional(),
  severity: severitySchema.optional(),
  affected: z.array(affectedSchema).max(10_000).optional(),
  database_specific: z.unknown().optional(),
});

export type OsvRecord = z.output<typeof recordSchema>;
type Affected = NonNullable<OsvRecord['affected']>[number];
type Event = z.output<typeof eventSchema>;

interface Entry {
  record: OsvRecord;
  affected: Affected;
}

export interface AdvisorySet {
  /** Records that are not withdrawn, by id. */
  readonly records: ReadonlyMap<string, OsvRecord & { level: SeverityLevel | 'unknown' }>;
  readonly withdrawn: ReadonlySet<string>;
  /** Ranges that could not be evaluated, and records that could not be read, in words. */
  readonly problems: readonly string[];
  /** `ecosystem\0normalized name` → affected entries. */
  readonly byPackage: ReadonlyMap<string, readonly Entry[]>;
}

export interface AdvisoryHit {
  record: OsvRecord;
  level: SeverityLevel | 'unknown';
  /** The first fix above the queried version in the range that matched, when there is one. */
  fixed?: string;
}

/** Parses one OSV record from JSON or YAML text; throws AppError naming the file and field. */
export function parseOsvRecord(source: string, name: string): OsvRecord {
  if (source.length > MAX_RECORD_BYTES) throw new AppError('VALIDATION_FAILED', `${name}: larger than ${MAX_RECORD_BYTES} bytes`);
  let value: unknown;
  try {
    value = /\.ya?ml$/iu.test(name) ? parseYaml(source, { schema: 'failsafe', maxAliasCount: 100, uniqueKeys: false, logLevel: 'error' }) : JSON.parse(source);
  } catch (e) {
    throw new AppError('VALIDATION_FAILED', `${name}: not valid ${/\.ya?ml$/iu.test(name) ? 'YAML' : 'JSON'}: ${(e as Error).message.split('\n')[0]}`);
  }
  const r = recordSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new AppError('VALIDATION_FAILED', `${name}: field ${issue.path.join('.') || '(root)'}: ${issue.message}`, { file: name, path: issue.path });
  }
  return r.data;
}

export function createAdvisorySet(records: readonly OsvRecord[], loadProblems: readonly string[] = []): AdvisorySet {
  const byId = new Map<string, OsvRecord & { level: SeverityLevel | 'unknown' }>();
  const withdrawn = new Set<string>();
  const problems = [...loadProblems];
  const byPackage = new Map<string, Entry[]>();
  for (const record of records) {
    if (record.withdrawn) {
      withdrawn.add(record.id);
      continue;
    }
    byId.set(record.id, { ...record, level: recordSeverity(record).level });
    for (const affected of record.affected ?? []) {
      if (!affected.package) continue;
      const key = packageKey(affected.package.ecosystem, affected.package.name);
      const list = byPackage.get(key) ?? [];
      list.push({ record, affected });
      byPackage.set(key, list);
      for (const range of affected.ranges ?? []) {
        const scheme = schemeFor(affected.package.ecosystem, range.type);
        if (scheme && !eventsParse(scheme, range.events)) {
          problems.push(`${record.id}: ${range.type} range of ${affected.package.name} has an event that is not a version (${JSON.stringify(range.events)}); range skipped`);
        }
      }
    }
  }
  return { records: byId, withdrawn, problems, byPackage };
}

/** Reads every `.json`, `.yaml` and `.yml` record under a directory (recursively). */
export function loadAdvisoryDirectory(dir: string): AdvisorySet {
  const records: OsvRecord[] = [];
  const problems: string[] = [];
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && /\.(?:json|ya?ml)$/iu.test(e.name) && e.name !== 'EXPECTED.json') files.push(p);
      if (files.length > MAX_FILES) throw new AppError('VALIDATION_FAILED', `${dir}: more than ${MAX_FILES} advisory files`);
    }
  };
  walk(dir);
  for (const f of files.sort()) {
    if (statSync(f).size > MAX_RECORD_BYTES) {
      problems.push(`${f}: larger than ${MAX_RECORD_BYTES} bytes; skipped`);
      continue;
    }
    try {
      records.push(parseOsvRecord(readFileSync(f, 'utf8'), f));
    } catch (e) {
      problems.push(e instanceof AppError ? e.message : `${f}: ${(e as Error).message}`);
    }
  }
  return createAdvisorySet(records, problems);
}

export function packageKey(ecosystem: string, name: string): string {
  return `${ecosystem}\0${normalizePackageName(ecosystem, name)}`;
}

/** The records (not withdrawn) that affect `name` at `version` in `ecosystem`. */
export function queryAdvisories(set: AdvisorySet, ecosystem: string, name: string, version: string): AdvisoryHit[] {
  const hits = new Map<string, AdvisoryHit>();
  for (const { record, affected } of set.byPackage.get(packageKey(ecosystem, name)) ?? []) {
    const m = affects(affected, ecosystem, version);
    if (!m.hit) continue;
    const prev = hits.get(record.id);
    if (!prev) hits.set(record.id, { record, level: set.records.get(record.id)?.level ?? 'unknown', ...(m.fixed ? { fixed: m.fixed } : {}) });
    else if (!prev.fixed && m.fixed) prev.fixed = m.fixed;
  }
  return [...hits.values()];
}

function affects(affected: Affected, ecosystem: string, version: string): { hit: boolean; fixed?: string } {
  for (const range of affected.ranges ?? []) {
    const scheme = schemeFor(ecosystem, range.type);
    if (!scheme) continue;
    const r = inRange(scheme, range.events, version);
    if (r.hit) return r;
  }
  // Explicit lists: compare by the ecosystem's rules too (PyPI "0.8.0-alpha2" is "0.8.0a2").
  const scheme = schemeFor(ecosystem, 'ECOSYSTEM');
  const v = scheme?.parse(version) ?? null;
  for (const listed of affected.versions ?? []) {
    if (listed === version) return { hit: true };
    if (scheme && v !== null) {
      const l = scheme.parse(listed);
      if (l !== null && scheme.compare(l, v) === 0) return { hit: true };
    }
  }
  return { hit: false };
}

interface ParsedEvent {
  kind: 'introduced' | 'fixed' | 'last_affected' | 'limit';
  raw: string;
  /** null for `introduced: "0"`, which sorts before every version. */
  v: unknown;
}

function parseEvents(scheme: VersionScheme, events: readonly Event[]): ParsedEvent[] | null {
  const out: ParsedEvent[] = [];
  for (const e of events) {
    const kind = e.introduced !== undefined ? 'introduced' : e.fixed !== undefined ? 'fixed' : e.last_affected !== undefined ? 'last_affected' : e.limit !== undefined ? 'limit' : null;
    if (!kind) return null;
    const raw = e[kind]!;
    if (kind === 'introduced' && raw === '0') {
      out.push({ kind, raw, v: null });
      continue;
    }
    const v = scheme.parse(raw);
    if (v === null) return null;
    out.push({ kind, raw, v });
  }
  return out;
}

function eventsParse(scheme: VersionScheme, events: readonly Event[]): boolean {
  return parseEvents(scheme, events) !== null;
}

function inRange(scheme: VersionScheme, events: readonly Event[], version: string): { hit: boolean; fixed?: string } {
  const v = scheme.parse(version);
  const parsed = parseEvents(scheme, events);
  if (v === null || !parsed) return { hit: false };
  const cmp = (a: ParsedEvent, b: ParsedEvent) => (a.v === null ? (b.v === null ? 0 : -1) : b.v === null ? 1 : scheme.compare(a.v, b.v));
  const sorted = parsed.filter((e) => e.kind !== 'limit').sort(cmp);
  const limits = parsed.filter((e) => e.kind === 'limit');
  if (limits.length > 0 && !limits.some((l) => scheme.compare(v, l.v) < 0)) return { hit: false };
  let affected = false;
  for (const e of sorted) {
    if (e.kind === 'introduced') {
      if (e.v === null || scheme.compare(v, e.v) >= 0) affected = true;
    } else if (e.kind === 'fixed') {
      if (scheme.compare(v, e.v) >= 0) affected = false;
    } else if (scheme.compare(v, e.v) > 0) {
      affected = false;
    }
  }
  if (!affected) return { hit: false };
  const fix = sorted.find((e) => e.kind === 'fixed' && scheme.compare(e.v, v) > 0);
  return fix ? { hit: true, fixed: fix.raw } : { hit: true };
}

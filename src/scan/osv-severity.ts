// Severity of an OSV record, in the four qualitative levels of CVSS. Sources, in order:
// 1. `database_specific.severity` of the record (GitHub's curated LOW/MODERATE/HIGH/CRITICAL);
// 2. a CVSS v3.0/v3.1 vector in `severity[]`: the base score is computed here with the CVSS 3.1
//    specification's formula (section 7.1, Roundup from Appendix A; 3.0 vectors use the same
//    formula, which differs from 3.0's own rounding by at most 0.1 in rare cases) and mapped to
//    low 0.1-3.9, medium 4.0-6.9, high 7.0-8.9, critical 9.0-10.0;
// 3. a CVSS v4.0 vector: its score needs FIRST's 270-entry macro-vector table, so it is *not*
//    computed; the level is approximated from the vector (see `cvss4Level`).
// Per-package `affected[].severity` vectors count too. When several apply, the highest wins.

export const SEVERITY_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type SeverityLevel = (typeof SEVERITY_LEVELS)[number];

export function levelRank(l: SeverityLevel | 'unknown'): number {
  return l === 'unknown' ? -1 : SEVERITY_LEVELS.indexOf(l);
}

export function scoreToLevel(score: number): SeverityLevel | null {
  if (score <= 0) return null;
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}

function parseVector(vector: string, prefix: RegExp): Map<string, string> | null {
  const parts = vector.trim().split('/');
  if (!prefix.test(parts[0] ?? '')) return null;
  const m = new Map<string, string>();
  for (const p of parts.slice(1)) {
    const [k, v, extra] = p.split(':');
    if (!k || !v || extra !== undefined || m.has(k)) return null;
    m.set(k, v);
  }
  return m;
}

const W3 = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  UI: { N: 0.85, R: 0.62 },
  CIA: { H: 0.56, L: 0.22, N: 0 },
} as const;

/** CVSS 3.1 Roundup: the smallest one-decimal number >= x, robust to floating-point noise. */
function roundUp(x: number): number {
  const i = Math.round(x * 100000);
  return i % 10000 === 0 ? i / 100000 : (Math.floor(i / 10000) + 1) / 10;
}

/** CVSS v3.x base score of a vector such as `CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H`. */
export function cvss3BaseScore(vector: string): number | null {
  const m = parseVector(vector, /^CVSS:3\.[01]$/u);
  if (!m) return null;
  const get = <T extends Record<string, number>>(key: string, table: T): number | null => {
    const v = m.get(key);
    return v !== undefined && Object.hasOwn(table, v) ? table[v as keyof T]! : null;
  };
  const scope = m.get('S');
  if (scope !== 'U' && scope !== 'C') return null;
  const changed = scope === 'C';
  const pr = get('PR', changed ? { N: 0.85, L: 0.68, H: 0.5 } : { N: 0.85, L: 0.62, H: 0.27 });
  const av = get('AV', W3.AV);
  const ac = get('AC', W3.AC);
  const ui = get('UI', W3.UI);
  const c = get('C', W3.CIA);
  const i = get('I', W3.CIA);
  const a = get('A', W3.CIA);
  if (av === null || ac === null || pr === null || ui === null || c === null || i === null || a === null) return null;
  const iss = 1 - (1 - c) * (1 - i) * (1 - a);
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15 : 6.42 * iss;
  const exploitability = 8.22 * av * ac * pr * ui;
  if (impact <= 0) return 0;
  return changed ? roundUp(Math.min(1.08 * (impact + exploitability), 10)) : roundUp(Math.min(impact + exploitability, 10));
}

/**
 * Approximate level of a CVSS v4.0 vector (not FIRST's score). High impact on the vulnerable or a
 * subsequent system is `high`, and `critical` when it is also reachable over the network without
 * privileges, user interaction or attack requirements; low impact only is `medium`, or `low` when
 * it needs local/physical access or high privileges; no impact is `low`. This tracks the official
 * score's band for the common vectors but can be one level off for unusual ones.
 */
export function cvss4Level(vector: string): SeverityLevel | null {
  const m = parseVector(vector, /^CVSS:4\.0$/u);
  if (!m) return null;
  const impacts = ['VC', 'VI', 'VA', 'SC', 'SI', 'SA'].map((k) => m.get(k));
  if (impacts.some((v) => v === undefined) || !m.get('AV') || !m.get('PR') || !m.get('UI') || !m.get('AT')) return null;
  const high = impacts.includes('H');
  const low = impacts.includes('L');
  const remoteFree = m.get('AV') === 'N' && m.get('PR') === 'N' && m.get('UI') === 'N' && m.get('AT') === 'N';
  const hard = m.get('AV') === 'P' || m.get('AV') === 'L' || m.get('PR') === 'H';
  if (high) return remoteFree ? 'critical' : 'high';
  if (low) return hard ? 'low' : 'medium';
  return 'low';
}

const GHSA_LEVELS: Record<string, SeverityLevel> = { LOW: 'low', MODERATE: 'medium', MEDIUM: 'medium', HIGH: 'high', CRITICAL: 'critical' };

interface SeverityInput {
  database_specific?: unknown;
  severity?: Array<{ type: string; score: string }>;
  affected?: Array<{ severity?: Array<{ type: string; score: string }> }>;
}

/** The record's level and where it came from, or `unknown` when it carries none we can read. */
export function recordSeverity(r: SeverityInput): { level: SeverityLevel | 'unknown'; source: string } {
  const ds = r.database_specific;
  if (ds && typeof ds === 'object' && 'severity' in ds && typeof ds.severity === 'string') {
    const l = GHSA_LEVELS[ds.severity.toUpperCase()];
    if (l) return { level: l, source: `database_specific.severity ${ds.severity}` };
  }
  let best: { level: SeverityLevel; source: string } | null = null;
  const vectors = [...(r.severity ?? []), ...(r.affected ?? []).flatMap((a) => a.severity ?? [])];
  for (const s of vectors) {
    let level: SeverityLevel | null = null;
    let source = '';
    if (s.type === 'CVSS_V3') {
      const score = cvss3BaseScore(s.score);
      level = score === null ? null : scoreToLevel(score);
      source = `CVSS v3 base score ${score}`;
    } else if (s.type === 'CVSS_V4') {
      level = cvss4Level(s.score);
      source = 'CVSS v4 vector (approximated level)';
    }
    if (level && (!best || levelRank(level) > levelRank(best.level))) best = { level, source };
  }
  return best ?? { level: 'unknown', source: 'no severity in the record' };
}

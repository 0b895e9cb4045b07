// SBOMs attached to artifacts: audited offline against the advisory database the operator keeps
// in registry.advisoriesDir (OSV records), summarised for the zone checks at promotion.
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { AppError } from '../errors.js';
import { loadAdvisoryDirectory, type AdvisorySet } from '../scan/osv.js';
import { auditSbom } from '../scan/sbom.js';
import { canonicalBytes } from '../util/canonical-json.js';
import type { SbomSummary } from './promotion.js';

const RELOAD_MS = 10 * 60_000;
const ORDER = ['low', 'medium', 'high', 'critical'] as const;

export interface SbomAuditor {
  audit(sbom: unknown, now: Date): { summary: SbomSummary; bytes: Buffer; advisoryProblems: number };
}

export function createSbomAuditor(dir: string | undefined): SbomAuditor {
  let loaded: { set: AdvisorySet; at: number; mtime: number } | null = null;
  function advisories(): AdvisorySet {
    if (!dir) throw new AppError('CONFLICT', 'no advisory database is configured (registry.advisoriesDir, a folder of OSV records), so an SBOM cannot be audited');
    const mtime = statSync(dir, { throwIfNoEntry: false })?.mtimeMs;
    if (mtime === undefined) throw new AppError('UNAVAILABLE', `the advisory database ${dir} cannot be read`);
    // Re-read when the folder changed or the copy in memory is old (an operator syncs it daily).
    if (!loaded || loaded.mtime !== mtime || Date.now() - loaded.at > RELOAD_MS) loaded = { set: loadAdvisoryDirectory(dir), at: Date.now(), mtime };
    return loaded.set;
  }
  return {
    audit(sbom, now) {
      const set = advisories();
      const a = auditSbom(sbom, set, 'low');
      // An advisory without a severity counts as high: unknown is not harmless.
      const sev = (s: string) => (s === 'unknown' ? 'high' : s) as (typeof ORDER)[number];
      const highest = a.matches.reduce<(typeof ORDER)[number] | null>((h, m) => (h === null || ORDER.indexOf(sev(m.severity)) > ORDER.indexOf(h) ? sev(m.severity) : h), null);
      const bytes = Buffer.from(canonicalBytes(sbom));
      return {
        bytes,
        advisoryProblems: set.problems.length,
        summary: {
          digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
          components: a.stats.components,
          highest,
          matches: a.matches.slice(0, 500).map((m) => ({ component: m.component, version: m.version, advisoryId: m.advisoryId, severity: sev(m.severity) })),
          auditedAt: now.toISOString(),
        },
      };
    },
  };
}

// What a zone's policy asks of an artifact before it may be promoted there (policy
// `zones.<z>.artifacts`): licence allowed, no known advisory at or above the zone's threshold,
// signed by a signer the zone trusts, and reviewed recently enough. Pure: the service records the
// checks that passed with the promotion and refuses with the ones that failed.
import type { Zone } from '../policy/model.js';
import { checkLicense } from '../scan/license.js';
import { SLSA_PROVENANCE_V1 } from '../signing/intoto.js';
import type { ArtifactRow } from './store.js';
import type { SignatureSummary } from './schema.js';

export interface SbomSummary {
  digest: string;
  components: number;
  /** Highest severity among matched advisories, or null when none matched. */
  highest: 'low' | 'medium' | 'high' | 'critical' | null;
  matches: { component: string; version: string; advisoryId: string; severity: string }[];
  auditedAt: string;
}

const SEVERITY_ORDER = ['low', 'medium', 'high', 'critical'] as const;

export function promotionChecks(r: ArtifactRow, zone: Zone, now: Date): { passed: string[]; failed: string[] } {
  const passed: string[] = [];
  const failed: string[] = [];
  const rules = zone.artifacts;

  if (rules.licenses.allow || rules.licenses.deny) {
    if (!r.license) failed.push(`zone ${zone.name} restricts licences; the artifact declares none (set a licence at intake)`);
    else {
      const c = checkLicense(r.license, rules.licenses);
      // A zone that restricts licences cannot vouch for one nobody recognises, even if not denied.
      const doubts = c.findings.filter((f) => f.severity !== 'safe');
      if (c.ok && doubts.length === 0) passed.push(`licence ${c.normalized} allowed in ${zone.name}`);
      else failed.push(`licence ${r.license} is not allowed in ${zone.name}: ${(doubts.length ? doubts : c.findings).map((f) => f.detail).join('; ')}`);
    }
  }

  if (rules.blockAdvisoriesFrom) {
    const sbom = r.sbom ? (JSON.parse(r.sbom) as SbomSummary) : null;
    const threshold = SEVERITY_ORDER.indexOf(rules.blockAdvisoriesFrom);
    if (!sbom) {
      // Images carry third-party packages: without an SBOM nothing can be said about them.
      if (r.kind === 'image') failed.push(`zone ${zone.name} blocks advisories from ${rules.blockAdvisoriesFrom}; attach an SBOM to the image first`);
    } else {
      const blocking = sbom.matches.filter((m) => SEVERITY_ORDER.indexOf(m.severity as (typeof SEVERITY_ORDER)[number]) >= threshold);
      if (blocking.length) failed.push(`${blocking.length} known advisories at or above ${rules.blockAdvisoriesFrom}: ${blocking.slice(0, 5).map((m) => `${m.advisoryId} (${m.component}@${m.version}, ${m.severity})`).join(', ')}`);
      else passed.push(`no advisory at or above ${rules.blockAdvisoriesFrom} among ${sbom.components} SBOM components`);
    }
  }

  if (rules.trustedSigners) {
    const sig = r.signature ? (JSON.parse(r.signature) as SignatureSummary) : null;
    const who = [sig?.signer.identity, sig?.signer.keyId].filter((x): x is string => !!x);
    if (!sig?.verified) failed.push(`zone ${zone.name} requires a signature from ${rules.trustedSigners.join(', ')}; none verified`);
    else if (!who.some((w) => rules.trustedSigners!.includes(w))) failed.push(`signed by ${who.join(' / ')}, which zone ${zone.name} does not trust (trusted: ${rules.trustedSigners.join(', ')})`);
    else passed.push(`signer ${who[0]} trusted in ${zone.name}`);
  }

  if (rules.provenanceBuilders) {
    const builders = (JSON.parse(r.attestations) as { predicateType: string; builderId?: string }[]).filter((a) => a.predicateType === SLSA_PROVENANCE_V1 && a.builderId).map((a) => a.builderId!);
    const trusted = builders.find((b) => rules.provenanceBuilders!.includes(b));
    if (trusted) passed.push(`SLSA provenance from ${trusted}`);
    else failed.push(`zone ${zone.name} requires verified SLSA provenance from ${rules.provenanceBuilders.join(', ')}; ${builders.length ? `it has provenance from ${builders.join(', ')}` : 'none is attached'}`);
  }

  if (rules.maxReviewDays) {
    const limit = now.getTime() + rules.maxReviewDays * 86_400_000;
    if (!r.expires_at || Date.parse(r.expires_at) > limit) failed.push(`zone ${zone.name} requires a review within ${rules.maxReviewDays} days; set an expiry before ${new Date(limit).toISOString()}`);
    else passed.push(`review due ${r.expires_at}, within ${rules.maxReviewDays} days`);
  }
  return { passed, failed };
}

// Notification deadlines per regime, counted from when the organisation became aware (detection).
// Figures: GDPR Art. 33(1) 72 hours; EU AI Act Art. 73(2)-(4) serious incidents 15 days, 2 days for
// a widespread infringement or critical-infrastructure disruption, 10 days for a death; HIPAA
// 45 CFR 164.404(b) 60 days from discovery; DORA (RTS under Art. 20) initial notification at most
// 24 hours from awareness (4 hours from classification as major, which Evident cannot see).
export const REGIMES = {
  gdpr: { hours: 72, what: 'personal data breach: notify the supervisory authority (GDPR Art. 33)' },
  'eu-ai-act': { hours: 15 * 24, what: 'serious incident: report to the market surveillance authority (EU AI Act Art. 73)' },
  'eu-ai-act-widespread': { hours: 2 * 24, what: 'serious incident, widespread or critical infrastructure (EU AI Act Art. 73(3))' },
  'eu-ai-act-death': { hours: 10 * 24, what: 'serious incident involving a death (EU AI Act Art. 73(4))' },
  hipaa: { hours: 60 * 24, what: 'breach of unsecured PHI: notify individuals, and HHS (45 CFR 164.404, 164.408)' },
  dora: { hours: 24, what: 'major ICT-related incident: initial notification to the competent authority (DORA Art. 19)' },
} as const;
export type Regime = keyof typeof REGIMES;
export const REGIME_NAMES = Object.keys(REGIMES) as Regime[];

export interface Deadline {
  regime: Regime;
  what: string;
  dueAt: string;
  notifiedAt: string | null;
  /** Notified after the deadline. */
  late: boolean;
  /** Not notified and past the deadline now. */
  overdue: boolean;
}

export function deadlines(detectedAt: string, regimes: readonly Regime[], notified: ReadonlyMap<string, string>, now: Date): Deadline[] {
  const t = Date.parse(detectedAt);
  return [...new Set(regimes)].map((regime) => {
    const dueAt = new Date(t + REGIMES[regime].hours * 3_600_000).toISOString();
    const notifiedAt = notified.get(regime) ?? null;
    return {
      regime,
      what: REGIMES[regime].what,
      dueAt,
      notifiedAt,
      late: notifiedAt !== null && notifiedAt > dueAt,
      overdue: notifiedAt === null && now.toISOString() > dueAt,
    };
  });
}

// Shapes of incident response: incidents with their notification regimes, kill switches, rollback orders.
import { z } from 'zod';
import { COMPONENT_KINDS, ComponentNameSchema } from '../releases/schema.js';
import { REGIME_NAMES, type Regime } from './deadlines.js';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
/** open -> mitigated -> resolved -> closed; closing needs every notification made. */
export const INCIDENT_STATES = ['open', 'mitigated', 'resolved', 'closed'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];
export const KILL_SCOPES = ['deployment', 'provider', 'zone-egress'] as const;
export type KillScope = (typeof KILL_SCOPES)[number];

const ZoneName = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/u, 'zone names are DNS labels');
const ProviderName = z.string().regex(/^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$/u, 'provider names are lowercase letters, digits, . _ -');
const Instant = z.iso.datetime({ offset: true });

export const AffectedSchema = z
  .object({
    components: z.array(z.object({ kind: z.enum(COMPONENT_KINDS), name: ComponentNameSchema }).strict()).max(100).default([]),
    zones: z.array(ZoneName).max(100).default([]),
  })
  .strict();

export const OpenIncidentSchema = z
  .object({
    title: z.string().min(1).max(200),
    description: z.string().max(8000).optional().describe('kept with the incident, not in the ledger (the ledger gets its digest)'),
    severity: z.enum(SEVERITIES),
    detectedAt: Instant.optional().describe('when the organisation became aware: deadlines count from here (default: now)'),
    affected: AffectedSchema.prefault({}),
    regimes: z.array(z.enum(REGIME_NAMES as [Regime, ...Regime[]])).max(10).default([]).describe('notification regimes that apply: gdpr, eu-ai-act, eu-ai-act-widespread, eu-ai-act-death, hipaa, dora'),
  })
  .strict();

export const UpdateIncidentSchema = z
  .object({
    status: z.enum(INCIDENT_STATES).optional(),
    severity: z.enum(SEVERITIES).optional(),
    regimes: z.array(z.enum(REGIME_NAMES as [Regime, ...Regime[]])).max(10).optional(),
    affected: AffectedSchema.optional(),
    note: z.string().max(2000).optional(),
    revision: z.number().int().positive().optional(),
  })
  .strict();

export const NotificationSchema = z
  .object({
    regime: z.enum(REGIME_NAMES as [Regime, ...Regime[]]),
    authority: z.string().min(1).max(200).describe('who was notified, e.g. "CNIL" or "HHS OCR"'),
    reference: z.string().max(200).optional().describe("the authority's case number"),
    notifiedAt: Instant.optional().describe('when it was sent (default: now)'),
  })
  .strict();

export const EngageSchema = z
  .object({
    scope: z.enum(KILL_SCOPES),
    kind: z.enum(COMPONENT_KINDS).optional(),
    name: ComponentNameSchema.optional(),
    zone: ZoneName.optional(),
    provider: ProviderName.optional(),
    incidentId: z.string().uuid().optional(),
    reason: z.string().min(1).max(2000),
  })
  .strict()
  .superRefine((v, ctx) => {
    const need = (ok: boolean, message: string) => ok || ctx.addIssue({ code: 'custom', message });
    if (v.scope === 'deployment') need(!!v.kind && !!v.name && !!v.zone, 'a deployment kill switch names kind, name and zone');
    if (v.scope === 'provider') need(!!v.provider, 'a provider kill switch names the provider');
    if (v.scope === 'zone-egress') need(!!v.zone && !v.provider && !v.name, 'a zone-egress kill switch names only the zone');
  });

export const RollbackOrderSchema = z.object({ kind: z.enum(COMPONENT_KINDS), name: ComponentNameSchema, zone: ZoneName, reason: z.string().min(1).max(2000) }).strict();

export const DeadlineSchema = z.object({ regime: z.string(), what: z.string(), dueAt: z.string(), notifiedAt: z.string().nullable(), late: z.boolean(), overdue: z.boolean() });
export const KillSwitchSchema = z.object({
  id: z.string(),
  scope: z.enum(KILL_SCOPES),
  target: z.string(),
  incidentId: z.string().nullable(),
  reason: z.string(),
  engagedBy: z.string(),
  engagedAt: z.string(),
  releasedBy: z.string().nullable(),
  releasedAt: z.string().nullable(),
  engaged: z.boolean(),
});
export type KillSwitch = z.infer<typeof KillSwitchSchema>;

export const IncidentSchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string().nullable(),
  severity: z.enum(SEVERITIES),
  status: z.enum(INCIDENT_STATES),
  revision: z.number().int(),
  detectedAt: z.string(),
  affected: z.object({ components: z.array(z.object({ kind: z.string(), name: z.string() })), zones: z.array(z.string()) }),
  deadlines: z.array(DeadlineSchema),
  notifications: z.array(z.object({ regime: z.string(), authority: z.string(), reference: z.string().nullable(), notifiedAt: z.string(), recordedBy: z.string() })),
  killSwitches: z.array(KillSwitchSchema),
  openedBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  closedAt: z.string().nullable(),
});
export type Incident = z.infer<typeof IncidentSchema>;

export const IdParamsSchema = z.object({ id: z.string().uuid('ids are UUIDs') }).strict();

// Incident events: opening and every status change, each notification against its deadline,
// kill switches engaged and released, rollback orders.
import { z } from 'zod';
import { defineEvent } from '../ledger/schema.js';

const Digest = z.string().regex(/^sha256:[0-9a-f]{64}$/u);
const Id = z.string().max(36);
const Affected = z.object({ components: z.array(z.object({ kind: z.string().max(32), name: z.string().max(128) }).strict()).max(100), zones: z.array(z.string().max(63)).max(100) }).strict();
const Regimes = z.array(z.string().max(32)).max(10);

export const incidentEvents = [
  defineEvent(
    'incident.opened',
    z
      .object({
        incidentId: Id,
        severity: z.string().max(16),
        detectedAt: z.string().max(40),
        affected: Affected,
        regimes: Regimes,
        /** sha256 of the title and description (RFC 8785 JSON), which may name people and stay out of the ledger. */
        textDigest: Digest,
        deadlines: z.array(z.object({ regime: z.string().max(32), dueAt: z.string().max(40) }).strict()).max(10),
      })
      .strict(),
  ),
  defineEvent(
    'incident.updated',
    z
      .object({
        incidentId: Id,
        revision: z.number().int(),
        status: z.object({ from: z.string().max(16), to: z.string().max(16) }).strict().optional(),
        severity: z.object({ from: z.string().max(16), to: z.string().max(16) }).strict().optional(),
        regimes: Regimes.optional(),
        affected: Affected.optional(),
      })
      .strict(),
  ),
  defineEvent(
    'incident.notified',
    z.object({ incidentId: Id, regime: z.string().max(32), authority: z.string().max(200), notifiedAt: z.string().max(40), dueAt: z.string().max(40), late: z.boolean() }).strict(),
  ),
  defineEvent(
    'killswitch.engaged',
    z.object({ killSwitchId: Id, scope: z.string().max(16), target: z.string().max(300), incidentId: Id.nullable() }).strict(),
  ),
  defineEvent(
    'killswitch.released',
    z.object({ killSwitchId: Id, scope: z.string().max(16), target: z.string().max(300), incidentId: Id.nullable(), engagedForSeconds: z.number().int().nonnegative() }).strict(),
  ),
  defineEvent(
    'incident.rollback-ordered',
    z.object({ incidentId: Id, deploymentId: Id, component: z.object({ kind: z.string().max(32), name: z.string().max(128) }).strict(), zone: z.string().max(63) }).strict(),
  ),
  defineEvent(
    'incident.refused',
    z.object({ operation: z.string().max(32), incidentId: Id.optional(), killSwitchId: Id.optional(), code: z.string().max(32) }).strict(),
  ),
] as const;

// Release-management events: every step of a change request, every deployment and rollback with
// its signed release manifest, and every refusal with the step that failed.
import { z } from 'zod';
import { defineEvent } from '../ledger/schema.js';
import { SodDecisionSchema } from '../identity/events.js';

const Digest = z.string().regex(/^sha256:[0-9a-f]{64}$/u);
const Id = z.string().max(36);
const Component = z.object({ kind: z.string().max(32), name: z.string().max(128) }).strict();
const Version = z.object({ id: Id, version: z.number().int(), digest: Digest }).strict();
const Zone = z.string().max(63);
const Checks = z.array(z.object({ step: z.string().max(16), ok: z.boolean(), detail: z.string().max(500) }).strict()).max(100);
const Metrics = z.record(z.string().max(64), z.number()).refine((m) => Object.keys(m).length <= 100);

export const releaseEvents = [
  defineEvent(
    'change.created',
    z
      .object({
        changeId: Id,
        component: Component,
        zone: Zone,
        version: Version,
        base: Version.nullable(),
        /** Paths the version changes against the base (the full diff is served from the API). */
        changed: z.array(z.string().max(300)).max(200),
        emergency: z.boolean(),
        validation: Checks,
      })
      .strict(),
  ),
  defineEvent(
    'change.updated',
    z
      .object({
        changeId: Id,
        component: Component,
        zone: Zone,
        revision: z.number().int(),
        version: Version,
        base: Version.nullable(),
        changed: z.array(z.string().max(300)).max(200),
        validation: Checks,
      })
      .strict(),
  ),
  defineEvent(
    'change.evaluated',
    z
      .object({
        changeId: Id,
        revision: z.number().int(),
        metrics: Metrics,
        datasetDigest: Digest.optional(),
        reportDigest: Digest.optional(),
        passed: z.boolean(),
        failed: z.array(z.string().max(64)).max(100),
      })
      .strict(),
  ),
  defineEvent(
    'change.approved',
    z
      .object({
        changeId: Id,
        component: Component,
        zone: Zone,
        revision: z.number().int(),
        version: Version,
        sod: z.array(SodDecisionSchema).max(4),
        /** This approval completed the required number. */
        complete: z.boolean(),
        /** Given after an emergency deployment. */
        afterTheFact: z.boolean(),
      })
      .strict(),
  ),
  defineEvent('change.rejected', z.object({ changeId: Id, revision: z.number().int(), from: z.string().max(16) }).strict()),
  defineEvent('change.withdrawn', z.object({ changeId: Id, revision: z.number().int(), from: z.string().max(16) }).strict()),
  defineEvent(
    'release.deployed',
    z
      .object({
        deploymentId: Id,
        action: z.enum(['deploy', 'rollback']),
        component: Component,
        zone: Zone,
        version: Version,
        previous: Version.nullable(),
        changeId: Id.nullable(),
        approvers: z.array(z.string().max(64)).max(20),
        emergency: z.boolean(),
        evaluation: z.object({ passed: z.boolean(), metrics: Metrics }).strict().nullable(),
        policy: z.object({ version: z.number().int(), digest: z.string().max(80) }).strict(),
        /** For Evident policy changes: the policy version this deployment put in force. */
        activatedPolicy: z.object({ version: z.number().int(), digest: z.string().max(80) }).strict().optional(),
        /** sha256 of the signed release manifest (a DSSE envelope over an in-toto statement). */
        manifestDigest: Digest,
        subjects: z.array(Digest).max(60),
      })
      .strict(),
  ),
  defineEvent(
    'change.refused',
    z
      .object({
        operation: z.string().max(32),
        changeId: Id.optional(),
        component: Component.optional(),
        zone: Zone.optional(),
        /** The step that failed (approval, evaluation, artifacts, base, state…) or the error code. */
        step: z.string().max(32),
        blockers: Checks.optional(),
      })
      .strict(),
  ),
] as const;

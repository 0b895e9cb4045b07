// Policy events: activations (changes of the rules), and every decision taken under them.
import { z } from 'zod';
import { defineEvent } from '../ledger/schema.js';

const RuleRef = z.object({ rule: z.string().max(64), mode: z.enum(['enforce', 'warn', 'audit']), source: z.string().max(128), field: z.string().max(256) }).strict();
const Rules = z.array(RuleRef).max(200);
const Version = z.object({ version: z.number().int(), digest: z.string().max(80) }).strict();

export const policyEvents = [
  defineEvent(
    'policy.activated',
    z
      .object({
        policy: Version,
        previous: Version.optional(),
        files: z.array(z.string().max(256)).max(100),
        zones: z.array(z.string().max(63)).max(1000),
        classes: z.array(z.string().max(63)).max(1000),
        note: z.string().max(2000).optional(),
      })
      .strict(),
  ),
  defineEvent(
    'placement.decided',
    z
      .object({
        policy: Version,
        zone: z.string().max(63).nullable(),
        classes: z.array(z.string().max(63)).max(100),
        allowed: z.boolean(),
        violations: Rules,
        warnings: Rules,
        audit: Rules,
        objects: z.array(z.object({ kind: z.string().max(63), digest: z.string().regex(/^sha256:[0-9a-f]{64}$/u), images: z.array(z.string().max(1024)).max(100) }).strict()).max(100),
      })
      .strict(),
  ),
  defineEvent(
    'admission.decided',
    z
      .object({
        policy: Version,
        uid: z.string().max(128),
        operation: z.string().max(16),
        kind: z.string().max(63),
        namespace: z.string().max(63).nullable(),
        zone: z.string().max(63).nullable(),
        classes: z.array(z.string().max(63)).max(100),
        images: z.array(z.string().max(1024)).max(100),
        allowed: z.boolean(),
        exempt: z.boolean().optional(),
        violations: Rules,
        warnings: Rules,
        audit: Rules,
      })
      .strict(),
  ),
] as const;

// Payload store events: every write, every read of content, every expiry sweep, every refusal.
import { z } from 'zod';
import { defineEvent } from '../ledger/schema.js';

const Counts = z.record(z.string().max(32), z.number().int().nonnegative()).refine((m) => Object.keys(m).length <= 64);

export const payloadEvents = [
  defineEvent(
    'payload.written',
    z
      .object({
        payloadId: z.string().max(36),
        zone: z.string().max(63),
        kind: z.string().max(16),
        requestId: z.string().max(128).optional(),
        size: z.number().int().nonnegative(),
        redactions: Counts,
        dataClasses: z.array(z.string().max(63)).max(30),
        expiresAt: z.string().max(40),
      })
      .strict(),
  ),
  defineEvent('payload.read', z.object({ payloadId: z.string().max(36), zone: z.string().max(63), kind: z.string().max(16) }).strict()),
  defineEvent('payload.expired', z.object({ count: z.number().int().positive(), zones: z.array(z.string().max(63)).max(1000), before: z.string().max(40) }).strict()),
] as const;

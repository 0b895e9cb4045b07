// Shapes of the sensitive payload store: what a writer sends, what a reader gets.
import { z } from 'zod';

export const PAYLOAD_KINDS = ['prompt', 'response', 'document', 'tool-call', 'debug'] as const;
export type PayloadKind = (typeof PAYLOAD_KINDS)[number];
const ZoneName = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/u, 'zone names are DNS labels');
/** Request ids are correlation handles, never a place for personal data. */
const RequestId = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/u, 'request ids are 1-128 letters, digits, . _ : -');
export const MAX_PAYLOAD_CHARS = 512 * 1024;

export const WritePayloadSchema = z
  .object({
    zone: ZoneName,
    kind: z.enum(PAYLOAD_KINDS),
    requestId: RequestId.optional(),
    dataClasses: z.array(z.string().min(1).max(63)).max(20).default([]).describe('data classes the writer knows the text carries; those found by redaction are added'),
    text: z.string().max(MAX_PAYLOAD_CHARS, `payloads are at most ${MAX_PAYLOAD_CHARS} characters`),
    ttlHours: z.number().int().min(1).max(720).optional().describe("debug captures: hours until it expires (at most the zone's max_ttl_hours, which is the default)"),
  })
  .strict();

export const PayloadMetaSchema = z.object({
  id: z.string(),
  zone: z.string(),
  kind: z.enum(PAYLOAD_KINDS),
  requestId: z.string().nullable(),
  writtenBy: z.string(),
  dataClasses: z.array(z.string()),
  redactions: z.record(z.string(), z.number().int()),
  size: z.number().int(),
  createdAt: z.string(),
  expiresAt: z.string(),
});
export type PayloadMeta = z.infer<typeof PayloadMetaSchema>;

export const ListPayloadsSchema = z.object({ zone: ZoneName, requestId: RequestId.optional(), kind: z.enum(PAYLOAD_KINDS).optional() }).strict();
export const IdParamsSchema = z.object({ id: z.string().uuid('payload ids are UUIDs') }).strict();

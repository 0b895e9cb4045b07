// Ledger event envelope and API shapes. Each domain declares its own event bodies in
// `<domain>/events.ts` with `defineEvent`; event-catalog.ts joins them into one discriminated union.
import { z } from 'zod';
import { ROLES } from '../identity/roles.js';
import { SealedSubjectSchema } from '../keys/schema.js';

export const OutcomeSchema = z.enum(['allowed', 'denied', 'failed']);
export type Outcome = z.infer<typeof OutcomeSchema>;

export const ActorSchema = z
  .object({
    type: z.enum(['principal', 'system', 'anonymous']),
    id: z.string().max(64).optional(),
    kind: z.enum(['human', 'service']).optional(),
    roles: z.array(z.enum(ROLES)).max(ROLES.length).optional(),
    /** How the actor authenticated: an API token id, or the OIDC issuer. */
    via: z.string().max(2048).optional(),
    /** Set when the credential was minted by someone else, who could have acted with it too. */
    controlledBy: z.string().max(64).optional(),
  })
  .strict();
export type Actor = z.infer<typeof ActorSchema>;

export const TargetSchema = z.object({ type: z.string().min(1).max(64), id: z.string().min(1).max(256) }).strict();
export type Target = z.infer<typeof TargetSchema>;

const JsonScalar = z.union([z.string().max(4096), z.number(), z.boolean(), z.null()]);
export const SubjectInputSchema = z
  .object({
    /** Identifier of the data subject (a person); never written in clear. */
    id: z.string().min(1).max(512),
    data: z.record(z.string().max(64), JsonScalar),
  })
  .strict();

const envelope = {
  outcome: OutcomeSchema,
  actor: ActorSchema,
  target: TargetSchema.optional(),
  reason: z.string().max(2000).optional(),
  requestId: z.string().max(128).optional(),
  subject: SubjectInputSchema.optional(),
};

/** Declares one event type: its action name and the zod schema of its body. */
export function defineEvent<A extends string, B extends z.ZodType>(action: A, body: B) {
  return z.object({ action: z.literal(action), body, ...envelope }).strict();
}

/** The exact JSON object whose canonical bytes are a ledger leaf. */
export const LeafSchema = z
  .object({
    v: z.literal(1),
    id: z.string().uuid(),
    time: z.string().max(32),
    action: z.string().max(64),
    outcome: OutcomeSchema,
    actor: ActorSchema,
    target: TargetSchema.optional(),
    reason: z.string().max(2000).optional(),
    requestId: z.string().max(128).optional(),
    body: z.unknown(),
    subject: SealedSubjectSchema.optional(),
  })
  .strict();
export type Leaf = z.infer<typeof LeafSchema>;

// ---- HTTP API shapes

// Query strings: plain decimal digits only (no "", "0x10", "1e3" or " 7" slipping through coercion).
const index = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,15})$/u, 'must be a whole number in decimal digits')
  .transform(Number)
  .refine(Number.isSafeInteger, 'is too large');

export const EntriesQuerySchema = z
  .object({
    start: index.describe('first leaf index, inclusive'),
    end: index.optional().describe('last leaf index, exclusive; at most start + 1000'),
  })
  .strict();

export const InclusionQuerySchema = z.object({ index, size: index.optional().describe('tree size; defaults to the latest checkpoint') }).strict();
export const ConsistencyQuerySchema = z.object({ first: index, second: index.optional().describe('defaults to the latest checkpoint') }).strict();

export const EntrySchema = z.object({
  index: z.number().int(),
  eventId: z.string(),
  leaf: z.string().describe('base64 of the exact leaf bytes (canonical JSON)'),
  leafHash: z.string().describe('base64 SHA-256(0x00 || leaf)'),
  event: z.record(z.string(), z.unknown()).describe('the leaf parsed as JSON'),
});

export const EntriesResponseSchema = z.object({ treeSize: z.number().int(), entries: z.array(EntrySchema) });

export const InclusionProofSchema = z.object({
  index: z.number().int(),
  treeSize: z.number().int(),
  leafHash: z.string(),
  proof: z.array(z.string()).describe('base64 hashes, leaf to root (RFC 9162 §2.1.3)'),
  rootHash: z.string(),
  checkpoint: z.string().optional().describe('the signed checkpoint of this tree size, when one was issued'),
});

export const ConsistencyProofSchema = z.object({
  first: z.number().int(),
  second: z.number().int(),
  firstRootHash: z.string(),
  secondRootHash: z.string(),
  proof: z.array(z.string()).describe('base64 hashes (RFC 9162 §2.1.4)'),
});

export const EventProofSchema = EntrySchema.extend({
  inclusion: InclusionProofSchema.nullable().describe('null while the event awaits integration (under a second)'),
});

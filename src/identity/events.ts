// Identity events. Names of people are subject data (sealed under the person's key); principal ids
// are opaque and stay in clear so the record can still be followed after a shred.
import { z } from 'zod';
import { defineEvent } from '../ledger/schema.js';
import { ROLES } from './roles.js';

const Roles = z.array(z.enum(ROLES)).max(ROLES.length);
const Id = z.string().max(64);

export const SodDecisionSchema = z
  .object({
    rule: z.enum(['author-cannot-approve', 'distinct-approvers', 'no-self-grant']),
    satisfied: z.boolean(),
    authorId: Id.optional(),
    approverIds: z.array(Id).max(100).optional(),
    required: z.number().int().min(0).max(100).optional(),
    counted: z.number().int().min(0).max(100).optional(),
    detail: z.string().max(500),
  })
  .strict();

export const identityEvents = [
  defineEvent(
    'principal.created',
    z
      .object({
        principalId: Id,
        kind: z.enum(['human', 'service']),
        roles: Roles,
        zones: z.array(z.string().max(63)).max(100).optional(),
        /** Service principals only: people's names go to the sealed subject data. */
        name: z.string().max(128).optional(),
        externalIssuer: z.string().max(2048).optional(),
      })
      .strict(),
  ),
  defineEvent(
    'principal.updated',
    z
      .object({
        principalId: Id,
        roles: z.object({ from: Roles, to: Roles }).strict().optional(),
        status: z.object({ from: z.enum(['active', 'disabled']), to: z.enum(['active', 'disabled']) }).strict().optional(),
        zones: z.object({ from: z.array(z.string().max(63)).max(100), to: z.array(z.string().max(63)).max(100) }).strict().optional(),
        sod: SodDecisionSchema.optional(),
      })
      .strict(),
  ),
  defineEvent(
    'token.created',
    z
      .object({ tokenId: Id, principalId: Id, name: z.string().max(128), hint: z.string().max(16), expiresAt: z.string().max(32), controlledBy: Id.optional() })
      .strict(),
  ),
  defineEvent('token.revoked', z.object({ tokenId: Id, principalId: Id }).strict()),
  defineEvent(
    'auth.denied',
    z
      .object({
        /** "POST /api/v1/tokens" for HTTP requests, or the service operation refused. */
        operation: z.string().max(256),
        code: z.enum(['UNAUTHENTICATED', 'FORBIDDEN', 'SOD_VIOLATION']),
        requiredRoles: Roles.optional(),
        /** Set when repeated failures from one address were folded into this event. */
        suppressed: z.number().int().min(0).optional(),
        sod: SodDecisionSchema.optional(),
      })
      .strict(),
  ),
] as const;

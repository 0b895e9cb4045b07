import { z } from 'zod';
import { ROLES } from './roles.js';

export const RoleSchema = z.enum(ROLES);
export const PrincipalKindSchema = z.enum(['human', 'service']);
export const PrincipalStatusSchema = z.enum(['active', 'disabled']);

export const PrincipalNameSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@+-]*$/u, 'use letters, digits and . _ @ + - (starting with a letter or digit), no spaces');

const RolesSchema = z
  .array(RoleSchema)
  .min(1, 'give at least one role')
  .max(ROLES.length)
  .refine((r) => new Set(r).size === r.length, 'list each role once');

/** Zones (environments) a principal belongs to: it may pull artifacts promoted there. */
export const ZonesSchema = z
  .array(z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/u, 'zone names are DNS labels'))
  .max(100)
  .refine((z) => new Set(z).size === z.length, 'list each zone once');

export const CreatePrincipalSchema = z
  .object({
    name: PrincipalNameSchema,
    kind: PrincipalKindSchema,
    roles: RolesSchema,
    zones: ZonesSchema.optional(),
  })
  .strict();
export type CreatePrincipal = z.infer<typeof CreatePrincipalSchema>;

export const UpdatePrincipalSchema = z
  .object({
    roles: RolesSchema.optional(),
    status: PrincipalStatusSchema.optional(),
    zones: ZonesSchema.optional(),
  })
  .strict()
  .refine((v) => v.roles !== undefined || v.status !== undefined || v.zones !== undefined, 'give roles, status or zones');
export type UpdatePrincipal = z.infer<typeof UpdatePrincipalSchema>;

export const PrincipalIdParamsSchema = z.object({ id: z.string().uuid('principal ids are UUIDs') }).strict();
export const TokenIdParamsSchema = z.object({ id: z.string().uuid('token ids are UUIDs') }).strict();

export const PrincipalSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: PrincipalKindSchema,
  roles: z.array(RoleSchema),
  status: PrincipalStatusSchema,
  zones: z.array(z.string()),
  external: z.object({ issuer: z.string(), subject: z.string() }).nullable(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  updatedAt: z.string(),
});
export type Principal = z.infer<typeof PrincipalSchema>;

export const PrincipalListSchema = z.object({ principals: z.array(PrincipalSchema) });

export const ListPrincipalsQuerySchema = z
  .object({
    status: PrincipalStatusSchema.optional(),
    kind: PrincipalKindSchema.optional(),
    role: RoleSchema.optional(),
  })
  .strict();

export const CreateTokenSchema = z
  .object({
    /** Whose token: defaults to the caller. Only admins mint tokens for others. */
    principalId: z.string().uuid().optional(),
    name: z.string().min(1).max(128),
    expiresInDays: z.number().int().min(1).max(3650).optional(),
  })
  .strict();
export type CreateToken = z.infer<typeof CreateTokenSchema>;

export const TokenInfoSchema = z.object({
  id: z.string(),
  principalId: z.string(),
  name: z.string(),
  hint: z.string().describe('the first characters of the token, to tell tokens apart'),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
  controlledBy: z.string().nullable().describe('who else could have used it: the admin who minted it for this principal'),
  status: z.enum(['active', 'expired', 'revoked']),
});
export type TokenInfo = z.infer<typeof TokenInfoSchema>;

export const CreatedTokenSchema = TokenInfoSchema.extend({
  token: z.string().describe('the secret: shown once, stored only as a hash'),
});

export const TokenListSchema = z.object({ tokens: z.array(TokenInfoSchema) });
export const ListTokensQuerySchema = z.object({ principalId: z.string().uuid().optional() }).strict();

export const WhoAmISchema = z.object({
  principal: PrincipalSchema,
  via: z.string().describe('"token:<id>" or "oidc:<issuer>"'),
});

// Vault events: counts and types only, never a value or a token.
import { z } from 'zod';
import { defineEvent } from '../ledger/schema.js';

const Types = z.record(z.string().max(32), z.number().int().nonnegative()).refine((m) => Object.keys(m).length <= 64);

export const vaultEvents = [
  defineEvent('vault.tokenized', z.object({ zone: z.string().max(63), count: z.number().int().positive(), types: Types, expiresAt: z.string().max(40) }).strict()),
  defineEvent('vault.revealed', z.object({ zone: z.string().max(63), count: z.number().int().positive(), types: Types }).strict()),
  defineEvent('vault.expired', z.object({ count: z.number().int().positive(), zones: z.array(z.string().max(63)).max(1000), before: z.string().max(40) }).strict()),
] as const;

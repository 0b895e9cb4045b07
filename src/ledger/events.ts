// Events the ledger and the process itself record.
import { z } from 'zod';
import { defineEvent } from './schema.js';

export const ledgerEvents = [
  defineEvent(
    'system.initialized',
    z.object({ instanceId: z.string().max(64), origin: z.string().max(255), verifierKey: z.string().max(512), version: z.string().max(32) }).strict(),
  ),
  defineEvent('system.started', z.object({ version: z.string().max(32), role: z.string().max(32), dialect: z.string().max(16) }).strict()),
  defineEvent(
    'ledger.accessed',
    z.object({ operation: z.enum(['entries', 'entry', 'export']), start: z.number().int().optional(), end: z.number().int().optional() }).strict(),
  ),
  /** An operator's note in the record (maintenance window, incident marker, drill). */
  defineEvent('ledger.annotated', z.object({ note: z.string().min(1).max(2000) }).strict()),
] as const;

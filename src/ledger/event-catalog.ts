// Every event type the product records, as one discriminated union on `action`. A new domain adds
// its `events.ts` array here; an action not listed cannot be appended.
import { z } from 'zod';
import { ledgerEvents } from './events.js';
import { identityEvents } from '../identity/events.js';
import { policyEvents } from '../policy/events.js';
import { registryEvents } from '../registry/events.js';
import { releaseEvents } from '../releases/events.js';
import { incidentEvents } from '../incidents/events.js';
import { payloadEvents } from '../payloads/events.js';
import { vaultEvents } from '../vault/events.js';

export const LedgerEventSchema = z.discriminatedUnion('action', [...ledgerEvents, ...identityEvents, ...policyEvents, ...registryEvents, ...releaseEvents, ...incidentEvents, ...payloadEvents, ...vaultEvents]);

export type LedgerEvent = z.input<typeof LedgerEventSchema>;
export type LedgerAction = LedgerEvent['action'];

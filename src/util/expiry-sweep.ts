// Deletes what expired and records how much, from which zones, in the same transaction.
import type { Database } from '../db/database.js';
import type { Tx } from '../db/tables.js';
import type { LedgerService } from '../ledger/service.js';

export async function sweepExpired(deps: {
  database: Database;
  ledger: Pick<LedgerService, 'append'>;
  before: string;
  /** Deletes rows expired at or before `before`, returning counts per zone. */
  deleteExpired: (tx: Tx, before: string) => Promise<{ zone: string; n: number }[]>;
  action: 'payload.expired' | 'vault.expired';
}): Promise<number> {
  return deps.database.transact(async (tx) => {
    const gone = await deps.deleteExpired(tx, deps.before);
    const count = gone.reduce((a, g) => a + g.n, 0);
    if (count) {
      await deps.ledger.append(tx, { action: deps.action, outcome: 'allowed', actor: { type: 'system', via: 'expiry-sweep' }, body: { count, zones: gone.map((g) => g.zone).slice(0, 1000), before: deps.before } });
    }
    return count;
  });
}

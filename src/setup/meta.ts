// Installation facts kept in the database so every replica agrees on them.
import type { Executor } from '../db/tables.js';
import { AppError } from '../errors.js';

export interface InstallationMeta {
  instanceId: string;
  origin: string;
  /** Every verifier key the ledger has used, current first. */
  verifierKeys: string[];
  initializedAt: string;
}

export async function readMeta(db: Executor): Promise<InstallationMeta | null> {
  const rows = await db.selectFrom('evident_meta').selectAll().where('key', 'in', ['instance_id', 'origin', 'verifier_keys', 'initialized_at']).execute();
  const m = new Map(rows.map((r) => [r.key, r.value]));
  if (!m.has('initialized_at')) return null;
  return {
    instanceId: m.get('instance_id') ?? '',
    origin: m.get('origin') ?? '',
    verifierKeys: JSON.parse(m.get('verifier_keys') ?? '[]') as string[],
    initializedAt: m.get('initialized_at')!,
  };
}

export async function writeMeta(tx: Executor, meta: InstallationMeta): Promise<void> {
  try {
    await tx
      .insertInto('evident_meta')
      .values([
        { key: 'instance_id', value: meta.instanceId },
        { key: 'origin', value: meta.origin },
        { key: 'verifier_keys', value: JSON.stringify(meta.verifierKeys) },
        { key: 'initialized_at', value: meta.initializedAt },
      ])
      .execute();
  } catch (e) {
    throw new AppError('CONFLICT', 'this database is already initialized (another process initialized it at the same time)', undefined, { cause: e });
  }
}

// Payload store persistence. Content is only ever stored encrypted; expiry deletes the row and
// with it the only copy of the record's wrapped key.
import type { Selectable } from 'kysely';
import type { Executor, PayloadLogsTable } from '../db/tables.js';

export type PayloadRow = Selectable<PayloadLogsTable>;
const META = ['id', 'zone', 'kind', 'request_id', 'written_by', 'data_classes', 'redactions', 'size', 'created_at', 'expires_at'] as const;

export function createPayloadStore() {
  return {
    async insert(tx: Executor, row: PayloadRow) {
      await tx.insertInto('payload_logs').values(row).execute();
    },
    async get(tx: Executor, id: string) {
      return tx.selectFrom('payload_logs').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async list(tx: Executor, f: { zone: string; requestId?: string | undefined; kind?: string | undefined; notExpiredAt: string }) {
      let q = tx.selectFrom('payload_logs').select(META).where('zone', '=', f.zone).where('expires_at', '>', f.notExpiredAt);
      if (f.requestId) q = q.where('request_id', '=', f.requestId);
      if (f.kind) q = q.where('kind', '=', f.kind);
      return q.orderBy('created_at', 'desc').limit(1000).execute();
    },
    /** Deletes what expired at or before `at`; returns the zones it deleted from, with counts. */
    async deleteExpired(tx: Executor, at: string): Promise<{ zone: string; n: number }[]> {
      const rows = await tx.selectFrom('payload_logs').select('zone').select((eb) => eb.fn.countAll<number>().as('n')).where('expires_at', '<=', at).groupBy('zone').execute();
      if (rows.length) await tx.deleteFrom('payload_logs').where('expires_at', '<=', at).execute();
      return rows.map((r) => ({ zone: r.zone, n: Number(r.n) }));
    },
  };
}

export type PayloadStore = ReturnType<typeof createPayloadStore>;

// The sensitive payload store (tier 2 of logging) and debug captures (tier 4). Operational logs
// never carry payloads; when a zone's policy turns payload logging on, prompts, responses,
// documents and tool calls are redacted, encrypted under a key of their own and kept for the
// zone's retention period, readable only by the roles the zone names, each read a ledger event.
// Debug captures work the same way with an expiry of hours. Expired records are deleted with
// their key. Zones without the setting refuse the write: off is the default.
import type { Database } from '../db/database.js';
import type { LedgerService } from '../ledger/service.js';
import type { DenialRecorder } from '../identity/denials.js';
import { envelopeOf, type RequestContext } from '../identity/context.js';
import type { Role } from '../identity/roles.js';
import type { KeyProvider } from '../keys/keyring.js';
import type { ActivePolicy } from '../policy/service.js';
import type { Zone } from '../policy/model.js';
import { AppError, notFound } from '../errors.js';
import { openRecord, sealRecord } from '../keys/record-cipher.js';
import { sweepExpired } from '../util/expiry-sweep.js';
import { parseInput } from '../util/parse-input.js';
import { uuidv7 } from '../util/ids.js';
import type { Span } from '../redact/types.js';
import { dataClassesOf } from '../redact/categories.js';
import { WritePayloadSchema, type PayloadKind, type PayloadMeta } from './schema.js';
import type { PayloadRow, PayloadStore } from './store.js';
import type { z } from 'zod';

const KEY_CONTEXT = 'evident/payload-key/v1/';

export interface PayloadDeps {
  database: Database;
  store: PayloadStore;
  ledger: Pick<LedgerService, 'append'>;
  denials: DenialRecorder;
  keys: KeyProvider;
  policy: () => Promise<ActivePolicy>;
  /** The redaction engine: the stored text is its output, never the input. */
  redact: (text: string) => { text: string; spans: Span[] };
  now?: () => Date;
}

/** What the zone's policy says about a kind of payload: how long it lives, who may read it. */
function tierOf(zone: Zone | undefined, kind: PayloadKind): { hours: number; readers: Role[] } | null {
  if (!zone) return null;
  if (kind === 'debug') return zone.logging.debug ? { hours: zone.logging.debug.maxTtlHours, readers: zone.logging.debug.readers } : null;
  return zone.logging.sensitivePayloads ? { hours: zone.logging.sensitivePayloads.retentionDays * 24, readers: zone.logging.sensitivePayloads.readers } : null;
}

const aad = (r: { id: string; zone: string; kind: string }) => `${r.id}|${r.zone}|${r.kind}`;

export function createPayloadService(deps: PayloadDeps) {
  const { database, store, ledger } = deps;
  const now = deps.now ?? (() => new Date());

  const refusing = <T>(ctx: RequestContext, operation: string, fn: () => Promise<T>) => deps.denials.guard(ctx, `payloads.${operation}`, fn);

  const toMeta = (r: Pick<PayloadRow, 'id' | 'zone' | 'kind' | 'request_id' | 'written_by' | 'data_classes' | 'redactions' | 'size' | 'created_at' | 'expires_at'>): PayloadMeta => ({
    id: r.id,
    zone: r.zone,
    kind: r.kind as PayloadKind,
    requestId: r.request_id,
    writtenBy: r.written_by,
    dataClasses: JSON.parse(r.data_classes) as string[],
    redactions: JSON.parse(r.redactions) as Record<string, number>,
    size: r.size,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
  });

  /** Kinds of payload in `zone` the caller's roles may read under the policy in force. */
  function readableKinds(ctx: RequestContext, zone: Zone | undefined): PayloadKind[] {
    const roles = ctx.principal?.roles ?? [];
    return (['prompt', 'response', 'document', 'tool-call', 'debug'] as const).filter((k) => tierOf(zone, k)?.readers.some((r) => roles.includes(r)));
  }

  async function write(ctx: RequestContext, input: z.input<typeof WritePayloadSchema>): Promise<PayloadMeta> {
    const m = parseInput(WritePayloadSchema, input, 'the payload');
    return refusing(ctx, 'write', async () => {
      const p = ctx.principal;
      const zone = (await deps.policy()).compiled.zones.get(m.zone);
      if (!zone) throw new AppError('VALIDATION_FAILED', `zone ${m.zone} is not in the policy in force`);
      const tier = tierOf(zone, m.kind);
      if (!tier) {
        const setting = m.kind === 'debug' ? 'logging.debug' : 'logging.sensitive_payloads';
        throw new AppError('FORBIDDEN', `${m.kind === 'debug' ? 'debug captures are' : 'payload logging is'} off in zone ${m.zone} (zones.${m.zone}.${setting} is not set); operational logs carry no payloads`);
      }
      if (p?.kind === 'service' && !(p.zones ?? []).includes(m.zone)) throw new AppError('FORBIDDEN', `workload ${p.name} does not belong to zone ${m.zone}`);
      if (p?.kind === 'human' && m.kind !== 'debug') throw new AppError('FORBIDDEN', 'people record debug captures only; payload logs come from the workloads that handle them');
      if (m.ttlHours !== undefined && m.kind !== 'debug') throw new AppError('VALIDATION_FAILED', `ttlHours is for debug captures; ${m.kind} payloads live the zone's retention_days`);
      if (m.ttlHours !== undefined && m.ttlHours > tier.hours) throw new AppError('VALIDATION_FAILED', `ttlHours ${m.ttlHours} is longer than zone ${m.zone} allows (${tier.hours})`);
      const redacted = deps.redact(m.text);
      const counts: Record<string, number> = {};
      for (const s of redacted.spans) counts[s.type] = (counts[s.type] ?? 0) + 1;
      const classes = [...new Set([...m.dataClasses, ...dataClassesOf(redacted.spans)])].sort();
      const id = uuidv7();
      const created = now();
      const expiresAt = new Date(created.getTime() + (m.ttlHours ?? tier.hours) * 3_600_000).toISOString();
      // A key per record, wrapped by the keyring: deleting the row erases the only way to read it.
      const sealed = sealRecord(deps.keys, KEY_CONTEXT + id, aad({ id, zone: m.zone, kind: m.kind }), redacted.text);
      const row: PayloadRow = {
        id,
        zone: m.zone,
        kind: m.kind,
        request_id: m.requestId ?? null,
        written_by: p?.id ?? `system:${ctx.system ?? 'system'}`,
        data_classes: JSON.stringify(classes),
        redactions: JSON.stringify(counts),
        size: Buffer.byteLength(redacted.text, 'utf8'),
        wrapped_key: sealed.wrappedKey,
        ciphertext: sealed.ciphertext,
        created_at: created.toISOString(),
        expires_at: expiresAt,
      };
      await database.transact(async (tx) => {
        await store.insert(tx, row);
        await ledger.append(tx, {
          action: 'payload.written',
          outcome: 'allowed',
          ...envelopeOf(ctx),
          target: { type: 'payload', id },
          body: { payloadId: id, zone: m.zone, kind: m.kind, ...(m.requestId ? { requestId: m.requestId } : {}), size: row.size, redactions: counts, dataClasses: classes.slice(0, 30), expiresAt },
        });
      });
      return toMeta(row);
    });
  }

  async function list(ctx: RequestContext, f: { zone: string; requestId?: string | undefined; kind?: PayloadKind | undefined }): Promise<PayloadMeta[]> {
    return refusing(ctx, 'list', async () => {
      const kinds = readableKinds(ctx, (await deps.policy()).compiled.zones.get(f.zone));
      if (!kinds.length || (f.kind && !kinds.includes(f.kind))) throw new AppError('FORBIDDEN', `your roles may not read ${f.kind ?? 'payload'} logs of zone ${f.zone} (zones.${f.zone}.logging names the readers)`);
      const rows = await store.list(database.db, { ...f, notExpiredAt: now().toISOString() });
      return rows.filter((r) => kinds.includes(r.kind as PayloadKind)).map(toMeta);
    });
  }

  /** The redacted content, for a reader the zone names; the read is recorded before it is returned. */
  async function read(ctx: RequestContext, id: string): Promise<PayloadMeta & { text: string }> {
    return refusing(ctx, 'read', async () => {
      const r = await store.get(database.db, id);
      // An expired record is gone for everyone, even before the sweep deletes it.
      if (!r || r.expires_at <= now().toISOString()) throw notFound('payload', id);
      if (!readableKinds(ctx, (await deps.policy()).compiled.zones.get(r.zone)).includes(r.kind as PayloadKind)) {
        throw new AppError('FORBIDDEN', `your roles may not read ${r.kind} logs of zone ${r.zone} (zones.${r.zone}.logging names the readers)`);
      }
      // Fail closed: no record of the read, no content.
      await database.transact((tx) => ledger.append(tx, { action: 'payload.read', outcome: 'allowed', ...envelopeOf(ctx), target: { type: 'payload', id }, body: { payloadId: id, zone: r.zone, kind: r.kind } }));
      const text = openRecord(deps.keys, KEY_CONTEXT + id, aad(r), { wrappedKey: r.wrapped_key, ciphertext: r.ciphertext });
      return { ...toMeta(r), text };
    });
  }

  /** Deletes everything expired (content and key together), recording how much from where. */
  const sweep = () => sweepExpired({ database, ledger, before: now().toISOString(), deleteExpired: store.deleteExpired, action: 'payload.expired' });

  return { write, list, read, sweep };
}

export type PayloadService = ReturnType<typeof createPayloadService>;

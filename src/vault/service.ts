// Reversible tokens: where a zone's policy allows it, redaction replaces each value by a token
// whose original is kept here, encrypted under a key of its own, for the zone's retention period;
// the roles the zone names may reveal them (the gateway restoring names in an answer, a case
// handler). Tokens are keyed hashes per zone and value, so the same value gives the same token
// and joins still work; nothing of a value reaches the ledger.
import type { Database } from '../db/database.js';
import type { LedgerService } from '../ledger/service.js';
import type { DenialRecorder } from '../identity/denials.js';
import { envelopeOf, type RequestContext } from '../identity/context.js';
import type { KeyProvider } from '../keys/keyring.js';
import type { ActivePolicy } from '../policy/service.js';
import { AppError } from '../errors.js';
import { openRecord, sealRecord } from '../keys/record-cipher.js';
import { sweepExpired } from '../util/expiry-sweep.js';
import type { EntityType, Span } from '../redact/types.js';
import { normalizeForToken } from '../redact/operators.js';
import type { VaultStore } from './store.js';

const KEY_CONTEXT = 'evident/vault-key/v1/';
/** `[[EMAIL:3f9a0c…]]`: the type stays readable, the value does not. */
export const TOKEN_RE = /\[\[([A-Z][A-Z0-9_]{1,31}):([0-9a-f]{20})\]\]/gu;
export const MAX_VAULT_TEXT = 512 * 1024;

export interface VaultDeps {
  database: Database;
  store: VaultStore;
  ledger: Pick<LedgerService, 'append'>;
  denials: DenialRecorder;
  keys: KeyProvider;
  policy: () => Promise<ActivePolicy>;
  /** Merged, non-overlapping spans of the redaction engine. */
  detect: (text: string) => Span[];
  now?: () => Date;
}

const aad = (zone: string, token: string) => `${zone}|${token}`;
const countTypes = (types: readonly string[]) => types.reduce<Record<string, number>>((m, t) => ((m[t] = (m[t] ?? 0) + 1), m), {});

export function createVaultService(deps: VaultDeps) {
  const { database, store, ledger } = deps;
  const now = deps.now ?? (() => new Date());

  const refusing = <T>(ctx: RequestContext, operation: string, fn: () => Promise<T>) => deps.denials.guard(ctx, `vault.${operation}`, fn);

  async function settings(zone: string) {
    const z = (await deps.policy()).compiled.zones.get(zone);
    if (!z) throw new AppError('VALIDATION_FAILED', `zone ${zone} is not in the policy in force`);
    if (!z.reversibleTokens) throw new AppError('FORBIDDEN', `reversible tokens are off in zone ${zone} (zones.${zone}.reversible_tokens is not set); use a one-way operator (tag, mask, pseudonym)`);
    return z.reversibleTokens;
  }

  const checkText = (text: string) => {
    if (text.length > MAX_VAULT_TEXT) throw new AppError('PAYLOAD_TOO_LARGE', `text is longer than ${MAX_VAULT_TEXT} characters; split it`);
  };

  /** Replaces every value found by a token of this zone, keeping (or refreshing) the original. */
  async function tokenize(ctx: RequestContext, input: { zone: string; text: string }): Promise<{ text: string; spans: (Span & { token: string })[] }> {
    return refusing(ctx, 'tokenize', async () => {
      checkText(input.text);
      const cfg = await settings(input.zone);
      const p = ctx.principal;
      if (p?.kind === 'service' && !(p.zones ?? []).includes(input.zone)) throw new AppError('FORBIDDEN', `workload ${p.name} does not belong to zone ${input.zone}`);
      const spans = deps.detect(input.text);
      const at = now();
      const expiresAt = new Date(at.getTime() + cfg.retentionDays * 86_400_000).toISOString();
      const out: (Span & { token: string })[] = [];
      let text = '';
      let last = 0;
      const fresh = new Map<string, { type: EntityType; value: string }>();
      for (const s of spans) {
        const value = input.text.slice(s.start, s.end);
        const token = `[[${s.type}:${deps.keys.lookup(`vault\u0000${input.zone}\u0000${s.type}\u0000${normalizeForToken(s.type, value)}`).slice(0, 20)}]]`;
        text += input.text.slice(last, s.start) + token;
        last = s.end;
        out.push({ ...s, token });
        if (!fresh.has(token)) fresh.set(token, { type: s.type, value });
      }
      text += input.text.slice(last);
      await database.transact(async (tx) => {
        for (const [token, v] of fresh) {
          if (await store.extend(tx, input.zone, token, expiresAt)) continue;
          const sealed = sealRecord(deps.keys, `${KEY_CONTEXT}${input.zone}/${token}`, aad(input.zone, token), v.value);
          await store.insert(tx, { zone: input.zone, token, type: v.type, wrapped_key: sealed.wrappedKey, ciphertext: sealed.ciphertext, created_at: at.toISOString(), expires_at: expiresAt });
        }
        if (spans.length) {
          await ledger.append(tx, { action: 'vault.tokenized', outcome: 'allowed', ...envelopeOf(ctx), target: { type: 'zone', id: input.zone }, body: { zone: input.zone, count: spans.length, types: countTypes(spans.map((s) => s.type)), expiresAt } });
        }
      });
      return { text, spans: out };
    });
  }

  /** Puts the originals back for a reader the zone names; unknown or expired tokens stay as they are. */
  async function reveal(ctx: RequestContext, input: { zone: string; text: string }): Promise<{ text: string; revealed: number; unknown: string[] }> {
    return refusing(ctx, 'reveal', async () => {
      checkText(input.text);
      const cfg = await settings(input.zone);
      const roles = ctx.principal?.roles ?? [];
      if (!cfg.readers.some((r) => roles.includes(r))) throw new AppError('FORBIDDEN', `your roles may not reveal tokens of zone ${input.zone} (zones.${input.zone}.reversible_tokens.readers)`);
      const tokens = [...new Set([...input.text.matchAll(TOKEN_RE)].map((m) => m[0]))];
      const rows = await store.get(database.db, input.zone, tokens.slice(0, 10_000), now().toISOString());
      const values = new Map<string, string>();
      for (const r of rows) {
        values.set(r.token, openRecord(deps.keys, `${KEY_CONTEXT}${input.zone}/${r.token}`, aad(input.zone, r.token), { wrappedKey: r.wrapped_key, ciphertext: r.ciphertext }));
      }
      // Fail closed: the reveal is on record before anything is revealed.
      if (values.size) {
        await database.transact((tx) =>
          ledger.append(tx, { action: 'vault.revealed', outcome: 'allowed', ...envelopeOf(ctx), target: { type: 'zone', id: input.zone }, body: { zone: input.zone, count: values.size, types: countTypes(rows.map((r) => r.type)) } }),
        );
      }
      const text = input.text.replace(TOKEN_RE, (t) => values.get(t) ?? t);
      return { text, revealed: values.size, unknown: tokens.filter((t) => !values.has(t)) };
    });
  }

  const sweep = () => sweepExpired({ database, ledger, before: now().toISOString(), deleteExpired: store.deleteExpired, action: 'vault.expired' });

  return { tokenize, reveal, sweep };
}

export type VaultService = ReturnType<typeof createVaultService>;

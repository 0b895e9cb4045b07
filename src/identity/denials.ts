// Records refusals in the ledger after the refused action rolled back. Authenticated refusals are
// always recorded. Unauthenticated ones are attributable only to a network address, so a flood
// from one address is folded: the first few per window are recorded one by one, the rest as a
// count on a summary event. Nothing is dropped silently.
import type { LedgerService } from '../ledger/service.js';
import type { Role } from './roles.js';
import type { SodDecision } from './sod.js';
import { envelopeOf, type RequestContext } from './context.js';
import { isAppError, type AppError } from '../errors.js';

const WINDOW_MS = 10_000;
const PER_WINDOW = 10;
const MAX_ADDRESSES = 10_000;

export type DenialCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'SOD_VIOLATION';
export const DENIAL_CODES: ReadonlySet<string> = new Set<DenialCode>(['UNAUTHENTICATED', 'FORBIDDEN', 'SOD_VIOLATION']);

export interface Denial {
  operation: string;
  code: DenialCode;
  reason: string;
  requiredRoles?: Role[];
  sod?: SodDecision;
  target?: { type: string; id: string };
}

/**
 * The reason written to the ledger: an error may carry `details.auditReason`, a wording without
 * personal data (names) for the permanent record, while its message speaks to the caller.
 */
export function auditReason(e: AppError): string {
  const r = (e.details as { auditReason?: unknown } | undefined)?.auditReason;
  return typeof r === 'string' ? r : e.message;
}

export interface DenialRecorder {
  record(ctx: RequestContext, d: Denial): Promise<void>;
  /** Runs fn; if it throws a denial, records it (after fn's transaction is gone) and rethrows. */
  guard<T>(ctx: RequestContext, operation: string, fn: () => Promise<T>): Promise<T>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function createDenialRecorder(deps: { ledger: Pick<LedgerService, 'record'>; onError: (e: unknown) => void }): DenialRecorder {
  const windows = new Map<string, { start: number; recorded: number; suppressed: number; last: Denial; ctx: RequestContext }>();

  const write = (ctx: RequestContext, d: Denial, suppressed?: number) =>
    deps.ledger
      .record({
        action: 'auth.denied',
        outcome: 'denied',
        ...envelopeOf(ctx),
        // An address is personal data: it is sealed under a key of its own, so it can be shredded.
        ...(ctx.principal ? {} : { actor: { type: 'anonymous' as const } }),
        ...(!ctx.principal && ctx.address ? { subject: { id: `address:${ctx.address}`, data: { address: ctx.address } } } : {}),
        reason: d.reason.slice(0, 2000),
        ...(d.target ? { target: d.target } : {}),
        body: {
          operation: d.operation.slice(0, 256),
          code: d.code,
          ...(d.requiredRoles ? { requiredRoles: d.requiredRoles } : {}),
          ...(d.sod ? { sod: d.sod } : {}),
          ...(suppressed ? { suppressed } : {}),
        },
      })
      .then(
        () => undefined,
        (e) => deps.onError(e),
      );

  async function flushOld(now: number, all = false): Promise<void> {
    for (const [addr, w] of windows) {
      if (all || now - w.start >= WINDOW_MS) {
        windows.delete(addr);
        if (w.suppressed > 0) await write(w.ctx, { ...w.last, reason: `${w.suppressed} more refused requests from this address in ${WINDOW_MS / 1000} s (last: ${w.last.reason})` }, w.suppressed);
      }
    }
  }

  const timer = setInterval(() => void flushOld(Date.now()), WINDOW_MS);
  timer.unref();

  async function record(ctx: RequestContext, d: Denial): Promise<void> {
    if (ctx.principal) return write(ctx, d);
    const key = ctx.address ?? 'unknown';
    const now = Date.now();
    let w = windows.get(key);
    if (w && now - w.start >= WINDOW_MS) {
      await flushOld(now);
      w = undefined;
    }
    if (!w) {
      if (windows.size >= MAX_ADDRESSES) await flushOld(now, true);
      w = { start: now, recorded: 0, suppressed: 0, last: d, ctx };
      windows.set(key, w);
    }
    w.last = d;
    if (w.recorded < PER_WINDOW) {
      w.recorded += 1;
      return write(ctx, d);
    }
    w.suppressed += 1;
  }

  return {
    record,
    async guard(ctx, operation, fn) {
      try {
        return await fn();
      } catch (e) {
        if (isAppError(e) && DENIAL_CODES.has(e.code)) {
          const details = (e.details ?? {}) as { sod?: SodDecision; requiredRoles?: Role[] };
          await record(ctx, {
            operation,
            code: e.code as DenialCode,
            reason: auditReason(e),
            ...(details.sod ? { sod: details.sod } : {}),
            ...(details.requiredRoles ? { requiredRoles: details.requiredRoles } : {}),
          });
        }
        throw e;
      }
    },
    flush: () => flushOld(Date.now(), true),
    async close() {
      clearInterval(timer);
      await flushOld(Date.now(), true);
    },
  };
}

/** Records a denial error (auth or separation of duties) as auth.denied, with its SoD decision. */
export async function recordDenialOf(denials: Pick<DenialRecorder, 'record'>, ctx: RequestContext, operation: string, e: AppError, target?: { type: string; id: string }): Promise<void> {
  const sod = (e.details as { sod?: SodDecision } | undefined)?.sod;
  await denials.record(ctx, { operation, code: e.code as DenialCode, reason: auditReason(e), ...(sod ? { sod } : {}), ...(target ? { target } : {}) });
}

/**
 * Runs fn; a refusal (a 4xx) is recorded after fn's transaction rolled back: a denial as
 * auth.denied, any other refusal by `other` (the domain's own `*.refused` event). Then rethrown.
 */
export async function recordingRefusals<T>(
  denials: Pick<DenialRecorder, 'record'>,
  ctx: RequestContext,
  d: { operation: string; target?: { type: string; id: string } | undefined },
  other: (e: AppError) => Promise<unknown>,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isAppError(e) && e.status < 500) {
      if (DENIAL_CODES.has(e.code)) await recordDenialOf(denials, ctx, d.operation, e, d.target);
      else await other(e);
    }
    throw e;
  }
}

// Background integration: pending events become leaves with a signed checkpoint within
// `intervalMs` of being appended (at least one checkpoint per second of activity). It also polls
// slowly so events appended by other replicas, or left by a crash, are integrated too.
import type { Logger } from 'pino';
import type { LedgerService } from './service.js';

export interface Sequencer {
  poke(): void;
  stop(): Promise<void>;
  /** Seconds since the last successful pass, and the last error, for /readyz. */
  health(): { healthy: boolean; lastError: string | null; lastSuccessAgoMs: number };
}

export function startSequencer(opts: { ledger: Pick<LedgerService, 'integrate'>; intervalMs: number; pollMs?: number; logger: Logger }): Sequencer {
  const pollMs = opts.pollMs ?? 5000;
  let dirty = true;
  let stopped = false;
  let lastRun = 0;
  let lastSuccess = Date.now();
  let lastError: string | null = null;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();

  const tick = async () => {
    timer = undefined;
    if (stopped) return;
    const due = dirty || Date.now() - lastRun >= pollMs;
    if (due) {
      dirty = false;
      lastRun = Date.now();
      try {
        await opts.ledger.integrate();
        lastSuccess = Date.now();
        lastError = null;
        failures = 0;
      } catch (e) {
        dirty = true;
        failures += 1;
        lastError = (e as Error).message;
        opts.logger.error({ err: { message: lastError } }, 'ledger integration failed; retrying');
      }
    }
    if (!stopped) {
      const backoff = failures > 0 ? Math.min(opts.intervalMs * 2 ** failures, 5000) : opts.intervalMs;
      timer = setTimeout(() => (current = tick()), backoff);
    }
  };
  timer = setTimeout(() => (current = tick()), 0);

  return {
    poke() {
      dirty = true;
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
    },
    health() {
      return { healthy: failures === 0, lastError, lastSuccessAgoMs: Date.now() - lastSuccess };
    },
  };
}

// Long crash run: several kill/restart rounds on the same data, higher concurrency.
import { describe, expect, it } from 'vitest';
import { crashRound } from '../helpers/crash.js';
import { DIALECTS } from '../helpers/db.js';

describe.each(DIALECTS)('repeated SIGKILL during bursts on %s', (dialect) => {
  it('loses no acknowledged event across rounds', { timeout: 600_000 }, async () => {
    const results = await crashRound({ dialect, killAfterAcks: 2000, concurrency: 64, rounds: 5 });
    for (const r of results) {
      expect(r.missing).toEqual([]);
      expect(r.verified).toBe(true);
    }
    expect(results.at(-1)!.acknowledged).toBeGreaterThanOrEqual(10_000);
  });
});

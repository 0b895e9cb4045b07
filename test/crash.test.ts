// Short setting of the crash test (the long one runs with `npm run test:reliability`).
import { describe, expect, it } from 'vitest';
import { crashRound } from './helpers/crash.js';
import { DIALECTS } from './helpers/db.js';

describe.each(DIALECTS)('SIGKILL during a burst of appends on %s', (dialect) => {
  it('loses no acknowledged event and verifies after restart', async () => {
    const [r] = await crashRound({ dialect, killAfterAcks: 150, concurrency: 16 });
    expect(r!.acknowledged).toBeGreaterThanOrEqual(150);
    expect(r!.missing).toEqual([]);
    expect(r!.verified).toBe(true);
    expect(r!.entries).toBeGreaterThanOrEqual(r!.acknowledged);
  });
});

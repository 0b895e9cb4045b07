import { describe, expect, it } from 'vitest';
import { deadlines, REGIMES } from './deadlines.js';

describe('notification deadlines', () => {
  const detected = '2026-11-01T08:00:00.000Z';
  const at = (iso: string) => new Date(iso);

  it('counts each regime from detection', () => {
    const d = deadlines(detected, ['gdpr', 'eu-ai-act', 'eu-ai-act-widespread', 'eu-ai-act-death', 'hipaa', 'dora'], new Map(), at('2026-11-01T09:00:00Z'));
    expect(Object.fromEntries(d.map((x) => [x.regime, x.dueAt]))).toEqual({
      gdpr: '2026-11-04T08:00:00.000Z',
      'eu-ai-act': '2026-11-16T08:00:00.000Z',
      'eu-ai-act-widespread': '2026-11-03T08:00:00.000Z',
      'eu-ai-act-death': '2026-11-11T08:00:00.000Z',
      hipaa: '2026-12-31T08:00:00.000Z',
      dora: '2026-11-02T08:00:00.000Z',
    });
    expect(d.every((x) => !x.overdue && !x.late)).toBe(true);
    expect(Object.keys(REGIMES)).toHaveLength(6);
  });

  it('is overdue past the deadline until notified, and late when notified after it; on time at the deadline itself', () => {
    const [over] = deadlines(detected, ['gdpr'], new Map(), at('2026-11-04T08:00:01Z'));
    expect(over).toMatchObject({ overdue: true, late: false, notifiedAt: null });
    const [late] = deadlines(detected, ['gdpr'], new Map([['gdpr', '2026-11-04T09:00:00.000Z']]), at('2026-11-05T00:00:00Z'));
    expect(late).toMatchObject({ overdue: false, late: true });
    const [edge] = deadlines(detected, ['gdpr'], new Map([['gdpr', '2026-11-04T08:00:00.000Z']]), at('2026-11-05T00:00:00Z'));
    expect(edge!.late).toBe(false);
    expect(deadlines(detected, ['gdpr', 'gdpr'], new Map(), at(detected))).toHaveLength(1);
  });
});

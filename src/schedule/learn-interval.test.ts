import { describe, expect, it } from 'vitest';
import { learnedIntervalMinutes, postingHistory } from './learn-interval.js';

const now = new Date('2026-11-22T00:00:00Z');
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000).toISOString();
const bounds = { minMinutes: 30, maxMinutes: 7 * 1440 };

describe('postingHistory', () => {
  it('keeps the newest 20 dated posts not after now, and their oldest date', () => {
    const dates = [...Array.from({ length: 30 }, (_, i) => daysAgo(i + 1)), undefined, 'garbage'];
    expect(postingHistory(dates, now)).toEqual({ count: 20, since: daysAgo(20) });
    expect(postingHistory([daysAgo(-1), daysAgo(2)], now)).toEqual({ count: 1, since: daysAgo(2) });
    expect(postingHistory([undefined, 'nope'], now)).toBeUndefined();
  });
});

describe('learnedIntervalMinutes', () => {
  const learn = (input: Parameters<typeof learnedIntervalMinutes>[0]) =>
    learnedIntervalMinutes(input, now);

  it('checks four times per posting gap', () => {
    // 20 posts in 10 days: one every 12 hours → every 3 hours.
    expect(learn({ ...bounds, posting: { count: 20, since: daysAgo(10) } })).toBe(180);
    // 10 posts in 100 days: one every 10 days → every 2.5 days.
    expect(learn({ ...bounds, posting: { count: 10, since: daysAgo(100) } })).toBe(3600);
  });

  it('is bounded by the configured interval and max_interval', () => {
    // Twice a year: asked once a week, not every 30 minutes.
    expect(learn({ ...bounds, posting: { count: 2, since: daysAgo(365) } })).toBe(7 * 1440);
    // 20 posts today: every 30 minutes, not more often.
    expect(learn({ ...bounds, posting: { count: 20, since: daysAgo(0.2) } })).toBe(30);
  });

  it('grows while the feed stays silent', () => {
    const posting = { count: 20, since: '2026-11-12T00:00:00.000Z' };
    const at = (iso: string) => learnedIntervalMinutes({ ...bounds, posting }, new Date(iso));
    expect(at('2026-11-22T00:00:00Z')).toBe(180);
    expect(at('2026-12-02T00:00:00Z')).toBe(360);
    expect(at('2027-03-01T00:00:00Z')).toBeGreaterThan(at('2026-12-02T00:00:00Z'));
  });

  it('falls back on the last new entry, then on the configured interval', () => {
    expect(learn({ ...bounds, lastNewEntryAt: daysAgo(1) })).toBe(360);
    expect(learn({ ...bounds })).toBe(30);
    expect(learn({ ...bounds, lastNewEntryAt: 'garbage' })).toBe(30);
    // A date in the future (a clock skew) is a gap of zero, not a negative one.
    expect(learn({ ...bounds, posting: { count: 3, since: daysAgo(-2) } })).toBe(30);
  });
});

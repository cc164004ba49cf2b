import { describe, expect, it } from 'vitest';
import { computeNextCheck, isRetired, type NextCheckInput } from './next-check.js';

const now = new Date('2026-11-22T10:15:00Z');
const healthy: NextCheckInput = {
  outcome: 'ok',
  consecutiveFailures: 0,
  intervalMinutes: 60,
  maxIntervalMinutes: 24 * 60,
};
const at = (input: Partial<NextCheckInput>) =>
  computeNextCheck({ ...healthy, ...input }, now).toISOString();

describe('computeNextCheck', () => {
  it('checks a healthy feed every interval', () => {
    expect(at({})).toBe('2026-11-22T11:15:00.000Z');
    expect(at({ outcome: 'not-modified' })).toBe('2026-11-22T11:15:00.000Z');
  });

  it('takes Cache-Control/Expires and RSS ttl as lower bounds, never as upper ones', () => {
    expect(at({ notBefore: '2026-11-22T13:00:00Z' })).toBe('2026-11-22T13:00:00.000Z');
    expect(at({ notBefore: '2026-11-22T10:20:00Z' })).toBe('2026-11-22T11:15:00.000Z');
    expect(at({ ttlMinutes: 180 })).toBe('2026-11-22T13:15:00.000Z');
    expect(at({ ttlMinutes: 5 })).toBe('2026-11-22T11:15:00.000Z');
  });

  it('caps every hint at maxIntervalMinutes', () => {
    expect(at({ ttlMinutes: 10_000 })).toBe('2026-11-23T10:15:00.000Z');
    expect(at({ notBefore: '2027-01-01T00:00:00Z' })).toBe('2026-11-23T10:15:00.000Z');
  });

  it('moves past skipHours (UTC) and skipDays', () => {
    expect(at({ skipHours: [11, 12] })).toBe('2026-11-22T13:00:00.000Z');
    // 2026-11-22 is a Sunday.
    expect(at({ skipDays: ['Sunday'] })).toBe('2026-11-23T00:00:00.000Z');
    expect(at({ skipDays: ['Sunday'], skipHours: [0, 1] })).toBe('2026-11-23T02:00:00.000Z');
    // Skipping every hour is nonsense: ignored.
    expect(at({ skipHours: Array.from({ length: 24 }, (_, h) => h) })).toBe(
      '2026-11-22T11:15:00.000Z',
    );
  });

  it('backs off exponentially on failures, capped', () => {
    const failing = (n: number) =>
      at({ outcome: 'error', errorCode: 'http-status', consecutiveFailures: n });
    expect(failing(1)).toBe('2026-11-22T11:15:00.000Z');
    expect(failing(2)).toBe('2026-11-22T12:15:00.000Z');
    expect(failing(3)).toBe('2026-11-22T14:15:00.000Z');
    expect(failing(4)).toBe('2026-11-22T18:15:00.000Z');
    expect(failing(6)).toBe('2026-11-23T10:15:00.000Z');
    expect(failing(500)).toBe('2026-11-23T10:15:00.000Z');
  });

  it('honours Retry-After on 429/503 as a lower bound', () => {
    expect(
      at({
        outcome: 'error',
        status: 503,
        retryAfter: '2026-11-22T15:00:00Z',
        consecutiveFailures: 1,
      }),
    ).toBe('2026-11-22T15:00:00.000Z');
    expect(
      at({
        outcome: 'error',
        status: 429,
        retryAfter: '2026-11-22T10:16:00Z',
        consecutiveFailures: 3,
      }),
    ).toBe('2026-11-22T14:15:00.000Z');
  });

  it('parks a gone feed at the cap and reports it retired', () => {
    expect(at({ outcome: 'error', errorCode: 'gone', consecutiveFailures: 1 })).toBe(
      '2026-11-23T10:15:00.000Z',
    );
    expect(isRetired({ kind: 'error', code: 'gone' })).toBe(true);
    expect(isRetired({ kind: 'error', code: 'http-status' })).toBe(false);
    expect(isRetired({ kind: 'ok' })).toBe(false);
  });

  it('learns a healthy interval from the posting history, still under the server hints', () => {
    // 20 posts in 10 days (one every 12 hours): every 3 hours.
    const posting = { count: 20, since: '2026-11-12T10:15:00Z' };
    expect(at({ learned: { posting } })).toBe('2026-11-22T13:15:00.000Z');
    expect(at({ learned: { posting }, ttlMinutes: 600 })).toBe('2026-11-22T20:15:00.000Z');
    // Twice a year: the cap, however long the gap.
    const rare = { count: 2, since: '2025-11-22T10:15:00Z' };
    expect(at({ learned: { posting: rare } })).toBe('2026-11-23T10:15:00.000Z');
    // Failures back off from the configured interval, not the learned one.
    expect(at({ learned: { posting: rare }, outcome: 'error', consecutiveFailures: 1 })).toBe(
      '2026-11-22T11:15:00.000Z',
    );
  });

  it('never schedules before now, whatever the inputs', () => {
    const result = computeNextCheck(
      { ...healthy, intervalMinutes: 0, notBefore: 'garbage', ttlMinutes: -5 },
      now,
    );
    expect(result.getTime()).toBeGreaterThanOrEqual(now.getTime());
  });
});

/**
 * When a feed is due again. Pure: every input, including `now`, comes in as a value.
 *
 * - healthy (ok / not-modified): every `intervalMinutes`, or, with `learned`, an interval learned
 *   from how often the feed posts, between `intervalMinutes` and `maxIntervalMinutes`
 *   (learn-interval.ts); the server's Cache-Control max-age / Expires (`notBefore`), the feed's
 *   RSS `ttl`, `skipHours` and `skipDays` are lower bounds.
 * - failing: exponential back-off per feed, interval × 2^(consecutiveFailures − 1); a
 *   Retry-After (429/503) is a lower bound too.
 * - everything is capped at `maxIntervalMinutes` from now: no hint or back-off pushes a feed
 *   further away than that.
 * - 410 Gone retires the feed (see isRetired); its date is the cap, for the record.
 */
import type { FeedErrorCode } from '../model/errors.js';
import type { FetchOutcome } from '../model/fetch.js';
import { type LearnInput, learnedIntervalMinutes } from './learn-interval.js';

export interface NextCheckInput {
  /** What this fetch ended as (a parse failure after a 200 counts as 'error'). */
  outcome: 'ok' | 'not-modified' | 'error';
  errorCode?: FeedErrorCode | undefined;
  /** HTTP status of the failure, when there was one. */
  status?: number | undefined;
  /** FetchOutcome.retryAfter (429/503), ISO 8601. */
  retryAfter?: string | undefined;
  /** FetchOutcome.notBefore (Cache-Control max-age / Expires), ISO 8601. */
  notBefore?: string | undefined;
  /** RSS <ttl>, minutes (FeedMeta.ttl). */
  ttlMinutes?: number | undefined;
  /** RSS <skipHours>: UTC hours 0–23 (FeedMeta.skipHours). */
  skipHours?: readonly number[] | undefined;
  /** RSS <skipDays>: English day names (FeedMeta.skipDays). */
  skipDays?: readonly string[] | undefined;
  /** Failures in a row including this one (0 after a success). */
  consecutiveFailures: number;
  /** The configured interval: the interval, or the shortest learned one with `learned`. */
  intervalMinutes: number;
  maxIntervalMinutes: number;
  /** Learn a healthy feed's interval from its posting (absent: every intervalMinutes). */
  learned?: Pick<LearnInput, 'posting' | 'lastNewEntryAt'> | undefined;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** True when the outcome retires the feed for good (410 Gone): the pipeline stops fetching it. */
export function isRetired(outcome: Pick<FetchOutcome, 'kind'> & { code?: FeedErrorCode }): boolean {
  return outcome.kind === 'error' && outcome.code === 'gone';
}

function isoTime(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}

/** Moves `time` forward to the first hour that is neither a skipped hour nor on a skipped day. */
function afterSkips(time: number, hours: ReadonlySet<number>, days: ReadonlySet<number>): number {
  if (hours.size === 0 && days.size === 0) return time;
  let candidate = time;
  // A week of hours is every combination; a feed that skips all of them is ignored.
  for (let step = 0; step < 7 * 24 + 1; step++) {
    const date = new Date(candidate);
    if (!hours.has(date.getUTCHours()) && !days.has(date.getUTCDay())) return candidate;
    candidate = Math.floor(candidate / HOUR) * HOUR + HOUR;
  }
  return time;
}

/** Computes when the feed is due again, from this fetch's result and the feed's hints. */
export function computeNextCheck(input: NextCheckInput, now: Date): Date {
  const start = now.getTime();
  const interval = Math.max(0, input.intervalMinutes) * MINUTE;
  const cap = start + Math.max(input.maxIntervalMinutes * MINUTE, interval);
  let due: number;
  if (input.outcome === 'error') {
    if (input.errorCode === 'gone') return new Date(cap);
    const exponent = Math.min(Math.max(input.consecutiveFailures - 1, 0), 30);
    due = start + interval * 2 ** exponent;
    const retryAfter = isoTime(input.retryAfter);
    if (retryAfter !== undefined) due = Math.max(due, retryAfter);
  } else {
    const healthy = input.learned
      ? learnedIntervalMinutes(
          {
            ...input.learned,
            minMinutes: input.intervalMinutes,
            maxMinutes: input.maxIntervalMinutes,
          },
          now,
        ) * MINUTE
      : interval;
    due = start + healthy;
    const notBefore = isoTime(input.notBefore);
    if (notBefore !== undefined) due = Math.max(due, notBefore);
    if (input.ttlMinutes !== undefined && input.ttlMinutes > 0) {
      due = Math.max(due, start + input.ttlMinutes * MINUTE);
    }
    const hours = new Set(
      (input.skipHours ?? []).filter((h) => Number.isInteger(h) && h >= 0 && h < 24),
    );
    const days = new Set(
      (input.skipDays ?? [])
        .map((d) => DAY_NAMES.indexOf(d.trim().toLowerCase()))
        .filter((d) => d >= 0),
    );
    due = afterSkips(due, hours, days);
  }
  return new Date(Math.min(due, cap));
}

/**
 * Adaptive intervals: how often a feed is checked, learned from how often it posts. Pure: every
 * input, including `now`, comes in as a value.
 *
 * A feed that brought `count` posts since `since` posts about once every (now − since) / count;
 * it is checked CHECKS_PER_POST times per such gap, within [min, max] minutes. Measuring up to
 * now, not up to its newest post, makes the interval grow while a feed stays silent, even on
 * 304s when there is no document to read. Without dated posts the store's own knowledge (when the
 * feed last brought a new entry) stands in; without either the feed is checked every `min`.
 */
import type { PostingHistory, StoredFeed } from '../model/stored.js';

export type { PostingHistory };

/** Checks per expected post: a post waits on average an eighth of the feed's posting gap. */
export const CHECKS_PER_POST = 4;
/** The newest posts a history is taken from: enough for a rate, few enough to follow changes. */
export const HISTORY_POSTS = 20;

const MINUTE = 60_000;

export interface LearnInput {
  /** From the last document read (see postingHistory). */
  posting?: PostingHistory | undefined;
  /** When the feed last brought a new entry (StoredFeed.lastNewEntryAt): used without posting. */
  lastNewEntryAt?: string | undefined;
  /** The configured interval: the shortest a learned one may be. */
  minMinutes: number;
  /** The configured max_interval: the longest a learned one may be. */
  maxMinutes: number;
}

/** The posting history of a document: its newest HISTORY_POSTS dates not after now. */
export function postingHistory(
  dates: Iterable<string | undefined>,
  now: Date,
): PostingHistory | undefined {
  const limit = now.getTime();
  const times: number[] = [];
  for (const date of dates) {
    if (date === undefined) continue;
    const time = Date.parse(date);
    if (!Number.isNaN(time) && time <= limit) times.push(time);
  }
  if (times.length === 0) return undefined;
  times.sort((a, b) => b - a);
  const kept = times.slice(0, HISTORY_POSTS);
  return { count: kept.length, since: new Date(kept[kept.length - 1] as number).toISOString() };
}

/** The feed's learned check interval in minutes, within [minMinutes, maxMinutes]. */
export function learnedIntervalMinutes(input: LearnInput, now: Date): number {
  const min = Math.max(0, input.minMinutes);
  const max = Math.max(min, input.maxMinutes);
  const gap = postingGapMs(input, now.getTime());
  if (gap === undefined) return min;
  const minutes = gap / CHECKS_PER_POST / MINUTE;
  return Math.round(Math.min(max, Math.max(min, minutes)));
}

/** How long the feed takes to post once, as far as the inputs tell. */
function postingGapMs(input: LearnInput, now: number): number | undefined {
  const since = (value: string | undefined) => {
    const time = value === undefined ? Number.NaN : Date.parse(value);
    return Number.isNaN(time) ? undefined : Math.max(0, now - time);
  };
  if (input.posting && input.posting.count > 0) {
    const span = since(input.posting.since);
    if (span !== undefined) return span / input.posting.count;
  }
  return since(input.lastNewEntryAt);
}

/**
 * How often a healthy feed is checked now: the interval its config entry gives it, else the
 * one learned from its posting (what `orrery status` shows; the pipeline asks computeNextCheck).
 */
export function checkIntervalMinutes(
  feed: Pick<StoredFeed, 'scheduleHints' | 'lastNewEntryAt'>,
  ownMinutes: number | undefined,
  settings: { intervalMinutes: number; maxIntervalMinutes: number },
  now: Date,
): number {
  if (ownMinutes !== undefined) return ownMinutes;
  return learnedIntervalMinutes(
    {
      posting: feed.scheduleHints?.posting,
      lastNewEntryAt: feed.lastNewEntryAt,
      minMinutes: settings.intervalMinutes,
      maxMinutes: settings.maxIntervalMinutes,
    },
    now,
  );
}

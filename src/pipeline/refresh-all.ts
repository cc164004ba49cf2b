/**
 * Refresh many feeds in one run: concurrency and per-host limits from schedule/, one
 * refreshFeed per feed. Batch work never throws for one feed: it returns a report (it throws
 * only when the store fails).
 */
import type { FeedErrorCode } from '../model/errors.js';
import type { StoredFeed } from '../model/stored.js';
import type { Subscription } from '../model/subscription.js';
import { runQueue } from '../schedule/run-queue.js';
import { createReadSlots } from './read-slots.js';
import { type RefreshDeps, type RefreshOutcome, refreshFeed } from './refresh-feed.js';

export interface RefreshReport {
  total: number;
  fetched: number;
  unchanged: number;
  failed: number;
  newEntries: number;
  duplicates: number;
  /** Entries past the parser's per-document limit in the documents this pass read. */
  entriesDropped: number;
  /** Feeds whose document had such entries. */
  feedsWithDroppedEntries: number;
  failedByKind: Partial<Record<FeedErrorCode, number>>;
  moved: Array<{ from: string; to: string }>;
  outcomes: RefreshOutcome[];
  ms: number;
}

export interface RefreshAllOptions {
  concurrency: number;
  perHostLimit: number;
  /** A hard time budget per feed (fetch + parse + store), beyond the fetch's own timeouts. */
  perFeedTimeoutMs: number;
  subscriptionFor: (feed: StoredFeed) => Subscription | undefined;
  onSettled?: (outcome: RefreshOutcome) => void;
  signal?: AbortSignal;
  /** The feeds were asked for (`--all`, `--feed`), due or not (a queue's jobs need to know). */
  force?: boolean;
}

export async function refreshAll(
  feeds: readonly StoredFeed[],
  deps: RefreshDeps,
  options: RefreshAllOptions,
): Promise<RefreshReport> {
  const started = deps.now().getTime();
  // Fetches run `concurrency` at once; reading and storing, a few (memory stays bounded).
  const passDeps: RefreshDeps = deps.readSlots ? deps : { ...deps, readSlots: createReadSlots() };
  const outcomes = await runQueue(
    [...feeds],
    // refreshFeed turns every failure of the feed into an outcome; what it throws is the store
    // breaking, and runQueue then stops the run and rejects with it.
    (feed, signal) => refreshFeed(feed, options.subscriptionFor(feed), passDeps, signal),
    {
      concurrency: options.concurrency,
      perHostLimit: options.perHostLimit,
      hostOf: (feed) => hostOf(feed.url),
      perItemTimeoutMs: options.perFeedTimeoutMs,
      onTimeout: (feed): RefreshOutcome => ({
        kind: 'failed',
        feed,
        code: 'timeout',
        message:
          `gave up after ${Math.round(options.perFeedTimeoutMs / 1000)} s, the feed's whole time ` +
          'budget (its fetch timeouts, or its own timeout, and time to read and store it)',
      }),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onSettled
        ? {
            onSettled: (_feed: StoredFeed, outcome: RefreshOutcome) => options.onSettled?.(outcome),
          }
        : {}),
    },
  );
  return summarize(outcomes, deps.now().getTime() - started);
}

export function summarize(outcomes: RefreshOutcome[], ms: number): RefreshReport {
  const report: RefreshReport = {
    total: outcomes.length,
    fetched: 0,
    unchanged: 0,
    failed: 0,
    newEntries: 0,
    duplicates: 0,
    entriesDropped: 0,
    feedsWithDroppedEntries: 0,
    failedByKind: {},
    moved: [],
    outcomes,
    ms,
  };
  for (const outcome of outcomes) {
    if (outcome.kind === 'ok') {
      report.fetched++;
      report.newEntries += outcome.newEntries;
      report.duplicates += outcome.duplicates;
      if (outcome.entriesDropped) {
        report.entriesDropped += outcome.entriesDropped;
        report.feedsWithDroppedEntries++;
      }
    } else if (outcome.kind === 'not-modified') {
      report.unchanged++;
    } else {
      report.failed++;
      report.failedByKind[outcome.code] = (report.failedByKind[outcome.code] ?? 0) + 1;
    }
    if (outcome.kind !== 'failed' && outcome.movedTo) {
      report.moved.push({ from: outcome.feed.url, to: outcome.movedTo });
    }
  }
  return report;
}

/** The host a feed's URL names: the unit of the per-host limit. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    // An unparsable URL still needs a bucket; the fetcher will classify it as bad-url.
    return url;
  }
}

/**
 * Refresh one feed: the ONLY place where fetch → parse → process → store meet.
 * Contract: never throws for the feed's own failure, nor for a parser or processing bug met
 * on its document (both become a stored error and a `failed` outcome); throws only when the
 * store itself is broken, which must stop the run.
 */
import { createHash } from 'node:crypto';
import type { FeedErrorCode } from '../model/errors.js';
import type { FeedMeta } from '../model/feed.js';
import type { Fetcher, FetchOutcome } from '../model/fetch.js';
import type { FetchSettings } from '../model/settings.js';
import type { FetchRecord, ScheduleHints, StoredFeed } from '../model/stored.js';
import type { Subscription } from '../model/subscription.js';
import { postingHistory } from '../schedule/learn-interval.js';
import { computeNextCheck } from '../schedule/next-check.js';
import type { FeedUpdate, Store } from '../store/store.js';
import type { DocumentReader } from './read-document.js';

let reading: Promise<typeof import('./read-document.js')> | undefined;
/** Loaded on the first document: a run where every feed answers 304 never loads the parser. */
function readingModule(): Promise<typeof import('./read-document.js')> {
  reading ??= import('./read-document.js');
  return reading;
}

export interface RefreshDeps {
  store: Pick<Store, 'applyFeedUpdate'>;
  fetcher: Fetcher;
  settings: FetchSettings;
  now: () => Date;
  /** Where documents are parsed and processed (default: in-process). */
  readDocument?: DocumentReader;
  /**
   * Names the code that reads documents (e.g. 'orrery 0.2.0'): part of the document digest,
   * so that after an upgrade every feed is read again once.
   */
  readerId?: string;
}

export type RefreshOutcome =
  | {
      kind: 'ok';
      feed: StoredFeed;
      newEntries: number;
      updatedEntries: number;
      duplicates: number;
      warnings: string[];
      /** Set when this fetch confirmed a permanent redirect and the feed's URL moved. */
      movedTo?: string;
    }
  | { kind: 'not-modified'; feed: StoredFeed; movedTo?: string }
  | { kind: 'failed'; feed: StoredFeed; code: FeedErrorCode; message: string };

/** How many consecutive fetches must see the same permanent redirect before the URL moves. */
const REDIRECT_CONFIRMATIONS = 2;

export async function refreshFeed(
  feed: StoredFeed,
  subscription: Subscription | undefined,
  deps: RefreshDeps,
  signal?: AbortSignal,
): Promise<RefreshOutcome> {
  const started = deps.now();
  const outcome = await deps.fetcher.fetch(feed.url, feed.validators, signal);
  const now = deps.now();
  const nowIso = now.toISOString();
  const intervalMinutes = subscription?.overrides?.intervalMinutes ?? deps.settings.intervalMinutes;
  // A feed given its own interval in the config keeps it; the others learn theirs.
  const pinned = subscription?.overrides?.intervalMinutes !== undefined;
  const record: FetchRecord = {
    at: started.toISOString(),
    outcome: outcome.kind,
    elapsedMs: outcome.elapsedMs,
    ...(outcome.kind !== 'error' || outcome.status !== undefined ? { status: outcome.status } : {}),
    ...(outcome.redirects.length > 0 ? { redirects: outcome.redirects } : {}),
  };

  if (outcome.kind === 'error') {
    return fail(feed, deps, outcome.code, outcome.message, record, nowIso, {
      nextDueAt: computeNextCheck(
        {
          outcome: 'error',
          errorCode: outcome.code,
          status: outcome.status,
          retryAfter: outcome.retryAfter,
          consecutiveFailures: feed.consecutiveFailures + 1,
          intervalMinutes,
          maxIntervalMinutes: deps.settings.maxIntervalMinutes,
        },
        now,
      ).toISOString(),
      retire: outcome.code === 'gone',
    });
  }

  const redirect = trackRedirect(feed, outcome, nowIso);

  /** When a feed that answered is due again: the document's own hints are lower bounds. */
  const healthyNextDue = (kind: 'ok' | 'not-modified', hints: ScheduleHints | undefined) =>
    computeNextCheck(
      {
        outcome: kind,
        notBefore: outcome.notBefore,
        ttlMinutes: hints?.ttl,
        skipHours: hints?.skipHours,
        skipDays: hints?.skipDays,
        consecutiveFailures: 0,
        intervalMinutes,
        maxIntervalMinutes: deps.settings.maxIntervalMinutes,
        learned: pinned
          ? undefined
          : { posting: hints?.posting, lastNewEntryAt: feed.lastNewEntryAt },
      },
      now,
    ).toISOString();

  /** A 304, or a 200 with nothing new to read: only the fetch record and the schedule move. */
  const nothingToRead = async (fetch: FetchRecord): Promise<RefreshOutcome> => {
    await deps.store.applyFeedUpdate({
      feedId: feed.id,
      now: nowIso,
      fetch,
      validators: outcome.validators,
      error: null,
      ...redirect,
      // The hints of the document last read still hold: it has not changed.
      nextDueAt: healthyNextDue('not-modified', feed.scheduleHints),
    });
    return { kind: 'not-modified', feed, ...(redirect.moveTo ? { movedTo: redirect.moveTo } : {}) };
  };
  if (outcome.kind === 'not-modified') return nothingToRead(record);

  // The same bytes as the document read last time (a server without ETag or Last-Modified
  // that answers 200 every time): nothing to read, the same as a 304.
  const documentDigest = digestDocument(outcome.body, subscription?.filters, deps.readerId);
  if (feed.documentDigest === documentDigest) {
    return nothingToRead({ ...record, bytes: outcome.body.byteLength, newEntries: 0 });
  }

  const reading = await readingModule();
  const reader = deps.readDocument ?? reading.readInProcess;
  const read = await reader({
    body: outcome.body,
    url: outcome.finalUrl,
    headers: outcome.headers,
    now: nowIso,
    ...(subscription?.filters ? { filters: subscription.filters } : {}),
  });
  if (read.kind === 'crashed') {
    // parse() promises not to throw and processing should not either; if one does, that is a
    // bug, but one feed's bug must not stop the run: record it against the feed so it shows on
    // the health page.
    const schedule = failureSchedule(feed, intervalMinutes, deps, now);
    const code = read.stage === 'parser' ? 'parse' : 'internal';
    return fail(
      feed,
      deps,
      code,
      `${read.stage} crashed: ${read.message}`,
      record,
      nowIso,
      schedule,
    );
  }
  if (read.version === '' && read.parsedEntries === 0) {
    const type = outcome.headers['content-type'] ?? 'no Content-Type';
    const message = `not a feed (${type}, ${outcome.body.byteLength} bytes)`;
    return fail(
      feed,
      deps,
      'not-a-feed',
      message,
      record,
      nowIso,
      failureSchedule(feed, intervalMinutes, deps, now),
    );
  }
  const { entries } = read;
  const meta: FeedUpdate['meta'] = pickMeta(read.feed);
  const posting = postingHistory(
    entries.map((pe) => pe.published ?? pe.updated),
    now,
  );
  const hints: ScheduleHints = {
    ttl: read.feed.ttl,
    skipHours: read.feed.skipHours,
    skipDays: read.feed.skipDays,
    ...(posting ? { posting } : {}),
  };
  const report = await deps.store.applyFeedUpdate({
    feedId: feed.id,
    now: nowIso,
    fetch: { ...record, bytes: outcome.body.byteLength },
    validators: outcome.validators,
    documentDigest,
    meta,
    scheduleHints: hints,
    entries,
    cleanEntry: reading.cleanEntry,
    error: null,
    ...redirect,
    nextDueAt: healthyNextDue('ok', hints),
  });
  return {
    kind: 'ok',
    feed,
    newEntries: report.inserted,
    updatedEntries: report.updated,
    duplicates: report.duplicates,
    warnings: read.warnings,
    ...(redirect.moveTo ? { movedTo: redirect.moveTo } : {}),
  };
}

/**
 * Records a failure met around a refresh rather than in it (its whole time budget spent, a
 * worker that died on it): stored like any failure of the feed, with the same back-off.
 */
export async function recordFailure(
  feed: StoredFeed,
  subscription: Subscription | undefined,
  deps: RefreshDeps,
  code: FeedErrorCode,
  message: string,
): Promise<RefreshOutcome> {
  const now = deps.now();
  const nowIso = now.toISOString();
  const intervalMinutes = subscription?.overrides?.intervalMinutes ?? deps.settings.intervalMinutes;
  const record: FetchRecord = { at: nowIso, outcome: 'error', elapsedMs: 0 };
  const schedule = failureSchedule(feed, intervalMinutes, deps, now);
  return fail(feed, deps, code, message, record, nowIso, schedule);
}

/** SHA-1 of the body, the filters it is read under and the reader: see StoredFeed.documentDigest. */
function digestDocument(body: Uint8Array, filters: Subscription['filters'], readerId = ''): string {
  return createHash('sha1')
    .update(`${readerId}\u0000${filters ? JSON.stringify(filters) : ''}\u0000`)
    .update(body)
    .digest('base64');
}

function failureSchedule(feed: StoredFeed, intervalMinutes: number, deps: RefreshDeps, now: Date) {
  return {
    nextDueAt: computeNextCheck(
      {
        outcome: 'error',
        consecutiveFailures: feed.consecutiveFailures + 1,
        intervalMinutes,
        maxIntervalMinutes: deps.settings.maxIntervalMinutes,
      },
      now,
    ).toISOString(),
    retire: false,
  };
}

async function fail(
  feed: StoredFeed,
  deps: RefreshDeps,
  code: FeedErrorCode,
  message: string,
  record: FetchRecord,
  nowIso: string,
  schedule: { nextDueAt: string; retire: boolean },
): Promise<RefreshOutcome> {
  await deps.store.applyFeedUpdate({
    feedId: feed.id,
    now: nowIso,
    fetch: { ...record, outcome: 'error', errorCode: code, message },
    error: { code, message },
    nextDueAt: schedule.nextDueAt,
    ...(schedule.retire ? { retire: true } : {}),
  });
  return { kind: 'failed', feed, code, message };
}

/**
 * A permanent redirect moves the feed only once it holds on consecutive fetches: a server
 * misconfigured for an hour must not rewrite the subscription for good.
 */
function trackRedirect(
  feed: StoredFeed,
  outcome: Extract<FetchOutcome, { kind: 'ok' | 'not-modified' }>,
  nowIso: string,
): Pick<FeedUpdate, 'moveTo' | 'pendingRedirect'> {
  const target = outcome.permanentRedirect;
  if (!target || target === feed.url) return {};
  const pending = feed.pendingRedirect;
  const count = pending?.to === target ? pending.count + 1 : 1;
  if (count >= REDIRECT_CONFIRMATIONS) return { moveTo: target };
  return {
    pendingRedirect: { to: target, since: pending?.to === target ? pending.since : nowIso, count },
  };
}

function pickMeta(meta: FeedMeta): FeedUpdate['meta'] {
  return {
    hubs: meta.hubs,
    ...(meta.title !== undefined ? { title: meta.title } : {}),
    ...(meta.link !== undefined ? { link: meta.link } : {}),
    ...(meta.self !== undefined ? { self: meta.self } : {}),
  };
}

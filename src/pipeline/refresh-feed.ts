/**
 * Refresh one feed: the ONLY place where fetch → parse → process → store meet.
 * Contract: never throws for the feed's own failure, nor for a parser or processing bug met
 * on its document (both become a stored error and a `failed` outcome); throws only when the
 * store itself is broken, which must stop the run.
 */
import { createHash } from 'node:crypto';
import type { FeedErrorCode } from '../model/errors.js';
import type { FeedMeta } from '../model/feed.js';
import type { Fetcher, FetchOutcome, FetchRequestOptions } from '../model/fetch.js';
import type { FetchSettings } from '../model/settings.js';
import type { FetchRecord, ScheduleHints, StoredFeed } from '../model/stored.js';
import type { Subscription } from '../model/subscription.js';
import { postingHistory } from '../schedule/learn-interval.js';
import { computeNextCheck } from '../schedule/next-check.js';
import type { FeedUpdate, FeedUpdateReport, Store } from '../store/store.js';
import type { DocumentReader } from './read-document.js';
import { type ReadSlots, type ReadTicket, readTicket } from './read-slots.js';

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
  /** Bounds the documents read and not yet stored at once (refreshAll gives one per pass). */
  readSlots?: ReadSlots;
}

export type RefreshOutcome =
  | {
      kind: 'ok';
      feed: StoredFeed;
      newEntries: number;
      updatedEntries: number;
      duplicates: number;
      /** Entries past the parser's per-document limit, not read (absent when none). */
      entriesDropped?: number;
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
  // A big document waits for its read slot as it came over the wire (the fetcher admits it
  // before inflating it) and holds the slot until it is stored; small ones never wait.
  const ticket = deps.readSlots ? readTicket(deps.readSlots, signal) : undefined;
  try {
    return await fetchAndRead(feed, subscription, deps, signal, ticket);
  } finally {
    ticket?.release();
  }
}

async function fetchAndRead(
  feed: StoredFeed,
  subscription: Subscription | undefined,
  deps: RefreshDeps,
  signal: AbortSignal | undefined,
  ticket: ReadTicket | undefined,
): Promise<RefreshOutcome> {
  const started = deps.now();
  const request = requestOptions(subscription);
  const outcome = await deps.fetcher.fetch(
    feed.url,
    feed.validators,
    signal,
    ticket ? { ...request, admit: ticket.admit } : request,
  );
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

  const stored = await storeDocument(feed, subscription, deps, {
    body: outcome.body,
    url: outcome.finalUrl,
    headers: outcome.headers,
    nowIso,
    update: {
      fetch: { ...record, bytes: outcome.body.byteLength },
      validators: outcome.validators,
      documentDigest,
      ...redirect,
    },
    nextDueAt: (hints) => healthyNextDue('ok', hints),
  });
  if (stored.kind === 'unreadable') {
    const schedule = failureSchedule(feed, intervalMinutes, deps, now);
    return fail(feed, deps, stored.code, stored.message, record, nowIso, schedule);
  }
  return {
    kind: 'ok',
    feed,
    newEntries: stored.report.inserted,
    updatedEntries: stored.report.updated,
    duplicates: stored.report.duplicates,
    ...(stored.entriesDropped > 0 ? { entriesDropped: stored.entriesDropped } : {}),
    warnings: stored.warnings,
    ...(redirect.moveTo ? { movedTo: redirect.moveTo } : {}),
  };
}

/** What reading a document and storing its entries came to. */
export type StoredDocument =
  | { kind: 'stored'; report: FeedUpdateReport; entriesDropped: number; warnings: string[] }
  /** Not a feed, or a parser/processing bug met on it: nothing was stored. */
  | { kind: 'unreadable'; code: FeedErrorCode; message: string };

/** A document to read into a feed, and the parts of the update its caller decides. */
export interface DocumentArrival {
  body: Uint8Array;
  /** Where the document came from: the base for its relative links. */
  url: string;
  headers: Record<string, string>;
  nowIso: string;
  /** The fetch record, validators, digest, redirect state: whatever the caller knows. */
  update: Pick<
    FeedUpdate,
    'fetch' | 'validators' | 'documentDigest' | 'moveTo' | 'pendingRedirect'
  >;
  /** When the feed is due next, given the document's own hints. */
  nextDueAt: (hints: ScheduleHints) => string;
  /** The feed metadata to store (default: the document's, replacing the stored one). */
  meta?: (meta: FeedMeta) => FeedUpdate['meta'];
}

/**
 * Parse, process and store one document of a feed, however it arrived (fetched, or pushed by
 * a WebSub hub). Entries are added or updated, never removed: a partial document adds its
 * entries and takes none away. An unreadable document stores nothing; the caller decides
 * whether that is the feed's failure.
 */
export async function storeDocument(
  feed: StoredFeed,
  subscription: Subscription | undefined,
  deps: Pick<RefreshDeps, 'store' | 'readDocument'>,
  doc: DocumentArrival,
): Promise<StoredDocument> {
  const reading = await readingModule();
  const reader = deps.readDocument ?? reading.readInProcess;
  const read = await reader({
    body: doc.body,
    url: doc.url,
    headers: doc.headers,
    now: doc.nowIso,
    ...(subscription?.filters ? { filters: subscription.filters } : {}),
  });
  if (read.kind === 'crashed') {
    // parse() promises not to throw and processing should not either; if one does, that is a
    // bug, but one feed's bug must not stop the run: the caller records it against the feed so
    // it shows on the health page.
    const code = read.stage === 'parser' ? 'parse' : 'internal';
    return { kind: 'unreadable', code, message: `${read.stage} crashed: ${read.message}` };
  }
  if (read.version === '' && read.parsedEntries === 0) {
    const type = doc.headers['content-type'] ?? 'no Content-Type';
    const message = `not a feed (${type}, ${doc.body.byteLength} bytes)`;
    return { kind: 'unreadable', code: 'not-a-feed', message };
  }
  const posting = postingHistory(
    read.entries.map((pe) => pe.published ?? pe.updated),
    new Date(doc.nowIso),
  );
  const hints: ScheduleHints = {
    ttl: read.feed.ttl,
    skipHours: read.feed.skipHours,
    skipDays: read.feed.skipDays,
    ...(posting ? { posting } : {}),
  };
  const report = await deps.store.applyFeedUpdate({
    ...doc.update,
    feedId: feed.id,
    now: doc.nowIso,
    // entriesDropped is written on every read (0: none), so the last read can be told apart
    // from a 304 or a same-bytes answer, which read nothing.
    fetch: { ...doc.update.fetch, entriesDropped: read.entriesDropped },
    meta: (doc.meta ?? pickMeta)(read.feed),
    scheduleHints: hints,
    entries: read.entries,
    cleanEntry: reading.cleanEntry,
    error: null,
    nextDueAt: doc.nextDueAt(hints),
  });
  return { kind: 'stored', report, entriesDropped: read.entriesDropped, warnings: read.warnings };
}

/** The feed's own settings for its request (planet.toml [[feeds]] user_agent, timeout, headers). */
function requestOptions(subscription: Subscription | undefined): FetchRequestOptions | undefined {
  const o = subscription?.overrides;
  if (!o || (o.userAgent === undefined && o.timeoutMs === undefined && !o.headers)) {
    return undefined;
  }
  return {
    ...(o.userAgent !== undefined ? { userAgent: o.userAgent } : {}),
    ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
    ...(o.headers ? { headers: o.headers } : {}),
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

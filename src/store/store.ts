/**
 * The Store port: everything the pipeline, the scheduler, render/ and the CLI may ask of storage,
 * split by concern: the subscriptions (SubscriptionStore), what a feed update writes
 * (IngestStore), what the site reads (ReadModel), one run at a time (RunLock) and the WebSub
 * subscriptions `orrery serve` holds with hubs (WebSubSubscriptions). Store is all of them. Implementations: sqlite/ (embedded default, better-sqlite3 + WAL) and postgres/
 * (pg, for many workers), both through the shared Kysely queries of kysely/ and the ingest
 * policy of process/. Outside src/store/ import only this file (and open-store.ts in cli/).
 *
 * Rules every implementation keeps (checked by store.contract.ts):
 * - applyFeedUpdate is one transaction: a crash leaves the feed as before or fully updated.
 * - entries are never deleted when they leave their feed (only retention removes entries:
 *   pruneEntries); duplicates are recorded, not dropped.
 * - an entry's `date` and `firstSeenAt` never change after insert (an update does not move it up).
 */
import type { FeedErrorCode } from '../model/errors.js';
import { OrreryError } from '../model/errors.js';
import type { Entry, FeedMeta } from '../model/feed.js';
import type { FetchValidators } from '../model/fetch.js';
import type { ArchiveSettings } from '../model/settings.js';
import type {
  FetchRecord,
  ProcessedEntry,
  ScheduleHints,
  StoredEntry,
  StoredFeed,
} from '../model/stored.js';
import type { Subscription } from '../model/subscription.js';

export interface StoreCapabilities {
  /** Several processes may write at once (PostgreSQL) rather than one (SQLite). */
  concurrentWriters: boolean;
  /** SKIP LOCKED style job claiming is available. */
  skipLocked: boolean;
}

/** The result of syncing the config's subscriptions into the store. */
export interface SyncReport {
  added: number;
  updated: number;
  deactivated: number;
}

/** Everything one refresh of one feed changes, applied in one transaction. */
export interface FeedUpdate {
  feedId: number;
  /** ISO 8601: the time of the fetch. */
  now: string;
  fetch: FetchRecord;
  /** The new URL once a permanent redirect is confirmed. */
  moveTo?: string;
  /** Redirect seen on this fetch but not yet confirmed (undefined clears a pending one). */
  pendingRedirect?: { to: string; since: string; count: number };
  validators?: FetchValidators;
  /**
   * Hash of the document (and of what reading it depends on) that was just read; the next
   * fetch that brings the same bytes can skip reading them (see StoredFeed.documentDigest).
   */
  documentDigest?: string;
  /** Present after a successful parse. */
  meta?: Pick<FeedMeta, 'title' | 'link' | 'hubs' | 'self'>;
  /** The document's scheduling hints, after a successful parse (replaces the stored ones). */
  scheduleHints?: ScheduleHints;
  entries?: ProcessedEntry[];
  /**
   * When the entries' HTML is not cleaned yet (parse's sanitize: 'defer'): cleans one. The
   * store calls it only for entries it writes with their text (new or changed), never for
   * unchanged ones; repeats of a post already stored are then kept without their HTML.
   */
  cleanEntry?: (entry: Entry) => Entry;
  /** null clears the feed's error; undefined leaves it. */
  error?: { code: FeedErrorCode; message: string } | null;
  retire?: boolean;
  nextDueAt: string;
}

/**
 * What applyFeedUpdate did with the update's entries; the counts partition them:
 * inserted (new posts), duplicates (new rows that repeat a post already stored, recorded with
 * duplicateOf and not rendered), updated (known key, changed), unchanged (known key, same), and
 * expired (new, but already past the archive's retention: not stored; absent when none).
 */
export interface FeedUpdateReport {
  inserted: number;
  updated: number;
  unchanged: number;
  duplicates: number;
  expired?: number;
}

export interface EntryQuery {
  /** Only entries of feeds in this section. */
  section?: string;
  feedId?: number;
  /** Entries whose date is >= since / < before (ISO 8601). */
  since?: string;
  before?: string;
  /** Newest first; at most this many. */
  limit?: number;
  /** Include entries marked as duplicates (default false). */
  includeDuplicates?: boolean;
  /** Only these entries (combined with the other filters). */
  ids?: readonly number[];
}

/** One rendered entry as the site builder diffs it against its last publish. */
export interface EntryStamp {
  id: number;
  feedId: number;
  /** ISO 8601: the river date. */
  date: string;
  /** Changes whenever anything the site shows of the entry changes. */
  digest: string;
}

/** A feed's posts as the site shows them (FeedPostStats of ReadModel.feedPostStats). */
export interface FeedPostStats {
  feedId: number;
  /** Its non-duplicate entries. */
  entries: number;
  /** The newest of their own post dates (published, else updated); absent when none is dated. */
  newestPostDate?: string;
}

/** Who holds a store's lock, as far as the store can tell. */
export interface LockHolder {
  pid?: number;
  owner?: string;
  /** ISO 8601 */
  since?: string;
  /** Set only when the holder runs on another machine (named in the message). */
  host?: string;
}

/** Thrown by acquireLock when another run still holds the store after waitMs. */
export class StoreLockedError extends OrreryError {
  readonly storePath: string;
  readonly holder: LockHolder | undefined;
  constructor(stage: string, storePath: string, holder: LockHolder | undefined) {
    const details: string[] = [];
    if (holder?.pid !== undefined) details.push(`pid ${holder.pid}`);
    if (holder?.since) details.push(`since ${holder.since.slice(11, 16)} UTC`);
    // The owner is shown when it says more than the pid (e.g. 'orrery serve', a cron job name).
    if (
      holder?.owner &&
      !(holder.pid !== undefined && holder.owner.includes(`pid ${holder.pid}`))
    ) {
      details.push(holder.owner);
    }
    if (holder?.host) details.push(`on ${holder.host}`);
    const who = details.length > 0 ? ` (${details.join(', ')})` : '';
    super('store-locked', `${stage}: another orrery run${who} holds ${storePath}; wait or stop it`);
    this.name = 'StoreLockedError';
    this.storePath = storePath;
    this.holder = holder;
  }
}

export interface StoreLock {
  release(): Promise<void>;
}

export interface LockOptions {
  /** Who holds it (shown to the one waiting), e.g. 'orrery run (pid 123)'. */
  owner: string;
  /** How long to wait for a running holder before giving up (0: fail at once). */
  waitMs: number;
}

/** The subscriptions: what the config asks for, and each feed's refresh state. */
export interface SubscriptionStore {
  /** Make the store's feeds match the config: add new ones, update names/sections, deactivate removed ones. */
  syncSubscriptions(subscriptions: readonly Subscription[], now: string): Promise<SyncReport>;
  listFeeds(options?: { includeInactive?: boolean }): Promise<StoredFeed[]>;
  getFeed(id: number): Promise<StoredFeed | undefined>;
  getFeedByUrl(url: string): Promise<StoredFeed | undefined>;
  /** Active, non-retired feeds whose nextDueAt is absent or <= now, most overdue first. */
  dueFeeds(now: string, limit?: number): Promise<StoredFeed[]>;
  /**
   * The feeds of dueFeeds, in its order, as id and URL only (what a scheduler queues), a page at
   * a time: up to `limit` feeds after `after` (the `next` of the page before), so a scheduler
   * never holds every due feed of a large planet. `next` is absent on the last page.
   */
  dueFeedRefPage(now: string, limit: number, after?: DueFeedCursor): Promise<DueFeedPage>;
}

/** Where a page of due feeds ended (its last feed's due time and id); opaque to callers. */
export interface DueFeedCursor {
  nextDueAt: string | null;
  id: number;
}

export interface DueFeedPage {
  refs: Array<{ id: number; url: string }>;
  next?: DueFeedCursor;
}

/** What refreshing feeds writes, and what retention removes. */
export interface IngestStore {
  /** Apply one feed's refresh atomically (entries, validators, error state, fetch history). */
  applyFeedUpdate(update: FeedUpdate): Promise<FeedUpdateReport>;
  /**
   * Remove the entries past the archive's retention at `now` (dated more than keepDays before
   * it, or beyond a feed's maxEntriesPerFeed newest). An original stays while a duplicate of it
   * stays. Without settings, nothing is removed.
   */
  pruneEntries(settings: ArchiveSettings, now: string): Promise<{ removed: number }>;
}

/** What the site builder (and status) reads. */
export interface ReadModel {
  listFeeds(options?: { includeInactive?: boolean }): Promise<StoredFeed[]>;
  /** Entries for rendering, newest `date` first, duplicates excluded unless asked. */
  listEntries(query?: EntryQuery): Promise<StoredEntry[]>;
  countEntries(query?: Omit<EntryQuery, 'limit'>): Promise<number>;
  /** The latest fetch records of a feed, newest first (the history is bounded per feed). */
  recentFetches(feedId: number, limit?: number): Promise<FetchRecord[]>;
  /** Every entry that is not a duplicate, ascending id; cheap (no content columns, no JSON). */
  listEntryStamps(): Promise<EntryStamp[]>;
  /**
   * Per feed (inactive ones too): its non-duplicate entries' count and the newest of their own
   * post dates (published, else updated; absent when none of them is dated).
   */
  feedPostStats(): Promise<FeedPostStats[]>;
}

/** One run at a time per store. */
export interface RunLock {
  /** Throws StoreLockedError after waitMs. */
  acquireLock(options: LockOptions): Promise<StoreLock>;
}

/** Where a WebSub subscription stands. Only `active` means the feed is pushed (and polled rarely). */
export type WebSubState =
  /** Asked for; the hub has not verified it yet. */
  | 'pending'
  | 'active'
  /** The hub said no (hub.mode=denied), or refused the request. */
  | 'denied'
  /** The lease ran out before a renewal was verified. */
  | 'expired'
  /** The hub failed to answer or to verify in time. */
  | 'failed'
  | 'unsubscribed';

export const WEBSUB_STATES: readonly WebSubState[] = [
  'pending',
  'active',
  'denied',
  'expired',
  'failed',
  'unsubscribed',
];

/** One WebSub subscription of a feed to its hub (WebSub §5), as `orrery serve` keeps it. */
export interface WebSubSubscription {
  /** Random, URL-safe: the last segment of the callback URL (unguessable). */
  id: string;
  feedId: number;
  hub: string;
  /** The topic URL subscribed to (the feed's rel=self, else its URL). */
  topic: string;
  /** The hub.callback sent (under the server's public URL when it subscribed). */
  callback: string;
  /** The hub.secret sent with the request: the key of X-Hub-Signature. Never log or show it. */
  secret: string;
  state: WebSubState;
  /** A request the hub has still to verify: only it is answered with the challenge. */
  pending?: { mode: 'subscribe' | 'unsubscribe'; since: string };
  /** From the hub's verification (hub.lease_seconds). */
  leaseSeconds?: number;
  /** ISO 8601: when the verified lease ends. */
  expiresAt?: string;
  /** Failed or denied attempts in a row (the next attempt backs off). */
  failures: number;
  /** ISO 8601: no new attempt before this. */
  retryAt?: string;
  lastError?: string;
  /** ISO 8601 */
  createdAt: string;
  /** ISO 8601 */
  updatedAt: string;
}

/** The hub and self URLs a feed's server announces in its HTTP Link header (WebSub §4). */
export interface WebSubLinks {
  hubs: string[];
  self?: string;
}

/**
 * The WebSub subscriptions (`orrery serve` as a subscriber), so that a restart neither
 * subscribes again while a lease holds nor forgets the secret that signs the hub's pushes;
 * and the hubs feeds announce only in their HTTP Link header.
 */
export interface WebSubSubscriptions {
  getWebSubSubscription(id: string): Promise<WebSubSubscription | undefined>;
  /** The feed's subscription, if it has one (a feed has at most one). */
  getFeedWebSubSubscription(feedId: number): Promise<WebSubSubscription | undefined>;
  /** Ordered by feed. */
  listWebSubSubscriptions(filter?: { state?: WebSubState }): Promise<WebSubSubscription[]>;
  /**
   * Insert, or replace the one with the same id. A feed keeps one subscription: another id
   * for the same feed replaces the old one. Throws store-no-feed for an unknown feed.
   */
  putWebSubSubscription(subscription: WebSubSubscription): Promise<void>;
  /**
   * Record the hub and self links the HTTP Link header of the answer for `feedUrl` named (the
   * feed whose URL it is, as fetched). They win over the document's own (StoredFeed.hubs and
   * selfLink read them first, WebSub §4) and stay until recorded again; `{ hubs: [] }` forgets
   * them. Keyed by URL because that is what a fetch knows; false when no feed has that URL.
   */
  recordFeedLinkHeader(feedUrl: string, links: WebSubLinks): Promise<boolean>;
}

export interface Store
  extends SubscriptionStore,
    IngestStore,
    ReadModel,
    RunLock,
    WebSubSubscriptions {
  readonly dialect: 'sqlite' | 'postgres';
  readonly capabilities: StoreCapabilities;
  /** Commit what is pending and close the connections. */
  close(): Promise<void>;
}

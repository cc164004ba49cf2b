/**
 * The Store port: everything the pipeline, the scheduler, render/ and the CLI may ask of storage.
 * Implementations: sqlite/ (embedded default, better-sqlite3 + WAL) and, later, postgres/ (pg),
 * both through Kysely with the same queries. Outside src/store/ import only this file.
 *
 * Rules every implementation keeps (checked by store.contract.ts):
 * - applyFeedUpdate is one transaction: a crash leaves the feed as before or fully updated.
 * - entries are never deleted when they leave their feed; duplicates are recorded, not dropped.
 * - an entry's `date` and `firstSeenAt` never change after insert (an update does not move it up).
 */
import type { FeedErrorCode } from '../model/errors.js';
import { OrreryError } from '../model/errors.js';
import type { Entry, FeedMeta } from '../model/feed.js';
import type { FetchValidators } from '../model/fetch.js';
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
 * What applyFeedUpdate did with the update's entries; the four counts partition them:
 * inserted (new posts), duplicates (new rows that repeat a post already stored, recorded with
 * duplicateOf and not rendered), updated (known key, changed), unchanged (known key, same).
 */
export interface FeedUpdateReport {
  inserted: number;
  updated: number;
  unchanged: number;
  duplicates: number;
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
}

/** Who holds a store's lock, as far as the store can tell. */
export interface LockHolder {
  pid?: number;
  owner?: string;
  /** ISO 8601 */
  since?: string;
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

export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  readonly capabilities: StoreCapabilities;

  /** Make the store's feeds match the config: add new ones, update names/sections, deactivate removed ones. */
  syncSubscriptions(subscriptions: readonly Subscription[], now: string): Promise<SyncReport>;
  listFeeds(options?: { includeInactive?: boolean }): Promise<StoredFeed[]>;
  getFeed(id: number): Promise<StoredFeed | undefined>;
  getFeedByUrl(url: string): Promise<StoredFeed | undefined>;
  /** Active, non-retired feeds whose nextDueAt is absent or <= now, most overdue first. */
  dueFeeds(now: string, limit?: number): Promise<StoredFeed[]>;
  /**
   * The same feeds as dueFeeds, as id and URL only: what a scheduler queues, light enough for
   * every feed of a large planet at once.
   */
  dueFeedRefs(now: string, limit?: number): Promise<Array<{ id: number; url: string }>>;

  /** Apply one feed's refresh atomically (entries, validators, error state, fetch history). */
  applyFeedUpdate(update: FeedUpdate): Promise<FeedUpdateReport>;

  /** Entries for rendering, newest `date` first, duplicates excluded unless asked. */
  listEntries(query?: EntryQuery): Promise<StoredEntry[]>;
  countEntries(query?: Omit<EntryQuery, 'limit'>): Promise<number>;
  /** The latest fetch records of a feed, newest first (the history is bounded per feed). */
  recentFetches(feedId: number, limit?: number): Promise<FetchRecord[]>;

  /** One run at a time per store: throws StoreLockedError after waitMs. */
  acquireLock(options: LockOptions): Promise<StoreLock>;
  close(): Promise<void>;
}

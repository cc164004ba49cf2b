import type { FeedErrorCode } from './errors.js';
import type { Category, Enclosure, Entry, FeedMeta, Person, Text } from './feed.js';
import type { FetchValidators, RedirectHop } from './fetch.js';

/** A feed's recent posting, read from its last document: `count` dated posts since `since`. */
export interface PostingHistory {
  count: number;
  /** ISO 8601: the oldest of those posts. */
  since: string;
}

/**
 * The scheduling hints a feed document carries (see FeedMeta), and its posting history
 * (schedule/learn-interval.ts), from which the feed's check interval is learned.
 */
export type ScheduleHints = Pick<FeedMeta, 'ttl' | 'skipHours' | 'skipDays'> & {
  posting?: PostingHistory;
};

/** A subscribed feed and its refresh state, as the store keeps it. */
export interface StoredFeed {
  id: number;
  url: string;
  /** From the config. */
  name?: string;
  section: string;
  face?: string;
  /** false when the feed was removed from the config (its entries stay in the archive). */
  active: boolean;
  /** From the feed document. */
  title?: string;
  siteLink?: string;
  hubs: string[];
  selfLink?: string;
  validators: FetchValidators;
  /** Hash of the last document read into the store (with the filters it was read under). */
  documentDigest?: string;
  /**
   * The last document's own scheduling hints (RSS ttl, skipHours, skipDays): still lower bounds
   * on the next check after a 304, when there is no document to read them from.
   */
  scheduleHints?: ScheduleHints;
  lastStatus?: number;
  errorCode?: FeedErrorCode;
  errorMessage?: string;
  consecutiveFailures: number;
  /** When the current run of failures began (ISO 8601). */
  failingSince?: string;
  lastFetchedAt?: string;
  lastSuccessAt?: string;
  /** When the newest entry of this feed was first seen. */
  lastNewEntryAt?: string;
  nextDueAt?: string;
  /** The URL a permanent redirect pointed to, and since when it held (moved after it holds twice). */
  pendingRedirect?: { to: string; since: string; count: number };
  /** Where the feed was moved from by permanent redirects, newest last. */
  previousUrls: string[];
  /** 410 Gone: no longer fetched. */
  retired: boolean;
  entryCount: number;
  createdAt: string;
}

/** An entry after process/: its identity keys and fixed dates, ready to store. */
export interface ProcessedEntry {
  /** Identity within its feed: 'id:<guid>' | 'link:<url>' | 'hash:<sha>' */
  key: string;
  /** Canonical form of the link (scheme, host case, trailing slash, tracking params folded). */
  canonicalLink?: string;
  /** Hash of the normalized title + text: the same post under another id/link. */
  fingerprint: string;
  /** The entry as parsed: its HTML sanitized, or not yet if the store gets FeedUpdate.cleanEntry. */
  entry: Entry;
  /** Fixed dates: future ones clamped to now, unreadable ones absent. */
  published?: string;
  updated?: string;
}

/** An entry as the store keeps it and render/ reads it. */
export interface StoredEntry {
  id: number;
  feedId: number;
  key: string;
  link?: string;
  canonicalLink?: string;
  fingerprint: string;
  title?: string;
  titleDetail?: Text;
  /** The best content (sanitized HTML or text): content[0], else summary. */
  content?: Text;
  summary?: Text;
  author?: Person;
  categories: Category[];
  enclosures: Enclosure[];
  published?: string;
  updated?: string;
  /** The date the river sorts and groups by: published (or updated, or first seen), never after firstSeenAt. */
  date: string;
  firstSeenAt: string;
  lastSeenAt: string;
  /** Set when this entry is the same post as another one already stored: it is never rendered. */
  duplicateOf?: number;
}

/** One fetch attempt, kept in a bounded history per feed. */
export interface FetchRecord {
  at: string;
  outcome: 'ok' | 'not-modified' | 'error';
  status?: number;
  errorCode?: FeedErrorCode;
  message?: string;
  bytes?: number;
  elapsedMs: number;
  newEntries?: number;
  /** Entries the document had past the parser's per-document limit, not read (absent: none). */
  entriesDropped?: number;
  redirects?: RedirectHop[];
}

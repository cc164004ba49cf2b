/**
 * The row types of the store's tables, as the shared queries see them. Each dialect stores
 * them in its own types (migrations in sqlite/ and postgres/): on SQLite, dates are ISO 8601
 * text in one fixed form (Date#toISOString, so they sort as text), booleans 0/1 and structured
 * values JSON text; on PostgreSQL, timestamptz, boolean and jsonb. Both accept the same values
 * when written (ISO text, 0/1, JSON text); what comes back differs and is read through the
 * dialect (StoreDialect.date / json, see dialect.ts).
 */
import type { ColumnType, Generated } from 'kysely';

/** A date: written as ISO 8601 text; read as that text (SQLite) or a Date (PostgreSQL). */
export type Timestamp = ColumnType<string | Date, string, string>;
export type NullableTimestamp = ColumnType<
  string | Date | null,
  string | null | undefined,
  string | null
>;
/** Structured data: written as JSON text; read as that text (SQLite) or parsed (PostgreSQL). */
export type Json = ColumnType<unknown, string | undefined, string>;
export type NullableJson = ColumnType<unknown, string | null | undefined, string | null>;
/** A boolean: written as 0/1; read as 0/1 (SQLite) or a boolean (PostgreSQL). */
export type Bool = ColumnType<number | boolean, number | undefined, number>;

export interface FeedsTable {
  id: Generated<number>;
  url: string;
  name: string | null;
  section: string;
  face: string | null;
  /** The site link from the config (wins over the feed's own link). */
  config_site_link: string | null;
  active: Bool;
  title: string | null;
  site_link: string | null;
  /** string[] */
  hubs: Json;
  self_link: string | null;
  etag: string | null;
  last_modified: string | null;
  /** see StoredFeed.documentDigest (schema 2) */
  document_digest: string | null;
  /** ScheduleHints { ttl, skipHours, skipDays } of the last document read (schema 3) */
  schedule_hints: NullableJson;
  last_status: number | null;
  error_code: string | null;
  error_message: string | null;
  consecutive_failures: Generated<number>;
  failing_since: NullableTimestamp;
  last_fetched_at: NullableTimestamp;
  last_success_at: NullableTimestamp;
  last_new_entry_at: NullableTimestamp;
  next_due_at: NullableTimestamp;
  /** { to, since, count } */
  pending_redirect: NullableJson;
  /** string[], newest last */
  previous_urls: Json;
  retired: Bool;
  entry_count: Generated<number>;
  created_at: Timestamp;
  /** string[]: rel=hub of the last answer's HTTP Link header; wins over `hubs` (schema 5) */
  link_header_hubs: NullableJson;
  /** rel=self of the last answer's HTTP Link header; wins over `self_link` (schema 5) */
  link_header_self: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface EntriesTable {
  id: Generated<number>;
  feed_id: number;
  key: string;
  guid: string | null;
  link: string | null;
  canonical_link: string | null;
  fingerprint: string;
  title: string | null;
  /** Text */
  title_detail: NullableJson;
  /** Text: the best content (content[0], else the summary) */
  content: NullableJson;
  /** Text; null with summary_is_content = 1 when it is the content's Text */
  summary: NullableJson;
  summary_is_content: Bool;
  /** Person */
  author: NullableJson;
  /** Category[] */
  categories: Json;
  /** Enclosure[] */
  enclosures: Json;
  published: NullableTimestamp;
  updated: NullableTimestamp;
  /** The river's sort date: never after first_seen_at, never changed after insert. */
  date: Timestamp;
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
  duplicate_of: number | null;
  /**
   * Hash of the entry as the feed brought it (process/entry-digest.ts): equal digests mean
   * the feed brought it unchanged. '' for rows written before schema 2.
   */
  digest: Generated<string>;
}

export interface FetchesTable {
  id: Generated<number>;
  feed_id: number;
  at: Timestamp;
  outcome: string;
  status: number | null;
  error_code: string | null;
  message: string | null;
  bytes: number | null;
  elapsed_ms: number;
  new_entries: number | null;
  /** RedirectHop[] */
  redirects: NullableJson;
  /** Entries beyond the parser's per-document limit (schema 4). */
  entries_dropped: ColumnType<number | null, number | null | undefined, number | null>;
}

/**
 * PostgreSQL only (schema 4): the claim keys each original holds (process/post-identity.ts),
 * under a unique index, so that two writers storing one post at once cannot both make it an
 * original: the second one's INSERT … ON CONFLICT finds the key taken.
 */
export interface EntryClaimsTable {
  claim: string;
  entry_id: number;
}

/**
 * Schema 5: the WebSub subscriptions `orrery serve` holds, one per feed at most (unique
 * feed_id), gone with their feed (ON DELETE CASCADE). The pending request is two columns, both
 * set or both null.
 */
export interface WebSubSubscriptionsTable {
  id: string;
  feed_id: number;
  hub: string;
  topic: string;
  callback: string;
  secret: string;
  /** WebSubState */
  state: string;
  /** 'subscribe' | 'unsubscribe' */
  pending_mode: string | null;
  pending_since: NullableTimestamp;
  lease_seconds: number | null;
  expires_at: NullableTimestamp;
  failures: number;
  retry_at: NullableTimestamp;
  last_error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface StoreMetaTable {
  key: string;
  value: string;
}

export interface StoreDatabase {
  feeds: FeedsTable;
  entries: EntriesTable;
  fetches: FetchesTable;
  entry_claims: EntryClaimsTable;
  websub_subscriptions: WebSubSubscriptionsTable;
  store_meta: StoreMetaTable;
}

/**
 * The row types of the store's tables, shared by every dialect (SQLite and PostgreSQL run the
 * same Kysely queries). Dates are ISO 8601 UTC strings in one fixed format (Date#toISOString),
 * so they sort as text; booleans are 0/1 integers; structured values are JSON text.
 */
import type { Generated } from 'kysely';

export interface FeedsTable {
  id: Generated<number>;
  url: string;
  name: string | null;
  section: string;
  face: string | null;
  /** The site link from the config (wins over the feed's own link). */
  config_site_link: string | null;
  active: Generated<number>;
  title: string | null;
  site_link: string | null;
  /** JSON string[] */
  hubs: Generated<string>;
  self_link: string | null;
  etag: string | null;
  last_modified: string | null;
  /** see StoredFeed.documentDigest (schema 2) */
  document_digest: string | null;
  /** JSON ScheduleHints { ttl, skipHours, skipDays } of the last document read (schema 3) */
  schedule_hints: string | null;
  last_status: number | null;
  error_code: string | null;
  error_message: string | null;
  consecutive_failures: Generated<number>;
  failing_since: string | null;
  last_fetched_at: string | null;
  last_success_at: string | null;
  last_new_entry_at: string | null;
  next_due_at: string | null;
  /** JSON { to, since, count } */
  pending_redirect: string | null;
  /** JSON string[], newest last */
  previous_urls: Generated<string>;
  retired: Generated<number>;
  entry_count: Generated<number>;
  created_at: string;
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
  /** JSON Text */
  title_detail: string | null;
  /** JSON Text: the best content (content[0], else the summary) */
  content: string | null;
  /** JSON Text; null with summary_is_content = 1 when it is the content's Text */
  summary: string | null;
  summary_is_content: Generated<number>;
  /** JSON Person */
  author: string | null;
  /** JSON Category[] */
  categories: string;
  /** JSON Enclosure[] */
  enclosures: string;
  published: string | null;
  updated: string | null;
  /** The river's sort date: never after first_seen_at, never changed after insert. */
  date: string;
  first_seen_at: string;
  last_seen_at: string;
  duplicate_of: number | null;
  /**
   * Hash of the entry as the feed brought it (entryDigest in kysely-store.ts): equal digests
   * mean the feed brought it unchanged. '' for rows written before schema 2.
   */
  digest: Generated<string>;
}

export interface FetchesTable {
  id: Generated<number>;
  feed_id: number;
  at: string;
  outcome: string;
  status: number | null;
  error_code: string | null;
  message: string | null;
  bytes: number | null;
  elapsed_ms: number;
  new_entries: number | null;
  entries_dropped: number | null;
  /** JSON RedirectHop[] */
  redirects: string | null;
}

export interface StoreMetaTable {
  key: string;
  value: string;
}

export interface StoreDatabase {
  feeds: FeedsTable;
  entries: EntriesTable;
  fetches: FetchesTable;
  store_meta: StoreMetaTable;
}

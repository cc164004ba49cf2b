/**
 * The copied tables, their columns and what kind of value each holds, and the one canonical
 * form of a row that both dialects read to (ISO dates, parsed JSON with sorted keys, 0/1,
 * numbers): what copying writes from and what verifying hashes.
 */
import type { StoreDialect } from '../kysely/dialect.js';
import { storedJson, storedText } from '../kysely/rows.js';

type Kind = 'id' | 'int' | 'text' | 'bool' | 'date' | 'json';

export interface TableSpec {
  name: 'feeds' | 'entries' | 'fetches' | 'websub_subscriptions';
  /** The unique integer column the table is walked, compared and upserted by. */
  key: 'id' | 'feed_id';
  columns: Record<string, Kind>;
  /** Rows per batch copied and compared. */
  batch: number;
}

/** In the order they are copied (feeds first: the others refer to them). */
export const TABLES: readonly TableSpec[] = [
  {
    name: 'feeds',
    key: 'id',
    batch: 500,
    columns: {
      id: 'id',
      url: 'text',
      name: 'text',
      section: 'text',
      face: 'text',
      config_site_link: 'text',
      active: 'bool',
      title: 'text',
      site_link: 'text',
      hubs: 'json',
      self_link: 'text',
      etag: 'text',
      last_modified: 'text',
      document_digest: 'text',
      schedule_hints: 'json',
      last_status: 'int',
      error_code: 'text',
      error_message: 'text',
      consecutive_failures: 'int',
      failing_since: 'date',
      last_fetched_at: 'date',
      last_success_at: 'date',
      last_new_entry_at: 'date',
      next_due_at: 'date',
      pending_redirect: 'json',
      previous_urls: 'json',
      retired: 'bool',
      entry_count: 'int',
      created_at: 'date',
      link_header_hubs: 'json',
      link_header_self: 'text',
    },
  },
  {
    name: 'entries',
    key: 'id',
    batch: 500,
    columns: {
      id: 'id',
      feed_id: 'int',
      key: 'text',
      guid: 'text',
      link: 'text',
      canonical_link: 'text',
      fingerprint: 'text',
      title: 'text',
      title_detail: 'json',
      content: 'json',
      summary: 'json',
      summary_is_content: 'bool',
      author: 'json',
      categories: 'json',
      enclosures: 'json',
      published: 'date',
      updated: 'date',
      date: 'date',
      first_seen_at: 'date',
      last_seen_at: 'date',
      duplicate_of: 'int',
      digest: 'text',
    },
  },
  {
    name: 'fetches',
    key: 'id',
    batch: 2_000,
    columns: {
      id: 'id',
      feed_id: 'int',
      at: 'date',
      outcome: 'text',
      status: 'int',
      error_code: 'text',
      message: 'text',
      bytes: 'int',
      elapsed_ms: 'int',
      new_entries: 'int',
      redirects: 'json',
      entries_dropped: 'int',
    },
  },
  {
    // Keyed by feed (one subscription per feed): its own id is random text.
    name: 'websub_subscriptions',
    key: 'feed_id',
    batch: 2_000,
    columns: {
      feed_id: 'int',
      id: 'text',
      hub: 'text',
      topic: 'text',
      callback: 'text',
      secret: 'text',
      state: 'text',
      pending_mode: 'text',
      pending_since: 'date',
      lease_seconds: 'int',
      expires_at: 'date',
      failures: 'int',
      retry_at: 'date',
      last_error: 'text',
      created_at: 'date',
      updated_at: 'date',
    },
  },
];

/** JSON with object keys sorted (jsonb keeps its own key order; the text form keeps the writer's). */
function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value as object).sort();
    return `{${keys
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${sortedJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A row in the canonical form (values in column order), whatever dialect it was read from. */
export function canonicalRow(
  spec: TableSpec,
  dialect: Pick<StoreDialect, 'date' | 'json'>,
  row: Record<string, unknown>,
): (string | number | null)[] {
  return Object.entries(spec.columns).map(([column, kind]) => {
    const v = row[column];
    if (v === null || v === undefined) return null;
    switch (kind) {
      case 'id':
      case 'int':
        return Number(v);
      case 'bool':
        return v ? 1 : 0;
      case 'date':
        return dialect.date(v);
      case 'json':
        // Stored JSON never holds U+0000 (rows.ts); an older SQLite row might.
        return sortedJson(JSON.parse(storedJson(dialect.json(v))));
      default:
        return storedText(String(v));
    }
  });
}

/** The canonical row as the values to write into a table (both dialects accept them). */
export function writableRow(
  spec: TableSpec,
  canonical: readonly (string | number | null)[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  Object.keys(spec.columns).forEach((column, i) => {
    out[column] = canonical[i] ?? null;
  });
  return out;
}

/**
 * Row ↔ model mapping shared by every dialect. Reading: null columns become absent fields;
 * dates and JSON come back through the dialect (text on SQLite, native on PostgreSQL).
 * Writing: dates as ISO text, JSON as text, booleans as 0/1, which both dialects accept.
 */
import type { Selectable } from 'kysely';
import type { FeedErrorCode } from '../../model/errors.js';
import { bestText, summaryText } from '../../model/feed.js';
import type { FetchRecord, ScheduleHints, StoredEntry, StoredFeed } from '../../model/stored.js';
import type { PlannedEntry } from '../../process/ingest-policy.js';
import type { WebSubState, WebSubSubscription } from '../store.js';
import type { StoreDialect } from './dialect.js';
import type { EntriesTable, FeedsTable, FetchesTable, WebSubSubscriptionsTable } from './schema.js';

type Codec = Pick<StoreDialect, 'date' | 'json'>;

function opt<T>(v: T | null | undefined): T | undefined {
  return v === null ? undefined : v;
}

function optDate(c: Codec, v: unknown): string | undefined {
  return v === null || v === undefined ? undefined : c.date(v);
}

function optJson<T>(c: Codec, v: unknown): T | undefined {
  return v === null || v === undefined ? undefined : c.json<T>(v);
}

function nonEmpty<T>(list: T[] | undefined): T[] | undefined {
  return list && list.length > 0 ? list : undefined;
}

/** The hints worth keeping (a ttl, non-empty skip lists), or undefined when there are none. */
export function compactHints(hints: ScheduleHints): ScheduleHints | undefined {
  const kept: ScheduleHints = {};
  if (hints.ttl !== undefined && hints.ttl > 0) kept.ttl = hints.ttl;
  if (hints.skipHours?.length) kept.skipHours = hints.skipHours;
  if (hints.skipDays?.length) kept.skipDays = hints.skipDays;
  if (hints.posting && hints.posting.count > 0) kept.posting = hints.posting;
  return Object.keys(kept).length > 0 ? kept : undefined;
}

/** Drop keys whose value is undefined ("absent means absent"). */
function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/** `\u0000` escapes not themselves escaped (an even number of backslashes before them). */
const NUL_ESCAPE = /(?<!\\)((?:\\\\)*)\\u0000/g;

/**
 * Text as stored: without U+0000, which PostgreSQL cannot hold in text or jsonb and no page
 * shows; dropped in every dialect so that a store copied between them stays the same.
 */
export function storedText<T extends string | null | undefined>(s: T): T {
  return (typeof s === 'string' && s.includes('\u0000') ? s.replaceAll('\u0000', '') : s) as T;
}

/** JSON text as stored (see storedText). */
export function storedJson(value: unknown): string {
  const s = JSON.stringify(value);
  return s.includes('\\u0000') ? s.replace(NUL_ESCAPE, '$1') : s;
}

export function feedFromRow(c: Codec, r: Selectable<FeedsTable>): StoredFeed {
  return compact<StoredFeed>({
    id: Number(r.id),
    url: r.url,
    name: opt(r.name),
    section: r.section,
    face: opt(r.face),
    active: Boolean(r.active),
    title: opt(r.title),
    siteLink: opt(r.config_site_link) ?? opt(r.site_link),
    // The HTTP Link header's hubs and self win over the document's (WebSub §4).
    hubs: nonEmpty(optJson<string[]>(c, r.link_header_hubs)) ?? optJson<string[]>(c, r.hubs) ?? [],
    selfLink: opt(r.link_header_self) ?? opt(r.self_link),
    validators: compact({ etag: opt(r.etag), lastModified: opt(r.last_modified) }),
    documentDigest: opt(r.document_digest),
    scheduleHints: optJson<ScheduleHints>(c, r.schedule_hints),
    lastStatus: r.last_status === null ? undefined : Number(r.last_status),
    errorCode: opt(r.error_code) as FeedErrorCode | undefined,
    errorMessage: opt(r.error_message),
    consecutiveFailures: Number(r.consecutive_failures),
    failingSince: optDate(c, r.failing_since),
    lastFetchedAt: optDate(c, r.last_fetched_at),
    lastSuccessAt: optDate(c, r.last_success_at),
    lastNewEntryAt: optDate(c, r.last_new_entry_at),
    nextDueAt: optDate(c, r.next_due_at),
    pendingRedirect: optJson<StoredFeed['pendingRedirect']>(c, r.pending_redirect),
    previousUrls: optJson<string[]>(c, r.previous_urls) ?? [],
    retired: Boolean(r.retired),
    entryCount: Number(r.entry_count),
    createdAt: c.date(r.created_at),
  });
}

/** The entry columns render/ reads. */
export const ENTRY_COLUMNS = [
  'entries.id',
  'entries.feed_id',
  'entries.key',
  'entries.link',
  'entries.canonical_link',
  'entries.fingerprint',
  'entries.title',
  'entries.title_detail',
  'entries.content',
  'entries.summary',
  'entries.summary_is_content',
  'entries.author',
  'entries.categories',
  'entries.enclosures',
  'entries.published',
  'entries.updated',
  'entries.date',
  'entries.first_seen_at',
  'entries.last_seen_at',
  'entries.duplicate_of',
] as const;

export type EntryRow = Omit<Selectable<EntriesTable>, 'guid' | 'digest'>;

export function entryFromRow(c: Codec, r: EntryRow): StoredEntry {
  const content = optJson<StoredEntry['content']>(c, r.content);
  return compact<StoredEntry>({
    id: Number(r.id),
    feedId: Number(r.feed_id),
    key: r.key,
    link: opt(r.link),
    canonicalLink: opt(r.canonical_link),
    fingerprint: r.fingerprint,
    title: opt(r.title),
    titleDetail: optJson(c, r.title_detail),
    content,
    summary: r.summary_is_content ? content : optJson(c, r.summary),
    author: optJson(c, r.author),
    categories: optJson(c, r.categories) ?? [],
    enclosures: optJson(c, r.enclosures) ?? [],
    published: optDate(c, r.published),
    updated: optDate(c, r.updated),
    date: c.date(r.date),
    firstSeenAt: c.date(r.first_seen_at),
    lastSeenAt: c.date(r.last_seen_at),
    duplicateOf: r.duplicate_of === null ? undefined : Number(r.duplicate_of),
  });
}

export function fetchFromRow(c: Codec, r: Selectable<FetchesTable>): FetchRecord {
  return compact<FetchRecord>({
    at: c.date(r.at),
    outcome: r.outcome as FetchRecord['outcome'],
    status: r.status === null ? undefined : Number(r.status),
    errorCode: opt(r.error_code) as FeedErrorCode | undefined,
    message: opt(r.message),
    bytes: r.bytes === null ? undefined : Number(r.bytes),
    elapsedMs: Number(r.elapsed_ms),
    newEntries: r.new_entries === null ? undefined : Number(r.new_entries),
    entriesDropped: r.entries_dropped === null ? undefined : Number(r.entries_dropped),
    redirects: optJson(c, r.redirects),
  });
}

/**
 * The stored columns of a planned entry. Without its HTML (a repeat whose cleaning was
 * deferred) the row records the repeat; the original holds the post.
 */
export function entryColumns(p: PlannedEntry) {
  const e = p.entry;
  const summary = summaryText(e);
  const author = e.author ?? e.authors[0];
  const content = p.html ? bestText(e) : undefined;
  const contentJson = content ? storedJson(content) : null;
  const summaryJson = p.html && summary ? storedJson(summary) : null;
  // Most feeds give one text (the summary doubles as content): store it once.
  const summaryIsContent = summaryJson !== null && summaryJson === contentJson;
  return {
    guid: storedText(e.id ?? null),
    link: storedText(e.link ?? null),
    canonical_link: storedText(p.processed.canonicalLink ?? null),
    fingerprint: p.processed.fingerprint,
    title: storedText(e.title ?? null),
    title_detail: p.html && e.titleDetail ? storedJson(e.titleDetail) : null,
    content: contentJson,
    summary: summaryIsContent ? null : summaryJson,
    summary_is_content: summaryIsContent ? 1 : 0,
    author: author ? storedJson(author) : null,
    categories: storedJson(e.categories),
    enclosures: storedJson(e.enclosures),
    published: p.dates.published,
    updated: p.dates.updated,
    digest: p.digest,
  };
}

export function webSubFromRow(
  c: Codec,
  r: Selectable<WebSubSubscriptionsTable>,
): WebSubSubscription {
  const since = optDate(c, r.pending_since);
  return compact<WebSubSubscription>({
    id: r.id,
    feedId: Number(r.feed_id),
    hub: r.hub,
    topic: r.topic,
    callback: r.callback,
    secret: r.secret,
    state: r.state as WebSubState,
    pending:
      r.pending_mode && since
        ? { mode: r.pending_mode as 'subscribe' | 'unsubscribe', since }
        : undefined,
    leaseSeconds: r.lease_seconds === null ? undefined : Number(r.lease_seconds),
    expiresAt: optDate(c, r.expires_at),
    failures: Number(r.failures),
    retryAt: optDate(c, r.retry_at),
    lastError: opt(r.last_error),
    createdAt: c.date(r.created_at),
    updatedAt: c.date(r.updated_at),
  });
}

/** Row ↔ model mapping shared by every dialect: null columns become absent fields, JSON is parsed. */
import type { Selectable } from 'kysely';
import type { FeedErrorCode } from '../../model/errors.js';
import type { FetchRecord, ScheduleHints, StoredEntry, StoredFeed } from '../../model/stored.js';
import type { EntriesTable, FeedsTable, FetchesTable } from '../migrations/schema.js';

/** Normalize a date to the one ISO 8601 form the store keeps (so dates sort as text). */
export function toIso(value: string | undefined | null): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

function opt<T>(v: T | null | undefined): T | undefined {
  return v === null ? undefined : v;
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

function json<T>(v: string | null | undefined, fallback: T): T {
  if (v === null || v === undefined) return fallback;
  return JSON.parse(v) as T;
}

/** Drop keys whose value is undefined ("absent means absent"). */
function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

export function feedFromRow(r: Selectable<FeedsTable>): StoredFeed {
  return compact<StoredFeed>({
    id: Number(r.id),
    url: r.url,
    name: opt(r.name),
    section: r.section,
    face: opt(r.face),
    active: Boolean(r.active),
    title: opt(r.title),
    siteLink: opt(r.config_site_link) ?? opt(r.site_link),
    hubs: json<string[]>(r.hubs, []),
    selfLink: opt(r.self_link),
    validators: compact({ etag: opt(r.etag), lastModified: opt(r.last_modified) }),
    documentDigest: opt(r.document_digest),
    scheduleHints: json<ScheduleHints | undefined>(r.schedule_hints, undefined),
    lastStatus: r.last_status === null ? undefined : Number(r.last_status),
    errorCode: opt(r.error_code) as FeedErrorCode | undefined,
    errorMessage: opt(r.error_message),
    consecutiveFailures: Number(r.consecutive_failures),
    failingSince: opt(r.failing_since),
    lastFetchedAt: opt(r.last_fetched_at),
    lastSuccessAt: opt(r.last_success_at),
    lastNewEntryAt: opt(r.last_new_entry_at),
    nextDueAt: opt(r.next_due_at),
    pendingRedirect: json<StoredFeed['pendingRedirect']>(r.pending_redirect, undefined),
    previousUrls: json<string[]>(r.previous_urls, []),
    retired: Boolean(r.retired),
    entryCount: Number(r.entry_count),
    createdAt: r.created_at,
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

export function entryFromRow(r: EntryRow): StoredEntry {
  const content = json<StoredEntry['content']>(r.content, undefined);
  return compact<StoredEntry>({
    id: Number(r.id),
    feedId: Number(r.feed_id),
    key: r.key,
    link: opt(r.link),
    canonicalLink: opt(r.canonical_link),
    fingerprint: r.fingerprint,
    title: opt(r.title),
    titleDetail: json(r.title_detail, undefined),
    content,
    summary: r.summary_is_content ? content : json(r.summary, undefined),
    author: json(r.author, undefined),
    categories: json(r.categories, []),
    enclosures: json(r.enclosures, []),
    published: opt(r.published),
    updated: opt(r.updated),
    date: r.date,
    firstSeenAt: r.first_seen_at,
    lastSeenAt: r.last_seen_at,
    duplicateOf: r.duplicate_of === null ? undefined : Number(r.duplicate_of),
  });
}

export function fetchFromRow(r: Selectable<FetchesTable>): FetchRecord {
  return compact<FetchRecord>({
    at: r.at,
    outcome: r.outcome as FetchRecord['outcome'],
    status: r.status === null ? undefined : Number(r.status),
    errorCode: opt(r.error_code) as FeedErrorCode | undefined,
    message: opt(r.message),
    bytes: r.bytes === null ? undefined : Number(r.bytes),
    elapsedMs: Number(r.elapsed_ms),
    newEntries: r.new_entries === null ? undefined : Number(r.new_entries),
    redirects: json(r.redirects, undefined),
  });
}

/**
 * The site model: pure functions from stored feeds and entries to the values templates and
 * feed writers read (entry views, days, sections, health). No I/O; time comes in as `now`.
 */
import { createHash } from 'node:crypto';
import type { SectionSettings, SiteSettings } from '../model/settings.js';
import type { FetchRecord, StoredEntry, StoredFeed } from '../model/stored.js';
import { countImages, excerpt, htmlToText, textToHtml } from './html-text.js';
import { dayKey, strftime, zonedTimeToUtc } from './strftime.js';

/** The site's language (SiteSettings.language), 'en' when the settings leave it out. */
export function siteLanguage(site: Pick<SiteSettings, 'language'>): string {
  return site.language ?? 'en';
}

/** Content longer than this (in characters of text) is collapsed behind "read more". */
export const LONG_TEXT_CHARS = 1200;
/** Content with more images than this is collapsed behind "read more". */
export const LONG_IMAGE_COUNT = 2;
/** A feed whose newest own post is older than this many days is listed as quiet. */
export const DEFAULT_QUIET_DAYS = 60;

export interface SectionView {
  id: string;
  /** Folder name under sections/. */
  slug: string;
  title: string;
  description?: string;
  feedCount: number;
}

export type HealthStatus =
  | 'ok'
  | 'failing'
  | 'quiet'
  | 'undated'
  | 'moved'
  | 'retired'
  | 'inactive'
  | 'new';

export interface FeedView {
  id: number;
  url: string;
  /** The name to show: the config's name, else the feed's title, else its URL. */
  name: string;
  title?: string;
  siteLink?: string;
  section: string;
  sectionTitle: string;
  sectionSlug: string;
  /** An image: an absolute http(s) URL, or a path from the site root ('faces/alice.png'). */
  face?: string;
  active: boolean;
  retired: boolean;
  /** Its posts in the archive (duplicates of other feeds' posts not counted). */
  entryCount: number;
  /** The newest of its posts' own dates (published, else updated), if any is dated. */
  newestPostAt?: string;
  newestPostFormatted?: string;
  status: HealthStatus;
  errorCode?: string;
  errorMessage?: string;
  lastStatus?: number;
  consecutiveFailures: number;
  failingSince?: string;
  failingSinceFormatted?: string;
  lastSuccessAt?: string;
  lastSuccessFormatted?: string;
  lastNewEntryAt?: string;
  lastNewEntryFormatted?: string;
  previousUrls: string[];
  redirectTo?: string;
  /** Latest fetch attempts, newest first (set on failing feeds in the health report). */
  recentFetches?: FetchView[];
}

export type FetchView = FetchRecord & { atFormatted: string };

/** What an entry carries of its feed. */
export type EntryFeed = Pick<
  FeedView,
  'id' | 'url' | 'name' | 'title' | 'siteLink' | 'section' | 'sectionTitle' | 'sectionSlug' | 'face'
>;

/** What an entry carries of its feed (its identity and names, not its health). */
export function entryFeed(f: FeedView): EntryFeed {
  const view: EntryFeed = {
    id: f.id,
    url: f.url,
    name: f.name,
    section: f.section,
    sectionTitle: f.sectionTitle,
    sectionSlug: f.sectionSlug,
  };
  if (f.title !== undefined) view.title = f.title;
  if (f.siteLink !== undefined) view.siteLink = f.siteLink;
  if (f.face !== undefined) view.face = f.face;
  return view;
}

export interface EntryView {
  id: number;
  /** Fragment id of the entry on the pages that show it. */
  anchor: string;
  /** The id feeds out carry: a valid IRI, stable and unique across the planet (outputId). */
  uid: string;
  /** The entry's id in its own feed (RSS guid, Atom id), if it had one. */
  sourceId?: string;
  /** The feed it came from (identity and names only: its health does not change the page). */
  feed: EntryFeed;
  /** The entry's author, else the feed's name. */
  author: string;
  authorUri?: string;
  title: string;
  /** True when the entry had no title of its own. */
  untitled: boolean;
  link?: string;
  /** Sanitized HTML, output unescaped. */
  content: string;
  /** The content as plain text (what search indexes). */
  text: string;
  /** The language of the title / of the content, when the feed says and it is not the site's. */
  titleLang?: string;
  lang?: string;
  /** Plain-text excerpt (about 300 characters). */
  summary: string;
  /** ISO 8601 instant the river sorts by. */
  date: string;
  published?: string;
  updated?: string;
  /** The day heading this entry falls under, in the site's zone and dateFormat. */
  dateFormatted: string;
  /** The entry's time in the site's zone and timeFormat. */
  timeFormatted: string;
  /** 'YYYY-MM-DD' in the site's zone. */
  day: string;
  /** Path of the archive page for its day, from the site root. */
  archivePath: string;
  /** Long or image-heavy: the theme collapses it behind "read more". */
  long: boolean;
  categories: string[];
  enclosures: Array<{ url: string; type?: string; length?: number }>;
}

export interface SectionGroup {
  id: string;
  slug: string;
  title: string;
  entries: EntryView[];
}

export interface DayGroup {
  /** 'YYYY-MM-DD' */
  key: string;
  /** The heading in the site's dateFormat. */
  title: string;
  archivePath: string;
  sections: SectionGroup[];
  entries: EntryView[];
}

/** A section's folder name: its id reduced to URL-safe characters. */
export function sectionSlug(id: string): string {
  const slug = id
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '');
  return slug === '' ? 'section' : slug;
}

/** Sections in config order, plus any section a feed names that the config does not list. */
export function sectionViews(
  sections: readonly SectionSettings[],
  feeds: readonly StoredFeed[],
): SectionView[] {
  const counts = new Map<string, number>();
  for (const f of feeds) if (f.active) counts.set(f.section, (counts.get(f.section) ?? 0) + 1);
  const views: SectionView[] = sections.map((s) => ({
    id: s.id,
    slug: sectionSlug(s.id),
    title: s.title,
    ...(s.description ? { description: s.description } : {}),
    feedCount: counts.get(s.id) ?? 0,
  }));
  const known = new Set(sections.map((s) => s.id));
  const extra = [...new Set(feeds.map((f) => f.section))].filter((id) => !known.has(id)).sort();
  for (const id of extra) {
    views.push({ id, slug: sectionSlug(id), title: id, feedCount: counts.get(id) ?? 0 });
  }
  return views;
}

/** An instant as the site writes it: its dateFormat, a space, its timeFormat. */
export function formatDateTime(d: Date, site: SiteSettings): string {
  const lang = siteLanguage(site);
  return `${strftime(d, site.dateFormat, site.timezone, lang)} ${strftime(d, site.timeFormat, site.timezone, lang)}`;
}

function formatOptional(iso: string | undefined, site: SiteSettings): string | undefined {
  if (!iso) return undefined;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? undefined : formatDateTime(d, site);
}

/**
 * Where a feed's face is: an http(s) URL as given; a path with a folder from the site root
 * ('faces/alice.png', as docs/config.md writes it); a bare file name in the theme's faces/.
 */
export function facePath(face: string): string {
  if (/^https?:\/\//i.test(face)) return face;
  if (face.startsWith('//')) return `https:${face}`;
  const path = face.replace(/^\/+/, '');
  return path.includes('/') ? path : `faces/${path}`;
}

/** A feed's posts as the store counts them (Store.feedPostStats). */
export interface PostStats {
  entries: number;
  newestPostDate?: string;
}

/**
 * Classify one feed's health at `asOf` (the newest fetch of the planet). "Quiet" comes from
 * the newest of the feed's own post dates, not from when its entries were first seen: a feed
 * that brings posts from 2009 today is quiet.
 */
export function feedStatus(
  feed: StoredFeed,
  posts: PostStats | undefined,
  asOf: Date | undefined,
  quietDays: number,
): HealthStatus {
  if (!feed.active) return 'inactive';
  if (feed.retired) return 'retired';
  if (feed.consecutiveFailures > 0 || feed.errorCode) return 'failing';
  if (feed.pendingRedirect) return 'moved';
  if (!feed.lastSuccessAt && !posts?.entries) return 'new';
  if (posts?.entries && !posts.newestPostDate) return 'undated';
  if (!asOf) return 'ok';
  const quietSince = asOf.getTime() - quietDays * 86_400_000;
  const newest = posts?.newestPostDate ? Date.parse(posts.newestPostDate) : undefined;
  if (newest === undefined) return Date.parse(feed.createdAt) < quietSince ? 'quiet' : 'ok';
  return newest < quietSince ? 'quiet' : 'ok';
}

/** When the planet last fetched a feed: what the health report speaks of (undefined: never). */
export function lastFetchOf(feeds: readonly StoredFeed[]): Date | undefined {
  let last = '';
  for (const f of feeds) if (f.lastFetchedAt && f.lastFetchedAt > last) last = f.lastFetchedAt;
  return last ? new Date(last) : undefined;
}

export interface FeedViewOptions {
  /** Posts per feed id (Store.feedPostStats). */
  posts: ReadonlyMap<number, PostStats>;
  /** The time health is judged at (lastFetchOf the feeds). */
  asOf: Date | undefined;
  quietDays?: number;
  /** Also the dates in the site's formats (…Formatted; default true). */
  formatted?: boolean;
}

/** The view of every feed, keyed by id. */
export function feedViews(
  feeds: readonly StoredFeed[],
  sections: readonly SectionView[],
  site: SiteSettings,
  options: FeedViewOptions,
): Map<number, FeedView> {
  const bySection = new Map(sections.map((s) => [s.id, s]));
  const quietDays = options.quietDays ?? DEFAULT_QUIET_DAYS;
  const format = (iso: string) =>
    options.formatted === false ? undefined : formatOptional(iso, site);
  const views = new Map<number, FeedView>();
  for (const f of feeds) {
    const section = bySection.get(f.section);
    const posts = options.posts.get(f.id);
    const view: FeedView = {
      id: f.id,
      url: f.url,
      name: f.name ?? f.title ?? f.url,
      section: f.section,
      sectionTitle: section?.title ?? f.section,
      sectionSlug: section?.slug ?? sectionSlug(f.section),
      active: f.active,
      retired: f.retired,
      entryCount: posts?.entries ?? 0,
      status: feedStatus(f, posts, options.asOf, quietDays),
      consecutiveFailures: f.consecutiveFailures,
      previousUrls: [...f.previousUrls],
    };
    if (f.title) view.title = f.title;
    if (f.siteLink) view.siteLink = f.siteLink;
    if (f.face) view.face = facePath(f.face);
    if (posts?.newestPostDate) {
      view.newestPostAt = posts.newestPostDate;
      const newestPostFormatted = format(posts.newestPostDate);
      if (newestPostFormatted) view.newestPostFormatted = newestPostFormatted;
    }
    if (f.errorCode) view.errorCode = f.errorCode;
    if (f.errorMessage) view.errorMessage = f.errorMessage;
    if (f.lastStatus !== undefined) view.lastStatus = f.lastStatus;
    if (f.failingSince) {
      view.failingSince = f.failingSince;
      const failingSinceFormatted = format(f.failingSince);
      if (failingSinceFormatted) view.failingSinceFormatted = failingSinceFormatted;
    }
    if (f.lastSuccessAt) {
      view.lastSuccessAt = f.lastSuccessAt;
      const lastSuccessFormatted = format(f.lastSuccessAt);
      if (lastSuccessFormatted) view.lastSuccessFormatted = lastSuccessFormatted;
    }
    if (f.lastNewEntryAt) {
      view.lastNewEntryAt = f.lastNewEntryAt;
      const lastNewEntryFormatted = format(f.lastNewEntryAt);
      if (lastNewEntryFormatted) view.lastNewEntryFormatted = lastNewEntryFormatted;
    }
    if (f.pendingRedirect) view.redirectTo = f.pendingRedirect.to;
    views.set(f.id, view);
  }
  return views;
}

function normalizeIso(value: string | undefined): string | undefined {
  if (!value) return undefined;
  // The store's own form (toISOString) needs no parsing.
  if (value.length === 24 && value[10] === 'T' && value.endsWith('Z')) return value;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** The archive page of a day key 'YYYY-MM-DD', from the site root. */
export function dayArchivePath(day: string): string {
  const [y, m, d] = day.split('-');
  return `archive/${y}/${m}/${d}/index.html`;
}

/** Day headings made so far (a day is titled several times per build: its page, its neighbours). */
const dayTitles = new Map<string, string>();

/** A day key's heading in the site's dateFormat and language (the day's noon, in its zone). */
export function dayTitle(day: string, site: SiteSettings): string {
  const key = `${site.timezone}\u0000${site.dateFormat}\u0000${siteLanguage(site)}\u0000${day}`;
  let title = dayTitles.get(key);
  if (title === undefined) {
    const [y, m, d] = day.split('-').map(Number) as [number, number, number];
    const noon = zonedTimeToUtc(y, m, d, site.timezone, 12);
    title = strftime(noon, site.dateFormat, site.timezone, siteLanguage(site));
    if (dayTitles.size > 100_000) dayTitles.clear();
    dayTitles.set(key, title);
  }
  return title;
}

/** A month key's heading ('February 2012', in the site's language). */
export function monthTitle(month: string, site: SiteSettings): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return strftime(new Date(Date.UTC(y, m - 1, 15)), '%B %Y', 'UTC', siteLanguage(site));
}

/** The archive page of a month key 'YYYY-MM', from the site root. */
export function monthArchivePath(month: string): string {
  const [y, m] = month.split('-');
  return `archive/${y}/${m}/index.html`;
}

function plainTitle(entry: StoredEntry): string | undefined {
  const raw = entry.title?.trim();
  if (!raw) return undefined;
  const type = entry.titleDetail?.type ?? 'text/plain';
  // An HTML title ("<em>PEP</em> 8 &amp; you") is shown as its text; escaping happens on output.
  return type.includes('html') ? htmlToText(raw) : raw.replace(/\s+/g, ' ');
}

/** Ids that are global by their scheme: a web address, a URN, a tag URI (RFC 4151). */
const GLOBAL_ID =
  /^(?:https?:\/\/[^\s/?#]+|urn:[a-z0-9][a-z0-9-]{0,31}:|tag:[^\s,:]+,\d{4}(?:-\d{2}){0,2}:)\S*$/i;

/** The entry's own id in its feed (RSS guid, Atom id), when it had one. */
export function sourceId(entry: Pick<StoredEntry, 'key'>): string | undefined {
  return entry.key.startsWith('id:') ? entry.key.slice(3) : undefined;
}

/** A name-based (version 5) UUID: the same name always gives the same id. */
function uuidV5(name: string): string {
  // The RFC 4122 namespace for URLs; any fixed namespace would do.
  const namespace = Buffer.from('6ba7b8119dad11d180b400c04fd430c8', 'hex');
  const h = createHash('sha1').update(namespace).update(name, 'utf8').digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x50;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The id an entry carries in the feeds Orrery writes: a valid IRI, stable across builds and
 * unique across the planet. The source's own id when its scheme makes it global (http(s),
 * urn:, tag:); otherwise (a bare "1", or no id at all) a tag URI minted from the planet's
 * host, the entry's first-seen day, its feed and its key in that feed, or, for a planet
 * without a public link, a UUID named by the same.
 */
export function outputId(
  entry: Pick<StoredEntry, 'key' | 'feedId' | 'firstSeenAt'>,
  site: Pick<SiteSettings, 'link' | 'name'>,
): string {
  const own = sourceId(entry);
  if (own !== undefined && GLOBAL_ID.test(own)) return own;
  const key =
    entry.key.length > 120 ? createHash('sha1').update(entry.key).digest('hex') : entry.key;
  const host = site.link ? new URL(site.link).hostname : '';
  if (host && /^[a-z0-9.-]+$/i.test(host)) {
    const day = toIsoDay(entry.firstSeenAt);
    return `tag:${host},${day}:feed-${entry.feedId}/${encodeURIComponent(key)}`;
  }
  return `urn:uuid:${uuidV5(`orrery\u0000${site.name}\u0000${entry.feedId}\u0000${entry.key}`)}`;
}

const authorities = new Map<string, string>();

/** The host of the site's link, when it can name a tag URI's authority ('' otherwise). */
function _tagAuthority(link: string | undefined): string {
  if (!link) return '';
  let host = authorities.get(link);
  if (host === undefined) {
    host = URL.canParse(link) ? new URL(link).hostname : '';
    if (!/^[a-z0-9.-]+$/i.test(host)) host = '';
    authorities.set(link, host);
  }
  return host;
}

function toIsoDay(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? '2000-01-01' : new Date(t).toISOString().slice(0, 10);
}

/** A language tag when it differs from the site's (case-insensitively), else undefined. */
function otherLanguage(lang: string | undefined, site: string): string | undefined {
  const tag = lang?.trim();
  if (!tag || !/^[a-z]{1,8}(?:-[a-z0-9]{1,8})*$/i.test(tag)) return undefined;
  return tag.toLowerCase() === site.toLowerCase() ? undefined : tag;
}

/**
 * Entry views for rendering, in the order given (newest first), each entry at most once.
 * Which entries are the same post is the store's decision (duplicateOf): two originals that
 * share a link (link posts) are both shown.
 */
export function entryViews(
  entries: readonly StoredEntry[],
  feeds: ReadonlyMap<number, FeedView>,
  site: SiteSettings,
): EntryView[] {
  const views: EntryView[] = [];
  const seen = new Set<number>();
  const slim = new Map<number, EntryFeed>();
  const lang = siteLanguage(site);
  for (const e of entries) {
    const full = feeds.get(e.feedId);
    if (!full || e.duplicateOf !== undefined || seen.has(e.id)) continue;
    const date = new Date(e.date);
    if (Number.isNaN(date.getTime())) continue;
    seen.add(e.id);
    let feed = slim.get(full.id);
    if (!feed) slim.set(full.id, (feed = entryFeed(full)));
    views.push(entryView(e, date, feed, site, lang));
  }
  return views;
}

function entryView(
  e: StoredEntry,
  date: Date,
  feed: EntryFeed,
  site: SiteSettings,
  lang: string,
): EntryView {
  const text = e.content ?? e.summary;
  const isHtml = text !== undefined && /html/.test(text.type);
  const content = text === undefined ? '' : isHtml ? text.value : textToHtml(text.value);
  const plain = isHtml && text ? htmlToText(text.value) : (text?.value ?? '');
  const summarySource =
    e.summary && e.summary !== e.content
      ? /html/.test(e.summary.type)
        ? htmlToText(e.summary.value)
        : e.summary.value
      : plain;
  const title = plainTitle(e);
  const day = dayKey(date, site.timezone);
  const view: EntryView = {
    id: e.id,
    anchor: `e${e.id}`,
    uid: outputId(e, site),
    feed,
    author: e.author?.name?.trim() || feed.name,
    title: title ?? excerpt(plain, 80),
    untitled: title === undefined,
    content,
    text: plain,
    summary: excerpt(summarySource.replace(/\s+/g, ' ').trim(), 300),
    date: date.toISOString(),
    dateFormatted: strftime(date, site.dateFormat, site.timezone, lang),
    timeFormatted: strftime(date, site.timeFormat, site.timezone, lang),
    day,
    archivePath: dayArchivePath(day),
    long: plain.length > LONG_TEXT_CHARS || countImages(content) > LONG_IMAGE_COUNT,
    categories: e.categories.map((c) => c.label ?? c.term).filter((t) => t !== ''),
    enclosures: e.enclosures.map((x) => ({ ...x })),
  };
  const own = sourceId(e);
  if (own !== undefined) view.sourceId = own;
  if (e.author?.uri) view.authorUri = e.author.uri;
  if (e.link) view.link = e.link;
  const titleLang = otherLanguage(e.titleDetail?.language, lang);
  const contentLang = otherLanguage(text?.language, lang);
  if (titleLang) view.titleLang = titleLang;
  if (contentLang) view.lang = contentLang;
  // Normalized here so every output writes the same form, and unreadable dates are dropped.
  const published = normalizeIso(e.published);
  const updated = normalizeIso(e.updated);
  if (published) view.published = published;
  if (updated) view.updated = updated;
  return view;
}

/**
 * Group entries (newest first) into days, and within each day into sections in config order.
 * Entries keep their order inside a group.
 */
export function groupByDay(
  entries: readonly EntryView[],
  sections: readonly SectionView[],
  dayTitle: (key: string) => string = (key) =>
    entries.find((e) => e.day === key)?.dateFormatted ?? key,
): DayGroup[] {
  const order = new Map(sections.map((s, i) => [s.id, i]));
  const days: DayGroup[] = [];
  for (const e of entries) {
    let day = days[days.length - 1];
    if (!day || day.key !== e.day) {
      day = days.find((d) => d.key === e.day);
      if (!day) {
        day = {
          key: e.day,
          title: dayTitle(e.day),
          archivePath: e.archivePath,
          sections: [],
          entries: [],
        };
        days.push(day);
      }
    }
    day.entries.push(e);
    let group = day.sections.find((s) => s.id === e.feed.section);
    if (!group) {
      group = {
        id: e.feed.section,
        slug: e.feed.sectionSlug,
        title: e.feed.sectionTitle,
        entries: [],
      };
      day.sections.push(group);
    }
    group.entries.push(e);
  }
  days.sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
  for (const d of days) {
    d.sections.sort(
      (a, b) =>
        (order.get(a.id) ?? Number.MAX_SAFE_INTEGER) - (order.get(b.id) ?? Number.MAX_SAFE_INTEGER),
    );
  }
  return days;
}

/** Keep entries (newest first) that fall on the newest `days` distinct days. */
export function limitDays(entries: readonly EntryView[], days: number): EntryView[] {
  const seen = new Set<string>();
  const kept: EntryView[] = [];
  for (const e of entries) {
    if (!seen.has(e.day)) {
      if (seen.size >= days) continue;
      seen.add(e.day);
    }
    kept.push(e);
  }
  return kept;
}

export interface HealthReport {
  failing: FeedView[];
  /** Feeds whose newest own post is older than quietDays (or that never brought one). */
  quiet: FeedView[];
  /** Feeds with posts, none of them dated: how long they were quiet cannot be told. */
  undated: FeedView[];
  moved: FeedView[];
  retired: FeedView[];
  ok: number;
  total: number;
  quietDays: number;
}

/** The health report: failing feeds (since when, why), quiet feeds, redirected and gone ones. */
export function healthReport(
  feeds: ReadonlyMap<number, FeedView>,
  fetches: ReadonlyMap<number, readonly FetchRecord[]>,
  site: SiteSettings,
  quietDays = DEFAULT_QUIET_DAYS,
): HealthReport {
  const active = [...feeds.values()].filter((f) => f.active);
  const byName = (a: FeedView, b: FeedView) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : a.id - b.id;
  const failing = active
    .filter((f) => f.status === 'failing')
    .map((f) => ({
      ...f,
      recentFetches: (fetches.get(f.id) ?? []).map((r) => ({
        ...r,
        atFormatted: formatOptional(r.at, site) ?? r.at,
      })),
    }))
    .sort((a, b) => (a.failingSince ?? '').localeCompare(b.failingSince ?? '') || byName(a, b));
  const quiet = active
    .filter((f) => f.status === 'quiet')
    .sort((a, b) => (a.newestPostAt ?? '').localeCompare(b.newestPostAt ?? '') || byName(a, b));
  const undated = active.filter((f) => f.status === 'undated').sort(byName);
  const moved = active
    .filter((f) => f.redirectTo !== undefined || f.previousUrls.length > 0)
    .sort(byName);
  const retired = active.filter((f) => f.status === 'retired').sort(byName);
  return {
    failing,
    quiet,
    undated,
    moved,
    retired,
    ok: active.filter((f) => f.status === 'ok').length,
    total: active.length,
    quietDays,
  };
}

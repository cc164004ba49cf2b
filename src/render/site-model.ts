/**
 * The site model: pure functions from stored feeds and entries to the values templates and
 * feed writers read (entry views, days, sections, health). No I/O; time comes in as `now`.
 */
import type { SectionSettings, SiteSettings } from '../model/settings.js';
import type { FetchRecord, StoredEntry, StoredFeed } from '../model/stored.js';
import { countImages, excerpt, htmlToText, textToHtml } from './html-text.js';
import { dayKey, strftime } from './strftime.js';

/** Content longer than this (in characters of text) is collapsed behind "read more". */
export const LONG_TEXT_CHARS = 1200;
/** Content with more images than this is collapsed behind "read more". */
export const LONG_IMAGE_COUNT = 2;
/** A feed with no new entry for this many days is listed as quiet in the health report. */
export const DEFAULT_QUIET_DAYS = 60;

export interface SectionView {
  id: string;
  /** Folder name under sections/. */
  slug: string;
  title: string;
  description?: string;
  feedCount: number;
}

export type HealthStatus = 'ok' | 'failing' | 'quiet' | 'moved' | 'retired' | 'inactive' | 'new';

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
  face?: string;
  active: boolean;
  retired: boolean;
  entryCount: number;
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

function entryFeed(f: FeedView): EntryFeed {
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
  /** The id feeds out carry: the original guid, else the link, else a urn from the fingerprint. */
  uid: string;
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
  return `${strftime(d, site.dateFormat, site.timezone)} ${strftime(d, site.timeFormat, site.timezone)}`;
}

function formatOptional(iso: string | undefined, site: SiteSettings): string | undefined {
  if (!iso) return undefined;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? undefined : formatDateTime(d, site);
}

/** Classify one feed's health. */
export function feedStatus(feed: StoredFeed, now: Date, quietDays: number): HealthStatus {
  if (!feed.active) return 'inactive';
  if (feed.retired) return 'retired';
  if (feed.consecutiveFailures > 0 || feed.errorCode) return 'failing';
  if (feed.pendingRedirect) return 'moved';
  const quietSince = now.getTime() - quietDays * 86_400_000;
  if (feed.lastNewEntryAt) return Date.parse(feed.lastNewEntryAt) < quietSince ? 'quiet' : 'ok';
  if (!feed.lastSuccessAt) return 'new';
  return Date.parse(feed.createdAt) < quietSince ? 'quiet' : 'ok';
}

/** The view of every feed, keyed by id. */
export function feedViews(
  feeds: readonly StoredFeed[],
  sections: readonly SectionView[],
  site: SiteSettings,
  now: Date,
  quietDays = DEFAULT_QUIET_DAYS,
): Map<number, FeedView> {
  const bySection = new Map(sections.map((s) => [s.id, s]));
  const views = new Map<number, FeedView>();
  for (const f of feeds) {
    const section = bySection.get(f.section);
    const view: FeedView = {
      id: f.id,
      url: f.url,
      name: f.name ?? f.title ?? f.url,
      section: f.section,
      sectionTitle: section?.title ?? f.section,
      sectionSlug: section?.slug ?? sectionSlug(f.section),
      active: f.active,
      retired: f.retired,
      entryCount: f.entryCount,
      status: feedStatus(f, now, quietDays),
      consecutiveFailures: f.consecutiveFailures,
      previousUrls: [...f.previousUrls],
    };
    if (f.title) view.title = f.title;
    if (f.siteLink) view.siteLink = f.siteLink;
    if (f.face) view.face = f.face;
    if (f.errorCode) view.errorCode = f.errorCode;
    if (f.errorMessage) view.errorMessage = f.errorMessage;
    if (f.lastStatus !== undefined) view.lastStatus = f.lastStatus;
    if (f.failingSince) {
      view.failingSince = f.failingSince;
      view.failingSinceFormatted = formatOptional(f.failingSince, site);
    }
    if (f.lastSuccessAt) {
      view.lastSuccessAt = f.lastSuccessAt;
      view.lastSuccessFormatted = formatOptional(f.lastSuccessAt, site);
    }
    if (f.lastNewEntryAt) {
      view.lastNewEntryAt = f.lastNewEntryAt;
      view.lastNewEntryFormatted = formatOptional(f.lastNewEntryAt, site);
    }
    if (f.pendingRedirect) view.redirectTo = f.pendingRedirect.to;
    views.set(f.id, view);
  }
  return views;
}

function normalizeIso(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** The archive page of a day key 'YYYY-MM-DD', from the site root. */
export function dayArchivePath(day: string): string {
  const [y, m, d] = day.split('-');
  return `archive/${y}/${m}/${d}/index.html`;
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

function entryUid(entry: StoredEntry): string {
  if (entry.key.startsWith('id:')) return entry.key.slice(3);
  if (entry.link) return entry.link;
  if (entry.key.startsWith('link:')) return entry.key.slice(5);
  return `urn:orrery:entry:${entry.fingerprint}`;
}

/**
 * Remembers which entries a page (or feed) has shown: the same entry id or canonical link is
 * never rendered twice, even if a store hands it back twice.
 */
export class SeenGuard {
  private readonly ids = new Set<number>();
  private readonly links = new Set<string>();

  /** True the first time an entry is offered, false for a repeat. */
  admit(entry: StoredEntry): boolean {
    if (entry.duplicateOf !== undefined) return false;
    if (this.ids.has(entry.id)) return false;
    const link = entry.canonicalLink ?? entry.link;
    if (link !== undefined && this.links.has(link)) return false;
    this.ids.add(entry.id);
    if (link !== undefined) this.links.add(link);
    return true;
  }
}

/** Entry views for rendering, newest first as given, each entry at most once. */
export function entryViews(
  entries: readonly StoredEntry[],
  feeds: ReadonlyMap<number, FeedView>,
  site: SiteSettings,
  guard: SeenGuard = new SeenGuard(),
): EntryView[] {
  const views: EntryView[] = [];
  const slim = new Map<number, EntryFeed>();
  for (const e of entries) {
    const full = feeds.get(e.feedId);
    if (!full || !guard.admit(e)) continue;
    let feed = slim.get(full.id);
    if (!feed) slim.set(full.id, (feed = entryFeed(full)));
    const date = new Date(e.date);
    if (Number.isNaN(date.getTime())) continue;
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
      uid: entryUid(e),
      feed,
      author: e.author?.name?.trim() || feed.name,
      title: title ?? excerpt(plain, 80),
      untitled: title === undefined,
      content,
      summary: excerpt(summarySource.replace(/\s+/g, ' ').trim(), 300),
      date: date.toISOString(),
      dateFormatted: strftime(date, site.dateFormat, site.timezone),
      timeFormatted: strftime(date, site.timeFormat, site.timezone),
      day,
      archivePath: dayArchivePath(day),
      long: plain.length > LONG_TEXT_CHARS || countImages(content) > LONG_IMAGE_COUNT,
      categories: e.categories.map((c) => c.label ?? c.term).filter((t) => t !== ''),
      enclosures: e.enclosures.map((x) => ({ ...x })),
    };
    if (e.author?.uri) view.authorUri = e.author.uri;
    if (e.link) view.link = e.link;
    // Normalized here so every output writes the same form, and unreadable dates are dropped.
    const published = normalizeIso(e.published);
    const updated = normalizeIso(e.updated);
    if (published) view.published = published;
    if (updated) view.updated = updated;
    views.push(view);
  }
  return views;
}

/**
 * Group entries (newest first) into days, and within each day into sections in config order.
 * Entries keep their order inside a group.
 */
export function groupByDay(
  entries: readonly EntryView[],
  sections: readonly SectionView[],
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
          title: e.dateFormatted,
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

/** A day as the month page lists it: its posts' titles and times only. */
export function dayListing(day: DayGroup) {
  return {
    key: day.key,
    title: day.title,
    archivePath: day.archivePath,
    entries: day.entries.map((e) => ({
      id: e.id,
      anchor: e.anchor,
      feed: { name: e.feed.name },
      author: e.author,
      title: e.title,
      untitled: e.untitled,
      link: e.link,
      date: e.date,
      timeFormatted: e.timeFormatted,
    })),
  };
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
  quiet: FeedView[];
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
  const byName = (a: FeedView, b: FeedView) => a.name.localeCompare(b.name);
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
    .sort((a, b) => (a.lastNewEntryAt ?? '').localeCompare(b.lastNewEntryAt ?? '') || byName(a, b));
  const moved = active
    .filter((f) => f.redirectTo !== undefined || f.previousUrls.length > 0)
    .sort(byName);
  const retired = active.filter((f) => f.status === 'retired').sort(byName);
  const report: HealthReport = {
    failing,
    quiet,
    moved,
    retired,
    ok: active.filter((f) => f.status === 'ok').length,
    total: active.length,
    quietDays,
  };
  return report;
}

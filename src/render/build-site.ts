/**
 * Build the static site from the store, incrementally: front page, section pages, day and
 * month archives with their feeds, subscriptions and health pages, Atom/RSS/JSON feeds, OPML,
 * search index, assets. Every output belongs to a job (a page, a day with its feeds, a search
 * part ...) whose key names everything its files are made from; a job whose key is the one the
 * published site records (publish.ts, `.orrery/state.json`) is kept as it is, the others are
 * made again. The keys come from cheap reads (feeds, per-feed post counts, entry stamps):
 * only the entries of changed jobs are read in full. So a build costs what changed since the
 * last publish, and a full build (`full`, or no usable state) gives the same files.
 */
import { hash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SiteSettings } from '../model/settings.js';
import type { FetchRecord, StoredEntry, StoredFeed } from '../model/stored.js';
import type { Store } from '../store/store.js';
import { renderAtom } from './outputs/atom.js';
import { type FeedOutputMeta, GENERATOR } from './outputs/feed-meta.js';
import { renderJsonFeed } from './outputs/json-feed.js';
import { renderOpml } from './outputs/opml.js';
import { renderRss } from './outputs/rss.js';
import { openPublisher, type Publisher, type SiteState } from './publish.js';
import { createPageRenderer, type PageRenderer, pageCsp } from './render-page.js';
import {
  blockOf,
  MAX_INDEXED_CHARS,
  openSearchIndexer,
  pagefindVersion,
  type SearchIndexer,
  type SearchRecord,
  searchRecord,
  UI_PATHS,
} from './search-index.js';
import {
  type DayGroup,
  DEFAULT_QUIET_DAYS,
  dayArchivePath,
  dayTitle,
  type EntryView,
  entryFeed,
  entryViews,
  type FeedView,
  feedViews,
  formatDateTime,
  groupByDay,
  healthReport,
  lastFetchOf,
  limitDays,
  monthArchivePath,
  monthTitle,
  type SectionView,
  sectionViews,
  siteLanguage,
} from './site-model.js';
import {
  type PlannedBlock,
  type PlannedDay,
  type PlannedMonth,
  planSite,
  type SitePlan,
} from './site-plan.js';
import { loadTheme, type Theme } from './theme.js';
import { absoluteUrl, rootFrom } from './urls.js';

/** The part of the Store that rendering reads. */
export type RenderSource = Pick<
  Store,
  'listFeeds' | 'listEntries' | 'recentFetches' | 'listEntryStamps' | 'feedPostStats'
>;

/**
 * The layout of the files this code writes: part of every job's key, so a change of it
 * (a new Orrery) rebuilds everything. Bump it when the output of the same input changes.
 */
const RENDER_FORMAT = 'render 3';
/** The same for the search records (a new page layout does not index everything again). */
const SEARCH_FORMAT = 'search 1';

export interface BuildSiteOptions {
  source: RenderSource;
  site: SiteSettings;
  /**
   * Accepted for older callers; the site does not depend on the time of the build (the health
   * report speaks of the last fetch), so a build with nothing new writes nothing.
   */
  now?: Date;
  log?: (line: string) => void;
  /** Feeds whose newest post is older than this many days are listed as quiet (default 60). */
  quietDays?: number;
  /** Build the search index (default true). */
  search?: boolean;
  /** Make every file again, whatever the published site records (`orrery build --full`). */
  full?: boolean;
}

export interface BuildReport {
  outputDir: string;
  /** Every job was made again (asked for, or no usable record of the published site). */
  full: boolean;
  /** Files written because they are new or changed. */
  pagesWritten: number;
  /** Files of the site left as they were. */
  pagesUnchanged: number;
  /** Files in the site. */
  files: number;
  /** Files of the previous site that are gone. */
  filesRemoved: number;
  /** Site paths of the written files. */
  written: string[];
  /** Site paths of the removed files. */
  removed: string[];
  /** Jobs (pages, days, search parts) made in this build, of all the site's jobs. */
  jobsMade: number;
  jobs: number;
  entries: number;
  /** Whether the site has a search index. */
  search: boolean;
  /** Search parts indexed in this build (the others were kept). */
  searchPartsBuilt: number;
  ms: number;
}

const FEED_FILES = { atom: 'atom.xml', rss: 'rss.xml', json: 'feed.json' } as const;
/** Entries read from the store per call. */
const READ_CHUNK = 1000;

/** A key from parts (strings as they are, anything else as JSON). */
const hashOf = (...parts: unknown[]): string =>
  hash(
    'sha1',
    parts.map((p) => (typeof p === 'string' ? p : (JSON.stringify(p) ?? ''))).join('\u0000'),
    'base64url',
  );

/** What every job of a build shares. */
interface Build {
  source: RenderSource;
  site: SiteSettings;
  /** Made on first use: a build with nothing to render never loads the templates' engine. */
  renderer: () => PageRenderer;
  /** The pages' Content-Security-Policy (the theme's partials/csp.liquid), made once. */
  csp: () => string;
  publisher: Publisher;
  /** The feeds, without their dates in the site's formats (what posts and keys need). */
  feeds: ReadonlyMap<number, FeedView>;
  /** These feeds with their dates in the site's formats too (subscriptions, health pages). */
  fullFeeds: (ids: ReadonlySet<number>) => ReadonlyMap<number, FeedView>;
  sections: SectionView[];
  /** The sections as every page's navigation has them. */
  nav: Array<Omit<SectionView, 'feedCount'>>;
  search: boolean;
  /** Key of everything every page depends on (Orrery, settings, theme, sections). */
  base: string;
  /** Job → key, for the new state. */
  jobs: Record<string, string>;
  /** The published jobs; undefined: make every job. */
  previous: SiteState['jobs'] | undefined;
  made: number;
  log: (line: string) => void;
}

/** Record a job's key; true when it must be made (else its previous files are kept). */
function needs(b: Build, job: string, key: string): boolean {
  b.jobs[job] = key;
  if (b.previous?.[job]?.key === key) {
    b.publisher.keep(job);
    return false;
  }
  b.made++;
  return true;
}

function publicSite(site: SiteSettings) {
  return {
    name: site.name,
    link: site.link,
    owner: site.owner,
    language: siteLanguage(site),
    timezone: site.timezone,
    dateFormat: site.dateFormat,
    timeFormat: site.timeFormat,
  };
}

async function writePage(
  b: Build,
  job: string,
  path: string,
  template: string,
  vars: Record<string, unknown>,
): Promise<void> {
  const html = b.renderer().render(template, {
    site: publicSite(b.site),
    sections: b.nav,
    root: rootFrom(path),
    search: b.search,
    csp: b.csp(),
    ...vars,
    page: { path, ...(vars.page as object) },
  });
  await b.publisher.put(job, path, html);
}

/** The URL of a site path as a feed at `from` links to it: absolute with site.link, else relative. */
function feedLink(site: SiteSettings, from: string, path: string): string {
  return absoluteUrl(site.link, path) ?? `${rootFrom(from)}${path}`;
}

function siteId(site: SiteSettings, path: string): string {
  return absoluteUrl(site.link, path) ?? `urn:orrery:${encodeURIComponent(site.name)}:${path}`;
}

type FeedMeta = Omit<FeedOutputMeta, 'selfUrl' | 'updated' | 'generator' | 'language'>;

/** Atom, RSS (unless `rss` is false) and JSON Feed of `entries` into folder `dir`. */
async function writeFeeds(
  b: Build,
  job: string,
  dir: string,
  meta: FeedMeta,
  entries: readonly EntryView[],
  options: { rss?: boolean; prev?: (file: string) => string | undefined } = {},
): Promise<void> {
  // The newest entry's time, not the build time: an unchanged feed stays byte-identical.
  let newest = 0;
  for (const e of entries) newest = Math.max(newest, Date.parse(e.updated ?? e.date) || 0);
  const hub = b.site.websubHub;
  const base = {
    ...meta,
    language: siteLanguage(b.site),
    updated: new Date(newest).toISOString(),
    generator: GENERATOR,
    // The subscription documents name the hub Orrery pings after a publish ([websub] hub).
    ...(hub ? { hubUrl: hub } : {}),
  };
  const self = (file: string) => absoluteUrl(b.site.link, `${dir}${file}`);
  // The subscription document of an RFC 5005 archived feed: its prev-archive is the newest day.
  const history = (file: string) => {
    const prev = options.prev?.(file);
    return prev ? { history: { archive: false, prev } } : {};
  };
  await b.publisher.put(
    job,
    `${dir}${FEED_FILES.atom}`,
    renderAtom({ ...base, selfUrl: self(FEED_FILES.atom), ...history(FEED_FILES.atom) }, entries),
  );
  if (options.rss !== false) {
    await b.publisher.put(
      job,
      `${dir}${FEED_FILES.rss}`,
      renderRss({ ...base, selfUrl: self(FEED_FILES.rss) }, entries),
    );
  }
  await b.publisher.put(
    job,
    `${dir}${FEED_FILES.json}`,
    renderJsonFeed(
      { ...base, jsonUrl: self(FEED_FILES.json), ...history(FEED_FILES.json) },
      entries,
    ),
  );
}

/** The entries with these ids, read in chunks, as views keyed by id. */
async function readViews(b: Build, ids: readonly number[]): Promise<Map<number, EntryView>> {
  const out = new Map<number, EntryView>();
  for (let i = 0; i < ids.length; i += READ_CHUNK) {
    const stored: StoredEntry[] = await b.source.listEntries({ ids: ids.slice(i, i + READ_CHUNK) });
    for (const v of entryViews(stored, b.feeds, b.site)) out.set(v.id, v);
  }
  return out;
}

function pick(views: ReadonlyMap<number, EntryView>, ids: readonly number[]): EntryView[] {
  const out: EntryView[] = [];
  for (const id of ids) {
    const v = views.get(id);
    if (v) out.push(v);
  }
  return out;
}

/** A day's archive page. */
async function writeDay(b: Build, day: PlannedDay, group: DayGroup | undefined, monthKey: string) {
  const link = (key: string | undefined) =>
    key ? { title: dayTitle(key, b.site), path: dayArchivePath(key) } : undefined;
  await writePage(b, `day:${day.key}`, dayArchivePath(day.key), 'day.liquid', {
    page: { kind: 'day', title: dayTitle(day.key, b.site) },
    days: group ? [group] : [],
    month: { title: monthTitle(monthKey, b.site), path: monthArchivePath(monthKey) },
    newer: link(day.newer),
    older: link(day.older),
  });
}

/** The folder of a month's archive ('archive/2012/02/'). */
const monthDir = (key: string) => monthArchivePath(key).replace(/index\.html$/, '');

/**
 * A month's RFC 5005 archive documents (Atom, JSON Feed): its posts, newest first, linked to
 * the older and newer months' and to the subscription document; one per month, so a reader
 * pages back through the whole archive in a few requests.
 */
async function writeMonthFeeds(
  b: Build,
  month: PlannedMonth,
  entries: readonly EntryView[],
): Promise<void> {
  const dir = monthDir(month.key);
  const path = `${dir}index.html`;
  let newest = 0;
  for (const e of entries) newest = Math.max(newest, Date.parse(e.updated ?? e.date) || 0);
  for (const file of [FEED_FILES.atom, FEED_FILES.json]) {
    const history = {
      archive: true,
      current: feedLink(b.site, path, file),
      ...(month.older ? { prev: feedLink(b.site, path, `${monthDir(month.older)}${file}`) } : {}),
      ...(month.newer ? { next: feedLink(b.site, path, `${monthDir(month.newer)}${file}`) } : {}),
    };
    const meta = {
      title: `${b.site.name} — ${monthTitle(month.key, b.site)}`,
      id: siteId(b.site, dir),
      language: siteLanguage(b.site),
      htmlUrl: absoluteUrl(b.site.link, path),
      updated: new Date(newest).toISOString(),
      generator: GENERATOR,
      history,
      ...(b.site.owner ? { owner: b.site.owner } : {}),
    };
    const selfUrl = absoluteUrl(b.site.link, `${dir}${file}`);
    await b.publisher.put(
      `month-feeds:${month.key}`,
      `${dir}${file}`,
      file === FEED_FILES.atom
        ? renderAtom({ ...meta, ...(selfUrl ? { selfUrl } : {}) }, entries)
        : renderJsonFeed({ ...meta, ...(selfUrl ? { jsonUrl: selfUrl } : {}) }, entries),
    );
  }
}

/** The archive: every changed day (page and feeds) and month page, then the index of months. */
async function writeArchive(
  b: Build,
  plan: SitePlan,
  search: SearchPlan | undefined,
): Promise<void> {
  for (const month of plan.months) await writeMonth(b, month, search);
  await writeArchiveIndex(b, plan);
}

async function writeMonth(
  b: Build,
  month: PlannedMonth,
  search: SearchPlan | undefined,
): Promise<void> {
  const dirtyDays = month.days.filter((d) =>
    needs(b, `day:${d.key}`, hashOf('day', b.base, d.sig, d.newer, d.older)),
  );
  const counts = month.days.map((d) => [d.key, d.ids.length]);
  const pageDirty = needs(
    b,
    `month:${month.key}`,
    hashOf('month', b.base, counts, month.newer, month.older),
  );
  const feedsDirty = needs(
    b,
    `month-feeds:${month.key}`,
    hashOf('month-feeds', b.base, month.sig, month.newer, month.older),
  );
  if (pageDirty) await writeMonthPage(b, month);
  if (!feedsDirty && dirtyDays.length === 0) return;
  // The month's feeds hold every post of the month: read them all; else only the days made.
  const views = await readViews(
    b,
    (feedsDirty ? month.days : dirtyDays).flatMap((d) => d.ids),
  );
  collectRecords(search, views.values());
  const title = (key: string) => dayTitle(key, b.site);
  for (const day of dirtyDays) {
    const group = groupByDay(pick(views, day.ids), b.sections, title)[0];
    await writeDay(b, day, group, month.key);
  }
  if (feedsDirty) {
    await writeMonthFeeds(
      b,
      month,
      month.days.flatMap((d) => pick(views, d.ids)),
    );
  }
}

/** A month's page: its days and how many posts each has (the days' pages hold the posts). */
async function writeMonthPage(b: Build, month: PlannedMonth): Promise<void> {
  const link = (key: string | undefined) =>
    key ? { title: monthTitle(key, b.site), path: monthArchivePath(key) } : undefined;
  const path = monthArchivePath(month.key);
  const monthName = monthTitle(month.key, b.site);
  await writePage(b, `month:${month.key}`, path, 'month.liquid', {
    page: { kind: 'month', title: monthName },
    month: {
      key: month.key,
      title: monthName,
      path,
      count: month.count,
      feeds: {
        atom: `${monthDir(month.key)}${FEED_FILES.atom}`,
        json: `${monthDir(month.key)}${FEED_FILES.json}`,
      },
    },
    days: month.days.map((d) => ({
      key: d.key,
      title: dayTitle(d.key, b.site),
      archivePath: dayArchivePath(d.key),
      count: d.ids.length,
    })),
    newer: link(month.newer),
    older: link(month.older),
  });
}

async function writeArchiveIndex(b: Build, plan: SitePlan): Promise<void> {
  const counts = plan.months.map((m) => [m.key, m.count]);
  if (!needs(b, 'archive', hashOf('archive', b.base, counts))) return;
  const years: Array<{
    year: string;
    months: Array<{ key: string; title: string; path: string; count: number }>;
  }> = [];
  for (const m of plan.months) {
    const year = m.key.slice(0, 4);
    let group = years[years.length - 1];
    if (group?.year !== year) years.push((group = { year, months: [] }));
    group.months.push({
      key: m.key,
      title: monthTitle(m.key, b.site),
      path: monthArchivePath(m.key),
      count: m.count,
    });
  }
  await writePage(b, 'archive', 'archive/index.html', 'archive.liquid', {
    page: { kind: 'archive', title: 'Archive' },
    years,
    total: plan.entries,
  });
}

/**
 * The search index, part by part: a part whose entries (and their feeds' names, their days)
 * are as published keeps its bundle; the others are indexed again. Returns the bundle folders,
 * newest first (the search page loads the first and merges the others).
 */
/**
 * The search parts to index again, and the records of their posts met while the archive was
 * made (written to a file per part in the stage, so a full build neither holds every post's
 * text in memory nor reads every post twice).
 */
interface SearchPlan {
  indexer: SearchIndexer;
  key: string;
  /** Block (by its first id) → its record file, for the blocks to index again. */
  spills: Map<number, string>;
  blocks: readonly PlannedBlock[];
  /** Ids whose block is to be indexed again. */
  wanted: (id: number) => number | undefined;
}

async function planSearch(b: Build, plan: SitePlan, indexer: SearchIndexer): Promise<SearchPlan> {
  const key = hashOf(
    'search',
    SEARCH_FORMAT,
    await pagefindVersion(),
    siteLanguage(b.site),
    b.site.timezone,
    MAX_INDEXED_CHARS,
  );
  const dirty = plan.blocks.filter((block) =>
    needs(b, `search:${block.dir}`, hashOf(key, block.sig)),
  );
  const spills = new Map<number, string>();
  if (dirty.length > 0) mkdirSync(b.publisher.scratchDir, { recursive: true });
  for (const block of dirty) {
    spills.set(block.start, join(b.publisher.scratchDir, `search-${block.start}.jsonl`));
  }
  return {
    indexer,
    key,
    spills,
    blocks: dirty,
    wanted: (id) => (spills.size === 0 ? undefined : blockOf(id, dirty)?.start),
  };
}

/** Keep the records of posts whose part is to be indexed again. */
function collectRecords(search: SearchPlan | undefined, views: Iterable<EntryView>): void {
  if (!search || search.spills.size === 0) return;
  const lines = new Map<number, string[]>();
  for (const v of views) {
    const start = search.wanted(v.id);
    if (start === undefined) continue;
    let list = lines.get(start);
    if (!list) lines.set(start, (list = []));
    list.push(JSON.stringify([v.id, searchRecord(v)]));
  }
  for (const [start, list] of lines)
    appendFileSync(search.spills.get(start)!, `${list.join('\n')}\n`);
}

/**
 * Index again the parts whose posts changed (with the records met, and the posts the archive
 * did not read), keep the others. Returns the bundle folders, newest first (the search page
 * loads the first and merges the others).
 */
async function writeSearch(
  b: Build,
  plan: SitePlan,
  search: SearchPlan,
): Promise<{ indexes: string[]; built: number }> {
  for (const block of search.blocks) {
    const job = `search:${block.dir}`;
    const records = new Map<number, SearchRecord>();
    const spill = search.spills.get(block.start)!;
    if (existsSync(spill)) {
      for (const line of readFileSync(spill, 'utf8').split('\n')) {
        if (line === '') continue;
        const [id, record] = JSON.parse(line) as [number, SearchRecord];
        records.set(id, record);
      }
      unlinkSync(spill);
    }
    const missing = block.ids.filter((id) => !records.has(id));
    for (let i = 0; i < missing.length; i += READ_CHUNK) {
      const views = await readViews(b, missing.slice(i, i + READ_CHUNK));
      for (const v of views.values()) records.set(v.id, searchRecord(v));
    }
    const part = await search.indexer.begin();
    const ordered: SearchRecord[] = [];
    for (const id of block.ids) {
      const r = records.get(id);
      if (r) ordered.push(r);
    }
    await part.add(ordered);
    for (const path of await part.write(b.publisher.stageDir, block.dir)) {
      await b.publisher.adopt(job, path);
    }
  }
  if (plan.blocks.length > 0 && needs(b, 'search-ui', search.key)) {
    await search.indexer.writeUi(b.publisher.stageDir);
    for (const path of UI_PATHS) await b.publisher.adopt('search-ui', path);
  }
  const built = search.blocks.length;
  if (built > 0) b.log(`render: ${built} of ${plan.blocks.length} search parts indexed`);
  return { indexes: plan.blocks.map((p) => p.dir).reverse(), built };
}

/** The newest `count` entries of active feeds (in one section, when given), in river order. */
async function newest(
  b: Build,
  plan: SitePlan,
  feedOf: ReadonlyMap<number, number>,
  count: number,
  section?: string,
): Promise<EntryView[]> {
  const ids: number[] = [];
  for (const day of plan.days) {
    for (const id of day.ids) {
      const feed = b.feeds.get(feedOf.get(id) ?? -1);
      if (feed?.active && (section === undefined || feed.section === section)) ids.push(id);
      if (ids.length >= count) break;
    }
    if (ids.length >= count) break;
  }
  return pick(await readViews(b, ids), ids);
}

/** Every feed, those a health report lists with their dates formatted (the others need none). */
function withDates(b: Build, report: ReturnType<typeof healthReport>): Map<number, FeedView> {
  const ids = new Set<number>();
  for (const list of [report.failing, report.quiet, report.undated, report.moved, report.retired]) {
    for (const f of list) ids.add(f.id);
  }
  return new Map([...b.feeds, ...b.fullFeeds(ids)]);
}

/** A feed as the subscriptions page lists it. */
function subscriptionView(f: FeedView) {
  const { id, url, name, title, siteLink, face, section, sectionTitle, sectionSlug } = f;
  return {
    ...{ id, url, name, title, siteLink, face, section, sectionTitle, sectionSlug },
    ...{ status: f.status, retired: f.retired, entryCount: f.entryCount },
    ...{ newestPostAt: f.newestPostAt, newestPostFormatted: f.newestPostFormatted },
  };
}

/** Front page, section pages, their feeds, subscriptions, health, OPML, search page. */
async function writeHead(
  b: Build,
  plan: SitePlan,
  context: {
    feedOf: ReadonlyMap<number, number>;
    stored: readonly StoredFeed[];
    asOf: Date | undefined;
    quietDays: number;
    indexes: string[];
  },
): Promise<void> {
  const { site } = b;
  const active = [...b.feeds.values()].filter((f) => f.active);
  const collator = new Intl.Collator(siteLanguage(site));
  const byName = (x: FeedView, y: FeedView) => collator.compare(x.name, y.name) || x.id - y.id;
  const activeIds = active.map((f) => f.id);
  const river = hashOf('river', b.base, plan.sig, activeIds);
  const newestMonth = plan.months[0]?.key;
  const newestArchive = (from: string) => (file: string) =>
    newestMonth ? feedLink(site, from, `${monthDir(newestMonth)}${file}`) : undefined;

  if (needs(b, 'front', river)) {
    const recent = await newest(b, plan, context.feedOf, site.itemsPerPage);
    await writePage(b, 'front', 'index.html', 'index.liquid', {
      page: { kind: 'front', title: site.name, feeds: FEED_FILES },
      days: groupByDay(limitDays(recent, site.daysPerPage), b.sections, (k) => dayTitle(k, site)),
      entries: recent,
    });
    await writeFeeds(
      b,
      'front',
      '',
      {
        title: site.name,
        id: siteId(site, ''),
        ...(absoluteUrl(site.link, '') ? { htmlUrl: absoluteUrl(site.link, '')! } : {}),
        ...(site.owner ? { owner: site.owner } : {}),
      },
      recent,
      { prev: newestArchive(FEED_FILES.atom) },
    );
  }

  for (const section of b.sections) {
    const job = `section:${section.slug}`;
    const members = active
      .filter((f) => f.section === section.id)
      .sort(byName)
      .map(entryFeed);
    if (!needs(b, job, hashOf(river, section, members))) continue;
    const dir = `sections/${section.slug}/`;
    const list = await newest(b, plan, context.feedOf, site.itemsPerPage, section.id);
    await writePage(b, job, `${dir}index.html`, 'section.liquid', {
      page: { kind: 'section', title: section.title, feeds: FEED_FILES },
      section,
      days: groupByDay(limitDays(list, site.daysPerPage), b.sections, (k) => dayTitle(k, site)),
      entries: list,
      feeds: members,
    });
    await writeFeeds(
      b,
      job,
      dir,
      {
        title: `${site.name} — ${section.title}`,
        ...(section.description ? { subtitle: section.description } : {}),
        id: siteId(site, dir),
        ...(absoluteUrl(site.link, dir) ? { htmlUrl: absoluteUrl(site.link, dir)! } : {}),
        ...(site.owner ? { owner: site.owner } : {}),
      },
      list,
    );
  }

  // Health and subscriptions: every feed's state and its last fetch (asOf moves on every fetch).
  const health = hashOf(
    'health',
    b.base,
    [...b.feeds.values()],
    context.stored.map((f) => [f.id, f.lastFetchedAt]),
    context.asOf?.toISOString(),
  );
  // The subscriptions page shows each feed's name, status and posts, not its fetches: it is
  // made again when those change, not after every fetch.
  // (The key takes the feeds without their formatted dates, which follow from the raw ones.)
  const subscriptions = (views: ReadonlyMap<number, FeedView>) =>
    b.sections
      .map((sec) => ({
        ...sec,
        feeds: active
          .filter((f) => f.section === sec.id)
          .sort(byName)
          .map((f) => subscriptionView(views.get(f.id)!)),
      }))
      .filter((sec) => sec.feeds.length > 0);
  if (needs(b, 'about', hashOf('about', b.base, subscriptions(b.feeds)))) {
    await writePage(b, 'about', 'about/index.html', 'about.liquid', {
      page: { kind: 'about', title: 'Subscriptions' },
      groups: subscriptions(b.fullFeeds(new Set(active.map((f) => f.id)))),
      feedCount: active.length,
    });
  }
  if (needs(b, 'health', health)) {
    const fetches = new Map<number, FetchRecord[]>();
    for (const f of active) {
      if (f.status === 'failing') fetches.set(f.id, await b.source.recentFetches(f.id, 5));
    }
    await writePage(b, 'health', 'health/index.html', 'health.liquid', {
      page: { kind: 'health', title: 'Feed health' },
      health: healthReport(
        withDates(b, healthReport(b.feeds, fetches, site)),
        fetches,
        site,
        context.quietDays,
      ),
      generated: context.asOf ? formatDateTime(context.asOf, site) : undefined,
    });
  }

  const opmlFeeds = active.map((f) => ({
    url: f.url,
    name: f.name,
    ...(f.title ? { title: f.title } : {}),
    ...(f.siteLink ? { siteLink: f.siteLink } : {}),
    section: f.section,
  }));
  if (needs(b, 'opml', hashOf('opml', b.base, opmlFeeds))) {
    await b.publisher.put('opml', 'opml.xml', renderOpml(opmlFeeds, site));
  }

  if (needs(b, 'search-page', hashOf('search-page', b.base, context.indexes))) {
    await writePage(b, 'search-page', 'search/index.html', 'search.liquid', {
      page: { kind: 'search', title: 'Search' },
      indexes: context.indexes,
    });
  }
}

/** The inputs every page shares: Orrery, the settings, the theme, the sections. */
function baseKey(
  site: SiteSettings,
  theme: Theme,
  sections: readonly SectionView[],
  extra: unknown,
): string {
  const { outputDir: _out, themeDir: _theme, ...settings } = site;
  return hashOf(
    RENDER_FORMAT,
    GENERATOR.version,
    settings,
    siteLanguage(site),
    theme.hash,
    sections.map(({ feedCount: _n, ...s }) => s),
    extra,
  );
}

/** Build the site into site.outputDir, publishing only what changed since the last publish. */
export async function buildSite(options: BuildSiteOptions): Promise<BuildReport> {
  const started = performance.now();
  const { source, site } = options;
  const log = options.log ?? (() => {});
  const quietDays = options.quietDays ?? DEFAULT_QUIET_DAYS;
  const theme = await loadTheme(site.themeDir);
  let renderer: PageRenderer | undefined;
  let csp: string | undefined;
  const publisher = await openPublisher(site.outputDir, { log });
  let indexer: SearchIndexer | undefined;
  try {
    const stored = await source.listFeeds({ includeInactive: true });
    const posts = new Map((await source.feedPostStats()).map((p) => [p.feedId, p]));
    const stamps = await source.listEntryStamps();
    const asOf = lastFetchOf(stored);
    const sections = sectionViews(site.sections, stored);
    const feeds = feedViews(stored, sections, site, { posts, asOf, quietDays, formatted: false });
    const feedSigs = new Map([...feeds].map(([id, f]) => [id, hashOf(entryFeed(f))]));
    const plan = planSite(stamps, feedSigs, site.timezone);
    const search = options.search !== false;
    const base = baseKey(site, theme, sections, { quietDays, search });
    const previous = options.full ? undefined : publisher.previous?.jobs;
    const b: Build = {
      source,
      site,
      renderer: () => (renderer ??= createPageRenderer(theme, site)),
      csp: () => (csp ??= pageCsp((renderer ??= createPageRenderer(theme, site)), site)),
      publisher,
      feeds,
      fullFeeds: (ids) =>
        feedViews(
          stored.filter((f) => ids.has(f.id)),
          sections,
          site,
          { posts, asOf, quietDays },
        ),
      sections,
      nav: sections.map(({ feedCount: _n, ...s }) => s),
      search,
      base,
      jobs: {},
      previous,
      made: 0,
      log,
    };
    log(
      `render: ${site.outputDir}: ${feeds.size} feeds, ${plan.entries} entries, ${plan.days.length} days${previous ? '' : ' (full build)'}`,
    );

    indexer = search ? await openSearchIndexer(siteLanguage(site), log) : undefined;
    const searchPlan = indexer ? await planSearch(b, plan, indexer) : undefined;
    await writeArchive(b, plan, searchPlan);
    const searched = searchPlan
      ? await writeSearch(b, plan, searchPlan)
      : { indexes: [], built: 0 };
    const feedOf = new Map(stamps.map((s) => [s.id, s.feedId]));
    await writeHead(b, plan, { feedOf, stored, asOf, quietDays, indexes: searched.indexes });
    if (needs(b, 'assets', base)) {
      for (const [path, file] of theme.assets)
        await publisher.put('assets', path, await readFile(file));
    }

    const published = await publisher.commit(base, b.jobs);
    const report: BuildReport = {
      outputDir: published.outputDir,
      full: previous === undefined,
      pagesWritten: published.written.length,
      pagesUnchanged: published.files - published.written.length,
      files: published.files,
      filesRemoved: published.removed.length,
      written: published.written,
      removed: published.removed,
      jobsMade: b.made,
      jobs: Object.keys(b.jobs).length,
      entries: plan.entries,
      search: searched.indexes.length > 0,
      searchPartsBuilt: searched.built,
      ms: Math.round(performance.now() - started),
    };
    log(
      `render: ${report.jobsMade} of ${report.jobs} jobs made; ${report.files} files (${report.pagesWritten} written, ${report.filesRemoved} removed) in ${report.ms} ms`,
    );
    return report;
  } catch (error) {
    await publisher.abort();
    throw error;
  } finally {
    await indexer?.close();
  }
}

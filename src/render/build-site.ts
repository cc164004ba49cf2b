/**
 * Build the whole static site from the store: front page, section pages, day and month
 * archives, subscriptions and health pages, Atom/RSS/JSON feeds, OPML, search index, assets.
 * Everything is written through the atomic site writer (see write-site.ts).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { SiteSettings } from '../model/settings.js';
import type { FetchRecord, StoredEntry } from '../model/stored.js';
import type { Store } from '../store/store.js';
import { renderAtom } from './outputs/atom.js';
import { type FeedOutputMeta, GENERATOR } from './outputs/feed-meta.js';
import { renderJsonFeed } from './outputs/json-feed.js';
import { renderOpml } from './outputs/opml.js';
import { renderRss } from './outputs/rss.js';
import { createPageRenderer, type PageRenderer } from './render-page.js';
import {
  buildSearchParts,
  type IndexedPage,
  PART_BYTES,
  pagefindVersion,
  planSearchParts,
  type SearchPart,
} from './search-index.js';
import {
  type DayGroup,
  DEFAULT_QUIET_DAYS,
  dayListing,
  type EntryView,
  entryViews,
  type FeedView,
  feedViews,
  formatDateTime,
  groupByDay,
  healthReport,
  limitDays,
  monthArchivePath,
  type SectionView,
  SeenGuard,
  sectionViews,
} from './site-model.js';
import { dayKey, strftime, zonedTimeToUtc } from './strftime.js';
import { loadTheme } from './theme.js';
import { absoluteUrl, rootFrom } from './urls.js';
import { type FileFacts, openSiteWriter, type SiteWriter } from './write-site.js';

/** The part of the Store that rendering reads. */
export type RenderSource = Pick<
  Store,
  'listFeeds' | 'listEntries' | 'countEntries' | 'recentFetches'
>;

export interface BuildSiteOptions {
  source: RenderSource;
  site: SiteSettings;
  now: Date;
  log?: (line: string) => void;
  /** Feeds without a new entry for this many days are listed as quiet (default 60). */
  quietDays?: number;
  /** Build the Pagefind search index (default true). */
  search?: boolean;
  /** HTML bytes of day pages per search part (default PART_BYTES; tests make it small). */
  searchPartBytes?: number;
}

export interface BuildReport {
  outputDir: string;
  /** Files written because they are new or changed. */
  pagesWritten: number;
  /** Files kept byte-identical from the previous build (hard-linked, mtime kept). */
  pagesUnchanged: number;
  /** Files in the new site. */
  files: number;
  /** Files of the previous site that are gone. */
  filesRemoved: number;
  /** Site paths of the written files. */
  written: string[];
  entries: number;
  /** Whether the search index is in the site (built now or kept). */
  search: boolean;
  /** Search parts indexed by Pagefind in this build (the others were kept). */
  searchPartsBuilt: number;
  ms: number;
}

interface PageContext {
  renderer: PageRenderer;
  writer: SiteWriter;
  site: SiteSettings;
  sections: SectionView[];
  hasSearch: boolean;
  /** Hash of the theme's templates and Orrery's version: a change re-renders every page. */
  themeHash: string;
}

const FEED_FILES = { atom: 'atom.xml', rss: 'rss.xml', json: 'feed.json' } as const;

function publicSite(site: SiteSettings) {
  return {
    name: site.name,
    link: site.link,
    owner: site.owner,
    timezone: site.timezone,
    dateFormat: site.dateFormat,
    timeFormat: site.timeFormat,
  };
}

async function writePage(
  ctx: PageContext,
  path: string,
  template: string,
  vars: Record<string, unknown>,
): Promise<FileFacts> {
  const root = rootFrom(path);
  const all = {
    site: publicSite(ctx.site),
    sections: ctx.sections,
    root,
    search: ctx.hasSearch,
    ...vars,
    page: { path, ...(vars.page as object) },
  };
  // A page made from the same variables by the same theme is the same page: keep the old file
  // without rendering it (the costly part of a rebuild).
  const inputHash = createHash('sha256')
    .update(ctx.themeHash)
    .update(template)
    .update(JSON.stringify(all))
    .digest('base64url');
  return (
    (await ctx.writer.reuse(path, inputHash)) ??
    (await ctx.writer.write(path, await ctx.renderer.render(template, all), inputHash))
  );
}

async function writeFeeds(
  ctx: PageContext,
  dir: string,
  meta: Omit<FeedOutputMeta, 'selfUrl' | 'updated' | 'generator'>,
  entries: EntryView[],
): Promise<void> {
  // The newest entry's time, not the build time: an unchanged feed stays byte-identical.
  let newest = 0;
  for (const e of entries) newest = Math.max(newest, Date.parse(e.updated ?? e.date) || 0);
  const updated = new Date(newest).toISOString();
  const hub = ctx.site.websubHub;
  const base = { ...meta, updated, generator: GENERATOR, ...(hub ? { hubUrl: hub } : {}) };
  const link = ctx.site.link;
  await ctx.writer.write(
    `${dir}${FEED_FILES.atom}`,
    renderAtom({ ...base, selfUrl: absoluteUrl(link, `${dir}${FEED_FILES.atom}`) }, entries),
  );
  await ctx.writer.write(
    `${dir}${FEED_FILES.rss}`,
    renderRss({ ...base, selfUrl: absoluteUrl(link, `${dir}${FEED_FILES.rss}`) }, entries),
  );
  await ctx.writer.write(
    `${dir}${FEED_FILES.json}`,
    renderJsonFeed({ ...base, jsonUrl: absoluteUrl(link, `${dir}${FEED_FILES.json}`) }, entries),
  );
}

/**
 * The newest `count` entries to show on a river page or feed: only from feeds still in the
 * config (a removed feed's posts stay in the archive only), each once. Asks the store for more
 * when some are left out.
 */
async function newestViews(
  source: RenderSource,
  query: { section?: string },
  count: number,
  feeds: ReadonlyMap<number, FeedView>,
  site: SiteSettings,
): Promise<EntryView[]> {
  const active = new Map([...feeds].filter(([, f]) => f.active));
  for (let limit = count; ; limit *= 4) {
    const stored = await source.listEntries({ ...query, limit });
    const views = entryViews(stored, active, site);
    if (views.length >= count || stored.length < limit) return views.slice(0, count);
  }
}

function siteId(site: SiteSettings, path: string): string {
  return absoluteUrl(site.link, path) ?? `urn:orrery:${encodeURIComponent(site.name)}:${path}`;
}

function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

interface MonthBlock {
  key: string;
  title: string;
  path: string;
  days: DayGroup[];
  count: number;
}

/** Render the archive month by month, newest first, holding one month back for its links. */
async function writeArchive(
  ctx: PageContext,
  source: RenderSource,
  feeds: ReadonlyMap<number, FeedView>,
): Promise<{ months: MonthBlock[]; entries: number; dayPages: IndexedPage[] }> {
  const { site } = ctx;
  const guard = new SeenGuard();
  const months: MonthBlock[] = [];
  let total = 0;
  let cursor: string | undefined;
  let newerDay: DayGroup | undefined;
  let pending: MonthBlock | undefined;
  /** The day pages as written, newest first: what the search index covers. */
  const dayPages: IndexedPage[] = [];

  const flush = async (
    block: MonthBlock,
    olderDay: DayGroup | undefined,
    olderMonth?: MonthBlock,
  ) => {
    for (let i = 0; i < block.days.length; i++) {
      const day = block.days[i]!;
      const newer = i === 0 ? newerDay : block.days[i - 1];
      const older = i === block.days.length - 1 ? olderDay : block.days[i + 1];
      const facts = await writePage(ctx, day.archivePath, 'day.liquid', {
        page: { kind: 'day', title: day.title },
        days: [day],
        month: { title: block.title, path: block.path },
        newer: newer ? { title: newer.title, path: newer.archivePath } : undefined,
        older: older ? { title: older.title, path: older.archivePath } : undefined,
      });
      dayPages.push({ path: day.archivePath, ...facts });
    }
    newerDay = block.days[block.days.length - 1];
    const idx = months.indexOf(block);
    const newerMonth = idx > 0 ? months[idx - 1] : undefined;
    await writePage(ctx, block.path, 'month.liquid', {
      page: { kind: 'month', title: block.title },
      month: { key: block.key, title: block.title, path: block.path, count: block.count },
      days: block.days.map(dayListing),
      newer: newerMonth ? { title: newerMonth.title, path: newerMonth.path } : undefined,
      older: olderMonth ? { title: olderMonth.title, path: olderMonth.path } : undefined,
    });
    // Written: let the month's entries go (only its name and count are needed from here on).
    if (block.days.length > 1) block.days = [block.days[block.days.length - 1]!];
  };

  for (;;) {
    const [newest] = await source.listEntries({ ...(cursor ? { before: cursor } : {}), limit: 1 });
    if (!newest) break;
    if (cursor && Date.parse(newest.date) >= Date.parse(cursor)) {
      throw new Error(
        `render: the store returned an entry dated ${newest.date} for before=${cursor}`,
      );
    }
    const key = dayKey(new Date(newest.date), site.timezone).slice(0, 7);
    const [y, m] = key.split('-').map(Number) as [number, number];
    const since = isoSeconds(zonedTimeToUtc(y, m, 1, site.timezone));
    const stored: StoredEntry[] = await source.listEntries({
      since,
      ...(cursor ? { before: cursor } : {}),
    });
    const views = entryViews(stored, feeds, site, guard).filter((e) => e.day.startsWith(key));
    cursor = since;
    if (views.length === 0) continue;
    total += views.length;
    const block: MonthBlock = {
      key,
      title: strftime(new Date(Date.UTC(y, m - 1, 15)), '%B %Y', 'UTC'),
      path: monthArchivePath(key),
      days: groupByDay(views, ctx.sections),
      count: views.length,
    };
    months.push(block);
    if (pending) await flush(pending, block.days[0], block);
    pending = block;
  }
  if (pending) await flush(pending, undefined);

  const years: Array<{ year: string; months: Array<Omit<MonthBlock, 'days'>> }> = [];
  for (const mb of months) {
    const year = mb.key.slice(0, 4);
    let group = years[years.length - 1];
    if (!group || group.year !== year) years.push((group = { year, months: [] }));
    group.months.push({ key: mb.key, title: mb.title, path: mb.path, count: mb.count });
  }
  await writePage(ctx, 'archive/index.html', 'archive.liquid', {
    page: { kind: 'archive', title: 'Archive' },
    years,
    total,
  });
  return { months, entries: total, dayPages };
}

/**
 * The search index, part by part (see search-index.ts): a part whose day pages' bytes are all
 * unchanged keeps its previous bundle; the others are indexed again. Returns the bundle
 * folders, newest first (the first is the one the search page loads), and how many were built.
 */
async function writeSearchParts(
  ctx: PageContext,
  dayPages: readonly IndexedPage[],
  partBytes: number,
  log: (line: string) => void,
): Promise<{ indexes: string[]; built: number }> {
  const parts = planSearchParts([...dayPages].reverse(), partBytes, await pagefindVersion());
  const stale: SearchPart[] = [];
  for (const part of parts) {
    if (!(await ctx.writer.reuseAll(part.dir, part.inputHash))) stale.push(part);
  }
  if (stale.length > 0) {
    const started = performance.now();
    const ok = await buildSearchParts(
      ctx.writer.tmpDir,
      stale,
      async (part, paths) => {
        for (const p of paths) await ctx.writer.adopt(p, part.inputHash);
      },
      log,
    );
    log(
      `render: ${stale.length} of ${parts.length} search parts indexed in ${Math.round(performance.now() - started)} ms`,
    );
    if (!ok) return { indexes: [], built: 0 };
  }
  return { indexes: parts.map((p) => p.dir).reverse(), built: stale.length };
}

/** Build the site into site.outputDir, atomically replacing the previous build. */
export async function buildSite(options: BuildSiteOptions): Promise<BuildReport> {
  const started = performance.now();
  const { source, site, now } = options;
  const log = options.log ?? (() => {});
  const quietDays = options.quietDays ?? DEFAULT_QUIET_DAYS;

  const allFeeds = await source.listFeeds({ includeInactive: true });
  const sections = sectionViews(site.sections, allFeeds);
  const feeds = feedViews(allFeeds, sections, site, now, quietDays);
  const theme = await loadTheme(site.themeDir);
  const renderer = createPageRenderer(theme.templates, site, {
    defaultEntryPartial: theme.defaults.has('partials/entry.liquid'),
  });
  const writer = await openSiteWriter(site.outputDir, { log });
  log(`render: building ${site.outputDir} (${allFeeds.length} feeds)`);
  const themeHash = createHash('sha256')
    .update(GENERATOR.version)
    .update(JSON.stringify(Object.entries(theme.templates).sort()))
    .digest('base64url');
  const ctx: PageContext = {
    renderer,
    writer,
    site,
    sections,
    hasSearch: options.search !== false,
    themeHash,
  };

  const active = [...feeds.values()].filter((f) => f.active);
  // A section's current feeds, by name: listed on its page and on the subscriptions page.
  const sectionFeeds = (id: string) =>
    active.filter((f) => f.section === id).sort((a, b) => a.name.localeCompare(b.name));

  try {
    // Front page and site feeds: the newest itemsPerPage entries (the page also caps days).
    const recent = await newestViews(source, {}, site.itemsPerPage, feeds, site);
    await writePage(ctx, 'index.html', 'index.liquid', {
      page: { kind: 'front', title: site.name, feeds: FEED_FILES },
      days: groupByDay(limitDays(recent, site.daysPerPage), sections),
      entries: recent,
    });
    await writeFeeds(
      ctx,
      '',
      {
        title: site.name,
        id: siteId(site, ''),
        htmlUrl: absoluteUrl(site.link, ''),
        ...(site.owner ? { owner: site.owner } : {}),
      },
      recent,
    );

    for (const section of sections) {
      const dir = `sections/${section.slug}/`;
      const list = await newestViews(
        source,
        { section: section.id },
        site.itemsPerPage,
        feeds,
        site,
      );
      await writePage(ctx, `${dir}index.html`, 'section.liquid', {
        page: { kind: 'section', title: section.title, feeds: FEED_FILES },
        section,
        days: groupByDay(limitDays(list, site.daysPerPage), sections),
        entries: list,
        feeds: sectionFeeds(section.id),
      });
      await writeFeeds(
        ctx,
        dir,
        {
          title: `${site.name} — ${section.title}`,
          ...(section.description ? { subtitle: section.description } : {}),
          id: siteId(site, dir),
          htmlUrl: absoluteUrl(site.link, dir),
          ...(site.owner ? { owner: site.owner } : {}),
        },
        list,
      );
    }

    const archive = await writeArchive(ctx, source, feeds);

    const bySection = sections
      .map((s) => ({ ...s, feeds: sectionFeeds(s.id) }))
      .filter((s) => s.feeds.length > 0);
    await writePage(ctx, 'about/index.html', 'about.liquid', {
      page: { kind: 'about', title: 'Subscriptions' },
      groups: bySection,
      feedCount: active.length,
    });

    const fetches = new Map<number, FetchRecord[]>();
    for (const f of active) {
      if (f.status === 'failing') fetches.set(f.id, await source.recentFetches(f.id, 5));
    }
    await writePage(ctx, 'health/index.html', 'health.liquid', {
      page: { kind: 'health', title: 'Feed health' },
      health: healthReport(feeds, fetches, site, quietDays),
      generated: formatDateTime(now, site),
    });

    await writer.write(
      'opml.xml',
      renderOpml(
        active.map((f) => ({
          url: f.url,
          name: f.name,
          ...(f.title ? { title: f.title } : {}),
          ...(f.siteLink ? { siteLink: f.siteLink } : {}),
          section: f.section,
        })),
        site,
      ),
    );

    for (const [path, file] of theme.assets) await writer.write(path, await readFile(file));

    const search = ctx.hasSearch
      ? await writeSearchParts(ctx, archive.dayPages, options.searchPartBytes ?? PART_BYTES, log)
      : { indexes: [], built: 0 };
    // After the index: the page lists the parts' bundles, or says search is unavailable.
    await writePage(ctx, 'search/index.html', 'search.liquid', {
      page: { kind: 'search', title: 'Search' },
      indexes: search.indexes,
    });

    const report = await writer.commit();
    const result: BuildReport = {
      outputDir: report.outputDir,
      pagesWritten: report.written.length,
      pagesUnchanged: report.unchanged.length,
      files: report.written.length + report.unchanged.length,
      filesRemoved: report.removed,
      written: report.written,
      entries: archive.entries,
      search: search.indexes.length > 0,
      searchPartsBuilt: search.built,
      ms: Math.round(performance.now() - started),
    };
    log(
      `render: ${result.files} files (${result.pagesWritten} written, ${result.pagesUnchanged} unchanged, ${result.filesRemoved} removed) in ${result.ms} ms`,
    );
    return result;
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

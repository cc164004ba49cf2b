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
import { readFile } from 'node:fs/promises';
import type { SiteSettings } from '../model/settings.js';
import { writeArchive } from './archive-pages.js';
import { type Build, hashOf, needs, type RenderSource } from './build-context.js';
import { GENERATOR } from './outputs/feed-meta.js';
import { openPublisher, siteFailure } from './publish.js';
import { createPageRenderer, type PageRenderer, pageCsp } from './render-page.js';
import { writeHead } from './river-pages.js';
import { planSearch, writeSearch } from './search-build.js';
import { openSearchIndexer, type SearchIndexer } from './search-index.js';
import {
  DEFAULT_QUIET_DAYS,
  entryFeed,
  feedViews,
  lastFetchOf,
  type SectionView,
  sectionViews,
  siteLanguage,
} from './site-model.js';
import { planSite } from './site-plan.js';
import { loadTheme, type Theme } from './theme.js';

/**
 * The layout of the files this code writes: part of every job's key, so a change of it
 * (a new Orrery) rebuilds everything. Bump it when the output of the same input changes.
 */
const RENDER_FORMAT = 'render 3';

export type { RenderSource };

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
    let feedOf: Map<number, number> | undefined;
    await writeHead(b, plan, {
      feedOf: () => (feedOf ??= new Map(stamps.map((s) => [s.id, s.feedId]))),
      stored,
      asOf,
      quietDays,
      indexes: searched.indexes,
    });
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
    throw siteFailure(site.outputDir, error);
  } finally {
    await indexer?.close();
  }
}

/**
 * What the parts of a build share: the Build context (the store, the theme's renderer, the
 * publisher, the feeds, the jobs' keys) and the helpers every page and feed writer uses.
 */
import { hash } from 'node:crypto';
import type { SiteSettings } from '../model/settings.js';
import type { StoredEntry } from '../model/stored.js';
import type { Store } from '../store/store.js';
import { renderAtom } from './outputs/atom.js';
import { type FeedOutputMeta, GENERATOR } from './outputs/feed-meta.js';
import { renderJsonFeed } from './outputs/json-feed.js';
import { renderRss } from './outputs/rss.js';
import type { Publisher, SiteState } from './publish.js';
import type { PageRenderer } from './render-page.js';
import {
  type EntryView,
  entryViews,
  type FeedView,
  monthArchivePath,
  type SectionView,
  siteLanguage,
} from './site-model.js';
import { absoluteUrl, rootFrom } from './urls.js';

/** The part of the Store that rendering reads. */
export type RenderSource = Pick<
  Store,
  'listFeeds' | 'listEntries' | 'recentFetches' | 'listEntryStamps' | 'feedPostStats'
>;

export const FEED_FILES = { atom: 'atom.xml', rss: 'rss.xml', json: 'feed.json' } as const;
/** Entries read from the store per call. */
export const READ_CHUNK = 1000;

/** A key from parts (strings as they are, anything else as JSON). */
export const hashOf = (...parts: unknown[]): string =>
  hash(
    'sha1',
    parts.map((p) => (typeof p === 'string' ? p : (JSON.stringify(p) ?? ''))).join('\u0000'),
    'base64url',
  );

/** What every job of a build shares. */
export interface Build {
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
export function needs(b: Build, job: string, key: string): boolean {
  b.jobs[job] = key;
  if (b.previous?.[job]?.key === key) {
    b.publisher.keep(job);
    return false;
  }
  b.made++;
  return true;
}

export function publicSite(site: SiteSettings) {
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

export async function writePage(
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
export function feedLink(site: SiteSettings, from: string, path: string): string {
  return absoluteUrl(site.link, path) ?? `${rootFrom(from)}${path}`;
}

export function siteId(site: SiteSettings, path: string): string {
  return absoluteUrl(site.link, path) ?? `urn:orrery:${encodeURIComponent(site.name)}:${path}`;
}

export type FeedMeta = Omit<FeedOutputMeta, 'selfUrl' | 'updated' | 'generator' | 'language'>;

/** Atom, RSS and JSON Feed of `entries` into folder `dir` (a subscription document). */
export async function writeFeeds(
  b: Build,
  job: string,
  dir: string,
  meta: FeedMeta,
  entries: readonly EntryView[],
  options: { prev?: (file: string) => string | undefined } = {},
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
  // The subscription document of an RFC 5005 archived feed: its prev-archive is the newest month.
  const history = (file: string) => {
    const prev = options.prev?.(file);
    return prev ? { history: { archive: false, prev } } : {};
  };
  await b.publisher.put(
    job,
    `${dir}${FEED_FILES.atom}`,
    renderAtom({ ...base, selfUrl: self(FEED_FILES.atom), ...history(FEED_FILES.atom) }, entries),
  );
  await b.publisher.put(
    job,
    `${dir}${FEED_FILES.rss}`,
    renderRss({ ...base, selfUrl: self(FEED_FILES.rss) }, entries),
  );
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
export async function readViews(b: Build, ids: readonly number[]): Promise<Map<number, EntryView>> {
  const out = new Map<number, EntryView>();
  for (let i = 0; i < ids.length; i += READ_CHUNK) {
    const stored: StoredEntry[] = await b.source.listEntries({ ids: ids.slice(i, i + READ_CHUNK) });
    for (const v of entryViews(stored, b.feeds, b.site)) out.set(v.id, v);
  }
  return out;
}

export function pick(views: ReadonlyMap<number, EntryView>, ids: readonly number[]): EntryView[] {
  const out: EntryView[] = [];
  for (const id of ids) {
    const v = views.get(id);
    if (v) out.push(v);
  }
  return out;
}

/** The folder of a month's archive ('archive/2012/02/'). */
export const monthDir = (key: string) => monthArchivePath(key).replace(/index\.html$/, '');

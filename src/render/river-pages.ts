/**
 * The pages at the head of the site: the front page and the section pages with their feeds
 * (the newest posts of current subscriptions), the subscriptions and health pages, the OPML
 * and the search page.
 */
import type { FetchRecord, StoredFeed } from '../model/stored.js';
import {
  type Build,
  FEED_FILES,
  feedLink,
  hashOf,
  monthDir,
  needs,
  pick,
  readViews,
  siteId,
  writeFeeds,
  writePage,
} from './build-context.js';
import { renderOpml } from './outputs/opml.js';
import {
  dayTitle,
  type EntryView,
  entryFeed,
  type FeedView,
  formatDateTime,
  groupByDay,
  healthReport,
  limitDays,
  siteLanguage,
} from './site-model.js';
import type { SitePlan } from './site-plan.js';
import { absoluteUrl } from './urls.js';

/** The newest `count` entries of active feeds (in one section, when given), in river order. */
async function newest(
  b: Build,
  plan: SitePlan,
  feedOf: () => ReadonlyMap<number, number>,
  count: number,
  section?: string,
): Promise<EntryView[]> {
  const ids: number[] = [];
  for (const day of plan.days) {
    for (const id of day.ids) {
      const feed = b.feeds.get(feedOf().get(id) ?? -1);
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

/** The site's page for `dir` as a feed's `htmlUrl`, when the site has a link. */
function htmlUrlOf(link: string | undefined, dir: string): { htmlUrl?: string } {
  const htmlUrl = absoluteUrl(link, dir);
  return htmlUrl ? { htmlUrl } : {};
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

/** What the head pages need besides the build: the store's feed rows, the last fetch... */
export interface HeadContext {
  /** Entry id → its feed's id (made when a river page is). */
  feedOf: () => ReadonlyMap<number, number>;
  stored: readonly StoredFeed[];
  asOf: Date | undefined;
  quietDays: number;
  /** The search bundles, newest first. */
  indexes: string[];
}

/** Front page, section pages, their feeds, subscriptions, health, OPML, search page. */
export async function writeHead(b: Build, plan: SitePlan, context: HeadContext): Promise<void> {
  const active = [...b.feeds.values()].filter((f) => f.active);
  const collator = new Intl.Collator(siteLanguage(b.site));
  const byName = (x: FeedView, y: FeedView) => collator.compare(x.name, y.name) || x.id - y.id;
  await writeRiver(b, plan, context, active, byName);
  await writeFeedPages(b, context, active, byName);
  await writeListPages(b, context, active);
}

type ByName = (x: FeedView, y: FeedView) => number;

/** The front page and each section's page, with their feeds: the newest posts of active feeds. */
async function writeRiver(
  b: Build,
  plan: SitePlan,
  context: HeadContext,
  active: readonly FeedView[],
  byName: ByName,
): Promise<void> {
  const { site } = b;
  const river = hashOf(
    'river',
    b.base,
    plan.sig,
    active.map((f) => f.id),
  );
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
        ...htmlUrlOf(site.link, ''),
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
        ...htmlUrlOf(site.link, dir),
        ...(site.owner ? { owner: site.owner } : {}),
      },
      list,
    );
  }
}

/** The subscriptions and health pages: every feed's state. */
async function writeFeedPages(
  b: Build,
  context: HeadContext,
  active: readonly FeedView[],
  byName: ByName,
): Promise<void> {
  const { site } = b;
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
          // biome-ignore lint/style/noNonNullAssertion: views holds a view of every active feed
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
}

/** The OPML of the subscriptions and the search page. */
async function writeListPages(
  b: Build,
  context: HeadContext,
  active: readonly FeedView[],
): Promise<void> {
  const { site } = b;
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

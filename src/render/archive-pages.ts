/**
 * The archive: a page per day with posts, a page and RFC 5005 archive feeds per month, the
 * index of months. Keyed by date, so a new post changes only its own day and month.
 */

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
  writePage,
} from './build-context.js';
import { renderAtom } from './outputs/atom.js';
import { GENERATOR } from './outputs/feed-meta.js';
import { renderJsonFeed } from './outputs/json-feed.js';
import { collectRecords, type SearchPlan } from './search-build.js';
import {
  type DayGroup,
  dayArchivePath,
  dayTitle,
  type EntryView,
  groupByDay,
  monthArchivePath,
  monthTitle,
  siteLanguage,
} from './site-model.js';
import type { PlannedDay, PlannedMonth, SitePlan } from './site-plan.js';
import { absoluteUrl } from './urls.js';

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
export async function writeArchive(
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

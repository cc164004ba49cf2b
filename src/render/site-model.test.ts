import { describe, expect, it } from 'vitest';
import type { StoredEntry } from '../model/stored.js';
import {
  entryViews,
  feedStatus,
  feedViews,
  groupByDay,
  limitDays,
  SeenGuard,
  sectionSlug,
  sectionViews,
} from './site-model.js';
import { FIXTURE_NOW, fixtureData, fixtureSite } from './testdata/planet-fixture.js';

const site = fixtureSite('/tmp/unused');

function model() {
  const data = fixtureData();
  const sections = sectionViews(site.sections, data.feeds);
  const feeds = feedViews(data.feeds, sections, site, FIXTURE_NOW);
  const newestFirst = [...data.entries].sort((a, b) => b.date.localeCompare(a.date));
  return { data, sections, feeds, newestFirst };
}

describe('site model', () => {
  it('never shows an entry twice: duplicates, repeated ids, repeated canonical links', () => {
    const { feeds, newestFirst } = model();
    const first = newestFirst[0]!;
    const views = entryViews([...newestFirst, first], feeds, site);
    const ids = views.map((v) => v.id);
    expect(new Set(ids).size).toBe(ids.length);
    const links = views.map((v) => v.link).filter(Boolean);
    expect(new Set(links).size).toBe(links.length);
    expect(views.some((v) => v.content.includes('duplicate copy'))).toBe(false);
    expect(views.some((v) => v.content.includes('second copy'))).toBe(false);
    expect(views).toHaveLength(newestFirst.length - 2);
  });

  it('a guard shared across calls keeps an entry out of a second list', () => {
    const { feeds, newestFirst } = model();
    const guard = new SeenGuard();
    expect(entryViews(newestFirst.slice(0, 3), feeds, site, guard)).toHaveLength(3);
    // The next two are the stored duplicate (never shown) and the post it duplicates.
    const second = entryViews(newestFirst.slice(0, 5), feeds, site, guard);
    expect(second.map((v) => v.title)).toEqual([
      'This Thursday: a talk on Python, MongoDB, and asynchronous web frameworks',
    ]);
  });

  it('groups days newest first, sections in config order inside a day', () => {
    const { feeds, sections, newestFirst } = model();
    const views = entryViews(newestFirst, feeds, site);
    // Put a GSoC post on the same day as Planet Python posts, listed first.
    const gsoc = views.find((v) => v.feed.section === 'gsoc')!;
    const moved = { ...gsoc, day: '2012-02-06', dateFormatted: '06 Feb 2012' };
    const days = groupByDay([moved, ...views.filter((v) => v !== gsoc)], sections);
    expect(days.map((d) => d.key)).toEqual([...days.map((d) => d.key)].sort().reverse());
    expect(days[0]!.sections.map((s) => s.id)).toEqual(['python', 'gsoc']);
    expect(days[0]!.title).toBe('06 Feb 2012');
    expect(limitDays(views, 2).every((v) => v.day >= '2012-02-05')).toBe(true);
  });

  it('shows HTML titles as text and gives untitled posts an excerpt', () => {
    const { feeds, newestFirst } = model();
    const views = entryViews(newestFirst, feeds, site);
    const zmq = views.find((v) => v.feed.name === 'Stefan Scherfke')!;
    expect(zmq.title).toBe('Designing and Testing PyZMQ Applications & Part 1');
    const untitled = views.find((v) => v.untitled)!;
    expect(untitled.title).toContain('A short note');
  });

  it('marks long and image-heavy posts for "read more"', () => {
    const { feeds, newestFirst } = model();
    const views = entryViews(newestFirst, feeds, site);
    expect(views.find((v) => v.title === 'Working with subprocess')!.long).toBe(true);
    expect(views.find((v) => v.title.startsWith('Amon'))!.long).toBe(true);
    expect(views.find((v) => v.title === 'Automated Database Augmentation')!.long).toBe(false);
  });

  it('classifies feed health', () => {
    const { data } = model();
    const byName = (n: string) => data.feeds.find((f) => f.name === n)!;
    expect(feedStatus(byName('Mike C. Fletcher'), FIXTURE_NOW, 60)).toBe('failing');
    expect(feedStatus(byName('Lightning Fast Shop'), FIXTURE_NOW, 60)).toBe('quiet');
    expect(feedStatus(byName('Greg Taylor'), FIXTURE_NOW, 60)).toBe('moved');
    expect(feedStatus(byName('Tarek Ziade'), FIXTURE_NOW, 60)).toBe('ok');
    expect(feedStatus(byName('Old Blog'), FIXTURE_NOW, 60)).toBe('inactive');
  });

  it('formats times in the site zone', () => {
    const { data, feeds } = model();
    const berlin = { ...site, timezone: 'Europe/Berlin', timeFormat: '%H:%M' };
    const late: StoredEntry = {
      ...data.entries[0]!,
      id: 1,
      date: '2012-02-05T23:30:00Z',
      link: 'https://x.example/1',
      canonicalLink: 'https://x.example/1',
    };
    const [v] = entryViews([late], feeds, berlin);
    expect(v!.day).toBe('2012-02-06');
    expect(v!.timeFormatted).toBe('00:30');
    expect(v!.archivePath).toBe('archive/2012/02/06/index.html');
  });

  it('makes safe section folder names', () => {
    expect(sectionSlug('Planet Python')).toBe('planet-python');
    expect(sectionSlug('../etc')).toBe('etc');
    expect(sectionSlug('')).toBe('section');
  });
});

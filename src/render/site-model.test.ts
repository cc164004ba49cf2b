import { describe, expect, it } from 'vitest';
import type { StoredEntry } from '../model/stored.js';
import {
  entryViews,
  facePath,
  feedStatus,
  feedViews,
  groupByDay,
  lastFetchOf,
  limitDays,
  outputId,
  type PostStats,
  sectionSlug,
  sectionViews,
} from './site-model.js';
import { fixtureData, fixtureSite } from './testdata/planet-fixture.js';

const site = fixtureSite('/tmp/unused');

/** Per-feed post stats as the store gives them (feedPostStats). */
function postStats(data: ReturnType<typeof fixtureData>): Map<number, PostStats> {
  const out = new Map<number, PostStats>();
  for (const e of data.entries) {
    if (e.duplicateOf !== undefined) continue;
    const s = out.get(e.feedId) ?? { entries: 0 };
    s.entries++;
    const own = e.published ?? e.updated;
    if (own && (!s.newestPostDate || own > s.newestPostDate)) s.newestPostDate = own;
    out.set(e.feedId, s);
  }
  return out;
}

function model() {
  const data = fixtureData();
  const sections = sectionViews(site.sections, data.feeds);
  const posts = postStats(data);
  const asOf = lastFetchOf(data.feeds);
  const feeds = feedViews(data.feeds, sections, site, { posts, asOf });
  const newestFirst = [...data.entries].sort((a, b) => b.date.localeCompare(a.date));
  return { data, sections, feeds, newestFirst, posts, asOf };
}

describe('site model', () => {
  it('shows each entry once, never a recorded duplicate; two posts sharing a link are both shown', () => {
    const { feeds, newestFirst } = model();
    const first = newestFirst[0]!;
    const views = entryViews([...newestFirst, first], feeds, site);
    const ids = views.map((v) => v.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(views.some((v) => v.content.includes('duplicate copy'))).toBe(false);
    // The store decides what is the same post: another title under the same link is another post.
    expect(views.some((v) => v.content.includes('second copy'))).toBe(true);
    expect(views).toHaveLength(newestFirst.length - 1);
  });

  it('gives every entry of the feeds out a valid IRI, stable and unique across the planet (fault 3)', () => {
    const at = '2012-02-06T08:00:00.000Z';
    const entry = (feedId: number, key: string) => ({ feedId, key, firstSeenAt: at });
    // Two feeds whose items both have guid "1": two ids, each a tag URI of the planet.
    const a = outputId(entry(1, 'id:1'), site);
    const b = outputId(entry(2, 'id:1'), site);
    expect(a).toBe('tag:planet.example.org,2012-02-06:feed-1/id%3A1');
    expect(b).not.toBe(a);
    expect(outputId(entry(1, 'id:1'), site)).toBe(a);
    // Global ids are kept as they are.
    for (const own of [
      'https://blog.example.org/?p=1',
      'urn:uuid:4cbb5b74-7b8e-4a0c-9a3f-0d2c5e0f6b1e',
      'tag:blog.example.org,2011:post-1',
    ]) {
      expect(outputId(entry(1, `id:${own}`), site)).toBe(own);
    }
    // Not global: a bare word, a made-up scheme, no id at all.
    for (const key of ['id:post:12', 'id:1234-abc', 'link:https://b.example/1', 'hash:abc']) {
      const id = outputId(entry(3, key), site);
      expect(id).toMatch(/^tag:planet\.example\.org,2012-02-06:feed-3\//);
      expect(URL.canParse(id)).toBe(true);
    }
    // Without a public link: a name-based UUID URN.
    const local = { ...site, link: undefined };
    const u = outputId(entry(1, 'id:1'), local);
    expect(u).toMatch(
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(outputId(entry(1, 'id:1'), local)).toBe(u);
    expect(outputId(entry(2, 'id:1'), local)).not.toBe(u);
  });

  it('finds a face where docs/config.md says it is (fault 4)', () => {
    expect(facePath('faces/alice.png')).toBe('faces/alice.png');
    expect(facePath('alice.png')).toBe('faces/alice.png');
    expect(facePath('/img/alice.png')).toBe('img/alice.png');
    expect(facePath('https://cdn.example/a.png')).toBe('https://cdn.example/a.png');
    expect(facePath('//cdn.example/a.png')).toBe('https://cdn.example/a.png');
  });

  it('carries the entry’s own language when it is not the site’s', () => {
    const { data, feeds } = model();
    const arabic: StoredEntry = {
      ...data.entries[0]!,
      titleDetail: { value: 'مرحبا', type: 'text/plain', language: 'ar' },
      title: 'مرحبا',
      content: { value: '<p>نص</p>', type: 'text/html', language: 'ar' },
    };
    const [v] = entryViews([arabic], feeds, site);
    expect(v).toMatchObject({ titleLang: 'ar', lang: 'ar' });
    const [same] = entryViews(
      [{ ...arabic, content: { value: '<p>x</p>', type: 'text/html', language: 'EN' } }],
      feeds,
      site,
    );
    expect(same!.lang).toBeUndefined();
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

  it('classifies feed health, quiet from the posts’ own dates (fault 1)', () => {
    const { data, posts, asOf } = model();
    const status = (n: string) => {
      const f = data.feeds.find((x) => x.name === n)!;
      return feedStatus(f, posts.get(f.id), asOf, 60);
    };
    expect(status('Mike C. Fletcher')).toBe('failing');
    // Its newest entry was first seen in February, but the post is dated October.
    expect(status('Lightning Fast Shop')).toBe('quiet');
    expect(status('Undated Notes')).toBe('undated');
    expect(status('Greg Taylor')).toBe('moved');
    expect(status('Tarek Ziade')).toBe('ok');
    expect(status('Old Blog')).toBe('inactive');
    // A planet of old posts (the demo's are from 2008-2012), fetched today: every feed is quiet.
    const tarek = data.feeds.find((x) => x.name === 'Tarek Ziade')!;
    expect(feedStatus(tarek, posts.get(tarek.id), new Date('2026-11-01T00:00:00Z'), 60)).toBe(
      'quiet',
    );
    // Duplicates do not count: a feed whose only entry repeats another feed's post has no post,
    // quiet since it was subscribed (unless that was recent).
    expect(feedStatus(tarek, { entries: 0 }, asOf, 60)).toBe('quiet');
    expect(
      feedStatus({ ...tarek, createdAt: '2012-02-01T00:00:00Z' }, { entries: 0 }, asOf, 60),
    ).toBe('ok');
    expect(feedStatus({ ...tarek, lastSuccessAt: undefined }, undefined, asOf, 60)).toBe('new');
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

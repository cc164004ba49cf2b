/**
 * The duplicate bug of seed 004 (the Planet Python front page showing every post twice) must
 * never happen: the same posts arriving twice — the same feed subscribed under http:// and
 * https://, a feed whose guids changed, a cross-posting service with other links but the same
 * text — go through process/ into a real SQLite store, and the river shows each post once.
 * The entries come from seed 003 (an RSS 2.0 feed) by a tiny regex extraction, so this test
 * does not depend on the parser.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Entry, ParseResult } from '../../model/feed.js';
import { processEntries } from '../../process/process-entries.js';
import type { FeedUpdateReport, Store } from '../store.js';
import { createSqliteStore } from './sqlite-store.js';

const SEED = readFileSync(
  new URL('./testdata/seed-003-jamesh-python.rss', import.meta.url),
  'utf8',
);

function decode(s: string): string {
  return s
    .replace(/^\s*<!\[CDATA\[([\s\S]*?)\]\]>\s*$/, '$1')
    .replace(/&#(\d+);/g, (_m, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, '&')
    .trim();
}

function field(item: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`).exec(item);
  return m ? decode(m[1]!) : undefined;
}

/** Seed 003's items as a ParseResult, with a hook to change each entry the way a variant does. */
function seedResult(vary: (e: Entry) => Entry = (e) => e): ParseResult {
  const items = [...SEED.matchAll(/<item>([\s\S]*?)<\/item>/g)].map((m) => m[1]!);
  const entries = items.map((item): Entry => {
    const pub = field(item, 'pubDate');
    return vary({
      id: field(item, 'guid'),
      guidIsLink: false,
      title: field(item, 'title'),
      link: field(item, 'link'),
      links: [],
      summary: field(item, 'description'),
      content: [{ value: field(item, 'content:encoded') ?? '', type: 'text/html' }],
      published: pub ? new Date(pub).toISOString() : undefined,
      authors: [],
      contributors: [],
      categories: [],
      enclosures: [],
    });
  });
  return {
    version: 'rss20',
    wellFormed: true,
    warnings: [],
    encoding: 'utf-8',
    feed: { links: [], authors: [], contributors: [], categories: [], hubs: [] },
    entries,
  };
}

const toHttps = (u: string | undefined) => u?.replace(/^http:/, 'https:');

/** Two of seed 004's doubled posts, as their own blog feed and as a tag feed would carry them. */
function tarekPost(variant: 'blog' | 'tag'): Entry {
  const body =
    "<p>We're building a new service at Services called the Token Server - The idea is simple : give us a Browser ID assertion and a service name, and the Token Server will send you back a token that's good for 30 minutes to use for the specific service.</p>";
  return {
    id:
      variant === 'blog'
        ? 'http://blog.ziade.org/?p=1234'
        : 'tag:blog.ziade.org,2012:scaling-crypto',
    title: 'Scaling Crypto work in Python',
    link:
      variant === 'blog'
        ? 'http://blog.ziade.org/2012/02/06/scaling-crypto-work-in-python/'
        : 'https://blog.ziade.org/2012/02/06/scaling-crypto-work-in-python?utm_source=python-tag',
    links: [],
    content: [
      { value: variant === 'blog' ? body : body.replace(/ - /g, ' &#8211; '), type: 'text/html' },
    ],
    published: '2012-02-06T10:00:00.000Z',
    authors: [],
    contributors: [],
    categories: [],
    enclosures: [],
  };
}

describe('seed 004: the same post arriving twice is shown once', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'orrery-seed-'));
    store = await createSqliteStore({ path: join(dir, 'planet.sqlite') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function refresh(url: string, result: ParseResult, now: string): Promise<FeedUpdateReport> {
    const feed = (await store.getFeedByUrl(url))!;
    return store.applyFeedUpdate({
      feedId: feed.id,
      now,
      fetch: { at: now, outcome: 'ok', status: 200, elapsedMs: 5 },
      entries: processEntries(result, { feedUrl: url, now }),
      error: null,
      nextDueAt: now,
    });
  }

  it('shows each of seed 003 posts once, whichever way they came in twice', async () => {
    const httpFeed = 'http://blogs.gnome.org/jamesh/tag/python/feed/';
    const httpsFeed = 'https://blogs.gnome.org/jamesh/tag/python/feed/';
    const crossPoster = 'https://crossposts.example/jamesh.rss';
    const tarekBlog = 'http://blog.ziade.org/feed/';
    const tarekTag = 'https://blog.ziade.org/tag/python/feed/';
    await store.syncSubscriptions(
      [httpFeed, httpsFeed, crossPoster, tarekBlog, tarekTag].map((url) => ({
        url,
        section: 'planet-python',
      })),
      '2012-02-06T00:00:00.000Z',
    );

    const first = await refresh(httpFeed, seedResult(), '2012-02-06T11:00:00.000Z');
    expect(first).toEqual({ inserted: 10, updated: 0, unchanged: 0, duplicates: 0 });

    // 1. The same feed subscribed again under https: WordPress then writes https links.
    const https = await refresh(
      httpsFeed,
      seedResult((e) => ({ ...e, link: toHttps(e.link) })),
      '2012-02-06T11:05:00.000Z',
    );
    expect(https).toEqual({ inserted: 0, updated: 0, unchanged: 0, duplicates: 10 });

    // 2. The first feed's guids changed (a blog migration), the links stayed.
    const newGuids = await refresh(
      httpFeed,
      seedResult((e) => ({ ...e, id: `https://jamesh.id.au/guid/${e.id?.split('=')[1]}` })),
      '2012-02-06T12:00:00.000Z',
    );
    expect(newGuids).toEqual({ inserted: 0, updated: 0, unchanged: 0, duplicates: 10 });

    // 3. A cross-posting service: other guids and links, identical title and content.
    const cross = await refresh(
      crossPoster,
      seedResult((e) => ({
        ...e,
        id: undefined,
        link: `https://crossposts.example/jamesh/${encodeURIComponent(e.title ?? '')}`,
      })),
      '2012-02-06T12:30:00.000Z',
    );
    expect(cross).toEqual({ inserted: 0, updated: 0, unchanged: 0, duplicates: 10 });

    // 4. Seed 004's own case: a post in its author's blog feed and in a tag feed of the same blog.
    await refresh(
      tarekBlog,
      { ...seedResult(), entries: [tarekPost('blog')] },
      '2012-02-06T13:00:00.000Z',
    );
    const tag = await refresh(
      tarekTag,
      { ...seedResult(), entries: [tarekPost('tag')] },
      '2012-02-06T13:01:00.000Z',
    );
    expect(tag.duplicates).toBe(1);

    // Refreshing everything again changes nothing.
    expect(
      await refresh(
        httpsFeed,
        seedResult((e) => ({ ...e, link: toHttps(e.link) })),
        '2012-02-06T14:00:00.000Z',
      ),
    ).toEqual({ inserted: 0, updated: 0, unchanged: 10, duplicates: 0 });

    const river = await store.listEntries({ section: 'planet-python' });
    const titles = river.map((e) => e.title);
    expect(titles.length).toBe(11);
    expect(new Set(titles).size).toBe(11);
    expect(titles).toContain('Getting “bzr send” to work with GMail');
    expect(titles[0]).toBe('Scaling Crypto work in Python');
    // every shown entry comes from the feed that brought the post first
    const firstFeed = (await store.getFeedByUrl(httpFeed))!.id;
    expect(river.filter((e) => e.feedId === firstFeed).length).toBe(10);
    // the duplicates are recorded, not dropped
    expect(await store.countEntries({ includeDuplicates: true })).toBe(11 + 10 + 10 + 10 + 1);
  });
});

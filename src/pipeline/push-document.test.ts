/**
 * storePushedDocument into a real SQLite file: a fat ping goes through the same read-and-store
 * path as a fetched document; a partial feed adds its entries and removes none; a push that is
 * not a feed stores nothing and leaves the feed's state alone.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredFeed } from '../model/stored.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { storePushedDocument } from './push-document.js';

const FEED_URL = 'https://blog.example.org/feed.xml';
const NOW = Date.parse('2026-11-22T10:00:00Z');

function rss(items: Array<{ id: string; title: string }>, title = 'A Blog'): string {
  const body = items
    .map(
      (i) =>
        `<item><guid>${i.id}</guid><title>${i.title}</title><link>https://blog.example.org/${i.id}</link>` +
        `<description>&lt;p&gt;${i.title} text&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;</description>` +
        '<pubDate>Sun, 22 Nov 2026 09:00:00 +0000</pubDate></item>',
    )
    .join('');
  return `<?xml version="1.0"?><rss version="2.0"><channel>${title ? `<title>${title}</title>` : ''}<link>https://blog.example.org/</link>${body}</channel></rss>`;
}

const bytes = (s: string) => new TextEncoder().encode(s);

let dir: string;
let store: Store;
let feed: StoredFeed;
const deps = () => ({ store, now: () => new Date(NOW) });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orrery-push-'));
  store = await createSqliteStore({ path: join(dir, 'orrery.sqlite') });
  await store.syncSubscriptions([{ url: FEED_URL, section: 'main' }], new Date(NOW).toISOString());
  feed = (await store.getFeedByUrl(FEED_URL))!;
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('storePushedDocument', () => {
  it('stores the pushed entries, sanitized, like a fetched document', async () => {
    const out = await storePushedDocument(
      feed,
      undefined,
      { body: bytes(rss([{ id: 'a', title: 'First' }])), contentType: 'application/rss+xml' },
      deps(),
    );
    expect(out).toMatchObject({ kind: 'stored', newEntries: 1 });
    const [entry] = await store.listEntries({ feedId: feed.id });
    expect(entry?.title).toBe('First');
    expect(entry?.content?.value ?? entry?.summary?.value).toContain('First text');
    expect(JSON.stringify(entry)).not.toContain('<script');
    expect((await store.getFeed(feed.id))?.title).toBe('A Blog');
  });

  it('adds the entries of a partial feed and removes none; metadata it lacks is kept', async () => {
    const full = rss([
      { id: 'a', title: 'First' },
      { id: 'b', title: 'Second' },
    ]);
    await storePushedDocument(feed, undefined, { body: bytes(full) }, deps());
    feed = (await store.getFeed(feed.id))!;
    // The hub sends only the new entry, in a document without a channel title.
    const partial = rss([{ id: 'c', title: 'Third' }], '');
    const out = await storePushedDocument(feed, undefined, { body: bytes(partial) }, deps());
    expect(out).toMatchObject({ kind: 'stored', newEntries: 1 });
    const titles = (await store.listEntries({ feedId: feed.id })).map((e) => e.title).sort();
    expect(titles).toEqual(['First', 'Second', 'Third']);
    expect((await store.getFeed(feed.id))?.title).toBe('A Blog');
  });

  it('keeps the polling schedule and validators of the feed', async () => {
    const before = (await store.getFeed(feed.id))!;
    await storePushedDocument(
      feed,
      undefined,
      { body: bytes(rss([{ id: 'a', title: 'A' }])) },
      deps(),
    );
    const after = (await store.getFeed(feed.id))!;
    expect(after.nextDueAt).toBe(before.nextDueAt ?? new Date(NOW).toISOString());
    expect(after.validators).toEqual(before.validators);
    expect(after.documentDigest).toBe(before.documentDigest);
  });

  it('rejects a push that is not a feed and stores nothing', async () => {
    const out = await storePushedDocument(
      feed,
      undefined,
      { body: bytes('<html><body>hello</body></html>'), contentType: 'text/html' },
      deps(),
    );
    expect(out).toMatchObject({ kind: 'rejected', code: 'not-a-feed' });
    const after = (await store.getFeed(feed.id))!;
    expect(after.errorCode).toBeUndefined();
    expect(after.lastFetchedAt).toBeUndefined();
    expect(await store.countEntries({ feedId: feed.id })).toBe(0);
  });
});

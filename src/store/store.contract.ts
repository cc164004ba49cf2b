/**
 * The behaviour every Store implementation must have, as one vitest suite taking a factory.
 * sqlite/sqlite-store.test.ts runs it on real SQLite files and in memory; postgres/ runs it on
 * a real PostgreSQL server. Every query of the port has its tests here.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Entry } from '../model/feed.js';
import type { ArchiveSettings } from '../model/settings.js';
import type { FetchRecord, ProcessedEntry } from '../model/stored.js';
import type { Subscription } from '../model/subscription.js';
import type { FeedUpdate, Store, WebSubState, WebSubSubscription } from './store.js';
import { StoreLockedError } from './store.js';

export interface StoreFixture {
  store: Store;
  /** Remove what the fixture created (files, schema). */
  cleanup?(): Promise<void>;
}

/** What a test may ask of the store it is given. */
export interface StoreFixtureOptions {
  /** Retention applied as entries arrive (the store factories' `archive` option). */
  archive?: ArchiveSettings;
}

const T0 = '2026-01-10T12:00:00.000Z';
const T1 = '2026-01-10T13:00:00.000Z';
const T2 = '2026-01-10T14:00:00.000Z';

function entry(over: Partial<Entry> = {}): Entry {
  return {
    links: [],
    content: [],
    authors: [],
    contributors: [],
    categories: [],
    enclosures: [],
    ...over,
  };
}

/** A ProcessedEntry built by hand (the contract does not depend on process/). */
export function processed(
  key: string,
  over: Partial<Entry> & { canonicalLink?: string; fingerprint?: string } = {},
): ProcessedEntry {
  const { canonicalLink, fingerprint, ...e } = over;
  return {
    key,
    canonicalLink,
    fingerprint: fingerprint ?? `fp-${key}`,
    entry: entry({ id: key, title: `Title ${key}`, ...e }),
    published: e.published,
    updated: e.updated,
  };
}

function okFetch(at: string, extra: Partial<FetchRecord> = {}): FetchRecord {
  return { at, outcome: 'ok', status: 200, elapsedMs: 12, ...extra };
}

function update(feedId: number, now: string, over: Partial<FeedUpdate> = {}): FeedUpdate {
  return {
    feedId,
    now,
    fetch: okFetch(now),
    nextDueAt: new Date(Date.parse(now) + 3600_000).toISOString(),
    ...over,
  };
}

const subs: Subscription[] = [
  { url: 'https://a.example/feed', name: 'Alice', section: 'python' },
  { url: 'https://b.example/rss', name: 'Bob', section: 'python', face: 'bob.png' },
  { url: 'https://c.example/atom', section: 'gsoc' },
];

/** Run the Store contract against stores made by `factory` (a fresh, empty store each time). */
export function runStoreContract(
  name: string,
  factory: (options?: StoreFixtureOptions) => Promise<StoreFixture>,
): void {
  describe(`Store contract: ${name}`, () => {
    let fx: StoreFixture;
    let store: Store;
    beforeEach(async () => {
      fx = await factory();
      store = fx.store;
    });
    afterEach(async () => {
      await store.close();
      await fx.cleanup?.();
    });

    /** Replace the test's store by one opened with `options` (closed by afterEach). */
    async function reopen(options: StoreFixtureOptions): Promise<void> {
      await store.close();
      await fx.cleanup?.();
      fx = await factory(options);
      store = fx.store;
    }

    async function feedIds(): Promise<[number, number, number]> {
      await store.syncSubscriptions(subs, T0);
      const feeds = await store.listFeeds();
      const id = (url: string) => feeds.find((f) => f.url === url)!.id;
      return [id(subs[0]!.url), id(subs[1]!.url), id(subs[2]!.url)];
    }

    describe('syncSubscriptions', () => {
      it('adds new feeds with their config and makes them due at once', async () => {
        expect(await store.syncSubscriptions(subs, T0)).toEqual({
          added: 3,
          updated: 0,
          deactivated: 0,
        });
        const bob = await store.getFeedByUrl('https://b.example/rss');
        expect(bob).toMatchObject({
          name: 'Bob',
          section: 'python',
          face: 'bob.png',
          active: true,
          retired: false,
          consecutiveFailures: 0,
          entryCount: 0,
          hubs: [],
          previousUrls: [],
          validators: {},
          createdAt: T0,
        });
        expect(bob?.nextDueAt).toBeUndefined();
        expect(await store.getFeed(bob!.id)).toEqual(bob);
        expect((await store.dueFeeds(T0)).length).toBe(3);
      });

      it('updates changed config, deactivates removed feeds and keeps their entries', async () => {
        const [a] = await feedIds();
        await store.applyFeedUpdate(update(a, T1, { entries: [processed('a1')] }));
        const report = await store.syncSubscriptions(
          [
            { ...subs[1]!, name: 'Robert' },
            { ...subs[2]! },
            { url: 'https://d.example/feed', section: 'python' },
          ],
          T2,
        );
        expect(report).toEqual({ added: 1, updated: 1, deactivated: 1 });
        expect((await store.getFeedByUrl('https://b.example/rss'))?.name).toBe('Robert');
        const alice = await store.getFeed(a);
        expect(alice?.active).toBe(false);
        expect((await store.listFeeds()).map((f) => f.url)).not.toContain(subs[0]!.url);
        expect((await store.listFeeds({ includeInactive: true })).length).toBe(4);
        expect((await store.dueFeeds(T2)).map((f) => f.id)).not.toContain(a);
        expect((await store.listEntries()).map((e) => e.key)).toEqual(['a1']);
        // Back in the config: active again (and Bob renamed back; d.example removed).
        expect(await store.syncSubscriptions(subs, T2)).toEqual({
          added: 0,
          updated: 2,
          deactivated: 1,
        });
        expect((await store.getFeed(a))?.active).toBe(true);
      });

      it('is idempotent', async () => {
        await store.syncSubscriptions(subs, T0);
        expect(await store.syncSubscriptions(subs, T1)).toEqual({
          added: 0,
          updated: 0,
          deactivated: 0,
        });
      });

      it('syncs a planet larger than one page of its reads (5,000 feeds)', async () => {
        const many = Array.from({ length: 5003 }, (_, i) => ({
          url: `https://many.example/${i}`,
          section: 'x',
        }));
        expect(await store.syncSubscriptions(many, T0)).toEqual({
          added: 5003,
          updated: 0,
          deactivated: 0,
        });
        // Renamed at both ends of the first page and in the second; one removed from each.
        const next = many
          .map((s, i) => ([0, 4999, 5000, 5002].includes(i) ? { ...s, name: `N${i}` } : s))
          .filter((_, i) => i !== 1 && i !== 5001);
        expect(await store.syncSubscriptions(next, T1)).toEqual({
          added: 0,
          updated: 4,
          deactivated: 2,
        });
        const feeds = await store.listFeeds();
        expect(feeds.map((f) => f.url)).toEqual(next.map((s) => s.url));
        expect(feeds.filter((f) => f.name).map((f) => f.name)).toEqual([
          'N0',
          'N4999',
          'N5000',
          'N5002',
        ]);
        expect(await store.syncSubscriptions(next, T2)).toEqual({
          added: 0,
          updated: 0,
          deactivated: 0,
        });
      });

      it('matches a subscription to the feed it was moved from by a permanent redirect', async () => {
        const [a] = await feedIds();
        await store.applyFeedUpdate(update(a, T1, { moveTo: 'https://a.example/new-feed' }));
        const moved = await store.getFeed(a);
        expect(moved?.url).toBe('https://a.example/new-feed');
        expect(moved?.previousUrls).toEqual(['https://a.example/feed']);
        expect((await store.getFeedByUrl('https://a.example/feed'))?.id).toBe(a);
        expect(await store.getFeedByUrl('https://nowhere.example/feed')).toBeUndefined();
        expect(await store.syncSubscriptions(subs, T2)).toEqual({
          added: 0,
          updated: 0,
          deactivated: 0,
        });
        expect((await store.listFeeds()).length).toBe(3);
      });

      it('gives a moved feed listed under both URLs the first listing, and adds neither', async () => {
        const [a] = await feedIds();
        await store.applyFeedUpdate(update(a, T1, { moveTo: 'https://a.example/new-feed' }));
        const both = (first: string, second: string): Subscription[] => [
          { url: 'https://a.example/feed', name: first, section: 'python' },
          ...subs.slice(1),
          { url: 'https://a.example/new-feed', name: second, section: 'python' },
        ];
        expect(await store.syncSubscriptions(both('Old', 'New'), T2)).toEqual({
          added: 0,
          updated: 1,
          deactivated: 0,
        });
        expect((await store.getFeed(a))?.name).toBe('Old');
        const reversed = both('Old', 'New').reverse();
        expect(await store.syncSubscriptions(reversed, T2)).toEqual({
          added: 0,
          updated: 1,
          deactivated: 0,
        });
        expect((await store.getFeed(a))?.name).toBe('New');
        expect((await store.listFeeds()).length).toBe(3);
      });
    });

    describe('dueFeeds', () => {
      it('returns active, non-retired feeds that are due, most overdue first', async () => {
        const [a, b, c] = await feedIds();
        await store.applyFeedUpdate(update(a, T0, { nextDueAt: T2 }));
        await store.applyFeedUpdate(update(b, T0, { nextDueAt: T1 }));
        await store.applyFeedUpdate(update(c, T0, { nextDueAt: T0, retire: true }));
        expect((await store.dueFeeds(T0)).map((f) => f.id)).toEqual([]);
        expect((await store.dueFeeds(T1)).map((f) => f.id)).toEqual([b]);
        expect((await store.dueFeeds(T2)).map((f) => f.id)).toEqual([b, a]);
        expect((await store.dueFeeds(T2, 1)).map((f) => f.id)).toEqual([b]);
        await store.syncSubscriptions([...subs, { url: 'https://new.example/', section: 'x' }], T0);
        const due = await store.dueFeeds(T2);
        // Never fetched (no next due date) comes first.
        expect(due[0]?.url).toBe('https://new.example/');
        expect((await store.getFeed(c))?.retired).toBe(true);
      });

      it('dueFeedRefPage: the feeds of dueFeeds in the same order, as id and URL only', async () => {
        const [a, b] = await feedIds();
        await store.applyFeedUpdate(update(a, T0, { nextDueAt: T2 }));
        await store.applyFeedUpdate(update(b, T0, { nextDueAt: T1 }));
        for (const at of [T0, T1, T2]) {
          const feeds = await store.dueFeeds(at);
          const page = await store.dueFeedRefPage(at, 100);
          expect(page.refs).toEqual(feeds.map((f) => ({ id: f.id, url: f.url })));
          expect(page.next).toBeUndefined();
        }
        const [first] = await store.dueFeeds(T2, 1);
        expect((await store.dueFeedRefPage(T2, 1)).refs).toEqual([
          { id: first?.id, url: first?.url },
        ]);
      });

      it('dueFeedRefPage: the same feeds page by page, whatever the page size', async () => {
        const more = Array.from({ length: 6 }, (_, i) => ({
          url: `https://more.example/${i}`,
          section: 'x',
        }));
        await store.syncSubscriptions([...subs, ...more], T0);
        const feeds = await store.listFeeds();
        // Never fetched (null), two due at T0, one at T1, one not due at T2; the rest null.
        const [f0, f1, f2, f3, f4] = feeds.map((f) => f.id);
        await store.applyFeedUpdate(update(f0 as number, T0, { nextDueAt: T0 }));
        await store.applyFeedUpdate(update(f1 as number, T0, { nextDueAt: T1 }));
        await store.applyFeedUpdate(update(f2 as number, T0, { nextDueAt: T0 }));
        await store.applyFeedUpdate(
          update(f3 as number, T0, { nextDueAt: '2026-01-11T00:00:00.000Z' }),
        );
        await store.applyFeedUpdate(update(f4 as number, T0, { nextDueAt: T1 }));
        const all = (await store.dueFeeds(T2)).map((f) => ({ id: f.id, url: f.url }));
        expect(all).toHaveLength(feeds.length - 1);
        for (const size of [1, 2, 3, all.length, all.length + 1]) {
          const paged: Array<{ id: number; url: string }> = [];
          let page = await store.dueFeedRefPage(T2, size);
          paged.push(...page.refs);
          while (page.next) {
            page = await store.dueFeedRefPage(T2, size, page.next);
            paged.push(...page.refs);
          }
          expect(paged).toEqual(all);
        }
      });
    });

    describe('applyFeedUpdate', () => {
      it('inserts entries with dates clamped to first seen, and counts them', async () => {
        const [a] = await feedIds();
        const report = await store.applyFeedUpdate(
          update(a, T1, {
            entries: [
              processed('old', { published: '2025-12-01T08:00:00Z' }),
              processed('future', { published: '2030-01-01T00:00:00Z' }),
              processed('undated'),
              processed('updated-only', { updated: '2026-01-09T00:00:00+02:00' }),
            ],
          }),
        );
        expect(report).toEqual({ inserted: 4, updated: 0, unchanged: 0, duplicates: 0 });
        const byKey = Object.fromEntries((await store.listEntries()).map((e) => [e.key, e]));
        expect(byKey.old?.date).toBe('2025-12-01T08:00:00.000Z');
        expect(byKey.old?.published).toBe('2025-12-01T08:00:00.000Z');
        expect(byKey.future?.date).toBe(T1);
        expect(byKey.undated?.date).toBe(T1);
        expect(byKey['updated-only']?.date).toBe('2026-01-08T22:00:00.000Z');
        for (const e of Object.values(byKey)) {
          expect(e.firstSeenAt).toBe(T1);
          expect(e.feedId).toBe(a);
        }
        const feed = await store.getFeed(a);
        expect(feed?.entryCount).toBe(4);
        expect(feed?.lastNewEntryAt).toBe(T1);
      });

      it('updates a changed entry without moving its date, keeps entries that left the feed', async () => {
        const [a] = await feedIds();
        await store.applyFeedUpdate(
          update(a, T0, {
            entries: [
              processed('p1', { published: '2026-01-01T00:00:00Z' }),
              processed('p2', {
                published: '2026-01-02T00:00:00Z',
                content: [{ value: '<p>v1</p>', type: 'text/html' }],
              }),
            ],
          }),
        );
        const report = await store.applyFeedUpdate(
          update(a, T2, {
            entries: [
              processed('p2', {
                published: '2026-01-02T00:00:00Z',
                updated: '2026-01-10T13:30:00Z',
                content: [{ value: '<p>v2</p>', type: 'text/html' }],
              }),
              processed('p3', { published: '2026-01-03T00:00:00Z' }),
            ],
          }),
        );
        expect(report).toEqual({ inserted: 1, updated: 1, unchanged: 0, duplicates: 0 });
        const list = await store.listEntries();
        expect(list.map((e) => e.key)).toEqual(['p3', 'p2', 'p1']);
        const p2 = list.find((e) => e.key === 'p2')!;
        expect(p2.content).toEqual({ value: '<p>v2</p>', type: 'text/html' });
        expect(p2.updated).toBe('2026-01-10T13:30:00.000Z');
        expect(p2.date).toBe('2026-01-02T00:00:00.000Z');
        expect(p2.firstSeenAt).toBe(T0);
        expect(p2.lastSeenAt).toBe(T2);
        expect(list.find((e) => e.key === 'p1')?.lastSeenAt).toBe(T0);

        const again = await store.applyFeedUpdate(
          update(a, T2, {
            entries: [
              processed('p2', {
                published: '2026-01-02T00:00:00Z',
                updated: '2026-01-10T13:30:00Z',
                content: [{ value: '<p>v2</p>', type: 'text/html' }],
              }),
            ],
          }),
        );
        expect(again).toEqual({ inserted: 0, updated: 0, unchanged: 1, duplicates: 0 });
        expect((await store.getFeed(a))?.entryCount).toBe(3);
      });

      it('stores the entry fields render/ reads', async () => {
        const [a] = await feedIds();
        await store.applyFeedUpdate(
          update(a, T1, {
            entries: [
              processed('rich', {
                link: 'https://a.example/rich',
                canonicalLink: 'https://a.example/rich',
                titleDetail: { value: 'Title rich', type: 'text/plain' },
                summary: '<p>short</p>',
                content: [{ value: '<p>long</p>', type: 'text/html', language: 'en' }],
                author: { name: 'Alice', email: 'a@example.org' },
                categories: [{ term: 'python' }],
                enclosures: [{ url: 'https://a.example/x.mp3', type: 'audio/mpeg', length: 3 }],
              }),
              processed('summary-only', { summary: '<p>only</p>' }),
            ],
          }),
        );
        const [rich] = await store.listEntries({ feedId: a, limit: 1, before: T1 });
        expect(rich).toBeUndefined();
        const all = await store.listEntries({ feedId: a });
        const r = all.find((e) => e.key === 'rich')!;
        expect(r).toMatchObject({
          link: 'https://a.example/rich',
          canonicalLink: 'https://a.example/rich',
          fingerprint: 'fp-rich',
          title: 'Title rich',
          titleDetail: { value: 'Title rich', type: 'text/plain' },
          content: { value: '<p>long</p>', type: 'text/html', language: 'en' },
          summary: { value: '<p>short</p>', type: 'text/html' },
          author: { name: 'Alice', email: 'a@example.org' },
          categories: [{ term: 'python' }],
          enclosures: [{ url: 'https://a.example/x.mp3', type: 'audio/mpeg', length: 3 }],
        });
        expect(r.duplicateOf).toBeUndefined();
        expect(all.find((e) => e.key === 'summary-only')?.content).toEqual({
          value: '<p>only</p>',
          type: 'text/html',
        });
      });

      it('keeps validators, feed metadata, redirects and the fetch history', async () => {
        const [a] = await feedIds();
        await store.applyFeedUpdate(
          update(a, T1, {
            validators: { etag: '"v1"', lastModified: 'Sat, 10 Jan 2026 12:00:00 GMT' },
            meta: {
              title: 'A blog',
              link: 'https://a.example/',
              hubs: ['https://hub.example/'],
              self: 'https://a.example/feed',
            },
            pendingRedirect: { to: 'https://a2.example/feed', since: T1, count: 1 },
          }),
        );
        let feed = await store.getFeed(a);
        expect(feed).toMatchObject({
          validators: { etag: '"v1"', lastModified: 'Sat, 10 Jan 2026 12:00:00 GMT' },
          title: 'A blog',
          siteLink: 'https://a.example/',
          hubs: ['https://hub.example/'],
          selfLink: 'https://a.example/feed',
          pendingRedirect: { to: 'https://a2.example/feed', since: T1, count: 1 },
          lastStatus: 200,
          lastFetchedAt: T1,
          lastSuccessAt: T1,
          nextDueAt: '2026-01-10T14:00:00.000Z',
        });
        await store.applyFeedUpdate(
          update(a, T2, {
            fetch: okFetch(T2, { outcome: 'not-modified', status: 304 }),
            validators: { etag: '"v2"' },
          }),
        );
        feed = await store.getFeed(a);
        expect(feed?.validators).toEqual({ etag: '"v2"' });
        expect(feed?.pendingRedirect).toBeUndefined();
        expect(feed?.title).toBe('A blog');
        expect(feed?.lastStatus).toBe(304);
      });

      it('tracks the error state: counts failures, remembers when they began, clears on success', async () => {
        const [a] = await feedIds();
        const fail = (now: string) =>
          update(a, now, {
            fetch: { at: now, outcome: 'error', errorCode: 'timeout', elapsedMs: 30_000 },
            error: { code: 'timeout', message: 'no answer in 30 s' },
          });
        await store.applyFeedUpdate(fail(T0));
        await store.applyFeedUpdate(fail(T1));
        let feed = await store.getFeed(a);
        expect(feed).toMatchObject({
          errorCode: 'timeout',
          errorMessage: 'no answer in 30 s',
          consecutiveFailures: 2,
          failingSince: T0,
          lastFetchedAt: T1,
        });
        expect(feed?.lastSuccessAt).toBeUndefined();
        // error undefined leaves the state as it is
        await store.applyFeedUpdate(update(a, T1, { fetch: okFetch(T1) }));
        expect((await store.getFeed(a))?.consecutiveFailures).toBe(2);
        await store.applyFeedUpdate(update(a, T2, { error: null }));
        feed = await store.getFeed(a);
        expect(feed?.consecutiveFailures).toBe(0);
        expect(feed?.errorCode).toBeUndefined();
        expect(feed?.errorMessage).toBeUndefined();
        expect(feed?.failingSince).toBeUndefined();
        expect(feed?.lastSuccessAt).toBe(T2);
      });

      it('keeps the last 20 fetch records per feed, newest first', async () => {
        const [a, b] = await feedIds();
        await store.applyFeedUpdate(update(b, T0));
        for (let i = 0; i < 25; i++) {
          const at = new Date(Date.parse(T0) + i * 60_000).toISOString();
          await store.applyFeedUpdate(update(a, at, { fetch: okFetch(at, { bytes: i }) }));
        }
        const history = await store.recentFetches(a, 100);
        expect(history.length).toBe(20);
        expect(history[0]?.bytes).toBe(24);
        expect(history[19]?.bytes).toBe(5);
        expect((await store.recentFetches(a, 3)).map((r) => r.bytes)).toEqual([24, 23, 22]);
        expect((await store.recentFetches(b)).length).toBe(1);
      });

      it('keeps 20 fetch records even when they share one timestamp (the newest by insert)', async () => {
        const [a] = await feedIds();
        for (let i = 0; i < 23; i++) {
          await store.applyFeedUpdate(update(a, T0, { fetch: okFetch(T0, { bytes: i }) }));
        }
        const history = await store.recentFetches(a, 100);
        expect(history.map((r) => r.bytes)).toEqual(Array.from({ length: 20 }, (_, i) => 22 - i));
      });

      it('records the fetch outcome with its details', async () => {
        const [a] = await feedIds();
        const redirects = [{ from: 'http://a.example/feed', to: subs[0]!.url, status: 301 }];
        await store.applyFeedUpdate(
          update(a, T1, {
            fetch: okFetch(T1, { bytes: 1234, redirects }),
            entries: [processed('x'), processed('y')],
          }),
        );
        expect(await store.recentFetches(a)).toEqual([
          {
            at: T1,
            outcome: 'ok',
            status: 200,
            bytes: 1234,
            elapsedMs: 12,
            newEntries: 2,
            redirects,
          },
        ]);
      });

      it('is one transaction: a failure half-way leaves the feed as it was', async () => {
        const [a] = await feedIds();
        // The fetch record is the last write of the update: a value the database refuses there
        // (elapsed_ms is NOT NULL; NaN is bound as NULL or rejected) fails it after the entries
        // and the feed row were written.
        await expect(
          store.applyFeedUpdate(
            update(a, T1, {
              entries: [processed('good'), processed('also-good')],
              fetch: { ...okFetch(T1), elapsedMs: Number.NaN },
              error: { code: 'parse', message: 'x' },
            }),
          ),
        ).rejects.toThrow();
        expect(await store.countEntries()).toBe(0);
        const feed = await store.getFeed(a);
        expect(feed?.consecutiveFailures).toBe(0);
        expect(feed?.lastFetchedAt).toBeUndefined();
        expect(await store.recentFetches(a)).toEqual([]);
      });

      it('applies updates of many feeds at once (the pipeline refreshes in parallel)', async () => {
        const many = Array.from({ length: 12 }, (_, i) => ({
          url: `https://p${i}.example/feed`,
          section: 'p',
        }));
        await store.syncSubscriptions(many, T0);
        const feeds = await store.listFeeds();
        const reports = await Promise.all(
          feeds.map((f) =>
            store.applyFeedUpdate(
              update(f.id, T1, {
                entries: [1, 2, 3].map((n) =>
                  processed(`${f.id}-${n}`, { canonicalLink: `${f.url}/post/${n}` }),
                ),
              }),
            ),
          ),
        );
        expect(reports.every((r) => r.inserted === 3)).toBe(true);
        expect(await store.countEntries()).toBe(36);
        expect((await store.dueFeeds(T1)).length).toBe(0);
      });

      it('rejects an update of a feed that does not exist', async () => {
        await expect(store.applyFeedUpdate(update(999, T1))).rejects.toThrow(/999/);
      });

      it('does not move a feed onto the URL of another subscribed feed', async () => {
        const [a] = await feedIds();
        await store.applyFeedUpdate(update(a, T1, { moveTo: subs[1]!.url }));
        expect((await store.getFeed(a))?.url).toBe(subs[0]!.url);
      });
    });

    describe('duplicates', () => {
      it('marks a new entry with the canonical link or fingerprint of a stored one as its duplicate', async () => {
        const [a, b, c] = await feedIds();
        await store.applyFeedUpdate(
          update(a, T0, {
            entries: [
              processed('orig', {
                title: 'The Post',
                published: '2026-01-05T00:00:00Z',
                canonicalLink: 'https://a.example/post',
                fingerprint: 'fp-post',
              }),
            ],
          }),
        );
        const rb = await store.applyFeedUpdate(
          update(b, T1, {
            entries: [
              // same canonical link, other fingerprint (edited copy), same title
              processed('copy-link', {
                title: 'The post',
                canonicalLink: 'https://a.example/post',
                fingerprint: 'fp-other',
              }),
              // same text under another link (a cross-posting service)
              processed('copy-text', {
                canonicalLink: 'https://medium.example/post',
                fingerprint: 'fp-post',
              }),
              processed('own', { canonicalLink: 'https://b.example/own' }),
            ],
          }),
        );
        expect(rb).toEqual({ inserted: 1, updated: 0, unchanged: 0, duplicates: 2 });
        // same feed, the guid changed: a new key but the same link
        const ra = await store.applyFeedUpdate(
          update(a, T2, {
            entries: [
              processed('orig-new-guid', {
                title: '  the   post ',
                canonicalLink: 'https://a.example/post',
              }),
            ],
          }),
        );
        expect(ra.duplicates).toBe(1);
        await store.applyFeedUpdate(update(c, T2, { entries: [] }));

        const visible = await store.listEntries();
        expect(visible.map((e) => e.key).sort()).toEqual(['orig', 'own']);
        const all = await store.listEntries({ includeDuplicates: true });
        expect(all.length).toBe(5);
        const orig = all.find((e) => e.key === 'orig')!;
        for (const k of ['copy-link', 'copy-text', 'orig-new-guid']) {
          expect(all.find((e) => e.key === k)?.duplicateOf).toBe(orig.id);
        }
        expect(await store.countEntries()).toBe(2);
        expect(await store.countEntries({ includeDuplicates: true })).toBe(5);
        expect((await store.getFeed(b))?.entryCount).toBe(1);
      });

      it('shows a post once when two feeds bring it at the same moment', async () => {
        const [a, b, c] = await feedIds();
        const post = (key: string) =>
          processed(key, {
            title: 'Same',
            canonicalLink: 'https://x.example/same',
            fingerprint: 'fp-same',
          });
        const reports = await Promise.all(
          [a, b, c].map((id, i) =>
            store.applyFeedUpdate(update(id, T1, { entries: [post(`k${i}`)] })),
          ),
        );
        expect(reports.reduce((n, r) => n + r.inserted, 0)).toBe(1);
        expect(reports.reduce((n, r) => n + r.duplicates, 0)).toBe(2);
        expect(await store.countEntries()).toBe(1);
      });

      it('shows a post once when many feeds bring it at once, over and over', async () => {
        const many = Array.from({ length: 8 }, (_, i) => ({
          url: `https://r${i}.example/feed`,
          section: 'r',
        }));
        await store.syncSubscriptions(many, T0);
        const feeds = await store.listFeeds();
        for (let round = 0; round < 5; round++) {
          const at = new Date(Date.parse(T1) + round * 60_000).toISOString();
          const reports = await Promise.all(
            feeds.map((f, i) =>
              store.applyFeedUpdate(
                update(f.id, at, {
                  entries: [
                    // same post: one by link + title, one by fingerprint, one untitled by link
                    processed(`r${round}-${i}-a`, {
                      title: `Post ${round}`,
                      canonicalLink: `https://x.example/${round}`,
                      fingerprint: `fp-${round}-${i}`,
                    }),
                    processed(`r${round}-${i}-b`, { fingerprint: `fp-shared-${round}` }),
                    processed(`r${round}-${i}-c`, {
                      title: i % 2 ? undefined : `Other ${round}`,
                      canonicalLink: `https://y.example/${round}`,
                    }),
                  ],
                }),
              ),
            ),
          );
          expect(reports.reduce((n, r) => n + r.inserted, 0)).toBe(3);
          expect(reports.reduce((n, r) => n + r.duplicates, 0)).toBe(feeds.length * 3 - 3);
        }
        expect(await store.countEntries()).toBe(15);
        const counts = (await store.listFeeds()).reduce((n, f) => n + f.entryCount, 0);
        expect(counts).toBe(15);
      });

      it('does not hide a post that shares only its link (link posts about one article)', async () => {
        const [a, b] = await feedIds();
        const link = 'https://python.org/downloads/release/python-3130';
        await store.applyFeedUpdate(
          update(a, T0, {
            entries: [processed('a-link', { title: 'Python 3.13 is out', canonicalLink: link })],
          }),
        );
        const r = await store.applyFeedUpdate(
          update(b, T1, {
            entries: [
              processed('b-link', { title: 'What I like in 3.13', canonicalLink: link }),
              // untitled: the link decides
              processed('b-untitled', { title: undefined, canonicalLink: link }),
            ],
          }),
        );
        expect(r).toEqual({ inserted: 1, updated: 0, unchanged: 0, duplicates: 1 });
        expect((await store.listEntries()).map((e) => e.key).sort()).toEqual(['a-link', 'b-link']);
      });

      it('does not treat entries without a link as the same post', async () => {
        const [a, b] = await feedIds();
        await store.applyFeedUpdate(update(a, T0, { entries: [processed('x')] }));
        const r = await store.applyFeedUpdate(update(b, T1, { entries: [processed('y')] }));
        expect(r.duplicates).toBe(0);
        expect(await store.countEntries()).toBe(2);
      });
    });

    describe('listEntries', () => {
      it('filters by section, feed and date range, newest first, limited', async () => {
        const [a, b, c] = await feedIds();
        const day = (d: number) => `2026-01-0${d}T10:00:00.000Z`;
        await store.applyFeedUpdate(
          update(a, T2, {
            entries: [1, 4, 7].map((d) => processed(`a${d}`, { published: day(d) })),
          }),
        );
        await store.applyFeedUpdate(
          update(b, T2, {
            entries: [2, 5, 8].map((d) => processed(`b${d}`, { published: day(d) })),
          }),
        );
        await store.applyFeedUpdate(
          update(c, T2, {
            entries: [3, 6, 9].map((d) => processed(`c${d}`, { published: day(d) })),
          }),
        );
        const keys = async (q: Parameters<Store['listEntries']>[0]) =>
          (await store.listEntries(q)).map((e) => e.key);
        expect(await keys({})).toEqual(['c9', 'b8', 'a7', 'c6', 'b5', 'a4', 'c3', 'b2', 'a1']);
        expect(await keys({ limit: 2 })).toEqual(['c9', 'b8']);
        expect(await keys({ section: 'python' })).toEqual(['b8', 'a7', 'b5', 'a4', 'b2', 'a1']);
        expect(await keys({ section: 'gsoc', limit: 1 })).toEqual(['c9']);
        expect(await keys({ feedId: b })).toEqual(['b8', 'b5', 'b2']);
        expect(await keys({ since: day(4), before: day(7) })).toEqual(['c6', 'b5', 'a4']);
        // dates in other forms of ISO 8601 compare as instants
        expect(await keys({ since: '2026-01-08T12:00:00+02:00' })).toEqual(['c9', 'b8']);
        expect(await store.countEntries({ section: 'python', since: day(5) })).toBe(3);
      });
    });

    describe('listEntries by ids', () => {
      it('returns only the given entries, combined with the other filters, newest first', async () => {
        const [a, b] = await feedIds();
        await store.applyFeedUpdate(
          update(a, T2, {
            entries: [1, 2, 3].map((d) =>
              processed(`a${d}`, { published: `2026-01-0${d}T00:00:00.000Z` }),
            ),
          }),
        );
        await store.applyFeedUpdate(
          update(b, T2, { entries: [processed('b1', { published: '2026-01-04T00:00:00.000Z' })] }),
        );
        const all = await store.listEntries();
        const id = (k: string) => all.find((e) => e.key === k)!.id;
        const keys = async (q: Parameters<Store['listEntries']>[0]) =>
          (await store.listEntries(q)).map((e) => e.key);
        expect(await keys({ ids: [id('a1'), id('a3'), id('b1')] })).toEqual(['b1', 'a3', 'a1']);
        expect(await keys({ ids: [id('a1'), id('a3'), id('b1')], feedId: a, limit: 1 })).toEqual([
          'a3',
        ]);
        expect(await keys({ ids: [] })).toEqual([]);
        expect(await keys({ ids: [999_999] })).toEqual([]);
        expect(await store.countEntries({ ids: [id('a1'), id('a2')] })).toBe(2);
        // Many ids at once (one parameter, whatever their number).
        const many = [...Array.from({ length: 3000 }, (_, i) => 100_000 + i), id('a2')];
        expect(await keys({ ids: many })).toEqual(['a2']);
      });
    });

    describe('listEntryStamps', () => {
      it('lists every shown entry by ascending id, with a digest that changes with the entry', async () => {
        const [a, b] = await feedIds();
        await store.applyFeedUpdate(
          update(a, T0, {
            entries: [
              processed('p1', { published: '2026-01-01T00:00:00Z', canonicalLink: 'https://x/1' }),
              processed('p2', { published: '2026-01-02T00:00:00Z' }),
            ],
          }),
        );
        // b repeats p1: a duplicate, not shown, not stamped
        await store.applyFeedUpdate(
          update(b, T1, {
            entries: [processed('b1', { title: 'Title p1', canonicalLink: 'https://x/1' })],
          }),
        );
        const stamps = await store.listEntryStamps();
        const entries = await store.listEntries();
        expect(stamps.map((s) => s.id)).toEqual(entries.map((e) => e.id).sort((x, y) => x - y));
        expect(stamps).toEqual(
          [...entries]
            .sort((x, y) => x.id - y.id)
            .map((e) => ({ id: e.id, feedId: e.feedId, date: e.date, digest: expect.any(String) })),
        );
        expect(stamps.map((s) => s.feedId)).toEqual([a, a]);
        expect(stamps[0]?.date).toBe('2026-01-01T00:00:00.000Z');

        // the same entries again: same stamps; an edit: that entry's digest changes
        await store.applyFeedUpdate(
          update(a, T2, {
            entries: [
              processed('p1', { published: '2026-01-01T00:00:00Z', canonicalLink: 'https://x/1' }),
              processed('p2', { published: '2026-01-02T00:00:00Z' }),
            ],
          }),
        );
        expect(await store.listEntryStamps()).toEqual(stamps);
        await store.applyFeedUpdate(
          update(a, T2, {
            entries: [
              processed('p2', {
                published: '2026-01-02T00:00:00Z',
                content: [{ value: '<p>edited</p>', type: 'text/html' }],
              }),
            ],
          }),
        );
        const after = await store.listEntryStamps();
        expect(after[0]).toEqual(stamps[0]);
        expect(after[1]?.id).toBe(stamps[1]?.id);
        expect(after[1]?.date).toBe(stamps[1]?.date);
        expect(after[1]?.digest).not.toBe(stamps[1]?.digest);
      });
    });

    describe('feedPostStats', () => {
      it('counts each feed’s shown entries and finds its newest post date, inactive and empty feeds too', async () => {
        const [a, b, c] = await feedIds();
        await store.applyFeedUpdate(
          update(a, T2, {
            entries: [
              processed('a1', { published: '2026-01-01T00:00:00Z' }),
              processed('a2', { updated: '2026-01-05T00:00:00+01:00' }),
              processed('a3', {
                published: '2026-01-03T00:00:00Z',
                updated: '2026-01-09T00:00:00Z',
              }),
            ],
          }),
        );
        await store.applyFeedUpdate(
          update(b, T2, {
            entries: [
              processed('b1'),
              // repeats a1 (same fingerprint): not counted, its date not taken
              processed('b2', { fingerprint: 'fp-a1', published: '2026-01-09T12:00:00Z' }),
            ],
          }),
        );
        // c leaves the config: still reported
        await store.syncSubscriptions([subs[0]!, subs[1]!], T2);
        const stats = await store.feedPostStats();
        expect(stats).toEqual([
          { feedId: a, entries: 3, newestPostDate: '2026-01-04T23:00:00.000Z' },
          { feedId: b, entries: 1 },
          { feedId: c, entries: 0 },
        ]);
      });
    });

    describe('fetch history', () => {
      it('keeps how many entries a document had beyond the parser’s limit', async () => {
        const [a] = await feedIds();
        await store.applyFeedUpdate(
          update(a, T1, { fetch: okFetch(T1, { entriesDropped: 250 }), entries: [processed('x')] }),
        );
        await store.applyFeedUpdate(update(a, T2));
        const history = await store.recentFetches(a);
        expect(history[0]?.entriesDropped).toBeUndefined();
        expect(history[1]?.entriesDropped).toBe(250);
      });
    });

    describe('stored text', () => {
      it('drops U+0000 from what it stores (PostgreSQL cannot hold it)', async () => {
        const [a] = await feedIds();
        await store.applyFeedUpdate(
          update(a, T1, {
            meta: { title: 'A\u0000 blog', hubs: [] },
            entries: [
              processed('nul', {
                title: 'Ti\u0000tle',
                content: [{ value: '<p>a\u0000b \\u0000 c</p>', type: 'text/html' }],
                categories: [{ term: 'x\u0000y' }],
              }),
            ],
          }),
        );
        const [e] = await store.listEntries();
        expect(e?.title).toBe('Title');
        expect(e?.content?.value).toBe('<p>ab \\u0000 c</p>');
        expect(e?.categories).toEqual([{ term: 'xy' }]);
        expect((await store.getFeed(a))?.title).toBe('A blog');
      });
    });

    describe('pruneEntries', () => {
      const day = (d: number) => `2026-01-${String(d).padStart(2, '0')}T00:00:00.000Z`;
      const NOW = day(20);

      it('removes nothing without settings', async () => {
        const [a] = await feedIds();
        await store.applyFeedUpdate(
          update(a, NOW, { entries: [processed('old', { published: '2001-01-01T00:00:00Z' })] }),
        );
        expect(await store.pruneEntries({}, NOW)).toEqual({ removed: 0 });
        expect(await store.countEntries()).toBe(1);
      });

      it('removes entries older than keepDays and recounts their feeds', async () => {
        const [a, b] = await feedIds();
        await store.applyFeedUpdate(
          update(a, NOW, {
            entries: [1, 5, 10, 15, 19].map((d) => processed(`a${d}`, { published: day(d) })),
          }),
        );
        await store.applyFeedUpdate(
          update(b, NOW, { entries: [processed('b2', { published: day(2) })] }),
        );
        expect(await store.pruneEntries({ keepDays: 10 }, NOW)).toEqual({ removed: 3 });
        expect((await store.listEntries()).map((e) => e.key)).toEqual(['a19', 'a15', 'a10']);
        expect((await store.getFeed(a))?.entryCount).toBe(3);
        expect((await store.getFeed(b))?.entryCount).toBe(0);
        expect(await store.pruneEntries({ keepDays: 10 }, NOW)).toEqual({ removed: 0 });
      });

      it('keeps each feed’s maxEntriesPerFeed newest entries', async () => {
        const [a, b] = await feedIds();
        await store.applyFeedUpdate(
          update(a, NOW, {
            entries: [3, 1, 4, 2, 5].map((d) => processed(`a${d}`, { published: day(d) })),
          }),
        );
        await store.applyFeedUpdate(
          update(b, NOW, { entries: [processed('b1', { published: day(1) })] }),
        );
        expect(await store.pruneEntries({ maxEntriesPerFeed: 2 }, NOW)).toEqual({ removed: 3 });
        expect((await store.listEntries()).map((e) => e.key)).toEqual(['a5', 'a4', 'b1']);
        expect((await store.getFeed(a))?.entryCount).toBe(2);
        // both bounds together
        expect(await store.pruneEntries({ keepDays: 17, maxEntriesPerFeed: 2 }, NOW)).toEqual({
          removed: 1,
        });
        expect((await store.listEntries()).map((e) => e.key)).toEqual(['a5', 'a4']);
      });

      it('never removes an original before its copies', async () => {
        const [a, b] = await feedIds();
        // a brings the post first (an old date); b repeats it later with a recent date
        await store.applyFeedUpdate(
          update(a, day(1), {
            entries: [processed('orig', { published: day(1), fingerprint: 'fp-post' })],
          }),
        );
        await store.applyFeedUpdate(
          update(b, NOW, {
            entries: [
              processed('copy', { published: day(19), fingerprint: 'fp-post' }),
              processed('b-own', { published: day(1) }),
            ],
          }),
        );
        expect(await store.countEntries({ includeDuplicates: true })).toBe(3);
        expect(await store.pruneEntries({ keepDays: 10 }, NOW)).toEqual({ removed: 1 });
        const left = await store.listEntries({ includeDuplicates: true });
        expect(left.map((e) => e.key).sort()).toEqual(['copy', 'orig']);
        expect(left.find((e) => e.key === 'copy')?.duplicateOf).toBe(
          left.find((e) => e.key === 'orig')?.id,
        );
        // the river still shows the post once, as the original
        expect((await store.listEntries()).map((e) => e.key)).toEqual(['orig']);
        // once the copy is past too, both go
        expect(await store.pruneEntries({ keepDays: 10 }, day(30))).toEqual({ removed: 2 });
        expect(await store.countEntries({ includeDuplicates: true })).toBe(0);
      });

      it('does not store a new entry already past retention, so a feed cannot bring it back', async () => {
        await reopen({ archive: { keepDays: 10, maxEntriesPerFeed: 3 } });
        const [a] = await feedIds();
        const feed = [1, 12, 14, 16, 18].map((d) => processed(`a${d}`, { published: day(d) }));
        const first = await store.applyFeedUpdate(update(a, NOW, { entries: feed }));
        // a1 is older than 10 days: not stored
        expect(first).toEqual({ inserted: 4, updated: 0, unchanged: 0, duplicates: 0, expired: 1 });
        expect(await store.pruneEntries({ keepDays: 10, maxEntriesPerFeed: 3 }, NOW)).toEqual({
          removed: 1,
        });
        expect((await store.listEntries()).map((e) => e.key)).toEqual(['a18', 'a16', 'a14']);
        // the feed still lists a1 and a12: neither comes back; a new one does, and an old one
        // (below the feed's 3rd newest) does not
        const again = await store.applyFeedUpdate(
          update(a, NOW, {
            entries: [
              ...feed,
              processed('a19', { published: day(19) }),
              processed('a13', { published: day(13) }),
            ],
          }),
        );
        expect(again).toEqual({ inserted: 1, updated: 0, unchanged: 3, duplicates: 0, expired: 3 });
        expect(await store.pruneEntries({ keepDays: 10, maxEntriesPerFeed: 3 }, NOW)).toEqual({
          removed: 1,
        });
        expect((await store.listEntries()).map((e) => e.key)).toEqual(['a19', 'a18', 'a16']);
      });

      it('lets a removed post be stored again as an original when another feed brings it', async () => {
        const [a, b] = await feedIds();
        await store.applyFeedUpdate(
          update(a, day(1), {
            entries: [processed('orig', { published: day(1), fingerprint: 'fp-post' })],
          }),
        );
        expect(await store.pruneEntries({ keepDays: 10 }, NOW)).toEqual({ removed: 1 });
        const r = await store.applyFeedUpdate(
          update(b, NOW, {
            entries: [processed('copy', { published: day(19), fingerprint: 'fp-post' })],
          }),
        );
        expect(r.inserted).toBe(1);
        expect((await store.listEntries()).map((e) => e.key)).toEqual(['copy']);
      });
    });

    describe('WebSub subscriptions', () => {
      const full = (
        feedId: number,
        over: Partial<WebSubSubscription> = {},
      ): WebSubSubscription => ({
        id: 'cb-Zx_9-0aBcDeFgHiJkLmNoPq',
        feedId,
        hub: 'https://hub.example/',
        topic: 'https://a.example/feed',
        callback: 'https://planet.example.org/websub/cb-Zx_9-0aBcDeFgHiJkLmNoPq',
        secret: 'f'.repeat(64),
        state: 'active',
        pending: { mode: 'subscribe', since: T2 },
        leaseSeconds: 864_000,
        expiresAt: '2026-01-20T13:00:00.000Z',
        failures: 2,
        retryAt: '2026-01-10T15:00:00.000Z',
        lastError: 'renewal refused: 503 ü',
        createdAt: T0,
        updatedAt: T1,
        ...over,
      });
      const minimal = (feedId: number, id: string): WebSubSubscription => ({
        id,
        feedId,
        hub: 'https://hub.example/',
        topic: `https://topic.example/${feedId}`,
        callback: `https://planet.example.org/websub/${id}`,
        secret: 's'.repeat(64),
        state: 'pending',
        failures: 0,
        createdAt: T0,
        updatedAt: T0,
      });

      it('keeps every field of a subscription, and absent ones absent', async () => {
        const [a, b] = await feedIds();
        await store.putWebSubSubscription(full(a));
        await store.putWebSubSubscription(minimal(b, 'only-what-is-needed'));
        expect(await store.getWebSubSubscription('cb-Zx_9-0aBcDeFgHiJkLmNoPq')).toEqual(full(a));
        expect(await store.getFeedWebSubSubscription(a)).toEqual(full(a));
        expect(await store.getWebSubSubscription('only-what-is-needed')).toEqual(
          minimal(b, 'only-what-is-needed'),
        );
        expect(await store.getWebSubSubscription('no-such-id')).toBeUndefined();
        expect(await store.getFeedWebSubSubscription(9999)).toBeUndefined();
        // Dates come back in the store's one ISO form, whatever form they went in.
        await store.putWebSubSubscription({
          ...minimal(b, 'only-what-is-needed'),
          expiresAt: '2026-01-20T13:00:00Z',
        });
        expect((await store.getFeedWebSubSubscription(b))?.expiresAt).toBe(
          '2026-01-20T13:00:00.000Z',
        );
      });

      it('replaces a subscription by id, dropping the fields it no longer has', async () => {
        const [a] = await feedIds();
        await store.putWebSubSubscription(full(a));
        const { pending, retryAt, lastError, ...rest } = full(a);
        const verified = { ...rest, state: 'active' as const, failures: 0, updatedAt: T2 };
        await store.putWebSubSubscription(verified);
        expect(await store.getWebSubSubscription(verified.id)).toEqual(verified);
        expect(await store.listWebSubSubscriptions()).toHaveLength(1);
      });

      it('keeps one subscription per feed: a new id replaces the old one', async () => {
        const [a, b] = await feedIds();
        await store.putWebSubSubscription(minimal(a, 'first'));
        await store.putWebSubSubscription(minimal(b, 'other-feed'));
        await store.putWebSubSubscription(minimal(a, 'second'));
        expect(await store.getWebSubSubscription('first')).toBeUndefined();
        expect((await store.getFeedWebSubSubscription(a))?.id).toBe('second');
        expect((await store.listWebSubSubscriptions()).map((s) => s.id)).toEqual([
          'second',
          'other-feed',
        ]);
      });

      it('lists by state, ordered by feed', async () => {
        const [a, b, c] = await feedIds();
        await store.putWebSubSubscription({ ...minimal(c, 'c'), state: 'active' });
        await store.putWebSubSubscription(minimal(b, 'b'));
        await store.putWebSubSubscription({ ...minimal(a, 'a'), state: 'active' });
        const ids = async (state?: WebSubState) =>
          (await store.listWebSubSubscriptions(state ? { state } : undefined)).map((s) => s.id);
        expect(await ids('active')).toEqual(['a', 'c']);
        expect(await ids('pending')).toEqual(['b']);
        expect(await ids('denied')).toEqual([]);
        expect(await ids()).toEqual(['a', 'b', 'c']);
      });

      it('refuses a subscription of an unknown feed, a bad state or a bad date', async () => {
        const [a] = await feedIds();
        await expect(store.putWebSubSubscription(minimal(9999, 'x'))).rejects.toMatchObject({
          code: 'store-no-feed',
        });
        await expect(
          store.putWebSubSubscription({ ...minimal(a, 'x'), state: 'asleep' as WebSubState }),
        ).rejects.toMatchObject({ code: 'store-bad-input' });
        await expect(
          store.putWebSubSubscription({ ...minimal(a, 'x'), expiresAt: 'next week' }),
        ).rejects.toMatchObject({ code: 'store-bad-input' });
        expect(await store.listWebSubSubscriptions()).toEqual([]);
      });

      it('keeps the subscription of a feed the config no longer lists (feeds are deactivated, not deleted)', async () => {
        const [a] = await feedIds();
        await store.putWebSubSubscription(full(a));
        await store.syncSubscriptions(subs.slice(1), T1);
        expect((await store.getFeed(a))?.active).toBe(false);
        expect(await store.getFeedWebSubSubscription(a)).toEqual(full(a));
      });

      it('reads the hubs and self of the Link header before the document’s, until forgotten', async () => {
        const [a, b] = await feedIds();
        await store.applyFeedUpdate(
          update(a, T1, {
            meta: { hubs: ['https://doc-hub.example/'], self: 'https://a.example/doc-self' },
          }),
        );
        await store.recordFeedLinkHeader(subs[0]!.url, {
          hubs: ['https://header-hub.example/', 'https://second.example/'],
          self: 'https://a.example/header-self',
        });
        const read = async () => {
          const feed = await store.getFeed(a);
          return { hubs: feed?.hubs, selfLink: feed?.selfLink };
        };
        const fromHeader = {
          hubs: ['https://header-hub.example/', 'https://second.example/'],
          selfLink: 'https://a.example/header-self',
        };
        expect(await read()).toEqual(fromHeader);
        // A new document does not overwrite what the header said.
        await store.applyFeedUpdate(update(a, T2, { meta: { hubs: [] } }));
        expect(await read()).toEqual(fromHeader);
        expect((await store.listFeeds()).find((f) => f.id === a)?.hubs).toEqual(fromHeader.hubs);
        // A header that names only a hub leaves the document's self in force.
        await store.applyFeedUpdate(
          update(a, T2, {
            meta: { hubs: ['https://doc-hub.example/'], self: 'https://a.example/doc-self' },
          }),
        );
        await store.recordFeedLinkHeader(subs[0]!.url, { hubs: ['https://header-hub.example/'] });
        expect(await read()).toEqual({
          hubs: ['https://header-hub.example/'],
          selfLink: 'https://a.example/doc-self',
        });
        expect(await store.recordFeedLinkHeader(subs[0]!.url, { hubs: [] })).toBe(true);
        expect(await read()).toEqual({
          hubs: ['https://doc-hub.example/'],
          selfLink: 'https://a.example/doc-self',
        });
        expect((await store.getFeed(b))?.hubs).toEqual([]);
        expect(
          await store.recordFeedLinkHeader('https://nowhere.example/feed', {
            hubs: ['https://h/'],
          }),
        ).toBe(false);
      });
    });

    describe('acquireLock', () => {
      it('lets one holder in at a time and names it to the next', async () => {
        const lock = await store.acquireLock({ owner: 'orrery run (test)', waitMs: 0 });
        const err = await store.acquireLock({ owner: 'second', waitMs: 150 }).catch((e) => e);
        expect(err).toBeInstanceOf(StoreLockedError);
        expect(err.code).toBe('store-locked');
        expect(err.message).toMatch(/another orrery run/);
        expect(err.message).toMatch(/wait or stop it/);
        await lock.release();
        const again = await store.acquireLock({ owner: 'third', waitMs: 0 });
        await again.release();
      });

      it('waits for a holder that releases within waitMs', async () => {
        const lock = await store.acquireLock({ owner: 'first', waitMs: 0 });
        setTimeout(() => void lock.release(), 100);
        const second = await store.acquireLock({ owner: 'second', waitMs: 5_000 });
        await second.release();
      });
    });
  });
}

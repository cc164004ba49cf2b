/**
 * copyStore between real stores: SQLite file → SQLite file always; SQLite → PostgreSQL →
 * SQLite when ORRERY_TEST_POSTGRES_URL names a server. Nothing lost (every read of the port
 * gives the same answers), resumable (a copy stopped half-way is finished by the next run),
 * refused into another planet's store.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoreHandle } from '../kysely/kysely-store.js';
import { openStoreHandle, type StoreLocation } from '../open-store.js';
import { processed } from '../store.contract.js';
import type { Store } from '../store.js';
import { copyStore } from './copy-store.js';

const pgUrl = process.env.ORRERY_TEST_POSTGRES_URL;
const T = (m: number) => new Date(Date.parse('2026-01-10T12:00:00Z') + m * 60_000).toISOString();

/** A planet with feeds, entries, duplicates (one pointing forward), errors and fetch history. */
async function fill(store: Store): Promise<void> {
  await store.syncSubscriptions(
    Array.from({ length: 30 }, (_, i) => ({
      url: `https://b${i}.example/feed`,
      section: i % 3 ? 'python' : 'gsoc',
      name: `Blog ${i}`,
      ...(i === 0 ? { face: 'f.png', siteLink: 'https://b0.example/' } : {}),
    })),
    T(0),
  );
  const feeds = await store.listFeeds();
  for (const [i, feed] of feeds.entries()) {
    await store.applyFeedUpdate({
      feedId: feed.id,
      now: T(i),
      fetch: { at: T(i), outcome: 'ok', status: 200, elapsedMs: 5, bytes: 100 + i },
      validators: { etag: `"e${i}"` },
      meta: { title: `Feed ${i}`, link: `https://b${i}.example/`, hubs: ['https://hub.example/'] },
      scheduleHints: { ttl: 60, skipHours: [1, 2] },
      entries: Array.from({ length: 40 }, (_, j) =>
        processed(`b${i}-${j}`, {
          link: `https://b${i}.example/${j}`,
          canonicalLink: `https://b${i}.example/${j}`,
          // every tenth post is also brought by the next feed: duplicates
          fingerprint: j % 10 === 0 ? `shared-${i}-${j}` : `fp-${i}-${j}`,
          published: T(-j * 60),
          content: [{ value: `<p>Post ${j} of ${i} ü</p>`, type: 'text/html', language: 'en' }],
          author: { name: `A${i}`, email: `a${i}@example.org` },
          categories: [{ term: 'python', scheme: 's', label: 'Py' }],
          enclosures: j === 1 ? [{ url: 'https://x/a.mp3', length: 12, type: 'audio/mpeg' }] : [],
        }),
      ).concat(
        i > 0
          ? [processed(`copy-${i}`, { fingerprint: `shared-${i - 1}-0`, published: T(1) })]
          : [],
      ),
      nextDueAt: T(60 + i),
    });
    // WebSub: every third feed is subscribed, in every state; some hubs came in a Link header.
    if (i % 3 === 0) {
      const states = ['active', 'pending', 'denied', 'expired', 'failed', 'unsubscribed'] as const;
      await store.putWebSubSubscription({
        id: `sub-${i}-${'x'.repeat(20)}`,
        feedId: feed.id,
        hub: 'https://hub.example/',
        topic: `https://b${i}.example/feed`,
        callback: `https://planet.example.org/websub/sub-${i}`,
        secret: `secret-${i}`.padEnd(64, '0'),
        state: states[(i / 3) % states.length]!,
        ...(i % 2 ? { pending: { mode: 'subscribe' as const, since: T(i) } } : {}),
        ...(i % 6 === 0 ? { leaseSeconds: 86_400, expiresAt: T(1440 + i) } : {}),
        failures: i % 4,
        ...(i % 9 === 0 ? { retryAt: T(90), lastError: `hub said no ${i}` } : {}),
        createdAt: T(0),
        updatedAt: T(i),
      });
    }
    if (i % 5 === 0) {
      await store.recordFeedLinkHeader(feed.url, {
        hubs: [`https://header-hub${i}.example/`],
        ...(i % 10 === 0 ? { self: `https://b${i}.example/self` } : {}),
      });
    }
    if (i % 7 === 0) {
      await store.applyFeedUpdate({
        feedId: feed.id,
        now: T(i + 1),
        fetch: { at: T(i + 1), outcome: 'error', errorCode: 'timeout', elapsedMs: 30_000 },
        error: { code: 'timeout', message: 'no answer' },
        nextDueAt: T(120),
      });
    }
  }
}

/** Everything the port can read, for comparing two stores. */
async function snapshot(store: Store) {
  const feeds = await store.listFeeds({ includeInactive: true });
  return {
    feeds,
    entries: await store.listEntries({ includeDuplicates: true }),
    stamps: await store.listEntryStamps(),
    stats: await store.feedPostStats(),
    fetches: await Promise.all(feeds.map((f) => store.recentFetches(f.id, 100))),
    due: await store.dueFeeds(T(90)),
    websub: await store.listWebSubSubscriptions(),
  };
}

describe('copyStore', () => {
  let dir: string;
  const open: StoreHandle[] = [];
  const schemas: string[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'orrery-copy-'));
  });
  afterEach(async () => {
    for (const h of open.splice(0)) await h.store.close();
    rmSync(dir, { recursive: true, force: true });
    if (pgUrl && schemas.length > 0) {
      const client = new pg.Client({ connectionString: pgUrl });
      await client.connect();
      for (const s of schemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
      await client.end();
    }
  });

  async function handle(location: StoreLocation): Promise<StoreHandle> {
    const h = await openStoreHandle(location);
    open.push(h);
    return h;
  }
  const sqlite = (name: string): StoreLocation => ({ kind: 'sqlite', path: join(dir, name) });

  it('copies a SQLite store into an empty one: every read gives the same answers', async () => {
    const from = await handle(sqlite('a.sqlite'));
    await fill(from.store);
    await from.db.updateTable('entries').set({ duplicate_of: 900 }).where('id', '=', 5).execute();
    const to = await handle(sqlite('b.sqlite'));
    const report = await copyStore(from, to);
    expect(report.resumed).toBe(false);
    expect(report.tables.map((t) => [t.table, t.rows, t.written])).toEqual([
      ['feeds', 30, 30],
      ['entries', 30 * 40 + 29, 30 * 40 + 29],
      ['fetches', 35, 35],
      ['websub_subscriptions', 10, 10],
    ]);
    expect((await to.store.listWebSubSubscriptions()).map((w) => w.state)).toEqual(
      (await from.store.listWebSubSubscriptions()).map((w) => w.state),
    );
    expect(
      (await to.store.listFeeds()).find((f) => f.url === 'https://b10.example/feed'),
    ).toMatchObject({
      hubs: ['https://header-hub10.example/'],
      selfLink: 'https://b10.example/self',
    });
    expect(await snapshot(to.store)).toEqual(await snapshot(from.store));
    // the copy goes on as a store: new ids after the copied ones
    const [feed] = await to.store.listFeeds();
    const r = await to.store.applyFeedUpdate({
      feedId: feed!.id,
      now: T(200),
      fetch: { at: T(200), outcome: 'ok', status: 200, elapsedMs: 1 },
      entries: [processed('new-one')],
      nextDueAt: T(300),
    });
    expect(r.inserted).toBe(1);
    const ids = (await to.store.listEntryStamps()).map((s) => s.id);
    expect(Math.max(...ids)).toBeGreaterThan(30 * 40 + 29);
  });

  /** A filled SQLite store and a copy of it stopped where `stopAt` says. */
  async function stoppedCopy(stopAt: (table: string, done: number) => boolean) {
    const from = await handle(sqlite('a.sqlite'));
    await fill(from.store);
    const to = await handle(sqlite('b.sqlite'));
    const stop = new Error('interrupted');
    await expect(
      copyStore(from, to, {
        onProgress: (table, done) => {
          if (stopAt(table, done)) throw stop;
        },
      }),
    ).rejects.toBe(stop);
    return { from, to };
  }

  it('takes an interrupted copy up again, and brings a target level with a changed source', async () => {
    const { from, to } = await stoppedCopy((table, done) => table === 'entries' && done >= 500);
    // the source moves on meanwhile
    const [first] = await from.store.listFeeds();
    await from.store.applyFeedUpdate({
      feedId: first!.id,
      now: T(500),
      fetch: { at: T(500), outcome: 'ok', status: 200, elapsedMs: 1 },
      entries: [processed('late', { published: T(400) })],
      nextDueAt: T(600),
    });
    // and an entry past the part already copied leaves it (as retention would remove it)
    await from.db.deleteFrom('entries').where('id', '=', 700).execute();
    const again = await copyStore(from, to);
    expect(again.resumed).toBe(true);
    const entries = again.tables.find((t) => t.table === 'entries')!;
    // the first 500 entries were there already, equal: not written again
    expect(entries.rows).toBe(30 * 40 + 29);
    expect(entries.written).toBeLessThanOrEqual(entries.rows - 500);
    expect(await snapshot(to.store)).toEqual(await snapshot(from.store));
    // done: nothing left to write
    await expect(copyStore(from, to)).rejects.toThrow(/already holds a planet \(30 feeds\)/);
  });

  it('takes up a copy stopped after the subscriptions: a renewed one replaces, a lost feed’s goes', async () => {
    const { from, to } = await stoppedCopy((table) => table === 'websub_subscriptions');
    expect(await to.store.listWebSubSubscriptions()).toHaveLength(10);
    const [renewed, gone] = await from.store.listWebSubSubscriptions();
    await from.store.putWebSubSubscription({ ...renewed!, id: 'renewed-id', state: 'active' });
    await from.db.deleteFrom('feeds').where('id', '=', gone!.feedId).execute();
    const again = await copyStore(from, to);
    expect(again.tables.find((t) => t.table === 'websub_subscriptions')).toMatchObject({
      rows: 9,
      written: 9,
    });
    expect(await to.store.getWebSubSubscription(renewed!.id)).toBeUndefined();
    expect((await to.store.getFeedWebSubSubscription(renewed!.feedId))?.id).toBe('renewed-id');
    expect(await to.store.getFeed(gone!.feedId)).toBeUndefined();
    expect(await to.store.getWebSubSubscription(gone!.id)).toBeUndefined();
    expect(await snapshot(to.store)).toEqual(await snapshot(from.store));
  });

  it('refuses a target that holds another planet', async () => {
    const from = await handle(sqlite('a.sqlite'));
    await fill(from.store);
    const other = await handle(sqlite('b.sqlite'));
    await other.store.syncSubscriptions([{ url: 'https://mine.example/feed', section: 's' }], T(0));
    await expect(copyStore(from, other)).rejects.toThrow(
      `store copy: ${join(dir, 'b.sqlite')} already holds a planet (1 feeds); copy into an empty database, schema or file`,
    );
    await expect(copyStore(from, from)).rejects.toThrow(/is the store itself/);
  });

  it.skipIf(!pgUrl)(
    'copies SQLite → PostgreSQL → SQLite with nothing lost (needs ORRERY_TEST_POSTGRES_URL)',
    async () => {
      const from = await handle(sqlite('a.sqlite'));
      await fill(from.store);
      // a duplicate pointing at a later id, as PostgreSQL's concurrent writers can leave it
      await from.db.updateTable('entries').set({ duplicate_of: 900 }).where('id', '=', 5).execute();
      const schema = `orrery_copy_${randomBytes(5).toString('hex')}`;
      schemas.push(schema);
      const pgStore = await handle({ kind: 'postgres', connectionString: pgUrl as string, schema });
      const there = await copyStore(from, pgStore);
      const back = await handle(sqlite('back.sqlite'));
      const home = await copyStore(pgStore, back);
      expect(home.tables.map((t) => t.digest)).toEqual(there.tables.map((t) => t.digest));
      const original = await snapshot(from.store);
      expect(await snapshot(pgStore.store)).toEqual(original);
      expect(await snapshot(back.store)).toEqual(original);
      // PostgreSQL goes on from the copy: its claims know the copied posts
      const feeds = await pgStore.store.listFeeds();
      const repeat = await pgStore.store.applyFeedUpdate({
        feedId: feeds[5]!.id,
        now: T(900),
        fetch: { at: T(900), outcome: 'ok', status: 200, elapsedMs: 1 },
        entries: [processed('again', { fingerprint: 'fp-2-3' }), processed('fresh')],
        nextDueAt: T(999),
      });
      expect(repeat).toMatchObject({ inserted: 1, duplicates: 1 });
    },
  );
});

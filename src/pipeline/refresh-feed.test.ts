/**
 * refreshFeed over a real loopback HTTP server into a real SQLite file: the redirect rule
 * (a permanent redirect moves the feed only once it holds on the next fetch), 304s, 410 Gone
 * and documents that are not feeds.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttpFetcher } from '../fetch/http-fetcher.js';
import type { FetchSettings } from '../model/settings.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { type DocumentReader, readDocument } from './read-document.js';
import { refreshAll, summarize } from './refresh-all.js';
import { type RefreshDeps, refreshFeed } from './refresh-feed.js';

const SETTINGS: FetchSettings = {
  concurrency: 4,
  perHostLimit: 2,
  connectTimeoutMs: 5_000,
  headersTimeoutMs: 5_000,
  bodyTimeoutMs: 5_000,
  maxBodyBytes: 1 << 20,
  maxDecompressedBytes: 4 << 20,
  maxRedirects: 5,
  userAgent: 'Orrery/test',
  allowPrivate: true,
  intervalMinutes: 60,
  maxIntervalMinutes: 1440,
};

const RSS = `<?xml version="1.0"?><rss version="2.0"><channel><title>Moving Blog</title>
<link>http://blog.test/</link><item><guid>a</guid><title>Post A</title>
<link>http://blog.test/a</link><pubDate>Mon, 06 Feb 2012 10:00:00 +0000</pubDate></item></channel></rss>`;

/** What the server answers, per path; changed by each test. */
let routes: Record<string, (res: import('node:http').ServerResponse) => void> = {};
let server: Server;
let base: string;
let dir: string;
let store: Store;
let clock = Date.parse('2026-11-22T00:00:00Z');
const fetcher = createHttpFetcher(SETTINGS);
const deps = (): RefreshDeps => ({
  store,
  fetcher,
  settings: SETTINGS,
  now: () => new Date(clock),
});

beforeAll(async () => {
  server = createServer((req, res) => {
    const route = routes[req.url ?? ''];
    if (route) route(res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await fetcher.close();
  await new Promise<void>((r) => server.close(() => r()));
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orrery-pipeline-'));
  store = await createSqliteStore({ path: join(dir, 'orrery.sqlite') });
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function subscribe(path: string) {
  await store.syncSubscriptions(
    [{ url: `${base}${path}`, section: 'main' }],
    new Date(clock).toISOString(),
  );
  const feed = await store.getFeedByUrl(`${base}${path}`);
  if (!feed) throw new Error('feed not stored');
  return feed;
}

const feedAt = async (url: string) => {
  const feed = await store.getFeedByUrl(url);
  if (!feed) throw new Error(`no feed at ${url}`);
  return feed;
};

const serveFeed = (res: import('node:http').ServerResponse) =>
  res.writeHead(200, { 'content-type': 'application/rss+xml', etag: '"v1"' }).end(RSS);

describe('refreshFeed', () => {
  it('moves a feed only when a permanent redirect holds on the next fetch', async () => {
    routes = {
      '/old.xml': (res) => res.writeHead(301, { location: '/new.xml' }).end(),
      '/new.xml': serveFeed,
    };
    const feed = await subscribe('/old.xml');
    const first = await refreshFeed(feed, undefined, deps());
    expect(first.kind).toBe('ok');
    let stored = await feedAt(`${base}/old.xml`);
    expect(stored.url).toBe(`${base}/old.xml`);
    expect(stored.pendingRedirect?.to).toBe(`${base}/new.xml`);

    clock += 3_600_000;
    const second = await refreshFeed(stored, undefined, deps());
    expect(second.kind === 'ok' || second.kind === 'not-modified').toBe(true);
    expect(second.kind !== 'failed' && second.movedTo).toBe(`${base}/new.xml`);
    stored = await feedAt(`${base}/new.xml`);
    expect(stored.url).toBe(`${base}/new.xml`);
    expect(stored.previousUrls).toEqual([`${base}/old.xml`]);
    expect(stored.pendingRedirect).toBeUndefined();
  });

  it('does not move a feed for a temporary redirect, nor for a permanent one that went away', async () => {
    routes = {
      '/t.xml': (res) => res.writeHead(302, { location: '/new.xml' }).end(),
      '/new.xml': serveFeed,
    };
    const feed = await subscribe('/t.xml');
    await refreshFeed(feed, undefined, deps());
    let stored = await feedAt(`${base}/t.xml`);
    expect(stored.pendingRedirect).toBeUndefined();

    routes['/t.xml'] = (res) => res.writeHead(308, { location: '/new.xml' }).end();
    clock += 3_600_000;
    await refreshFeed(stored, undefined, deps());
    stored = await feedAt(`${base}/t.xml`);
    expect(stored.pendingRedirect?.count).toBe(1);

    routes['/t.xml'] = serveFeed; // the server was fixed: the pending move is forgotten
    clock += 3_600_000;
    await refreshFeed(stored, undefined, deps());
    stored = await feedAt(`${base}/t.xml`);
    expect(stored.url).toBe(`${base}/t.xml`);
    expect(stored.pendingRedirect).toBeUndefined();
  });

  it('sends the validators back and stores nothing new on a 304', async () => {
    let conditional: string | undefined;
    server.removeAllListeners('request');
    server.on('request', (req, res) => {
      if (req.url !== '/c.xml') return void res.writeHead(404).end();
      conditional = req.headers['if-none-match'];
      if (conditional === '"v1"') return void res.writeHead(304).end();
      serveFeed(res);
    });
    try {
      const feed = await subscribe('/c.xml');
      expect((await refreshFeed(feed, undefined, deps())).kind).toBe('ok');
      const again = await refreshFeed(await feedAt(`${base}/c.xml`), undefined, deps());
      expect(conditional).toBe('"v1"');
      expect(again.kind).toBe('not-modified');
      expect(await store.countEntries()).toBe(1);
      const history = await store.recentFetches(feed.id);
      expect(history.map((f) => f.outcome)).toEqual(['not-modified', 'ok']);
    } finally {
      server.removeAllListeners('request');
      server.on('request', (req, res) => {
        const route = routes[req.url ?? ''];
        if (route) route(res);
        else res.writeHead(404).end();
      });
    }
  });

  it("keeps the document's ttl and skipHours as lower bounds after a 304 and after the same bytes", async () => {
    // ttl 300 minutes (the interval is 60); hour 5 UTC skipped.
    const hinted = RSS.replace(
      '<link>http://blog.test/</link>',
      '<link>http://blog.test/</link><ttl>300</ttl><skipHours><hour>5</hour></skipHours>',
    );
    let answer: 'feed' | '304' | 'feed without validators' = 'feed';
    routes = {
      '/ttl.xml': (res) => {
        if (answer === '304') return void res.writeHead(304).end();
        const etag = answer === 'feed' ? { etag: '"h"' } : {};
        res.writeHead(200, { 'content-type': 'application/rss+xml', ...etag }).end(hinted);
      },
    };
    clock = Date.parse('2026-11-22T00:00:00Z');
    const feed = await subscribe('/ttl.xml');
    // Its own interval of 60 minutes: nothing learned from its single post of 2012.
    const pinned = { url: feed.url, section: 'main', overrides: { intervalMinutes: 60 } };
    expect((await refreshFeed(feed, pinned, deps())).kind).toBe('ok');
    let stored = await feedAt(`${base}/ttl.xml`);
    expect(stored.scheduleHints).toEqual({
      ttl: 300,
      skipHours: [5],
      posting: { count: 1, since: '2012-02-06T10:00:00.000Z' },
    });
    expect(stored.nextDueAt).toBe('2026-11-22T06:00:00.000Z'); // 05:00 is skipped

    answer = '304';
    clock = Date.parse('2026-11-22T06:00:00Z');
    expect((await refreshFeed(stored, pinned, deps())).kind).toBe('not-modified');
    stored = await feedAt(`${base}/ttl.xml`);
    expect(stored.nextDueAt).toBe('2026-11-22T11:00:00.000Z'); // + 300 minutes, not + 60

    // A 200 with the bytes read last time is skipped like a 304, with the same hints.
    answer = 'feed without validators';
    clock = Date.parse('2026-11-22T11:00:00Z');
    expect((await refreshFeed(stored, pinned, deps())).kind).toBe('not-modified');
    stored = await feedAt(`${base}/ttl.xml`);
    expect(stored.nextDueAt).toBe('2026-11-22T16:00:00.000Z');
  });

  it('learns the interval from how often the feed posts, and keeps learning on 304s', async () => {
    // 20 posts in the last 10 days, one every 12 hours: checked every 3 hours (4 checks a post).
    const items = Array.from(
      { length: 20 },
      (_, i) =>
        `<item><guid>p${i}</guid><title>Post ${i}</title><pubDate>${new Date(
          Date.parse('2026-11-22T00:00:00Z') - (i + 1) * 12 * 3_600_000,
        ).toUTCString()}</pubDate></item>`,
    ).join('');
    const busy = RSS.replace(/<item>.*<\/item>/s, items);
    let answer: 'feed' | '304' = 'feed';
    routes = {
      '/busy.xml': (res) =>
        answer === '304'
          ? void res.writeHead(304).end()
          : void res
              .writeHead(200, { 'content-type': 'application/rss+xml', etag: '"b"' })
              .end(busy),
      '/quiet.xml': (res) => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(RSS),
    };
    clock = Date.parse('2026-11-22T00:00:00Z');
    const feed = await subscribe('/busy.xml');
    expect((await refreshFeed(feed, undefined, deps())).kind).toBe('ok');
    let stored = await feedAt(`${base}/busy.xml`);
    expect(stored.scheduleHints?.posting).toEqual({ count: 20, since: '2026-11-12T00:00:00.000Z' });
    expect(stored.nextDueAt).toBe('2026-11-22T03:00:00.000Z');

    // Silent for 10 more days (a 304 each time): one post a day → every 6 hours.
    answer = '304';
    clock = Date.parse('2026-12-02T00:00:00Z');
    expect((await refreshFeed(stored, undefined, deps())).kind).toBe('not-modified');
    stored = await feedAt(`${base}/busy.xml`);
    expect(stored.nextDueAt).toBe('2026-12-02T06:00:00.000Z');

    // One post in 2012: asked once a day (max_interval), not every hour.
    const quiet = await subscribe('/quiet.xml');
    expect((await refreshFeed(quiet, undefined, deps())).kind).toBe('ok');
    expect((await feedAt(`${base}/quiet.xml`)).nextDueAt).toBe('2026-12-03T00:00:00.000Z');
  });

  it('retires a feed that answers 410 Gone, and classifies a page that is not a feed', async () => {
    routes = {
      '/gone.xml': (res) => res.writeHead(410).end(),
      '/page.html': (res) =>
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end('<html><body><p>hello</p></body></html>'),
    };
    const gone = await subscribe('/gone.xml');
    const outcome = await refreshFeed(gone, undefined, deps());
    expect(outcome.kind === 'failed' && outcome.code).toBe('gone');
    expect((await feedAt(`${base}/gone.xml`)).retired).toBe(true);

    const page = await subscribe('/page.html');
    const notFeed = await refreshFeed(page, undefined, deps());
    expect(notFeed.kind === 'failed' && notFeed.code).toBe('not-a-feed');
    const stored = await feedAt(`${base}/page.html`);
    expect(stored.errorCode).toBe('not-a-feed');
    expect(stored.consecutiveFailures).toBe(1);
    expect(Date.parse(stored.nextDueAt ?? '')).toBeGreaterThan(clock);
  });

  it('skips reading a 200 whose bytes were read last time (a server without validators)', async () => {
    let body = RSS;
    routes = {
      '/plain.xml': (res) =>
        res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(body),
    };
    let reads = 0;
    const counting = (): RefreshDeps => ({
      ...deps(),
      readerId: 'orrery test',
      readDocument: async (job) => {
        reads++;
        return readDocument(job);
      },
    });
    const feed = await subscribe('/plain.xml');
    expect((await refreshFeed(feed, undefined, counting())).kind).toBe('ok');
    expect(reads).toBe(1);

    clock += 3_600_000;
    const same = await refreshFeed(await feedAt(`${base}/plain.xml`), undefined, counting());
    expect(same.kind).toBe('not-modified');
    expect(reads).toBe(1);
    const history = await store.recentFetches(feed.id);
    expect(history.map((f) => [f.outcome, f.status, f.newEntries])).toEqual([
      ['ok', 200, 0],
      ['ok', 200, 1],
    ]);

    // New filters read the same bytes differently: read again.
    clock += 3_600_000;
    const filtered = await refreshFeed(
      await feedAt(`${base}/plain.xml`),
      { url: `${base}/plain.xml`, section: 'main', filters: { exclude: ['nothing-matches'] } },
      counting(),
    );
    expect(filtered.kind).toBe('ok');
    expect(reads).toBe(2);

    // Changed bytes: read, and the new post is stored.
    body = RSS.replace(
      '</channel>',
      '<item><guid>b</guid><title>Post B</title><link>http://blog.test/b</link></item></channel>',
    );
    clock += 3_600_000;
    const changed = await refreshFeed(await feedAt(`${base}/plain.xml`), undefined, counting());
    expect(changed.kind === 'ok' && changed.newEntries).toBe(1);
    expect(reads).toBe(3);
  });

  it('stores entries cleaned (sanitizing deferred to the store), and repeats without their HTML', async () => {
    const hostile = (guid: string) =>
      `<?xml version="1.0"?><rss version="2.0"><channel><title>H</title><link>http://h.test/</link>
<item><guid>${guid}</guid><title>Same post</title><link>http://h.test/post</link>
<description>&lt;p onclick="steal()"&gt;Hello&lt;script&gt;alert(1)&lt;/script&gt; &lt;a href="/more"&gt;more&lt;/a&gt;&lt;/p&gt;</description>
</item></channel></rss>`;
    routes = {
      '/h1.xml': (res) =>
        res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(hostile('h1')),
      '/h2.xml': (res) =>
        res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(hostile('h2')),
    };
    const first = await refreshFeed(await subscribe('/h1.xml'), undefined, deps());
    expect(first.kind === 'ok' && first.newEntries).toBe(1);
    const second = await refreshFeed(await subscribe('/h2.xml'), undefined, deps());
    expect(second.kind === 'ok' && second.duplicates).toBe(1);
    const all = await store.listEntries({ includeDuplicates: true });
    const original = all.find((e) => e.duplicateOf === undefined);
    const repeat = all.find((e) => e.duplicateOf !== undefined);
    expect(original?.content?.value).toBe(`<p>Hello <a href="${base}/more">more</a></p>`);
    expect(repeat?.duplicateOf).toBe(original?.id);
    expect(repeat?.title).toBe('Same post');
    expect(repeat?.content).toBeUndefined();
    for (const e of all) expect(JSON.stringify(e)).not.toMatch(/script|onclick/);
  });
});

describe('entries past the parser limit', () => {
  it('are counted on the fetch that read the document, not on a later one that read nothing', async () => {
    routes = { '/big.xml': serveFeed };
    const feed = await subscribe('/big.xml');
    // The parser's count, as a document over its limit gives it (the rest is the real pipeline).
    const overLimit: DocumentReader = async (job) => {
      const read = readDocument(job);
      return read.kind === 'read' ? { ...read, entriesDropped: 990 } : read;
    };
    const first = await refreshFeed(feed, undefined, { ...deps(), readDocument: overLimit });
    expect(first).toMatchObject({ kind: 'ok', entriesDropped: 990 });
    expect((await store.recentFetches(feed.id, 1))[0]).toMatchObject({ entriesDropped: 990 });

    // The same bytes again: nothing is read, nothing is counted (status looks further back).
    clock += 3_600_000;
    const stored = await feedAt(`${base}/big.xml`);
    const second = await refreshFeed(stored, undefined, { ...deps(), readDocument: overLimit });
    expect(second.kind).toBe('not-modified');
    const history = await store.recentFetches(feed.id, 2);
    expect(history[0]?.entriesDropped).toBeUndefined();
    expect(history[1]?.entriesDropped).toBe(990);

    const report = summarize([first, second], 1);
    expect(report).toMatchObject({ entriesDropped: 990, feedsWithDroppedEntries: 1 });
  });

  it('a read under the limit records 0, so the last read is known', async () => {
    routes = { '/small.xml': serveFeed };
    const feed = await subscribe('/small.xml');
    const outcome = await refreshFeed(feed, undefined, deps());
    expect(outcome.kind).toBe('ok');
    expect(outcome.kind === 'ok' && outcome.entriesDropped).toBeFalsy();
    expect((await store.recentFetches(feed.id, 1))[0]?.entriesDropped).toBe(0);
  });
});

describe("a feed's own request settings", () => {
  it('reach the server: user_agent, headers, and a timeout longer than the run one', async () => {
    let seen: import('node:http').IncomingHttpHeaders = {};
    server.removeAllListeners('request');
    server.on('request', (req, res) => {
      seen = req.headers;
      const route = routes[req.url ?? ''];
      if (route) route(res);
      else res.writeHead(404).end();
    });
    routes = {
      '/slow.xml': (res) => {
        // Well past the run timeouts (undici checks its header timeout about once a second).
        const timer = setTimeout(() => serveFeed(res), 2000);
        res.on('close', () => clearTimeout(timer));
      },
    };
    const tight = createHttpFetcher({ ...SETTINGS, headersTimeoutMs: 300, bodyTimeoutMs: 300 });
    try {
      const feed = await subscribe('/slow.xml');
      const plain = await refreshFeed(feed, undefined, { ...deps(), fetcher: tight });
      expect(plain).toMatchObject({ kind: 'failed', code: 'timeout' });
      const subscription = {
        url: feed.url,
        section: 'main',
        overrides: {
          timeoutMs: 5000,
          userAgent: 'Picky/1',
          headers: { authorization: 'Bearer t0ken' },
        },
      };
      clock += 3_600_000;
      const again = await feedAt(feed.url);
      const outcome = await refreshFeed(again, subscription, { ...deps(), fetcher: tight });
      expect(outcome.kind).toBe('ok');
      expect(seen['user-agent']).toBe('Picky/1');
      expect(seen.authorization).toBe('Bearer t0ken');
    } finally {
      await tight.close();
    }
  });
});

describe('read slots', () => {
  /** Six feeds arriving at once, read by a slow reader: how many were read at the same time. */
  async function mostReadAtOnce(serve: (res: import('node:http').ServerResponse) => void) {
    const paths = ['/s0.xml', '/s1.xml', '/s2.xml', '/s3.xml', '/s4.xml', '/s5.xml'];
    routes = Object.fromEntries(paths.map((p) => [p, serve]));
    await store.syncSubscriptions(
      paths.map((p) => ({ url: `${base}${p}`, section: 'main' })),
      new Date(clock).toISOString(),
    );
    let reading = 0;
    let most = 0;
    // A slow reader (a big document): the others arrive meanwhile.
    const slow: DocumentReader = async (job) => {
      reading++;
      most = Math.max(most, reading);
      await new Promise((r) => setTimeout(r, 60));
      reading--;
      return readDocument(job);
    };
    const roomy = createHttpFetcher({ ...SETTINGS, maxBodyBytes: 4 << 20, perHostLimit: 6 });
    try {
      const report = await refreshAll(
        await store.listFeeds(),
        { ...deps(), fetcher: roomy, readDocument: slow },
        {
          concurrency: 6,
          perHostLimit: 6,
          perFeedTimeoutMs: 30_000,
          subscriptionFor: () => undefined,
        },
      );
      expect(report.fetched).toBe(6);
    } finally {
      await roomy.close();
    }
    return most;
  }

  it('a pass reads and stores big documents (over 1 MB) two at a time', async () => {
    const description = `<description>${'x'.repeat(1_200_000)}</description>`;
    const big = RSS.replace('<title>Post A</title>', `<title>Post A</title>${description}`);
    expect(await mostReadAtOnce((res) => res.writeHead(200).end(big))).toBe(2);
  });

  it('small documents never wait for a slot', async () => {
    expect(await mostReadAtOnce(serveFeed)).toBe(6);
  });
});

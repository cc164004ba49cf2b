/**
 * `orrery serve`'s server end to end on loopback: real feeds fetched over HTTP into a real SQLite
 * store, the site built and served (types, ETag/304, compression, cache headers, 404 page, no
 * traversal), the loop picking up changed feeds and publishing again, health, metrics, stop.
 */
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  type FeedFarm,
  startFeedFarm,
  startTestPlanet,
  type TestPlanet,
} from './testdata/test-planet.js';

let farm: FeedFarm;
let planet: TestPlanet;
const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(new URL(path, planet.server.url), { headers, redirect: 'manual' });

beforeAll(async () => {
  farm = await startFeedFarm();
  farm.feeds.set('/a.xml', {
    path: '/a.xml',
    title: 'Blog A',
    items: [
      { id: 'a1', title: 'Hello from A', date: '2026-11-20T10:00:00Z', body: 'x'.repeat(3000) },
    ],
  });
  planet = await startTestPlanet({ feeds: [`${farm.base}/a.xml`] });
  await eventually(async () => (await get('/')).status === 200);
  await eventually(async () => (await (await get('/')).text()).includes('Hello from A'));
});

afterAll(async () => {
  await planet?.close();
  await farm?.close();
});

describe('orrery serve: the site', () => {
  it('serves the river with its type, a strong ETag, Last-Modified and no-cache', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('etag')).toMatch(/^"[\w-]+"$/);
    expect(res.headers.get('last-modified')).toMatch(/GMT$/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(await res.text()).toContain('Hello from A');
  });

  it('answers HEAD with the headers and no body', async () => {
    const res = await fetch(new URL('/index.html', planet.server.url), { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('content-length'))).toBeGreaterThan(1000);
    expect(await res.text()).toBe('');
  });

  it('answers 304 to a matching If-None-Match or If-Modified-Since', async () => {
    const first = await get('/index.html');
    const etag = first.headers.get('etag') ?? '';
    expect((await get('/index.html', { 'if-none-match': etag })).status).toBe(304);
    expect((await get('/index.html', { 'if-none-match': `W/${etag}, "other"` })).status).toBe(304);
    expect((await get('/index.html', { 'if-none-match': '"other"' })).status).toBe(200);
    const since = first.headers.get('last-modified') ?? '';
    expect((await get('/index.html', { 'if-modified-since': since })).status).toBe(304);
  });

  it('compresses text with br or gzip as asked, and says so in Vary', async () => {
    const plain = await (await get('/atom.xml', { 'accept-encoding': 'identity' })).text();
    const gz = await get('/atom.xml', { 'accept-encoding': 'gzip' });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gz.headers.get('vary')).toBe('Accept-Encoding');
    expect(gz.headers.get('content-type')).toContain('xml');
    // fetch() undoes the coding itself; the bytes are checked through node:zlib elsewhere.
    expect(await gz.text()).toBe(plain);
    const br = await get('/atom.xml', { 'accept-encoding': 'gzip;q=0.5, br' });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(await br.text()).toBe(plain);
    const noBr = await get('/atom.xml', { 'accept-encoding': 'br;q=0, gzip' });
    expect(noBr.headers.get('content-encoding')).toBe('gzip');
  });

  it('sends gzip bytes a client can inflate', async () => {
    const { request } = await import('node:http');
    const url = new URL('/index.html', planet.server.url);
    const body = await new Promise<Buffer>((resolve, reject) => {
      request(url, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks)));
      })
        .on('error', reject)
        .end();
    });
    expect(gunzipSync(body).toString()).toContain('Hello from A');
  });

  it('gives assets their types and a cache lifetime', async () => {
    const css = await get('/assets/style.css');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(css.headers.get('cache-control')).toBe('public, max-age=3600');
    const js = await get('/assets/live.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('javascript');
  });

  it('answers a missing page with the theme 404 page', async () => {
    const res = await get('/no/such/page.html');
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).toContain('Page not found');
    expect(html).toContain('assets/style.css');
    expect(html).toContain('Test Planet');
  });

  it('redirects a folder without its slash', async () => {
    const res = await get('/archive');
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/archive/');
  });

  it.each([
    '/../planet.toml',
    '/..%2fplanet.toml',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/assets/..%2f..%2fplanet.toml',
    '/.orrery-pages.json',
    '/assets%5c..%5c..%5cplanet.toml',
    '/%00',
    '/%E0%A4%A',
  ])('refuses %s', async (path) => {
    const res = await get(path);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('[site]');
  });
});

describe('orrery serve: paths sent as they are (no client normalization)', () => {
  it.each(['/../planet.toml', '/assets/../../planet.toml', '/./../orrery.sqlite', '//etc/passwd'])(
    'refuses %s',
    async (path) => {
      const { request } = await import('node:http');
      const url = new URL(planet.server.url);
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        request({ host: url.hostname, port: url.port, path, method: 'GET' }, (res) => {
          let body = '';
          res
            .on('data', (c) => (body += c))
            .on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        })
          .on('error', reject)
          .end();
      });
      expect(answer.status).toBe(404);
      expect(answer.body).not.toContain('[site]');
    },
  );
});

describe('orrery serve: operations', () => {
  it('answers /healthz', async () => {
    const res = await get('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('exposes Prometheus metrics, every one named orrery_', async () => {
    const text = await (await get('/metrics')).text();
    const names = [...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1] ?? '');
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((n) => !n.startsWith('orrery_'))).toEqual([]);
    for (const name of [
      'orrery_fetches_total',
      'orrery_fetch_duration_seconds',
      'orrery_entries_stored_total',
      'orrery_build_duration_seconds',
      'orrery_queue_depth',
      'orrery_feeds',
      'orrery_websub_subscriptions',
      'orrery_sse_clients',
    ]) {
      expect(names, name).toContain(name);
    }
    expect(text).toMatch(/orrery_fetches_total\{outcome="ok"\} [1-9]/);
    expect(text).toMatch(/orrery_entries_stored_total\{via="poll"\} [1-9]/);
    expect(text).toMatch(/orrery_feeds\{state="ok"\} 1/);
  });

  it('has the admin API off without a token', async () => {
    const res = await get('/api/feeds');
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('ORRERY_ADMIN_TOKEN');
  });

  it('fetches a feed again when it falls due and publishes the new post', async () => {
    // Make the feed due now, as its interval passing would.
    const feed = (await planet.store.getFeedByUrl(`${farm.base}/a.xml`))!;
    farm.feeds
      .get('/a.xml')
      ?.items.unshift({ id: 'a2', title: 'Second post from A', date: '2026-11-21T10:00:00Z' });
    planet.server.loop.refresh(feed.url);
    await eventually(async () => (await (await get('/')).text()).includes('Second post from A'));
  });
});

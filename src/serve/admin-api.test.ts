/**
 * The admin API over real HTTP against a running `orrery serve`: token checks, input validation,
 * autodiscovery, planet.toml edited with its comments kept and concurrent CLI edits kept, the
 * private-address guard, removal and refresh.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/helpers.js';
import {
  eventually,
  type FeedFarm,
  startFeedFarm,
  startTestPlanet,
  type TestPlanet,
} from './testdata/test-planet.js';

const TOKEN = 'correct horse battery staple';
let farm: FeedFarm;
let planet: TestPlanet;

const api = (path: string, init: RequestInit & { token?: string | null } = {}) => {
  const headers = new Headers(init.headers);
  const token = init.token === undefined ? TOKEN : init.token;
  if (token !== null) headers.set('authorization', `Bearer ${token}`);
  return fetch(new URL(`/api${path}`, planet.server.url), { ...init, headers });
};
const post = (path: string, body: unknown, token?: string | null) =>
  api(path, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(token !== undefined ? { token } : {}),
  });

beforeAll(async () => {
  farm = await startFeedFarm();
  for (const name of ['a', 'b', 'c', 'd']) {
    farm.feeds.set(`/${name}.xml`, {
      path: `/${name}.xml`,
      title: `Blog ${name.toUpperCase()}`,
      items: [{ id: `${name}1`, title: `Post of ${name}`, date: '2026-11-20T10:00:00Z' }],
    });
  }
  // A home page that links its feed, for autodiscovery.
  farm.handlers.set('/home/', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(
      `<html><head><link rel="alternate" type="application/atom+xml" href="${farm.base}/b.xml"></head></html>`,
    );
  });
  planet = await startTestPlanet({
    feeds: [`${farm.base}/a.xml`],
    extraToml: '# a comment the API must keep\n',
    server: { adminToken: TOKEN },
  });
  await eventually(() => planet.store.getFeedByUrl(`${farm.base}/a.xml`));
});

afterAll(async () => {
  await planet?.close();
  await farm?.close();
});

describe('admin API: authorization', () => {
  it.each([
    ['no header', null],
    ['a wrong token', 'wrong'],
    ['a token with a prefix', `x${TOKEN}`],
  ])('answers 401 with %s', async (_what, token) => {
    const res = await api('/feeds', { token });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
  });

  it('counts refused tokens', async () => {
    const text = await (await fetch(new URL('/metrics', planet.server.url))).text();
    expect(text).toMatch(/orrery_rejected_requests_total\{reason="api-bad-token"\} [1-9]/);
  });
});

describe('admin API: feeds', () => {
  it('lists the feeds with url, name, section and health', async () => {
    const res = await api('/feeds');
    expect(res.status).toBe(200);
    const feeds = (await res.json()) as Array<Record<string, unknown>>;
    expect(feeds).toHaveLength(1);
    expect(feeds[0]).toMatchObject({
      url: `${farm.base}/a.xml`,
      name: 'Feed 0',
      section: 'main',
      health: { status: expect.any(String) },
    });
    expect(typeof feeds[0]?.id).toBe('number');
  });

  it('adds a feed found from a home page, keeping the comments of planet.toml', async () => {
    const res = await post('/feeds', { url: `${farm.base}/home/`, name: 'Home B' });
    expect(res.status).toBe(201);
    const added = (await res.json()) as { id: number; url: string; name: string };
    expect(added).toMatchObject({ url: `${farm.base}/b.xml`, name: 'Home B' });
    const toml = await readFile(planet.configPath, 'utf8');
    expect(toml).toContain('# a comment the API must keep');
    expect(toml).toContain(`url = "${farm.base}/b.xml"`);
    await eventually(async () => (await planet.store.getFeed(added.id))?.lastFetchedAt);
  });

  it('refuses bad input with a clear message, storing nothing', async () => {
    const before = await readFile(planet.configPath, 'utf8');
    const cases: Array<[unknown, number, RegExp]> = [
      ['{not json', 400, /not JSON/],
      [{}, 400, /url/],
      [{ url: 42 }, 400, /url must be a string/],
      [{ url: 'https://x.example/feed', colour: 'red' }, 400, /unknown field colour/],
      [{ url: 'not a url' }, 400, /not a URL/],
      [{ url: 'ftp://x.example/feed' }, 400, /not an http/],
      [{ url: `${farm.base}/c.xml`, section: 'nope' }, 422, /no section 'nope'/],
      [{ url: `${farm.base}/a.xml` }, 409, /already/],
      [{ url: `${farm.base}/missing.xml` }, 422, /no feed found/],
    ];
    for (const [body, status, message] of cases) {
      const res = await post('/feeds', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(JSON.stringify(await res.json())).toMatch(message);
    }
    expect(await readFile(planet.configPath, 'utf8')).toBe(before);
  });

  it('refuses an oversized body', async () => {
    const res = await post('/feeds', { url: `https://x.example/${'a'.repeat(70_000)}` });
    expect(res.status).toBe(413);
  });

  it('keeps both edits when the CLI edits planet.toml at the same time', async () => {
    const [viaApi, viaCli] = await Promise.all([
      post('/feeds', { url: `${farm.base}/c.xml`, name: 'From the API' }),
      runCli(
        [
          'add',
          `${farm.base}/d.xml`,
          '--no-discover',
          '--name',
          'From the CLI',
          '--config',
          planet.configPath,
        ],
        { cwd: planet.dir },
      ),
    ]);
    expect(viaApi.status).toBe(201);
    expect(viaCli.code, viaCli.stderr).toBe(0);
    const toml = await readFile(planet.configPath, 'utf8');
    expect(toml).toContain('From the API');
    expect(toml).toContain('From the CLI');
    // The running server picks up the CLI's edit too.
    await eventually(() => planet.store.getFeedByUrl(`${farm.base}/d.xml`));
  });

  it('refuses a feed on a private address unless private addresses are allowed', async () => {
    // The test planet allows private addresses (its feeds are on loopback); a fresh server on a
    // planet that does not refuses the same URL.
    const strict = await startTestPlanet({ feeds: [], server: { adminToken: TOKEN } });
    try {
      const { writeFile } = await import('node:fs/promises');
      await writeFile(
        strict.configPath,
        (await readFile(strict.configPath, 'utf8')).replace(
          'allow_private = true',
          'allow_private = false',
        ),
      );
      const { startPlanetServer } = await import('./planet-server.js');
      const { parseConfig } = await import('../config/schema.js');
      const { createHttpFetcher } = await import('../fetch/http-fetcher.js');
      const config = parseConfig(await readFile(strict.configPath, 'utf8'), {
        configPath: strict.configPath,
      });
      await strict.server.close();
      const server = await startPlanetServer({
        config,
        loadConfig: async () => config,
        store: strict.store,
        fetcher: createHttpFetcher(config.fetch),
        host: '127.0.0.1',
        port: 0,
        adminToken: TOKEN,
        log: (await import('./logger.js')).createLogger({
          format: 'json',
          level: 'error',
          destination: { write: () => true } as never,
        }),
        now: () => new Date(),
        version: 'test',
      });
      try {
        const res = await fetch(new URL('/api/feeds', server.url), {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}` },
          body: JSON.stringify({ url: `${farm.base}/c.xml` }),
        });
        expect(res.status).toBe(422);
        expect(JSON.stringify(await res.json())).toMatch(/loopback|private/);
      } finally {
        await server.close();
      }
    } finally {
      await strict.close();
    }
  });

  it('refreshes a feed on request', async () => {
    const feed = (await planet.store.getFeedByUrl(`${farm.base}/a.xml`))!;
    const before = farm.requests.filter((r) => r === '/a.xml').length;
    const res = await post(`/feeds/${feed.id}/refresh`, '');
    expect(res.status).toBe(202);
    await eventually(() => farm.requests.filter((r) => r === '/a.xml').length > before);
    expect((await post('/feeds/999999/refresh', '')).status).toBe(404);
    expect((await post('/feeds/abc/refresh', '')).status).toBe(400);
  });

  it('removes a feed from planet.toml; its entries stay in the archive', async () => {
    const feed = (await planet.store.getFeedByUrl(`${farm.base}/c.xml`))!;
    const res = await api(`/feeds/${feed.id}`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    const toml = await readFile(planet.configPath, 'utf8');
    expect(toml).not.toContain(`${farm.base}/c.xml`);
    expect(toml).toContain('# a comment the API must keep');
    const listed = (await (await api('/feeds')).json()) as Array<{ url: string }>;
    expect(listed.map((f) => f.url)).not.toContain(`${farm.base}/c.xml`);
    expect((await api(`/feeds/${feed.id}`, { method: 'DELETE' })).status).toBe(404);
  });
});

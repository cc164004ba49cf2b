/**
 * For the serve tests: a planet in a temp folder with feeds served by a loopback server the test
 * changes at will, and `orrery serve`'s server started over it (real SQLite store, real HTTP
 * fetcher, real site build), with short timings.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseConfig } from '../../config/schema.js';
import { createHttpFetcher } from '../../fetch/http-fetcher.js';
import { createSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store, StoreLock } from '../../store/store.js';
import { createLogger } from '../logger.js';
import { type PlanetServer, type PlanetServerOptions, startPlanetServer } from '../planet-server.js';

export interface TestFeed {
  path: string;
  title: string;
  items: Array<{ id: string; title: string; date: string; body?: string }>;
  /** Extra response headers (e.g. a Link header naming a hub). */
  headers?: Record<string, string>;
}

export function atomDocument(feed: TestFeed, self?: string, hub?: string): string {
  const entries = feed.items
    .map(
      (i) =>
        `<entry><id>urn:test:${i.id}</id><title>${i.title}</title><updated>${i.date}</updated>` +
        `<link href="https://blog.example.org/${i.id}"/><content type="html">&lt;p&gt;${i.body ?? i.title}&lt;/p&gt;</content></entry>`,
    )
    .join('');
  return (
    `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>${feed.title}</title>` +
    `<id>urn:test:${feed.path}</id><updated>2026-11-22T00:00:00Z</updated>` +
    (self ? `<link rel="self" href="${self}"/>` : '') +
    (hub ? `<link rel="hub" href="${hub}"/>` : '') +
    `${entries}</feed>`
  );
}

export interface FeedFarm {
  base: string;
  feeds: Map<string, TestFeed>;
  requests: string[];
  /** Custom answers per path, instead of the feed. */
  handlers: Map<string, (req: IncomingMessage, res: ServerResponse) => void>;
  close(): Promise<void>;
}

/** A loopback server of Atom feeds, each answered from the `feeds` map as it is at the time. */
export async function startFeedFarm(): Promise<FeedFarm> {
  const feeds = new Map<string, TestFeed>();
  const handlers = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push(path);
    const handler = handlers.get(path);
    if (handler) return handler(req, res);
    const feed = feeds.get(path);
    if (!feed) return void res.writeHead(404).end('no such feed');
    res.writeHead(200, { 'content-type': 'application/atom+xml', ...feed.headers });
    res.end(atomDocument(feed));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    feeds,
    requests,
    handlers,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface TestPlanet {
  dir: string;
  configPath: string;
  store: Store;
  server: PlanetServer;
  logs: string[];
  close(): Promise<void>;
}

export interface TestPlanetOptions {
  feeds: string[];
  extraToml?: string;
  /** Listen on a known port and use it as --public-url (WebSub callbacks). */
  publicUrl?: boolean;
  /** That port (a restart on the same public URL); a free one by default. */
  port?: number;
  /** The planet's folder, kept by close() (a restart on the same store); a new one by default. */
  dir?: string;
  server?: Partial<PlanetServerOptions>;
}

/** A port free right now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** planet.toml for the feeds, with allow_private (loopback) and fast polling. */
/** A test planet polls every 60 minutes: the learned interval is capped there too. */
export function planetToml(feedUrls: readonly string[], extra = ''): string {
  const feeds = feedUrls
    .map((url, i) => `[[feeds]]\nurl = "${url}"\nname = "Feed ${i}"\n`)
    .join('\n');
  return `[site]\nname = "Test Planet"\nlink = "https://planet.example.org/"\nitems_per_page = 30\ndays_per_page = 30\n\n[fetch]\nallow_private = true\ninterval = 60\nmax_interval = 60\n${extra}\n${feeds}`;
}

export async function startTestPlanet(options: TestPlanetOptions): Promise<TestPlanet> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'orrery-serve-')));
  await mkdir(dir, { recursive: true });
  const configPath = join(dir, 'planet.toml');
  await writeFile(configPath, planetToml(options.feeds, options.extraToml));
  const load = async () => {
    const { readFile } = await import('node:fs/promises');
    return parseConfig(await readFile(configPath, 'utf8'), { configPath, version: '0.0.0-test' });
  };
  const config = await load();
  const store = await createSqliteStore({ path: config.store.path });
  const lock: StoreLock = await store.acquireLock({ owner: 'orrery serve (test)', waitMs: 0 });
  const logs: string[] = [];
  const log = createLogger({
    format: 'json',
    level: 'debug',
    destination: new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    }),
  });
  const port = options.port ?? (options.publicUrl ? await freePort() : 0);
  const server = await startPlanetServer({
    config,
    loadConfig: load,
    store,
    fetcher: createHttpFetcher(config.fetch),
    host: '127.0.0.1',
    port,
    ...(options.publicUrl ? { publicUrl: `http://127.0.0.1:${port}/` } : {}),
    log,
    now: () => new Date(),
    version: '0.0.0-test',
    ...options.server,
    timings: {
      publishQuietMs: 200,
      publishMaxWaitMs: 1000,
      maxSleepMs: 500,
      stopGraceMs: 2000,
      websubTickMs: 200,
      ...options.server?.timings,
    },
  });
  return {
    dir,
    configPath,
    store,
    server,
    logs,
    async close() {
      await server.close();
      await store.close();
      await lock.release();
      if (!options.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a value (not undefined/false), bounded in time. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  ms = 20_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error('eventually: condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

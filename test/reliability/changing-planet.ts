/**
 * A loopback planet that changes between runs: `generation` moves it on, and each generation
 * every feed lists its posts so far (new ones appear), a few feeds fail (HTTP 500, a body that
 * is not a feed, a connection closed mid-body), and one feed cross-posts another's posts (the
 * same links: duplicates the store records and the site shows once). Everything follows from
 * the seed and the generation, so a test knows what each feed served at each generation.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export type FeedFault = 'status-500' | 'not-a-feed' | 'cut';

export interface PlanetPost {
  guid: string;
  link: string;
  title: string;
  date: Date;
}

export interface ChangingPlanetOptions {
  seed: number;
  /** Feeds served (default 10). */
  feeds?: number;
  /** Per response, a pause up to this many ms (default 40): runs last long enough to be hit. */
  maxDelayMs?: number;
  /** The newest post's date (generation g's posts are g hours later). */
  start?: Date;
}

export interface ChangingPlanet {
  readonly url: string;
  readonly feeds: number;
  generation: number;
  /** Feed i's URL. */
  feedUrl(i: number): string;
  /** The posts feed i lists at generation g ([] when it fails then). */
  posts(i: number, g: number): PlanetPost[];
  /** How feed i fails at generation g, if it does. */
  fault(i: number, g: number): FeedFault | undefined;
  /** Write `dir/planet.toml` for this planet (site in dir/public, store dir/planet.db). */
  writeConfig(dir: string): void;
  close(): Promise<void>;
}

/** The feed that cross-posts: it repeats feed 0's posts (same links, other guids). */
const CROSS = 1;
const FAULTS: FeedFault[] = ['status-500', 'not-a-feed', 'cut'];

function hash(...n: number[]): number {
  let h = 2166136261;
  for (const x of n) h = Math.imul(h ^ x, 16777619) >>> 0;
  return h;
}

export async function startChangingPlanet(options: ChangingPlanetOptions): Promise<ChangingPlanet> {
  const { seed } = options;
  const feeds = options.feeds ?? 10;
  const maxDelay = options.maxDelayMs ?? 40;
  const start = options.start ?? new Date(Date.now() - 30 * 86_400_000);

  const fault = (i: number, g: number): FeedFault | undefined => {
    // Feed 0 (the original of the cross-posts) never fails; the others fail one time in six.
    if (i === 0) return undefined;
    const h = hash(seed, i, g);
    return h % 6 === 0 ? FAULTS[(h >>> 8) % FAULTS.length] : undefined;
  };
  /** Posts feed i has published by generation g: 3 to start, 0-2 more each generation. */
  const count = (i: number, g: number): number => {
    let n = 3;
    for (let k = 1; k <= g; k++) n += hash(seed, i, k, 7) % 3;
    return n;
  };
  const post = (i: number, n: number): PlanetPost => {
    const source = i === CROSS && n % 2 === 0 ? 0 : i;
    return {
      guid: `tag:planet.test,2026:feed${i}/post${n}`,
      link: `http://blog${source}.test/post${i === source ? n : n / 2}`,
      title: `Feed ${source} post ${i === source ? n : n / 2}`,
      // Hours apart, so posts spread over many days (many archive pages to build).
      date: new Date(start.getTime() + (n * 7 + i) * 3_600_000),
    };
  };
  const posts = (i: number, g: number): PlanetPost[] => {
    if (fault(i, g)) return [];
    const n = count(i, g);
    // The cross-poster lists every other post as feed 0's (posts 0, 2, 4 are feed 0's 0, 1, 2).
    const all = Array.from({ length: n }, (_, k) => post(i, k));
    return i === CROSS ? all.filter((_p, k) => k % 2 === 1 || k / 2 < count(0, g)) : all;
  };

  let generation = 0;
  const server: Server = createServer((req, res) => {
    const m = /^\/feed(\d+)\.xml$/.exec(req.url ?? '');
    const i = m ? Number(m[1]) : -1;
    if (i < 0 || i >= feeds) {
      res.writeHead(404).end();
      return;
    }
    const g = generation;
    const delay = hash(seed, i, g, 99) % (maxDelay + 1);
    setTimeout(() => {
      const f = fault(i, g);
      if (f === 'status-500') {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('down for maintenance');
        return;
      }
      if (f === 'not-a-feed') {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Moved</body></html>');
        return;
      }
      const body = rssOf(i, posts(i, g));
      if (f === 'cut') {
        // Announce the whole body, send half, then drop the connection.
        res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-length': 4096 });
        res.write('<?xml version="1.0"?><rss version="2.0"><channel><title>cut');
        setTimeout(() => res.destroy(), 5);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(body);
    }, delay);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function rssOf(i: number, items: PlanetPost[]): string {
    const body = (p: PlanetPost) =>
      `&lt;p&gt;${p.title}: ${'words of the post '.repeat(20)}&lt;/p&gt;`;
    return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Blog ${i}</title><link>http://blog${i}.test/</link><description>Blog ${i}</description>
${items
  .map(
    (p) =>
      `<item><guid isPermaLink="false">${p.guid}</guid><title>${p.title}</title><link>${p.link}</link><pubDate>${p.date.toUTCString()}</pubDate><description>${body(p)}</description></item>`,
  )
  .join('\n')}
</channel></rss>`;
  }

  return {
    url,
    feeds,
    get generation() {
      return generation;
    },
    set generation(g: number) {
      generation = g;
    },
    feedUrl: (i) => `${url}/feed${i}.xml`,
    posts,
    fault,
    writeConfig(dir) {
      mkdirSync(dir, { recursive: true });
      const lines = [
        '[site]',
        'name = "Changing Planet"',
        'link = "https://planet.example.org/"',
        'output_dir = "public"',
        'timezone = "UTC"',
        '',
        '[store]',
        'path = "planet.db"',
        '',
        '[fetch]',
        'allow_private = true',
        'connect_timeout = 2',
        'headers_timeout = 2',
        'body_timeout = 2',
        '',
      ];
      for (let i = 0; i < feeds; i++) {
        lines.push('[[feeds]]', `url = "${url}/feed${i}.xml"`, `name = "Blog ${i}"`, '');
      }
      writeFileSync(join(dir, 'planet.toml'), lines.join('\n'));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

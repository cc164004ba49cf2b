// biome-ignore-all lint/style/noNonNullAssertion: indexes are drawn within the bounds of non-empty lists, and every feed is made with a name
/**
 * A deterministic synthetic planet (feeds, entries, fetch history) of any size, for the
 * render benchmark and the crash test. Content is realistic HTML: paragraphs, links, code,
 * the odd image.
 */
import type { FetchRecord, StoredEntry, StoredFeed } from '../model/stored.js';
import type { MemorySourceData } from './memory-source.js';

export interface SyntheticPlanetOptions {
  feeds: number;
  entries: number;
  /** The newest entry's date (ISO 8601). */
  end: string;
  /** Days the entries spread over, back from `end`. */
  days: number;
  sections?: string[];
  seed?: number;
}

const WORDS =
  'python asyncio release package module server thread generator decorator typing wheel virtualenv pip django flask numpy pandas gevent greenlet socket queue worker benchmark profile memory garbage interpreter bytecode compiler parser grammar test fixture coverage mock database query index cursor transaction migration schema cache proxy request response header cookie session token crypto signature deploy container cluster metric log trace span conference sprint community mentor student summer code'.split(
    ' ',
  );

/** A seeded pseudo-random generator (mulberry32): the same seed, the same numbers. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    // mulberry32
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Build the data of a synthetic planet. */
export function syntheticPlanet(options: SyntheticPlanetOptions): Required<MemorySourceData> {
  const rand = prng(options.seed ?? 42);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const words = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(' ');
  const sections = options.sections ?? ['python', 'gsoc'];
  const end = Date.parse(options.end);
  const span = options.days * 86_400_000;
  const feeds: StoredFeed[] = [];
  const fetches = new Map<number, FetchRecord[]>();
  for (let i = 1; i <= options.feeds; i++) {
    const failing = i % 37 === 0;
    const feed: StoredFeed = {
      id: i,
      url: `https://blog${i}.example.org/feed.xml`,
      name: `Author ${i}`,
      section: sections[i % 7 === 0 ? 1 % sections.length : 0]!,
      active: true,
      title: `Blog number ${i}`,
      siteLink: `https://blog${i}.example.org/`,
      hubs: [],
      validators: {},
      consecutiveFailures: failing ? 3 : 0,
      previousUrls: [],
      retired: false,
      entryCount: 0,
      createdAt: new Date(end - span).toISOString(),
      lastSuccessAt: options.end,
      lastNewEntryAt: options.end,
    };
    if (failing) {
      feed.errorCode = 'http-status';
      feed.errorMessage = 'HTTP 500 Internal Server Error';
      feed.lastStatus = 500;
      feed.failingSince = new Date(end - 3 * 86_400_000).toISOString();
      fetches.set(i, [
        {
          at: options.end,
          outcome: 'error',
          status: 500,
          errorCode: 'http-status',
          elapsedMs: 120,
        },
      ]);
    }
    feeds.push(feed);
  }
  const entries: StoredEntry[] = [];
  for (let i = 1; i <= options.entries; i++) {
    const feed = feeds[Math.floor(rand() * feeds.length)]!;
    feed.entryCount++;
    const date = new Date(end - Math.floor(rand() * span)).toISOString();
    const paragraphs = 1 + Math.floor(rand() * 5);
    let html = '';
    for (let p = 0; p < paragraphs; p++) {
      html += `<p>${words(25 + Math.floor(rand() * 40))} <a href="${feed.siteLink}${pick(WORDS)}">${pick(WORDS)}</a>.</p>\n`;
    }
    if (rand() < 0.2)
      html += `<pre><code>import ${pick(WORDS)}\nprint(${pick(WORDS)}.run())</code></pre>\n`;
    if (rand() < 0.1)
      html += `<p><img src="${feed.siteLink}img/${i}.png" alt="A chart of ${pick(WORDS)}"></p>\n`;
    const link = `${feed.siteLink}${date.slice(0, 10).replace(/-/g, '/')}/post-${i}`;
    entries.push({
      id: i,
      feedId: feed.id,
      key: `id:${link}`,
      link,
      canonicalLink: link,
      fingerprint: `fp${i}`,
      title: `${words(1)[0]!.toUpperCase()}${words(4 + Math.floor(rand() * 5)).slice(1)}`,
      content: { value: html, type: 'text/html' },
      author: { name: feed.name! },
      categories: [{ term: pick(WORDS) }],
      enclosures: [],
      published: date,
      date,
      firstSeenAt: date,
      lastSeenAt: date,
    });
  }
  return { feeds, entries, fetches };
}

/**
 * Feed autodiscovery from a home page: the URL itself when it is a feed, else the page's
 * <link rel="alternate"> feeds, else the common feed paths, else the page itself when it
 * carries h-feed/hAtom markup. Returns every feed found so the CLI can let the user choose.
 */
import { type DefaultTreeAdapterMap, parse } from 'parse5';
import type { FeedErrorCode } from '../model/errors.js';
import type { Fetcher } from '../model/fetch.js';
import { type SniffedFormat, sniffFeed } from './sniff-feed.js';

export type DiscoveredFormat = SniffedFormat | 'hfeed';

export interface DiscoveredFeed {
  url: string;
  format: DiscoveredFormat;
  /** The MIME type the page announced (links only). */
  type?: string;
  title?: string;
  /** How it was found. */
  via: 'self' | 'link' | 'common-path' | 'h-feed';
}

export type DiscoveryResult =
  | { kind: 'found'; pageUrl: string; feeds: DiscoveredFeed[] }
  | { kind: 'none'; pageUrl: string; code: 'not-a-feed'; message: string }
  | { kind: 'error'; code: FeedErrorCode; message: string };

const FEED_TYPES: Record<string, SniffedFormat> = {
  'application/rss+xml': 'rss',
  'application/atom+xml': 'atom',
  'application/rdf+xml': 'rdf',
  'application/feed+json': 'json',
  'application/json': 'json',
  'text/xml': 'rss',
  'application/xml': 'rss',
};

/** Where blogs usually keep their feed, relative to the site root (and to the page's folder). */
export const COMMON_FEED_PATHS = [
  'feed',
  'feed/',
  'rss',
  'rss.xml',
  'atom.xml',
  'index.xml',
  'feed.xml',
  'feed.json',
  'index.rss',
  'atom',
  'feeds/posts/default',
] as const;

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

function attr(element: Element, name: string): string | undefined {
  return element.attrs.find((a) => a.name === name)?.value;
}

interface PageScan {
  base?: string;
  links: { href: string; type: string; title?: string }[];
  hfeed: boolean;
}

function scanHtml(html: string): PageScan {
  const scan: PageScan = { links: [], hfeed: false };
  const stack: Node[] = [parse(html)];
  // Bounded walk: a pathological page cannot keep us here forever.
  for (let visited = 0; stack.length > 0 && visited < 200_000; visited++) {
    const node = stack.pop() as Node;
    if ('tagName' in node) {
      const element = node as Element;
      if (element.tagName === 'base' && scan.base === undefined) scan.base = attr(element, 'href');
      if (element.tagName === 'link') {
        const rel = (attr(element, 'rel') ?? '').toLowerCase().split(/\s+/);
        const type = (attr(element, 'type') ?? '').toLowerCase().split(';')[0]?.trim() ?? '';
        const href = attr(element, 'href');
        // WordPress links its REST API as alternate application/json on every page: plain JSON
        // counts only when it says it is a feed.
        const plainJson =
          type === 'application/json' && !/feed/i.test(`${href} ${attr(element, 'title') ?? ''}`);
        if (rel.includes('alternate') && href && type in FEED_TYPES && !plainJson) {
          const title = attr(element, 'title')?.trim();
          scan.links.push({ href, type, ...(title ? { title } : {}) });
        }
      }
      const classes = (attr(element, 'class') ?? '').split(/\s+/);
      if (classes.some((c) => c === 'h-feed' || c === 'h-entry' || c === 'hentry'))
        scan.hfeed = true;
    }
    if ('childNodes' in node) {
      const children = (node as { childNodes: Node[] }).childNodes;
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as Node);
    }
    if ('content' in node && node.content) stack.push(node.content as Node);
  }
  return scan;
}

function resolve(href: string, base: string): string | undefined {
  try {
    const url = new URL(href.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    // An unusable href is skipped: the other candidates still count.
    return undefined;
  }
}

function candidatePaths(pageUrl: string): string[] {
  const page = new URL(pageUrl);
  const folder = new URL('./', page).href;
  const root = `${page.origin}/`;
  const out = new Set<string>();
  for (const base of folder === root ? [root] : [folder, root]) {
    for (const path of COMMON_FEED_PATHS) out.add(new URL(path, base).href);
  }
  return [...out];
}

/** Finds the feeds of a page (or confirms the URL is a feed itself). */
export async function discoverFeeds(url: string, fetcher: Fetcher): Promise<DiscoveryResult> {
  const page = await fetcher.fetch(url);
  if (page.kind === 'error') return { kind: 'error', code: page.code, message: page.message };
  if (page.kind === 'not-modified') {
    return { kind: 'error', code: 'http-status', message: 'unexpected 304 without validators' };
  }
  const pageUrl = page.finalUrl;
  const self = sniffFeed(page.body);
  if (self) return { kind: 'found', pageUrl, feeds: [{ url: pageUrl, format: self, via: 'self' }] };

  const html = new TextDecoder('utf-8').decode(page.body);
  const scan = scanHtml(html);
  const base = (scan.base && resolve(scan.base, pageUrl)) || pageUrl;
  const seen = new Set<string>();
  const linked: DiscoveredFeed[] = [];
  for (const link of scan.links) {
    const href = resolve(link.href, base);
    if (!href || seen.has(href)) continue;
    seen.add(href);
    linked.push({
      url: href,
      format: FEED_TYPES[link.type] ?? 'rss',
      type: link.type,
      ...(link.title ? { title: link.title } : {}),
      via: 'link',
    });
  }
  if (linked.length > 0) return { kind: 'found', pageUrl, feeds: linked };

  const guesses = await Promise.all(
    candidatePaths(pageUrl).map(async (candidate) => {
      const outcome = await fetcher.fetch(candidate);
      if (outcome.kind !== 'ok') return undefined;
      const format = sniffFeed(outcome.body);
      return format ? { url: outcome.finalUrl, format } : undefined;
    }),
  );
  const guessed: DiscoveredFeed[] = [];
  for (const guess of guesses) {
    if (!guess || seen.has(guess.url)) continue;
    seen.add(guess.url);
    guessed.push({ ...guess, via: 'common-path' });
  }
  if (guessed.length > 0) return { kind: 'found', pageUrl, feeds: guessed };

  if (scan.hfeed)
    return { kind: 'found', pageUrl, feeds: [{ url: pageUrl, format: 'hfeed', via: 'h-feed' }] };
  return { kind: 'none', pageUrl, code: 'not-a-feed', message: `no feed found at ${pageUrl}` };
}

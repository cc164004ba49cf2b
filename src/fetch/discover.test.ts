import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverFeeds } from './discover.js';
import { createHttpFetcher } from './http-fetcher.js';
import { sniffFeed } from './sniff-feed.js';
import { RSS, startServer, type TestServer } from './testdata/serve.js';

const ATOM =
  '<?xml version="1.0" encoding="utf-8"?>\n<!-- hi -->\n<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>';
const JSON_FEED = JSON.stringify({
  version: 'https://jsonfeed.org/version/1.1',
  title: 'j',
  items: [],
});
const html = (head: string, body = '') =>
  `<!doctype html><html><head>${head}</head><body>${body}</body></html>`;

const fetcher = createHttpFetcher({
  connectTimeoutMs: 2000,
  headersTimeoutMs: 2000,
  bodyTimeoutMs: 2000,
  maxBodyBytes: 1 << 20,
  maxDecompressedBytes: 1 << 22,
  maxRedirects: 5,
  perHostLimit: 4,
  userAgent: 'Orrery-test',
  allowPrivate: true,
});
let site: TestServer;
let guessing: TestServer;
let blog: TestServer;
let plain: TestServer;

const send =
  (type: string, body: string) => (_req: unknown, res: import('node:http').ServerResponse) =>
    res.writeHead(200, { 'content-type': type }).end(body);

beforeAll(async () => {
  site = await startServer({
    '/': send(
      'text/html',
      html(
        '<link rel="alternate" type="application/rss+xml" title="Posts" href="/posts.rss">' +
          '<link rel="alternate" type="application/atom+xml" title="Comments" href="comments/atom">' +
          '<link rel="alternate" type="application/feed+json" href="https://other.example/feed.json">' +
          '<link rel="alternate" hreflang="de" href="/de/">' +
          '<link rel="alternate" type="application/json" href="/wp-json/wp/v2/pages/2">' +
          '<link rel="alternate" type="application/json+oembed" href="/wp-json/oembed/1.0/embed">' +
          '<link rel="stylesheet" type="text/css" href="/s.css">',
      ),
    ),
    '/based': send(
      'text/html',
      html(
        '<base href="/blog/"><link rel="ALTERNATE feed" type="application/atom+xml; charset=utf-8" href="atom.xml">',
      ),
    ),
    '/feed.xml': send('text/xml', RSS),
    '/hfeed': send(
      'text/html',
      html('', '<div class="h-feed"><article class="h-entry">x</article></div>'),
    ),
  });
  guessing = await startServer({
    '/': send('text/html', html('<title>no links</title>')),
    '/atom.xml': send('application/atom+xml', ATOM),
    '/feed.json': send('application/json', JSON_FEED),
    // A page answering every path with HTML is not a feed.
    '/feed': send('text/html', html('')),
    '/rss': (_req, res) => res.writeHead(301, { location: '/atom.xml' }).end(),
  });
  blog = await startServer({
    '/': send('text/html', html('', '<div class="hentry">old hAtom</div>')),
    '/hfeed': send(
      'text/html',
      html('', '<div class="h-feed"><article class="h-entry">x</article></div>'),
    ),
  });
  plain = await startServer({ '/': send('text/html', html('<title>nothing</title>')) });
});

afterAll(async () => {
  await fetcher.close();
  await Promise.all([site.close(), guessing.close(), blog.close(), plain.close()]);
});

describe('discoverFeeds', () => {
  it('returns every <link rel="alternate"> feed, resolved, with title and type', async () => {
    const result = await discoverFeeds(site.url('/'), fetcher);
    expect(result).toEqual({
      kind: 'found',
      pageUrl: site.url('/'),
      feeds: [
        {
          url: site.url('/posts.rss'),
          format: 'rss',
          type: 'application/rss+xml',
          title: 'Posts',
          via: 'link',
        },
        {
          url: site.url('/comments/atom'),
          format: 'atom',
          type: 'application/atom+xml',
          title: 'Comments',
          via: 'link',
        },
        {
          url: 'https://other.example/feed.json',
          format: 'json',
          type: 'application/feed+json',
          via: 'link',
        },
      ],
    });
  });

  it('honours <base href> and rel/type variants', async () => {
    const result = await discoverFeeds(site.url('/based'), fetcher);
    expect(result.kind === 'found' && result.feeds.map((f) => f.url)).toEqual([
      site.url('/blog/atom.xml'),
    ]);
  });

  it('returns the URL itself when it is a feed', async () => {
    const result = await discoverFeeds(site.url('/feed.xml'), fetcher);
    expect(result).toEqual({
      kind: 'found',
      pageUrl: site.url('/feed.xml'),
      feeds: [{ url: site.url('/feed.xml'), format: 'rss', via: 'self' }],
    });
  });

  it('tries the common paths when the page links none, sniffing by content', async () => {
    const result = await discoverFeeds(guessing.url('/'), fetcher);
    if (result.kind !== 'found') throw new Error(JSON.stringify(result));
    expect(result.feeds.map((f) => [f.url, f.format, f.via])).toEqual([
      [guessing.url('/atom.xml'), 'atom', 'common-path'],
      [guessing.url('/feed.json'), 'json', 'common-path'],
    ]);
  });

  it('falls back to the page itself when it carries h-feed or hAtom markup', async () => {
    for (const url of [blog.url('/hfeed'), blog.url('/')]) {
      const result = await discoverFeeds(url, fetcher);
      expect(result).toEqual({
        kind: 'found',
        pageUrl: url,
        feeds: [{ url, format: 'hfeed', via: 'h-feed' }],
      });
    }
  });

  it('says so when there is no feed, and passes fetch errors through', async () => {
    expect(await discoverFeeds(plain.url('/'), fetcher)).toMatchObject({
      kind: 'none',
      code: 'not-a-feed',
    });
    expect(await discoverFeeds(plain.url('/missing'), fetcher)).toMatchObject({
      kind: 'error',
      code: 'http-status',
    });
  });
});

describe('sniffFeed', () => {
  const bytes = (text: string) => new TextEncoder().encode(text);
  it.each([
    [RSS, 'rss'],
    [ATOM, 'atom'],
    [
      '\ufeff<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x "y">]><rss version="0.91"></rss>',
      'rss',
    ],
    ['<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"></rdf:RDF>', 'rdf'],
    ['<atom:feed xmlns:atom="http://www.w3.org/2005/Atom"/>', 'atom'],
    [`  ${JSON_FEED}`, 'json'],
    ['<!doctype html><html></html>', undefined],
    ['{"version": 2}', undefined],
    ['', undefined],
    ['plain text', undefined],
  ])('%s → %s', (text, format) => {
    expect(sniffFeed(bytes(text))).toBe(format);
  });

  it('reads UTF-16 with a BOM', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(ATOM, 'utf16le')]);
    expect(sniffFeed(utf16)).toBe('atom');
  });
});

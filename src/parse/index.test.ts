// biome-ignore lint/style/noRestrictedImports: tests read their fixtures; parse itself stays pure
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { parse } from './index.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(join(here, 'testdata', name)));
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('RSS 2.0 with extensions', () => {
  const r = parse(fixture('rss2-extensions.xml'), { url: 'https://example.com/feeds/rss.xml' });

  it('reads the channel', () => {
    expect(r.version).toBe('rss20');
    expect(r.wellFormed).toBe(true);
    expect(r.feed.title).toBe('Example & Co');
    expect(r.feed.link).toBe('https://example.com/');
    expect(r.feed.subtitle).toBe('All about <b>things</b>');
    expect(r.feed.language).toBe('en-gb');
    expect(r.feed.ttl).toBe(90);
    expect(r.feed.hubs).toEqual(['https://hub.example.net/']);
    expect(r.feed.self).toBe('https://example.com/feed.xml');
    expect(r.feed.author).toEqual({ name: 'Jane Doe' });
    expect(r.feed.image?.url).toBe('https://example.com/cover.jpg');
    expect(r.feed.categories.map((c) => c.term)).toEqual(['Technology', 'Podcasting']);
    expect(r.feed.skipHours).toEqual([0, 1, 23]);
    expect(r.feed.skipDays).toEqual(['Saturday', 'Sunday']);
  });

  it('reads an item: origLink, guid, dates, sanitized content with resolved URLs, enclosure', () => {
    const e = r.entries[0]!;
    expect(e.id).toBe('post-1');
    expect(e.guidIsLink).toBe(false);
    expect(e.link).toBe('https://example.com/posts/1');
    expect(e.links.map((l) => l.href)).toContain('https://feedproxy.google.com/~r/example/1');
    expect(e.published).toBe('2003-06-10T04:00:00Z');
    expect(e.author).toEqual({ name: 'Jane Doe' });
    expect(e.categories).toEqual([{ term: 'news', scheme: 'https://example.com/tags' }]);
    expect(e.summary).toBe('Short <i>summary</i>');
    expect(e.content[0]!.value).toBe(
      '<p>Full <a href="https://example.com/posts/1#more">text</a></p>',
    );
    expect(e.enclosures).toEqual([
      { url: 'https://example.com/ep1.mp3', type: 'audio/mpeg', length: 12345 },
    ]);
    expect(e.comments).toBe('https://example.com/posts/1#comments');
    expect(e.links.find((l) => l.rel === 'thumbnail')?.href).toBe('https://example.com/thumb1.jpg');
  });

  it('makes a permalink guid the link, reads dc:date and media:content', () => {
    const e = r.entries[1]!;
    expect(e.guidIsLink).toBe(true);
    expect(e.link).toBe('https://example.com/posts/2');
    expect(e.updated).toBe('2003-06-11T06:30:00Z');
    expect(e.enclosures).toEqual([
      { url: 'https://example.com/v2.mp4', type: 'video/mp4', length: 999 },
    ]);
  });

  it('hands back markup as given with sanitize:false, URLs still resolved', () => {
    const raw = parse(fixture('rss2-extensions.xml'), {
      url: 'https://example.com/',
      sanitize: false,
    });
    expect(raw.entries[0]!.content[0]!.value).toBe(
      '<p>Full <a href="https://example.com/posts/1#more">text</a><script>alert(1)</script></p>',
    );
  });

  it('reads WebSub links that forgot the Atom namespace', () => {
    const r = parse(
      utf8(`<rss version="2.0"><channel><link rel="hub" href="https://hub.example/"/><link>https://site.example/</link>
        <link rel="self" href="https://site.example/rss"/></channel></rss>`),
    );
    expect(r.feed.link).toBe('https://site.example/');
    expect(r.feed.hubs).toEqual(['https://hub.example/']);
    expect(r.feed.self).toBe('https://site.example/rss');
  });

  it('drops script URLs from links, enclosures and people', () => {
    const r = parse(
      utf8(`<rss><channel><link>javascript:alert(1)</link><item><link> JavaScript:alert(2)</link>
        <enclosure url="vbscript:x" type="audio/mpeg"/><enclosure url="java&#9;script:y"/><author>a@b.example (A)</author>
        <comments>https://ok.example/c</comments></item><item><link>javascript-tips.html</link></item></channel></rss>`),
    );
    expect(r.feed.link).toBeUndefined();
    expect(r.feed.links).toEqual([]);
    expect(r.entries[0]!.link).toBeUndefined();
    expect(r.entries[0]!.enclosures).toEqual([]);
    expect(r.entries[0]!.comments).toBe('https://ok.example/c');
    expect(r.entries[1]!.link).toBe('javascript-tips.html');
    expect(r.warnings.join()).toMatch(/script URL/);
  });

  it('does not turn a guid that is no URL into a link', () => {
    const r = parse(utf8('<rss><channel><item><guid>post-42</guid></item></channel></rss>'), {
      url: 'https://example.com/feed',
    });
    expect(r.entries[0]!.id).toBe('post-42');
    expect(r.entries[0]!.guidIsLink).toBe(false);
    expect(r.entries[0]!.link).toBeUndefined();
  });

  it('fills ttl from sy:updatePeriod when there is no <ttl>', () => {
    const doc = `<rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel>
      <sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>4</sy:updateFrequency></channel></rss>`;
    expect(parse(utf8(doc)).feed.ttl).toBe(360);
  });
});

describe('RSS 1.0 (RDF)', () => {
  it('reads channel and items beside it', () => {
    const r = parse(fixture('rdf.xml'));
    expect(r.version).toBe('rss10');
    expect(r.feed.title).toBe('RDF Site');
    expect(r.feed.author).toEqual({ name: 'Some One', email: 'some@example.org' });
    expect(r.entries).toHaveLength(1);
    expect(r.entries[0]!.link).toBe('https://example.org/a');
    expect(r.entries[0]!.updated).toBe('2004-02-03T04:05:06Z');
    expect(r.entries[0]!.categories).toEqual([{ term: 'topic' }]);
  });
});

describe('Atom 1.0', () => {
  const r = parse(fixture('atom-base-lang.xml'), { url: 'https://example.net/feed' });

  it('applies xml:base and xml:lang at every level', () => {
    expect(r.version).toBe('atom10');
    expect(r.feed.link).toBe('https://example.net/blog/');
    expect(r.feed.self).toBe('https://example.net/blog/feed.atom');
    expect(r.feed.hubs).toEqual(['https://pubsubhubbub.example/']);
    expect(r.feed.language).toBe('en');
    expect(r.feed.author?.uri).toBe('https://example.net/about');
    const e = r.entries[0]!;
    expect(e.link).toBe('https://example.net/blog/posts/1.html');
    expect(e.titleDetail).toEqual({
      value: 'Premier',
      type: 'text/plain',
      language: 'fr',
      base: 'https://example.net/blog/posts/',
    });
    expect(e.content[0]!.value).toBe(
      '<p>See <a href="https://example.net/root/img.png">this</a></p>',
    );
    expect(e.content[0]!.type).toBe('application/xhtml+xml');
  });

  it('sanitizes content of unknown or mistyped types too', () => {
    const r = parse(
      utf8(
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><content type="h">&lt;script&gt;x&lt;/script&gt;ok</content></entry></feed>',
      ),
    );
    expect(r.entries[0]!.content[0]).toMatchObject({ type: 'h', value: 'ok' });
  });

  it('keeps text constructs typed: html title as plain text, text summary literal', () => {
    expect(r.feed.title).toBe('A <b>bold</b> blog');
    expect(r.feed.titleDetail?.type).toBe('text/html');
    expect(r.entries[0]!.summary).toBe('Short <one>');
  });

  it('reads dates, categories, enclosures and source', () => {
    const e = r.entries[0]!;
    expect(e.published).toBe('2005-07-31T10:29:29Z');
    expect(e.updated).toBe('2005-08-01T00:00:00Z');
    expect(e.categories).toEqual([
      { term: 'misc', scheme: 'https://example.net/cats', label: 'Misc' },
    ]);
    expect(e.enclosures).toEqual([
      { url: 'https://example.net/blog/posts/1.mp3', type: 'audio/mpeg', length: 1337 },
    ]);
    expect(e.source).toEqual({
      title: 'Origin',
      id: 'tag:origin',
      link: 'https://origin.example/',
    });
  });
});

describe('JSON Feed', () => {
  it('reads a 1.1 feed with sanitized content', () => {
    const r = parse(fixture('jsonfeed.json'), { url: 'https://example.org/feed.json' });
    expect(r.version).toBe('json11');
    expect(r.feed.title).toBe('JSON Blog');
    expect(r.feed.hubs).toEqual(['https://hub.example.org/']);
    expect(r.entries).toHaveLength(2);
    const e = r.entries[0]!;
    expect(e.published).toBe('2020-01-02T08:04:05Z');
    expect(e.content[0]!.value).not.toContain('onerror');
    expect(e.content[0]!.value).toContain('href="https://example.org/x"');
    expect(e.enclosures[0]).toEqual({
      url: 'https://example.org/2.mp3',
      type: 'audio/mpeg',
      length: 42,
    });
    expect(r.entries[1]!.id).toBe('1');
    expect(r.entries[1]!.content[0]).toMatchObject({ value: 'Plain note', type: 'text/plain' });
  });

  it('reads a JSON Feed with a bare version number, and notes it', () => {
    const r = parse(
      utf8('{"version": "1.1", "title": "T", "items": [{"id": "a", "content_text": "x"}]}'),
    );
    expect(r.version).toBe('json11');
    expect(r.entries.map((e) => e.id)).toEqual(['a']);
    expect(r.wellFormed).toBe(false);
    expect(r.warnings.join()).toMatch(/valid version/);
  });

  it('reports JSON that is not a JSON Feed', () => {
    const r = parse(utf8('{"hello": 1}'));
    expect(r.version).toBe('');
    expect(r.wellFormed).toBe(false);
    expect(r.warnings.join(' ')).toMatch(/not a JSON Feed/);
  });
});

describe('HTML pages', () => {
  it('reads an h-feed', () => {
    const r = parse(fixture('hfeed.html'), {
      url: 'https://blog.example/',
      headers: { 'content-type': 'text/html; charset=utf-8' },
    });
    expect(r.version).toBe('hfeed');
    expect(r.feed.title).toBe('My h-feed');
    expect(r.feed.hubs).toEqual(['https://hub.example/']);
    expect(r.entries.map((e) => e.link)).toEqual([
      'https://blog.example/2024/hello',
      'https://blog.example/2024/second',
    ]);
    expect(r.entries[0]!.title).toBe('Hello world');
    expect(r.entries[0]!.published).toBe('2024-03-01T09:00:00Z');
    expect(r.entries[0]!.content[0]!.value).toBe(
      '<p>First <a href="https://blog.example/x">post</a>.</p>',
    );
    expect(r.entries[0]!.author).toEqual({ name: 'Alice', uri: 'https://blog.example/me' });
  });

  it('keeps relative URLs relative when the page URL is unknown', () => {
    const r = parse(fixture('hfeed.html'));
    expect(r.entries[0]!.link).toBe('/2024/hello');
    expect(JSON.stringify(r)).not.toContain('invalid');
  });

  it('reads older hAtom', () => {
    const r = parse(fixture('hatom.html'), { url: 'http://old.example/' });
    expect(r.version).toBe('hfeed');
    expect(r.entries).toHaveLength(1);
    expect(r.entries[0]!.title).toBe('Classic post');
    expect(r.entries[0]!.link).toBe('http://old.example/p/1');
    expect(r.entries[0]!.author?.name).toBe('Bob');
  });
});

describe('recovery from ill-formed XML', () => {
  it('still yields the entries, with wellFormed:false and warnings naming the problems', () => {
    const r = parse(fixture('illformed.xml'));
    expect(r.wellFormed).toBe(false);
    expect(r.entries.map((e) => e.title)).toEqual(['One', expect.stringMatching(/^Two/), 'Three']);
    expect(r.feed.title).toBe('Broken & bare \u00a0feed');
    const w = r.warnings.join('\n');
    expect(w).toMatch(/bare '&'/);
    expect(w).toMatch(/undeclared entity &nbsp;/);
    expect(w).toMatch(/before the root/);
    expect(w).toMatch(/still open/);
  });

  it('recovers a document truncated inside CDATA', () => {
    const r = parse(
      utf8('<rss><channel><item><title>a</title></item><item><description><![CDATA[abc'),
    );
    expect(r.entries).toHaveLength(2);
    expect(r.entries[1]!.summary).toBe('abc');
    expect(r.warnings.join()).toMatch(/CDATA/);
  });

  it('keeps entries split from the root by garbage', () => {
    const r = parse(
      utf8(
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id></entry></feed>junk<entry><id>2</id></entry>',
      ),
    );
    expect(r.entries.map((e) => e.id)).toEqual(['1', '2']);
    expect(r.wellFormed).toBe(false);
  });

  it('reads feeds with missing or wrong namespaces', () => {
    const r = parse(
      utf8(
        '<feed><title>No NS</title><entry><title>E</title><dc:creator>X</dc:creator></entry></feed>',
      ),
    );
    expect(r.feed.title).toBe('No NS');
    expect(r.entries[0]!.title).toBe('E');
    expect(r.warnings.join()).toMatch(/undeclared namespace prefix 'dc'/);
  });

  it('separates items and entries left open', () => {
    const rss = parse(
      utf8(
        '<rss><channel><item><title>A</title><item><title>B</title></item><item><title>C</title></channel></rss>',
      ),
    );
    expect(rss.entries.map((e) => e.title)).toEqual(['A', 'B', 'C']);
    const atom = parse(
      utf8(
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id><entry><id>2</id><entry><id>3</id></feed>',
      ),
    );
    expect(atom.entries.map((e) => e.id)).toEqual(['1', '2', '3']);
    expect(atom.wellFormed).toBe(false);
  });

  it('finds items swallowed by an unclosed element', () => {
    const r = parse(
      utf8(
        '<rss><channel><image><url>x</url><item><title>A</title></item><item><title>B</title></item></channel></rss>',
      ),
    );
    expect(r.entries.map((e) => e.title)).toEqual(['A', 'B']);
  });
});

describe('decoding', () => {
  const doc = (decl: string, body: string) =>
    `<?xml version="1.0"${decl}?><rss version="2.0"><channel><title>${body}</title></channel></rss>`;

  it('follows the HTTP charset over the XML declaration', () => {
    const bytes = new Uint8Array(iconv.encode(doc(' encoding="utf-8"', 'Привет'), 'koi8-r'));
    const r = parse(bytes, { headers: { 'content-type': 'application/rss+xml; charset=koi8-r' } });
    expect(r.encoding).toBe('koi8-r');
    expect(r.feed.title).toBe('Привет');
  });

  it('uses the XML declaration without a charset', () => {
    const r = parse(
      new Uint8Array(iconv.encode(doc(' encoding="windows-1251"', 'Ђ'), 'windows-1251')),
    );
    expect(r.encoding).toBe('windows-1251');
    expect(r.feed.title).toBe('Ђ');
  });

  it('reads UTF-16 with a BOM', () => {
    const bytes = new Uint8Array([0xff, 0xfe, ...iconv.encode(doc('', 'wide ✓'), 'utf-16le')]);
    const r = parse(bytes);
    expect(r.encoding).toBe('utf-16le');
    expect(r.feed.title).toBe('wide ✓');
    expect(r.wellFormed).toBe(true);
  });

  it('reads a document that lies about its encoding, and says so', () => {
    const bytes = new Uint8Array(iconv.encode(doc(' encoding="utf-8"', 'café crème'), 'latin1'));
    const r = parse(bytes);
    expect(r.feed.title).toBe('café crème');
    expect(r.wellFormed).toBe(false);
    expect(r.warnings.join()).toMatch(/not valid utf-8/);
  });

  it('takes Content-Location and Content-Language into account', () => {
    const r = parse(
      utf8('<rss><channel><link>/home</link><item><title>t</title></item></channel></rss>'),
      {
        url: 'https://a.example/feed',
        headers: { 'content-location': 'https://b.example/x/feed', 'content-language': 'de' },
      },
    );
    expect(r.feed.link).toBe('https://b.example/home');
    expect(r.feed.language).toBe('de');
    expect(r.entries[0]!.titleDetail?.language).toBe('de');
  });
});

describe('dates in feeds', () => {
  it('leaves unreadable dates out and warns', () => {
    const r = parse(
      utf8('<rss><channel><item><pubDate>sometime soon</pubDate></item></channel></rss>'),
    );
    expect(r.entries[0]!.published).toBeUndefined();
    expect('published' in r.entries[0]!).toBe(false);
    expect(r.warnings.join()).toMatch(/unreadable date/);
  });
});

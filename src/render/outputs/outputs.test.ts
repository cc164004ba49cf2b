import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { parse } from '../../parse/index.js';
import { type EntryView, entryViews, feedViews, lastFetchOf, sectionViews } from '../site-model.js';
import { fixtureData, fixtureSite } from '../testdata/planet-fixture.js';
import { renderAtom } from './atom.js';
import { type FeedOutputMeta, GENERATOR } from './feed-meta.js';
import { renderJsonFeed } from './json-feed.js';
import { renderOpml } from './opml.js';
import { renderRss } from './rss.js';
import { escapeXml, stripInvalidXml } from './xml.js';

const site = fixtureSite('/tmp/unused');

function views(): EntryView[] {
  const data = fixtureData();
  const sections = sectionViews(site.sections, data.feeds);
  const feeds = feedViews(data.feeds, sections, site, {
    posts: new Map(),
    asOf: lastFetchOf(data.feeds),
  });
  // A hostile title: markup, an entity, an XML-invalid control character.
  const entries = [...data.entries].sort((a, b) => b.date.localeCompare(a.date));
  entries[1] = { ...entries[1]!, title: 'Bits <script>alert(1)</script> & more\u0007' };
  return entryViews(entries, feeds, site);
}

const meta: FeedOutputMeta = {
  title: 'Planet Python',
  id: 'https://planet.example.org/',
  language: 'en',
  htmlUrl: 'https://planet.example.org/',
  selfUrl: 'https://planet.example.org/atom.xml',
  updated: '2012-02-06T08:17:00.000Z',
  generator: GENERATOR,
};

/** Throws on anything a strict XML 1.0 parser rejects. */
function assertWellFormed(xml: string): string[] {
  const parser = new SaxesParser({ xmlns: true });
  const names: string[] = [];
  parser.on('error', (e) => {
    throw e;
  });
  parser.on('opentag', (t) => names.push(t.name));
  parser.write(xml).close();
  return names;
}

const bytes = (s: string) => new TextEncoder().encode(s);

describe('feeds out', () => {
  const list = views();

  it('writes well-formed Atom with an atom:source on every entry', () => {
    const xml = renderAtom(meta, list);
    const names = assertWellFormed(xml);
    expect(names.filter((n) => n === 'entry')).toHaveLength(list.length);
    expect(names.filter((n) => n === 'source')).toHaveLength(list.length);
    expect(xml).not.toContain('\u0007');
    expect(xml).not.toContain('\u0001');
    expect(xml).toContain('Bits &lt;script&gt;alert(1)&lt;/script&gt; &amp; more');
  });

  it('writes well-formed RSS 2.0 and OPML 2.0', () => {
    const rss = renderRss(meta, list);
    expect(assertWellFormed(rss).filter((n) => n === 'item')).toHaveLength(list.length);
    const data = fixtureData();
    const opml = renderOpml(
      data.feeds.filter((f) => f.active),
      site,
    );
    const names = assertWellFormed(opml);
    expect(names.filter((n) => n === 'outline')).toHaveLength(2 + 15);
    expect(opml).toContain('xmlUrl="https://ziade.example.com/feed/"');
    expect(opml).toContain('text="Python Software Foundation | GSoC&apos;11 Students"');
  });

  it('writes JSON Feed 1.1', () => {
    const doc = JSON.parse(renderJsonFeed(meta, list));
    expect(doc.version).toBe('https://jsonfeed.org/version/1.1');
    expect(doc.items).toHaveLength(list.length);
    expect(doc.items[0]._orrery.source.feed_url).toBe(list[0]!.feed.url);
  });

  it.each([
    ['Atom', 'atom10', () => renderAtom(meta, list)],
    ['RSS', 'rss20', () => renderRss(meta, list)],
    ['JSON Feed', 'json11', () => renderJsonFeed(meta, list)],
  ])('%s parses back through Orrery’s own parser with the same entries', (_, version, render) => {
    const result = parse(bytes(render()), { url: 'https://planet.example.org/feed' });
    expect(result.version).toBe(version);
    expect(result.wellFormed).toBe(true);
    expect(result.entries.map((e) => e.id)).toEqual(list.map((e) => e.uid));
    expect(result.entries.map((e) => e.link)).toEqual(list.map((e) => e.link));
    expect(result.entries.map((e) => e.title ?? '')).toEqual(
      list.map((e) => (e.untitled ? '' : stripInvalidXml(e.title))),
    );
    expect(result.feed.title).toBe('Planet Python');
  });

  it('pages back through the archive as RFC 5005 says (Atom prev-archive, JSON Feed next_url)', () => {
    const history = {
      archive: true,
      current: 'https://planet.example.org/atom.xml',
      prev: 'https://planet.example.org/archive/2012/02/04/atom.xml',
      next: 'https://planet.example.org/archive/2012/02/06/atom.xml',
    };
    const xml = renderAtom({ ...meta, history }, list);
    const names = assertWellFormed(xml);
    expect(names).toContain('fh:archive');
    expect(xml).toContain('xmlns:fh="http://purl.org/syndication/history/1.0"');
    expect(xml).toContain(
      `<link rel="prev-archive" type="application/atom+xml" href="${history.prev}"/>`,
    );
    expect(xml).toContain(
      `<link rel="next-archive" type="application/atom+xml" href="${history.next}"/>`,
    );
    expect(xml).toContain(
      `<link rel="current" type="application/atom+xml" href="${history.current}"/>`,
    );
    const current = renderAtom({ ...meta, history: { archive: false, prev: history.prev } }, list);
    expect(current).not.toContain('fh:archive');
    expect(current).toContain('rel="prev-archive"');
    const json = JSON.parse(
      renderJsonFeed({ ...meta, history: { archive: true, prev: 'p.json' } }, list),
    );
    expect(json.next_url).toBe('p.json');
    expect(json.language).toBe('en');
  });

  it('says the feed’s language and each entry’s own when it differs; keeps the source’s id visible', () => {
    const arabic = { ...list[0]!, lang: 'ar', titleLang: 'ar', sourceId: '1' };
    const xml = renderAtom(meta, [arabic]);
    assertWellFormed(xml);
    expect(xml).toContain('<feed xmlns="http://www.w3.org/2005/Atom"');
    expect(xml).toContain('xml:lang="en">');
    expect(xml).toContain('<entry xml:lang="ar">');
    expect(xml).toContain('<title type="text" xml:lang="ar">');
    expect(xml).toContain('<orrery:entry-id>1</orrery:entry-id></source>');
    const item = JSON.parse(renderJsonFeed(meta, [arabic])).items[0];
    expect(item.language).toBe('ar');
    expect(item._orrery.source.id).toBe('1');
    expect(renderRss(meta, [arabic])).toContain('<language>en</language>');
  });

  it('escapes and strips invalid characters', () => {
    expect(escapeXml('a<b>&"\'\u0000\uFFFE\uD800z')).toBe('a&lt;b&gt;&amp;&quot;&apos;z');
    expect(stripInvalidXml('ok \uD83D\uDE00 tab\t')).toBe('ok \uD83D\uDE00 tab\t');
  });
});

describe('WebSub links in the feeds out', () => {
  const list = views().slice(0, 2);
  const hub = 'https://hub.example.org/';
  const withHub = { ...meta, hubUrl: hub };

  it.each([
    ['Atom', renderAtom(withHub, list), 'https://planet.example.org/atom.xml'],
    [
      'RSS',
      renderRss({ ...withHub, selfUrl: 'https://planet.example.org/rss.xml' }, list),
      'https://planet.example.org/rss.xml',
    ],
    [
      'JSON Feed',
      renderJsonFeed({ ...withHub, jsonUrl: 'https://planet.example.org/feed.json' }, list),
      'https://planet.example.org/feed.json',
    ],
  ])('%s names the hub and itself, as a subscriber reads them', (_name, text, self) => {
    const parsed = parse(bytes(text), { url: self });
    expect(parsed.feed.hubs).toEqual([hub]);
    expect(parsed.feed.self).toBe(self);
  });

  it('names no hub without one, nor without a self URL', () => {
    expect(renderAtom(meta, list)).not.toContain('rel="hub"');
    const { selfUrl: _self, ...noSelf } = withHub;
    expect(renderAtom(noSelf, list)).not.toContain('rel="hub"');
    expect(renderRss(noSelf, list)).not.toContain('rel="hub"');
    expect(renderJsonFeed(noSelf, list)).not.toContain('hubs');
  });
});

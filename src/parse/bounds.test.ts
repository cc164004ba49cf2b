/**
 * Untrusted input is bounded: no document makes parse() throw, hang or blow memory. Big inputs
 * are generated here, never committed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ParseResult } from '../model/feed.js';
import { LIMITS, parse } from './index.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The result has the model's shape and no internal error was swallowed. */
function expectSane(r: ParseResult): void {
  expect(Array.isArray(r.entries)).toBe(true);
  expect(Array.isArray(r.feed.links)).toBe(true);
  expect(typeof r.encoding).toBe('string');
  expect(r.warnings.filter((w) => w.startsWith('parse: internal error'))).toEqual([]);
  for (const e of r.entries) {
    expect(Array.isArray(e.links) && Array.isArray(e.content) && Array.isArray(e.enclosures)).toBe(
      true,
    );
  }
}

const SEED = `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>T &amp; U</title><link>http://x.example/</link>
<atom:link rel="hub" href="http://hub.example/"/>
<item><title>One</title><link>/1</link><description>&lt;p&gt;Hi &lt;a href="/a"&gt;a&lt;/a&gt;&lt;/p&gt;</description>
<pubDate>Tue, 10 Jun 2003 04:00:00 GMT</pubDate><dc:creator>me@x.example (Me)</dc:creator></item>
<item><title><![CDATA[Two <b>bold</b>]]></title><guid>http://x.example/2</guid></item>
</channel></rss>`;

const ATOM_SEED = `<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://a.example/"><title type="xhtml">
<div xmlns="http://www.w3.org/1999/xhtml">X <b>y</b></div></title><entry><id>1</id><link href="p"/>
<content type="html">&lt;script&gt;x&lt;/script&gt;ok</content><updated>2003-12-31T10:14:55Z</updated></entry></feed>`;

describe('limits', () => {
  it('does not expand entity bombs', () => {
    const lol = [
      '<?xml version="1.0"?><!DOCTYPE rss [',
      '<!ENTITY lol "lol">',
      ...Array.from(
        { length: 9 },
        (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`,
      ),
      ']><rss><channel><title>&lol9;</title><item><title>still here</title></item></channel></rss>',
    ].join('\n');
    const r = parse(utf8(lol));
    expectSane(r);
    expect(r.feed.title!.length).toBeLessThan(100);
    expect(r.entries[0]!.title).toBe('still here');
    expect(r.warnings.join()).toMatch(/not expanded/);
  });

  it('refuses external and parameter entities quietly', () => {
    const r = parse(
      utf8(
        '<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss><channel><title>&x;</title></channel></rss>',
      ),
    );
    expectSane(r);
    expect(r.feed.title).toBe('&x;');
  });

  it('handles 50 levels of nesting, and flattens absurd depth with a warning', () => {
    const nest = (n: number) => '<div>'.repeat(n) + 'deep' + '</div>'.repeat(n);
    const ok = parse(
      utf8(`<rss><channel><item><description>${nest(50)}</description></item></channel></rss>`),
    );
    expectSane(ok);
    expect(ok.wellFormed).toBe(true);
    expect(ok.entries[0]!.summary).toContain('deep');
    const deep = parse(
      utf8(
        `<rss><channel><item><title>t</title><description>${nest(100_000)}</description></item></channel></rss>`,
      ),
    );
    expectSane(deep);
    expect(deep.entries[0]!.title).toBe('t');
    expect(deep.warnings.join()).toMatch(new RegExp(`deeper than ${LIMITS.maxDepth}`));
  });

  it(`keeps at most ${LIMITS.maxEntries} entries, with a warning`, () => {
    const items = '<item><title>x</title><guid>g</guid></item>'.repeat(100_000);
    const r = parse(
      utf8(`<rss version="2.0"><channel><title>many</title>${items}</channel></rss>`),
    );
    expectSane(r);
    expect(r.entries).toHaveLength(LIMITS.maxEntries);
    expect(r.warnings.join()).toMatch(/90000 dropped/);
    expect(r.entriesDropped).toBe(90_000);
  });

  it.each([
    [
      'Atom',
      `<feed xmlns="http://www.w3.org/2005/Atom">${'<entry><id>e</id></entry>'.repeat(10_005)}</feed>`,
    ],
    [
      'JSON Feed',
      JSON.stringify({
        version: 'https://jsonfeed.org/version/1.1',
        items: Array.from({ length: 10_005 }, (_, i) => ({ id: String(i) })),
      }),
    ],
    [
      'RSS 1.0 (items beside the channel)',
      '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">' +
        `<channel><title>t</title></channel>${'<item><title>x</title></item>'.repeat(10_005)}</rdf:RDF>`,
    ],
  ])('counts the entries it drops from %s in entriesDropped', (_, doc) => {
    const r = parse(utf8(doc));
    expect(r.entries).toHaveLength(LIMITS.maxEntries);
    expect(r.entriesDropped).toBe(5);
  });

  it('leaves entriesDropped out when nothing was dropped', () => {
    const r = parse(
      utf8('<rss version="2.0"><channel><item><title>x</title></item></channel></rss>'),
    );
    expect(r.entries).toHaveLength(1);
    expect('entriesDropped' in r).toBe(false);
  });

  it('reads only the first bytes of a 100 MB document, with a warning', () => {
    const head = utf8(
      '<rss version="2.0"><channel><title>big</title><item><title>first</title></item><item><description>',
    );
    const bytes = new Uint8Array(100 * 1024 * 1024);
    bytes.set(head);
    bytes.fill(0xc3, head.length); // 'é' in UTF-8 is C3 A9: fill with pairs
    for (let i = head.length + 1; i < bytes.length; i += 2) bytes[i] = 0xa9;
    const r = parse(bytes);
    expectSane(r);
    expect(r.encoding).toBe('utf-8');
    expect(r.feed.title).toBe('big');
    expect(r.entries[0]!.title).toBe('first');
    expect(r.entries[1]!.summary!.length).toBeGreaterThan(1_000_000);
    expect(r.warnings.join()).toMatch(/larger than/);
  });
});

describe('parse never throws (property)', () => {
  it('on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        expectSane(parse(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it('on random markup-ish strings', () => {
    const token = fc.constantFrom(
      '<',
      '>',
      '</',
      '/>',
      '&',
      ';',
      '&amp;',
      '&#',
      '&#x',
      '<![CDATA[',
      ']]>',
      '<!--',
      '-->',
      '<?xml',
      '?>',
      '<!DOCTYPE rss [',
      ']>',
      '<!ENTITY a "b">',
      '"',
      "'",
      '=',
      ' ',
      'rss',
      'channel',
      'item',
      'feed',
      'entry',
      'title',
      'link',
      'xmlns',
      'xml:base="',
      'href="',
      ':',
      'a',
      '\u00e9',
      '\u0000',
      '\ufffd',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 300 }), (parts) => {
        expectSane(parse(utf8(parts.join(''))));
      }),
      { numRuns: 300 },
    );
  });

  it('on mutated feeds (deletions, insertions, truncation), keeping what survives', () => {
    const mutation = fc.record({
      seed: fc.constantFrom(SEED, ATOM_SEED),
      cuts: fc.array(
        fc.tuple(
          fc.nat(),
          fc.nat({ max: 20 }),
          fc.constantFrom('', '<', '&', '</item>', '<b>', '"', ']]>'),
        ),
        {
          maxLength: 8,
        },
      ),
      truncate: fc.option(fc.nat()),
      sanitize: fc.boolean(),
    });
    fc.assert(
      fc.property(mutation, ({ seed, cuts, truncate, sanitize }) => {
        let s: string = seed;
        for (const [at, del, ins] of cuts) {
          const i = at % (s.length + 1);
          s = s.slice(0, i) + ins + s.slice(i + del);
        }
        if (truncate !== null) s = s.slice(0, truncate % (s.length + 1));
        const r = parse(utf8(s), { url: 'http://x.example/feed', sanitize });
        expectSane(r);
        if (sanitize) {
          // text/plain is text (renderers escape it); everything else must be script-free
          for (const e of r.entries)
            for (const c of e.content)
              if (c.type !== 'text/plain') expect(c.value).not.toMatch(/<script/i);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('on JSON documents of any shape', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const doc =
          typeof v === 'object' && v !== null && !Array.isArray(v)
            ? {
                ...v,
                version: 'https://jsonfeed.org/version/1',
                items: (v as { items?: unknown }).items ?? [v],
              }
            : v;
        expectSane(parse(utf8(JSON.stringify(doc))));
      }),
      { numRuns: 300 },
    );
  });
});

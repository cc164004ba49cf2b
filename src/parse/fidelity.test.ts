/**
 * The behaviours behind issue 13's fidelity misses, each written from its spec: the EBCDIC code
 * pages (IBM's tables, as the charset registry names them), UTF-8 with a few bad bytes (WHATWG
 * Encoding: U+FFFD per bad sequence), RFC 3023's text/xml default, base URLs (RFC 3986 §5.1,
 * XML Base), RSS 1.0's rdf:about, iTunes' nested categories, Media RSS's default category
 * scheme, and which of a repeated element's values counts.
 */
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { EBCDIC_TABLES } from './ebcdic.js';
import { parse } from './index.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Encode text in an EBCDIC code page by inverting its table. */
function ebcdic(text: string, table: string): Uint8Array {
  const codes = EBCDIC_TABLES[table]!;
  return Uint8Array.from([...text], (c) => {
    const b = codes.indexOf(c);
    if (b === -1) throw new Error(`${c} not in ${table}`);
    return b;
  });
}

describe('EBCDIC code pages', () => {
  it.each([
    // IBM CCSID tables: where the code pages differ, the same byte is another character
    ['cp037', 0x4a, '¢', 0x5a, '!', 0xba, '['],
    ['cp500', 0x4a, '[', 0x5a, ']', 0x4f, '!'],
    ['cp273', 0x4a, 'Ä', 0x5a, 'Ü', 0x7c, '§'],
    ['cp1026', 0x4a, 'Ç', 0x5a, 'Ğ', 0x7b, 'Ö'],
    ['cp875', 0x41, 'Α', 0x71, 'Ά', 0x9f, 'μ'],
    ['cp424', 0x41, 'א', 0x71, 'ת', 0x4a, '¢'],
    ['cp1140', 0x9f, '€', 0x4a, '¢', 0x5a, '!'],
  ] as const)('%s reads 0x%s as its own characters', (table, b1, c1, b2, c2, b3, c3) => {
    const t = EBCDIC_TABLES[table]!;
    expect([t[b1], t[b2], t[b3]]).toEqual([c1, c2, c3]);
  });

  it.each([
    ['cp500', 'ebcdic-cp-be', '<![CDATA[a|b]]> [x]'],
    ['cp500', 'ebcdic-cp-ch', '[Ø]'],
    ['cp500', 'ibm500', '!'],
    ['cp037', 'ebcdic-cp-us', '<![CDATA[¢]]>'],
    ['cp875', 'cp875', 'Ελληνικά'],
    ['cp273', 'ibm273', 'Grüße'],
    ['cp1026', 'cp1026', 'Türkçe'],
    ['cp424', 'ebcdic-cp-he', 'עברית'],
    ['cp1140', 'ibm1140', '5 €'],
  ])('a document declared %s (as %s) is read with that table', (table, label, title) => {
    const doc = `<?xml version="1.0" encoding="${label}"?>\n<rss version="2.0"><channel><title>${title}</title></channel></rss>`;
    const r = parse(ebcdic(doc, table));
    expect(r.encoding).toBe(label);
    expect(r.feed.title).toBe(title.replace(/<!\[CDATA\[|\]\]>/g, ''));
    expect(r.wellFormed).toBe(true);
  });
});

describe('UTF-8 with a few invalid bytes', () => {
  it('stays UTF-8, with U+FFFD for each bad sequence and a warning', () => {
    const good = utf8('<rss version="2.0"><channel><title>Café déjà vu — ');
    const bad = new Uint8Array([0xa9, 0xff]);
    const tail = utf8('ñandú</title></channel></rss>');
    const r = parse(new Uint8Array([...good, ...bad, ...tail]));
    expect(r.encoding).toBe('utf-8');
    expect(r.feed.title).toBe('Café déjà vu — \ufffd\ufffdñandú');
    expect(r.wellFormed).toBe(false);
    expect(r.warnings.join()).toMatch(/2 invalid byte sequence/);
  });

  it('is still read as windows-1252 when no byte sequence is valid UTF-8 (a lying declaration)', () => {
    const doc =
      '<?xml version="1.0" encoding="utf-8"?><rss><channel><title>Café</title></channel></rss>';
    const r = parse(new Uint8Array(iconv.encode(doc, 'windows-1252')));
    expect(r.feed.title).toBe('Café');
    expect(r.encoding).not.toBe('utf-8');
  });
});

describe('RFC 3023 text/xml default', () => {
  const doc =
    '<?xml version="1.0" encoding="iso-8859-1"?><rss><channel><title>x</title></channel></rss>';
  it('names US-ASCII for all-ASCII bytes served as text/xml without a charset', () => {
    expect(parse(utf8(doc), { headers: { 'content-type': 'text/xml' } }).encoding).toBe('us-ascii');
    expect(
      parse(utf8(doc), { headers: { 'content-type': 'text/atom+xml; qs=0.9' } }).encoding,
    ).toBe('us-ascii');
  });

  it('lets the declaration speak (RFC 7303) once a byte is not ASCII, or for application/xml', () => {
    const latin = new Uint8Array(iconv.encode(doc.replace('>x<', '>é<'), 'latin1'));
    const r = parse(latin, { headers: { 'content-type': 'text/xml' } });
    expect([r.encoding, r.feed.title]).toEqual(['iso-8859-1', 'é']);
    expect(parse(utf8(doc), { headers: { 'content-type': 'application/xml' } }).encoding).toBe(
      'iso-8859-1',
    );
  });
});

describe("undeclared charsets, named as Python's chardet names them", () => {
  const doc = (t: string): string =>
    `<rss version="2.0"><channel><title>x</title><item><description>${t}</description></item></channel></rss>`;
  it.each([
    [
      'windows-1255',
      'windows-1255',
      'האם תדפיס נייר של אתר אינטרנט שמוצג על מסך המחשב שלך? זה לא הכרחי, כי אפשר לשמור את הדף בקובץ ולקרוא אותו מאוחר יותר.',
    ],
    [
      'gb2312',
      'gb2312',
      '中华人民共和国是世界上人口最多的国家。北京是中国的首都，也是政治和文化中心。我们今天讨论的问题是关于经济发展和社会进步的。',
    ],
    [
      'latin1',
      'iso-8859-1',
      'Não há informações sobre a situação das ações. Élève à côté du château, où est-il? Ça va très bien, merci.',
    ],
  ])('%s text is read and named %s', (charset, name, text) => {
    const r = parse(new Uint8Array(iconv.encode(doc(text), charset)));
    expect(r.encoding).toBe(name);
    expect(r.entries[0]!.summary).toBe(text);
  });
});

describe('base URLs (RFC 3986 §5.1, XML Base)', () => {
  const atom = (base: string): Uint8Array =>
    utf8(
      `<feed xmlns="http://www.w3.org/2005/Atom" xml:base="${base}"><link href="/home"/>` +
        '<entry><id>x</id><link href="post"/><content type="html">&lt;a href="a"&gt;a&lt;/a&gt;</content></entry></feed>',
    );
  const url = 'http://example.org/feeds/atom.xml';

  it.each([
    'javascript:alert(1)//',
    ' JavaScript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:x',
    'http://[::1',
    'http://example.com:port/',
  ])('never takes %j as a base: the document URL stays', (bad) => {
    const r = parse(atom(bad), { url });
    expect(r.feed.link).toBe('http://example.org/home');
    expect(r.entries[0]!.link).toBe('http://example.org/feeds/post');
    expect(r.entries[0]!.content[0]!.base).toBe(url);
    expect(r.entries[0]!.content[0]!.value).toContain('href="http://example.org/feeds/a"');
    expect(r.warnings.join()).toMatch(/xml:base ignored/);
  });

  it('keeps the enclosing xml:base when a nested one is unsafe', () => {
    const r = parse(
      utf8(
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://a.example/x/">' +
          '<entry xml:base="javascript:alert(1)//"><id>x</id><link href="p"/></entry></feed>',
      ),
      { url },
    );
    expect(r.entries[0]!.link).toBe('http://a.example/x/p');
  });

  it.each([
    ['http://example.com/base/', 'http://example.com/base/post'],
    ['/other/', 'http://example.org/other/post'],
    ['javascript:alert(1)//', 'http://example.org/feeds/post'],
    ['http://[::1', 'http://example.org/feeds/post'],
  ])('takes Content-Location %j as the base only when safe and well-formed', (loc, link) => {
    const r = parse(atom('').slice(), { url, headers: { 'content-location': loc } });
    expect(r.entries[0]!.link).toBe(link);
  });

  it('applies a CDF BASE attribute and any plain base attribute like xml:base', () => {
    const r = parse(
      utf8(
        '<CHANNEL HREF="index.html" BASE="http://cdf.example/"><TITLE>t</TITLE>' +
          '<ITEM HREF="item.html"><TITLE>i</TITLE></ITEM></CHANNEL>',
      ),
      { url },
    );
    expect(r.feed.link).toBe('http://cdf.example/index.html');
    expect(r.entries[0]!.link).toBe('http://cdf.example/item.html');
  });
});

describe('RSS 1.0, iTunes and Media RSS', () => {
  const rdf = (item: string): Uint8Array =>
    utf8(
      '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">' +
        `<channel rdf:about="http://example.org/"><title>t</title></channel>${item}</rdf:RDF>`,
    );

  it("takes rdf:about as the item's id (RSS 1.0 §5.5)", () => {
    const r = parse(rdf('<item rdf:about="http://example.org/1"><title>one</title></item>'));
    expect(r.entries[0]!.id).toBe('http://example.org/1');
  });

  it('lets a guid name the id instead', () => {
    const r = parse(
      rdf('<item rdf:about="http://example.org/1"><guid isPermaLink="false">g1</guid></item>'),
    );
    expect(r.entries[0]!.id).toBe('g1');
  });

  const itunes = (inner: string): Uint8Array =>
    utf8(
      '<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" ' +
        `xmlns:media="http://search.yahoo.com/mrss/"><channel>${inner}</channel></rss>`,
    );

  it('reads nested itunes:category as categories of their own, in items too', () => {
    const cats =
      '<itunes:category text="Technology"><itunes:category text="Gadgets"/></itunes:category>';
    const r = parse(itunes(`${cats}<item>${cats}</item>`));
    const terms = (list: { term: string }[]): string[] => list.map((c) => c.term);
    expect(terms(r.feed.categories)).toEqual(['Technology', 'Gadgets']);
    expect(terms(r.entries[0]!.categories)).toEqual(['Technology', 'Gadgets']);
    expect(r.entries[0]!.categories[1]!.scheme).toBe('http://www.itunes.com/');
  });

  it("gives media:category Media RSS's default scheme unless it names one; media:keywords none", () => {
    const r = parse(
      itunes(
        '<media:category>news</media:category><item><media:category>music/rock</media:category>' +
          '<media:category scheme="urn:x" label="L">a</media:category></item>',
      ),
    );
    expect(r.feed.categories).toEqual([
      { term: 'news', scheme: 'http://search.yahoo.com/mrss/category_schema' },
    ]);
    const k = parse(itunes('<item><media:keywords>kitty, cat, big dog</media:keywords></item>'));
    expect(k.entries[0]!.categories).toEqual([
      { term: 'kitty' },
      { term: 'cat' },
      { term: 'big dog' },
    ]);
    expect(r.entries[0]!.categories).toEqual([
      { term: 'music/rock', scheme: 'http://search.yahoo.com/mrss/category_schema' },
      { term: 'a', scheme: 'urn:x', label: 'L' },
    ]);
  });
});

describe('an element repeated in one item or channel', () => {
  it('keeps the first value, as feedparser does', () => {
    const r = parse(
      utf8(
        '<rss version="2.0"><channel><title>first</title><title>second</title>' +
          '<generator>g1</generator><generator>g2</generator><docs>http://d/1</docs><docs>http://d/2</docs>' +
          '<ttl>5</ttl><ttl>60</ttl><item><title>a</title><title>b</title><link>http://x/1</link>' +
          '<link>http://x/2</link><guid>g1</guid><guid>g2</guid><comments>http://c/1</comments>' +
          '<comments>http://c/2</comments><author>one@x.example</author></item></channel></rss>',
      ),
    );
    expect([r.feed.title, r.feed.generator?.name, r.feed.docs, r.feed.ttl]).toEqual([
      'first',
      'g1',
      'http://d/1',
      5,
    ]);
    const e = r.entries[0]!;
    expect([e.title, e.link, e.id, e.comments]).toEqual(['a', 'http://x/1', 'g1', 'http://c/1']);
  });

  it('keeps the last readable date (feedparser overwrites dates)', () => {
    const r = parse(
      utf8(
        '<feed xmlns="http://www.w3.org/2005/Atom"><updated>2010-12-01T10:14:55Z</updated>' +
          '<updated>2003-12-31T10:14:55Z</updated><entry><id>e</id>' +
          '<published>2010-01-01T00:00:00Z</published><published>2004-01-01T00:00:00Z</published>' +
          '<published>not a date</published></entry></feed>',
      ),
    );
    expect(r.feed.updated).toBe('2003-12-31T10:14:55Z');
    expect(r.entries[0]!.published).toBe('2004-01-01T00:00:00Z');
  });
});

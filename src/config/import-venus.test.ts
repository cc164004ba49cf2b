import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addImportToConfig } from './edit.js';
import { importVenusIni } from './import-venus.js';
import { parseIni } from './ini-parser.js';
import { parseConfig } from './schema.js';
import { starterConfig } from './starter.js';

// The real configs of three planets, copied verbatim into the shared fixtures (see SOURCE.txt there).
const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const fixtures = path.resolve(repoRoot, '../shared/fixtures');
const haveFixtures = existsSync(fixtures);
const readFixture = (name: string) => readFileSync(path.join(fixtures, name), 'utf8');
const countSections = (text: string, re: RegExp) =>
  text.split('\n').filter((l) => re.test(l)).length;

describe('parseIni', () => {
  it('keeps dotted and colon-bearing URLs whole as section names', () => {
    const doc = parseIni('[http://a.example.org:8080/feed.xml?x=1&y=2]\nname = A: the first\n');
    expect(doc.sections).toEqual([
      {
        name: 'http://a.example.org:8080/feed.xml?x=1&y=2',
        line: 1,
        entries: [{ key: 'name', value: 'A: the first', line: 2 }],
      },
    ]);
  });

  it('reads ; and # comments, key: value, continuation lines and inline ; comments', () => {
    const doc = parseIni(
      [
        '; a comment',
        '[Planet]',
        '# another',
        'Name: Planet X ; inline comment',
        'template_files:',
        '  index.html.tmpl',
        '  http://example.org/atom.xml.tmpl',
        'link = http://x.example/#frag;not-a-comment',
        '  more',
        'garbage line',
      ].join('\n'),
    );
    const entries = doc.sections[0]?.entries;
    expect(entries).toEqual([
      { key: 'name', value: 'Planet X', line: 4 },
      {
        key: 'template_files',
        value: 'index.html.tmpl\nhttp://example.org/atom.xml.tmpl',
        line: 5,
      },
      { key: 'link', value: 'http://x.example/#frag;not-a-comment\nmore', line: 8 },
    ]);
    expect(doc.invalid).toEqual([{ line: 10, text: 'garbage line' }]);
  });

  it('merges a repeated section and lets a repeated key win, noting both', () => {
    const doc = parseIni('[a]\nname = 1\n[b]\n[a]\nname = 2\n');
    expect(doc.sections.map((s) => s.name)).toEqual(['a', 'b']);
    expect(doc.sections[0]?.entries).toEqual([{ key: 'name', value: '2', line: 5 }]);
    expect(doc.duplicates).toEqual([
      { line: 4, what: 'section [a]' },
      { line: 5, what: 'key name' },
    ]);
  });

  it('reads indented Pluto keys as keys, not continuations', () => {
    const doc = parseIni('title = P\n\n[x]\n  title = X\n  feed  = https://x.example/feed\n');
    expect(doc.preamble).toEqual([{ key: 'title', value: 'P', line: 1 }]);
    expect(doc.sections[0]?.entries.map((e) => [e.key, e.value])).toEqual([
      ['title', 'X'],
      ['feed', 'https://x.example/feed'],
    ]);
  });
});

describe('importVenusIni', () => {
  it('maps [Planet], faces, [DEFAULT] and non-feed sections', () => {
    const result = importVenusIni(
      [
        '[Planet]',
        'name = Planet Test',
        'link = https://planet.example.org/',
        'items_per_page = 30',
        'cache_directory = cache',
        '[DEFAULT]',
        'facewidth = 65',
        '[http://a.example.org/feed]',
        'name = Alice',
        'face = alice.png',
        'nick = al',
        '[https://b.example.org/rss]',
        'name = Bob',
        '[https://B.EXAMPLE.ORG/rss]',
        'name = Bob again',
        '[ftp://c.example.org/feed]',
        'name = Carol',
      ].join('\n'),
    );
    expect(result.site).toEqual({
      name: 'Planet Test',
      link: 'https://planet.example.org/',
      itemsPerPage: 30,
    });
    expect(result.sections).toEqual([{ id: 'main', title: 'Planet Test' }]);
    expect(result.subscriptions).toEqual([
      { url: 'http://a.example.org/feed', name: 'Alice', face: 'alice.png', section: 'main' },
      { url: 'https://b.example.org/rss', name: 'Bob', section: 'main' },
    ]);
    const items = result.skipped.map((s) => s.item);
    expect(items).toEqual(
      expect.arrayContaining([
        '[Planet] cache_directory (line 5)',
        '[DEFAULT] facewidth',
        '[https://B.EXAMPLE.ORG/rss] (line 14)',
        '[ftp://c.example.org/feed] (line 16)',
        "feed key 'nick' (1 feed)",
      ]),
    );
    expect(result.skipped.find((s) => s.item.startsWith('[https://B'))?.reason).toBe(
      'duplicate of https://b.example.org/rss',
    );
  });

  it('refuses a file that is not INI at all, naming its line', () => {
    expect(() =>
      importVenusIni('<?xml version="1.0"?>\n<opml version="2.0">\n</opml>\n', {
        file: 'subs.xml',
      }),
    ).toThrow(/^config: subs\.xml:1: this is XML, not a Planet Venus or Pluto INI file/);
    expect(() =>
      importVenusIni('# notes\nthis is prose\nmore prose\n', { file: 'notes.txt' }),
    ).toThrow(/^config: notes\.txt:2: not a Planet Venus or Pluto INI file/);
  });

  it('turns section/category keys into sections', () => {
    const result = importVenusIni(
      '[Planet]\nname = P\n[https://a.example/f]\nname = A\n[https://g.example/f]\nname = G\nsection = PSF GSoC students\n',
    );
    expect(result.sections).toEqual([
      { id: 'main', title: 'P' },
      { id: 'psf-gsoc-students', title: 'PSF GSoC students' },
    ]);
    expect(result.subscriptions.map((s) => s.section)).toEqual(['main', 'psf-gsoc-students']);
  });
});

describe.skipIf(!haveFixtures)(
  haveFixtures
    ? 'importVenusIni on real planets (../shared/fixtures)'
    : `importVenusIni on real planets — skipped: no fixtures at ${fixtures}`,
  () => {
    it('imports all 567 feeds of Planet Python with their names', () => {
      const text = readFixture('planetpython/config.ini');
      const result = importVenusIni(text, { file: 'config.ini' });
      const feedSections = countSections(text, /^\[https?:/);
      expect(feedSections).toBe(567);
      expect(result.subscriptions).toHaveLength(567);
      expect(result.subscriptions.every((s) => s.name && s.section === 'main')).toBe(true);
      expect(result.site).toEqual({
        name: 'Planet Python',
        link: 'http://planetpython.org/',
        ownerName: 'Python Software Foundation',
        ownerEmail: 'planet@python.org',
        itemsPerPage: 25,
        daysPerPage: 10,
        dateFormat: '%B %d, %Y',
      });
      const byUrl = new Map(result.subscriptions.map((s) => [s.url, s]));
      expect(byUrl.get('https://emptysqua.re/blog/category/python/index.xml')?.name).toBe(
        'A. Jesse Jiryu Davis',
      );
      expect(byUrl.get('https://lukasz.langa.pl/python/atom.xml')?.name).toBe('Łukasz Langa');
      expect(byUrl.get('http://wokslog.wordpress.com/tag/python/feed/atom/')?.name).toBe(
        'Éric Araujo',
      );
      // Nothing of a feed is dropped: only [Planet] keys Orrery has no use for.
      expect(result.skipped.every((s) => s.item.startsWith('[Planet]'))).toBe(true);
      expect(result.skipped.map((s) => s.item)).toContain('[Planet] template_files (line 15)');
    });

    it('imports Planet Mozilla: 325 feeds, [DEFAULT] and the template section reported', () => {
      const result = importVenusIni(readFixture('planetmozilla/config.ini'));
      expect(result.subscriptions).toHaveLength(325);
      expect(result.site?.name).toBe('Planet Mozilla');
      expect(result.site?.itemsPerPage).toBe(75);
      const palant = result.subscriptions.find((s) => s.url.startsWith('https://palant.de/atom/'));
      expect(palant).toEqual({
        url: 'https://palant.de/atom/?category=mozilla,gecko,security',
        name: 'Wladimir Palant',
        section: 'main',
      });
      const items = result.skipped.map((s) => s.item);
      expect(items).toEqual(
        expect.arrayContaining([
          '[DEFAULT] facewidth',
          '[index.html.xslt] (line 37)',
          "feed key 'ignore_in_feed' (3 feeds)",
        ]),
      );
    });

    it('imports Planet openSUSE (Pluto): 204 feeds with title, link and avatar', () => {
      const text = readFixture('planetopensuse/planet.ini');
      const result = importVenusIni(text);
      expect(result.subscriptions).toHaveLength(countSections(text, /^\s*feed\s*=/));
      expect(result.subscriptions).toHaveLength(204);
      expect(result.site).toEqual({ name: 'Planet openSUSE' });
      const yast = result.subscriptions.find((s) => s.url === 'https://yast.opensuse.org/feed.xml');
      expect(yast).toEqual({
        url: 'https://yast.opensuse.org/feed.xml',
        name: 'YaST Team',
        face: 'yast.png',
        siteLink: 'https://yast.opensuse.org/blog/',
        section: 'main',
      });
      expect(result.subscriptions.filter((s) => s.face)).toHaveLength(
        countSections(text, /^\s*avatar\s*=/),
      );
      expect(result.skipped.map((s) => s.item)).toContain("feed key 'location' (96 feeds)");
    });

    it('turns Planet Python into a planet.toml that loads with all 567 feeds', () => {
      const imported = importVenusIni(readFixture('planetpython/config.ini'));
      const start = starterConfig({ name: imported.site?.name ?? '' });
      const { text, added, skippedExisting } = addImportToConfig(start, imported);
      expect([added, skippedExisting]).toEqual([567, 0]);
      const config = parseConfig(text, { configPath: '/srv/planetpython/planet.toml' });
      expect(config.feeds).toHaveLength(567);
      expect(config.site.name).toBe('Planet Python');
      expect(config.feeds.find((f) => f.name === 'Łukasz Langa')?.url).toBe(
        'https://lukasz.langa.pl/python/atom.xml',
      );
    });
  },
);

describe('names in quotes', () => {
  it('drops the double quotes Planet Python puts around names with an apostrophe', () => {
    const result = importVenusIni(
      '[http://freshfoo.com/blog/index.atom]\nname = "Menno\'s Musings"\n',
    );
    expect(result.subscriptions[0]?.name).toBe("Menno's Musings");
  });
});

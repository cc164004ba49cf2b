import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import {
  addFeedToConfig,
  addImportedSiteToConfig,
  addImportToConfig,
  removeFeedFromConfig,
} from './edit.js';
import { importOpml } from './import-opml.js';
import { parseConfig } from './schema.js';
import { starterConfig } from './starter.js';

const load = (text: string) => parseConfig(text, { configPath: '/p/planet.toml' });

const withSections = `# My planet
[site]
name = "Planet Python" # the name

[[sections]]
id = "python"
title = "Planet Python"

[[sections]]
id = "gsoc"
title = "PSF GSoC students"

# Tarek writes about packaging
[[feeds]]
url = "https://ziade.org/feeds/python.rss"
name = "Tarek Ziade"
[feeds.filters]
include = ["python"]

# The GSoC student
[[feeds]]
url = "https://student.example.org/feed"
name = "Student"
section = "gsoc"

[[feeds]]
url = "https://last.example.org/feed"
name = "Last"
`;

describe('addFeedToConfig', () => {
  it('appends a [[feeds]] block and keeps everything else byte for byte', () => {
    const text = starterConfig({ name: 'Mine' });
    const next = addFeedToConfig(text, {
      url: 'https://blog.example.org/feed.xml',
      name: 'Jane "JD" Doe',
      section: 'main',
      face: 'jane.png',
      siteLink: 'https://blog.example.org/',
      filters: { include: ['python'], exclude: ['ads?'] },
      overrides: { intervalMinutes: 30, timeoutMs: 12_500, userAgent: 'X/1' },
    });
    expect(next.startsWith(text.trimEnd())).toBe(true);
    expect(next.slice(text.trimEnd().length)).toBe(
      [
        '',
        '',
        '[[feeds]]',
        'url = "https://blog.example.org/feed.xml"',
        'name = "Jane \\"JD\\" Doe"',
        'face = "jane.png"',
        'site_link = "https://blog.example.org/"',
        'interval = 30',
        'timeout = 12.5',
        'user_agent = "X/1"',
        '[feeds.filters]',
        'include = ["python"]',
        'exclude = ["ads?"]',
        '',
      ].join('\n'),
    );
    expect(load(next).feeds).toEqual([
      {
        url: 'https://blog.example.org/feed.xml',
        name: 'Jane "JD" Doe',
        section: 'main',
        face: 'jane.png',
        siteLink: 'https://blog.example.org/',
        filters: { include: ['python'], exclude: ['ads?'] },
        overrides: { intervalMinutes: 30, timeoutMs: 12_500, userAgent: 'X/1' },
      },
    ]);
  });

  it('refuses a feed that is already there (same URL, any case of host)', () => {
    expect(() =>
      addFeedToConfig(
        withSections,
        { url: 'https://ZIADE.org/feeds/python.rss', section: 'python' },
        { file: '/srv/p/planet.toml' },
      ),
    ).toThrow(/^config: \/srv\/p\/planet\.toml: .* already subscribed \(feeds\[0\]\)/);
  });

  it('refuses a feed in an undefined section (the text is validated)', () => {
    const err = (() => {
      try {
        addFeedToConfig(withSections, { url: 'https://x.example/feed', section: 'nope' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toContain('section "nope" is not defined');
  });
});

describe('CRLF files', () => {
  it('stay CRLF through add and remove', () => {
    const crlf = withSections.replace(/\n/g, '\r\n');
    const added = addFeedToConfig(crlf, { url: 'https://crlf.example/feed', section: 'python' });
    expect(added.replace(/\r\n/g, '')).not.toContain('\n');
    expect(load(added).feeds).toHaveLength(4);
    const { text, removed } = removeFeedFromConfig(added, 'https://crlf.example/feed');
    expect(removed?.url).toBe('https://crlf.example/feed');
    expect(text).toBe(crlf);
  });
});

describe('removeFeedFromConfig', () => {
  it('removes a feed by URL with its sub-table and its comment', () => {
    const { text, removed } = removeFeedFromConfig(
      withSections,
      'https://ziade.org/feeds/python.rss',
    );
    expect(removed).toEqual({
      url: 'https://ziade.org/feeds/python.rss',
      name: 'Tarek Ziade',
      section: 'python',
      filters: { include: ['python'] },
    });
    expect(text).not.toContain('Tarek');
    expect(text).not.toContain('packaging');
    expect(text).toContain(
      '# The GSoC student\n[[feeds]]\nurl = "https://student.example.org/feed"',
    );
    expect(text).toContain('name = "Planet Python" # the name');
    expect(text).not.toMatch(/\n\n\n/);
    expect(load(text).feeds.map((f) => f.name)).toEqual(['Student', 'Last']);
  });

  it('removes a feed by name (case-insensitive), also the last one in the file', () => {
    const { text, removed } = removeFeedFromConfig(withSections, 'last');
    expect(removed?.url).toBe('https://last.example.org/feed');
    expect(text.endsWith('section = "gsoc"\n')).toBe(true);
    expect(load(text).feeds).toHaveLength(2);
  });

  it('leaves the text alone when nothing matches', () => {
    expect(removeFeedFromConfig(withSections, 'https://nobody.example/feed')).toEqual({
      text: withSections,
      removed: undefined,
    });
  });
});

describe('addImportToConfig', () => {
  const opml = `<?xml version="1.0"?><opml version="2.0"><head><title>Subs</title></head><body>
<outline text="Loose" xmlUrl="https://loose.example/feed"/>
<outline text="Planet Python">
  <outline text="Tarek again" xmlUrl="https://ziade.org/feeds/python.rss"/>
  <outline text="New Pythonista" xmlUrl="https://new.example/feed"/>
</outline>
<outline text="Django people">
  <outline text="Djangonaut" xmlUrl="https://django.example/feed"/>
  <outline text="Djangonaut twice" xmlUrl="https://django.example/feed"/>
</outline>
</body></opml>`;

  it('adds missing sections (matched by title) and feeds, counting those already there', () => {
    const imported = importOpml(opml);
    const { text, added, skippedExisting } = addImportToConfig(withSections, imported);
    expect(added).toBe(3);
    expect(skippedExisting).toBe(1);
    expect(text.startsWith(withSections.trimEnd())).toBe(true);
    const config = load(text);
    expect(config.site.sections.map((s) => [s.id, s.title])).toEqual([
      ['python', 'Planet Python'],
      ['gsoc', 'PSF GSoC students'],
      ['django-people', 'Django people'],
    ]);
    expect(config.feeds.slice(3).map((f) => [f.url, f.section])).toEqual([
      ['https://loose.example/feed', 'python'],
      ['https://new.example/feed', 'python'],
      ['https://django.example/feed', 'django-people'],
    ]);
  });

  it('declares the implicit "main" section when it adds the first sections', () => {
    const start = starterConfig({ name: 'Mine' });
    const withFeed = addFeedToConfig(start, { url: 'https://a.example/feed', section: 'main' });
    const { text, added } = addImportToConfig(withFeed, importOpml(opml));
    expect(added).toBe(4);
    const config = load(text);
    expect(config.site.sections.map((s) => s.id)).toEqual([
      'main',
      'planet-python',
      'django-people',
    ]);
    expect(config.site.sections[0]?.title).toBe('Mine');
    expect(config.feeds.map((f) => f.section)).toEqual([
      'main',
      'main',
      'planet-python',
      'planet-python',
      'django-people',
    ]);
  });
});

describe('edit invariants', () => {
  const feedArb = fc.record(
    {
      url: fc.webUrl({ validSchemes: ['http', 'https'] }),
      name: fc
        .string({ maxLength: 30 })
        .map((s) => s.trim())
        .filter((s) => s !== ''),
      face: fc.constantFrom('face.png', 'https://img.example/f.jpg'),
      include: fc.array(fc.constantFrom('python', 'dj(ango)?', 'a|b', '\\d+'), { maxLength: 2 }),
    },
    { requiredKeys: ['url'] },
  );

  it('adding feeds then removing them gives back the original text', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(feedArb, { selector: (f) => new URL(f.url.trim()).href, maxLength: 4 }),
        (feeds) => {
          const start = withSections;
          let text = start;
          const subs = feeds.map((f) => ({
            url: f.url.trim(),
            section: 'gsoc',
            ...(f.name !== undefined ? { name: f.name } : {}),
            ...(f.face !== undefined ? { face: f.face } : {}),
            ...(f.include?.length ? { filters: { include: f.include } } : {}),
          }));
          for (const sub of subs) text = addFeedToConfig(text, sub);
          const loaded = load(text).feeds.slice(3);
          expect(loaded).toEqual(subs);
          for (const sub of subs) {
            const result = removeFeedFromConfig(text, sub.url);
            expect(result.removed).toEqual(sub);
            text = result.text;
          }
          expect(text).toBe(start);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('addImportedSiteToConfig', () => {
  const site = {
    name: 'Planet Python',
    link: 'http://planetpython.org/',
    ownerName: 'Python Software Foundation',
    ownerEmail: 'planet@python.org',
    itemsPerPage: 25,
    daysPerPage: 10,
    dateFormat: '%B %d, %Y',
  };

  it('fills the starter: commented-out keys replaced, a key already set kept', () => {
    const start = starterConfig({ name: 'Mine' });
    const { text, set, kept } = addImportedSiteToConfig(start, site);
    expect(kept).toEqual(['name']);
    expect(set).toEqual([
      'link',
      'owner_name',
      'owner_email',
      'items_per_page',
      'days_per_page',
      'date_format',
    ]);
    expect(text).toContain('\nlink = "http://planetpython.org/"\n');
    expect(text).not.toMatch(/^# owner_name = /m);
    expect(text.split('\n')).toHaveLength(start.split('\n').length);
    const config = load(text);
    expect(config.site).toMatchObject({
      name: 'Mine',
      link: 'http://planetpython.org/',
      owner: { name: 'Python Software Foundation', email: 'planet@python.org' },
      itemsPerPage: 25,
      daysPerPage: 10,
      dateFormat: '%B %d, %Y',
    });
    expect(load(addImportedSiteToConfig(start, site, { overwrite: true }).text).site.name).toBe(
      'Planet Python',
    );
  });

  it('adds missing keys after the last key of [site], keeping the rest', () => {
    const { text } = addImportedSiteToConfig(withSections, {
      link: 'https://p.example/',
      itemsPerPage: 5,
    });
    expect(text).toContain(
      'name = "Planet Python" # the name\nlink = "https://p.example/"\nitems_per_page = 5\n\n[[sections]]',
    );
    expect(load(text).feeds).toHaveLength(3);
  });

  it('adds a [site] table before the first table when there is none', () => {
    const text = '# my planet\n\n# feeds below\n[[feeds]]\nurl = "https://a.example/feed"\n';
    const result = addImportedSiteToConfig(text, { name: 'P', itemsPerPage: 3 });
    expect(result.text).toBe(
      '# my planet\n\n[site]\nname = "P"\nitems_per_page = 3\n\n# feeds below\n[[feeds]]\nurl = "https://a.example/feed"\n',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { defaultUserAgent, parseSize } from './defaults.js';
import { parseConfig, suggestKey } from './schema.js';

function problemsOf(text: string) {
  try {
    parseConfig(text, { configPath: '/srv/p/planet.toml', file: 'planet.toml' });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('config loaded without error');
}

describe('parseSize', () => {
  it.each([
    [1234, 1234],
    ['1234', 1234],
    ['5MB', 5 * 1024 * 1024],
    ['512 kb', 512 * 1024],
    ['1.5GiB', 1.5 * 1024 ** 3],
    ['20M', 20 * 1024 * 1024],
    ['5 parsecs', undefined],
    ['-1', undefined],
    [-1, undefined],
    [1.5, undefined],
    ['', undefined],
  ] as const)('%j → %s', (input, bytes) => {
    expect(parseSize(input)).toBe(bytes);
  });
});

describe('suggestKey', () => {
  it.each([
    ['titel', 'site', 'name'],
    ['title', 'site', 'name'],
    ['itemsPerPage', 'site', 'items_per_page'],
    ['timezon', 'site', 'timezone'],
    ['avatar', 'feeds', 'face'],
    ['link', 'feeds', 'site_link'],
    ['concurency', 'fetch', 'concurrency'],
    ['feed', '', 'feeds'],
    ['includes', 'feeds.filters', 'include'],
    ['colour', 'site', undefined],
  ] as const)('%s in [%s] → %s', (unknown, table, suggestion) => {
    expect(suggestKey(unknown, table)).toBe(suggestion);
  });
});

describe('defaultUserAgent', () => {
  it('names Orrery, its version and the site', () => {
    expect(defaultUserAgent('1.0.0', 'https://planet.example.org/')).toBe(
      'Orrery/1.0.0 (+https://planet.example.org/)',
    );
    expect(defaultUserAgent('1.0.0')).toBe('Orrery/1.0.0');
  });
});

describe('table shape mistakes', () => {
  it.each([
    [
      '[[site]]\nname = "x"\n',
      'site',
      1,
      'must be a [site] table (one pair of brackets), not a list',
    ],
    ['[feeds]\nurl = "https://a.example/"\n', 'feeds', 1, 'must be [[feeds]] tables, not a table'],
    [
      '[fetch]\ninterval = "60"\n',
      'fetch.interval',
      2,
      'must be a number of minutes (without quotes), not the string "60"',
    ],
    [
      '[fetch]\ninterval = 60\nmax_interval = 30\n',
      'fetch.max_interval',
      3,
      'must be at least fetch.interval (60 minutes)',
    ],
    [
      '[[sections]]\nid = "a b"\n',
      'sections[0].id',
      2,
      'must be letters, digits, - or _ (it becomes part of page URLs)',
    ],
    [
      '[[sections]]\nid = "a"\n[[sections]]\nid = "a"\n',
      'sections[1].id',
      4,
      'section "a" is defined twice (first as sections[0]); give each section its own id',
    ],
  ] as const)('%j', (text, key, line, message) => {
    expect(problemsOf(text)).toEqual([{ key, line, message }]);
  });
});

describe('[websub]', () => {
  const base = '[site]\nname = "P"\n';
  it('puts the hub in the site settings', () => {
    const text = `${base}link = "https://planet.example.org/"\n[websub]\nhub = "https://hub.example.org/"\n`;
    const config = parseConfig(text, { configPath: '/p/planet.toml' });
    expect(config.site.websubHub).toBe('https://hub.example.org/');
  });
  it('refuses a hub without [site] link, naming the line', () => {
    const text = `${base}[websub]\nhub = "https://hub.example.org/"\n`;
    expect(() => parseConfig(text, { configPath: '/p/planet.toml' })).toThrow(
      /planet\.toml:4.*websub\.hub.*link/s,
    );
  });
  it('refuses a hub that is not a URL', () => {
    const text = `${base}link = "https://p.example/"\n[websub]\nhub = "hub.example.org"\n`;
    expect(() => parseConfig(text, { configPath: '/p/planet.toml' })).toThrow(/not an http/);
  });
});

describe('[store] and [archive]', () => {
  const load = (text: string) => parseConfig(text, { configPath: '/srv/p/planet.toml' });

  it('reads a PostgreSQL URL and the retention bounds; keeps everything by default', () => {
    const config = load(
      '[store]\nurl = "postgres://orrery@db.example/planet?schema=py"\n[archive]\nkeep_days = 730\nmax_entries_per_feed = 500\n',
    );
    expect(config.store).toEqual({
      path: '/srv/p/orrery.sqlite',
      url: 'postgres://orrery@db.example/planet?schema=py',
    });
    expect(config.archive).toEqual({ keepDays: 730, maxEntriesPerFeed: 500 });
    expect(load('').archive).toEqual({});
    expect(load('').store.url).toBeUndefined();
  });

  it('names the file, line and key of a bad value, without echoing a URL', () => {
    expect(
      problemsOf(
        '[store]\nurl = "mysql://root:hunter2@db/x"\n\n[archive]\nkeep_days = 0\nmax_entries_per_feed = "many"\nkeep = 3\n',
      ),
    ).toEqual([
      {
        key: 'store.url',
        line: 2,
        message:
          'must be a postgres:// URL such as "postgres://orrery@db.example/planet" (leave it out to use the SQLite file at path)',
      },
      { key: 'archive.keep_days', line: 5, message: 'must be at least 1' },
      {
        key: 'archive.max_entries_per_feed',
        line: 6,
        message: 'must be a number (without quotes), not the string "many"',
      },
      { key: 'archive.keep', line: 7, message: "unknown key — did you mean 'keep_days'?" },
    ]);
  });
});

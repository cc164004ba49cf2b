import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { addFeedToConfig, moveFeedInConfig } from './edit.js';
import { parseConfig } from './schema.js';

const load = (text: string) => parseConfig(text, { configPath: '/p/planet.toml' });

const planet = `# My planet
[site]
name = "Planet Python" # the name

# Tarek writes about packaging
[[feeds]]
  url = 'http://ziade.org/feeds/python.rss'   # old blog
  name = "Tarek Ziade"
  [feeds.filters]
  include = ["python"]

[[feeds]]
url = "https://last.example.org/feed"
name = "Last"
`;

const move = {
  from: 'http://ziade.org/feeds/python.rss',
  to: 'https://ziade.org/feeds/python.xml',
  date: '2026-11-22',
};

describe('moveFeedInConfig', () => {
  it('changes only the url value and keeps the old URL in a comment above it', () => {
    const next = moveFeedInConfig(planet, move);
    const before = planet.split('\n');
    const after = next.split('\n');
    expect(after).toHaveLength(before.length + 1);
    expect(after.slice(0, 6)).toEqual(before.slice(0, 6));
    expect(after[6]).toBe(
      '  # moved from http://ziade.org/feeds/python.rss on 2026-11-22 (permanent redirect)',
    );
    expect(after[7]).toBe(`  url = "https://ziade.org/feeds/python.xml"   # old blog`);
    expect(after.slice(8)).toEqual(before.slice(7));
    const config = load(next);
    expect(config.feeds.map((f) => f.url)).toEqual([
      'https://ziade.org/feeds/python.xml',
      'https://last.example.org/feed',
    ]);
    expect(config.feeds[0]).toMatchObject({
      name: 'Tarek Ziade',
      filters: { include: ['python'] },
    });
  });

  it('finds the feed by its URL as HTTP compares it (scheme and host case)', () => {
    const next = moveFeedInConfig(planet, { ...move, from: 'HTTP://Ziade.org/feeds/python.rss' });
    expect(load(next).feeds[0]?.url).toBe(move.to);
  });

  it('keeps CRLF line endings', () => {
    const crlf = planet.replace(/\n/g, '\r\n');
    const next = moveFeedInConfig(crlf, move);
    expect(next.split('\r\n')).toHaveLength(planet.split('\n').length + 1);
    expect(next.replace(/\r\n/g, '')).not.toContain('\n');
    expect(load(next).feeds[0]?.url).toBe(move.to);
  });

  it('moves the right feed among several, twice in a row', () => {
    const once = moveFeedInConfig(planet, move);
    const twice = moveFeedInConfig(once, {
      from: 'https://last.example.org/feed',
      to: 'https://last.example.org/atom.xml',
      date: '2026-11-23',
    });
    expect(load(twice).feeds.map((f) => f.url)).toEqual([
      'https://ziade.org/feeds/python.xml',
      'https://last.example.org/atom.xml',
    ]);
    expect(twice).toContain('# moved from https://last.example.org/feed on 2026-11-23');
  });

  it('refuses a move onto a feed already subscribed, and an unknown feed', () => {
    expect(() =>
      moveFeedInConfig(planet, { ...move, to: 'https://last.example.org/feed' }),
    ).toThrow(/already subscribed \(feeds\[1\]\)/);
    expect(() => moveFeedInConfig(planet, { ...move, from: 'https://nowhere.example/' })).toThrow(
      ConfigError,
    );
  });

  it('refuses feeds written as an inline array', () => {
    const inline = `feeds = [{ url = "${move.from}" }]\n`;
    expect(() => moveFeedInConfig(inline, move)).toThrow(/cannot find the url line/);
  });

  it('writes headers when add writes a feed that has them, and they load back', () => {
    const next = addFeedToConfig('', {
      url: 'https://private.example/feed',
      section: 'main',
      overrides: { headers: { authorization: 'Bearer x', 'x.odd': 'y' } },
    });
    expect(next).toContain('headers = { authorization = "Bearer x", "x.odd" = "y" }');
    expect(load(next).feeds[0]?.overrides?.headers).toEqual({
      authorization: 'Bearer x',
      'x.odd': 'y',
    });
  });
});

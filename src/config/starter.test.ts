import { describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS } from './defaults.js';
import { parseConfig, planetTomlSchema } from './schema.js';
import { starterConfig } from './starter.js';

const uncomment = (text: string) =>
  text
    .split('\n')
    .map((line) => line.replace(/^# (?=[a-z_]+ = |\[)/, ''))
    .join('\n');

describe('starterConfig', () => {
  it('loads as written, with the given name and all defaults', () => {
    const config = parseConfig(starterConfig({ name: 'Planet "Quotes"' }), {
      configPath: '/srv/planet/planet.toml',
      version: '0.1.0',
    });
    expect(config.site.name).toBe('Planet "Quotes"');
    expect(config.site.outputDir).toBe('/srv/planet/public');
    expect(config.site.sections).toEqual([{ id: 'main', title: 'Planet "Quotes"' }]);
    expect(config.fetch.concurrency).toBe(CONFIG_DEFAULTS.fetch.concurrency);
    expect(config.feeds).toEqual([]);
  });

  it('writes a name with a DEL or control character as valid TOML', () => {
    const name = 'Odd\u007fname\u0001';
    const config = parseConfig(starterConfig({ name }), { configPath: '/srv/p/planet.toml' });
    expect(config.site.name).toBe(name);
  });

  it('shows every key of every table (commented out)', () => {
    const text = starterConfig();
    const shape = planetTomlSchema.shape;
    const tables = {
      site: shape.site.unwrap().shape,
      fetch: shape.fetch.unwrap().shape,
      store: shape.store.unwrap().shape,
      websub: shape.websub.unwrap().shape,
      archive: shape.archive.unwrap().shape,
      sections: shape.sections.unwrap().element.shape,
      feeds: shape.feeds.unwrap().element.shape,
    };
    for (const [table, keys] of Object.entries(tables)) {
      for (const key of Object.keys(keys)) {
        expect(text, `${table}.${key}`).toMatch(
          new RegExp(`^#? ?(${key} = |\\[${table}\\.${key}\\])`, 'm'),
        );
      }
    }
  });

  it('still loads with every commented-out key switched on, and the shown defaults are the defaults', () => {
    const text = uncomment(starterConfig({ link: 'https://planet.example.org/' })).replace(
      'user_agent = "..."',
      'user_agent = "Custom/1"',
    );
    const config = parseConfig(text, { configPath: '/srv/p/planet.toml', version: '2.0.0' });
    const defaults = parseConfig(starterConfig({ link: 'https://planet.example.org/' }), {
      configPath: '/srv/p/planet.toml',
      version: '2.0.0',
    });
    expect(config.site.sections.map((s) => s.id)).toEqual(['main', 'gsoc']);
    expect(config.feeds).toHaveLength(1);
    expect(config.feeds[0]?.filters?.include).toEqual(['python', 'django']);
    const { userAgent: _ua, ...fetchShown } = config.fetch;
    const { userAgent: defaultUa, ...fetchDefault } = defaults.fetch;
    expect(fetchShown).toEqual(fetchDefault);
    expect(defaultUa).toBe('Orrery/2.0.0 (+https://planet.example.org/)');
    expect({ ...config.site, sections: [] }).toEqual({
      ...defaults.site,
      sections: [],
      owner: config.site.owner,
      websubHub: 'https://hub.example.org/',
    });
  });
});

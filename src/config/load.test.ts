import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load.js';

// Folders made by a test are removed after it, passed or failed.
const made: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'orrery-config-'));
  made.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

const here = path.dirname(new URL(import.meta.url).pathname);
const fixture = (name: string) => path.join(here, 'testdata', name);

async function loadError(name: string): Promise<ConfigError> {
  const err = await loadConfig(fixture(name)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return err as ConfigError;
}

describe('loadConfig', () => {
  it('resolves a full config: defaults overridden, paths from the config folder', async () => {
    const config = await loadConfig(fixture('good.toml'), { version: '1.2.3' });
    const dir = path.join(here, 'testdata');
    expect(config.configPath).toBe(fixture('good.toml'));
    expect(config.baseDir).toBe(dir);
    expect(config.site).toMatchObject({
      name: 'Planet Python',
      link: 'https://planetpython.org/',
      owner: { name: 'Python Software Foundation', email: 'planet@python.org' },
      outputDir: path.join(dir, 'site/out'),
      timezone: 'Europe/Berlin',
      dateFormat: '%d %B %Y',
      timeFormat: '%I:%M %p',
      itemsPerPage: 25,
      daysPerPage: 7,
      themeDir: path.join(dir, 'themes/snake'),
    });
    expect(config.site.sections).toEqual([
      { id: 'python', title: 'Planet Python', description: 'Posts from the Python community' },
      { id: 'gsoc', title: 'PSF GSoC students' },
    ]);
    expect(config.fetch).toEqual({
      concurrency: 8,
      perHostLimit: 1,
      connectTimeoutMs: 5000,
      headersTimeoutMs: 7500,
      bodyTimeoutMs: 20000,
      maxBodyBytes: 2 * 1024 * 1024,
      maxDecompressedBytes: 10485760,
      maxRedirects: 3,
      userAgent: 'Orrery/1.2.3 (+https://planetpython.org/)',
      allowPrivate: true,
      intervalMinutes: 30,
      maxIntervalMinutes: 720,
    });
    expect(config.store.path).toBe(path.join(dir, 'data/planet.sqlite'));
    expect(config.feeds).toEqual([
      {
        url: 'https://ziade.org/feeds/python.rss',
        name: 'Tarek Ziade',
        face: 'faces/tarek.png',
        section: 'python',
      },
      {
        url: 'https://blog.example.org/gsoc/atom.xml',
        name: 'A GSoC student',
        section: 'gsoc',
        siteLink: 'https://blog.example.org/',
        filters: { include: ['python', 'gsoc'], exclude: ['sponsored'], categories: ['Python'] },
        overrides: { intervalMinutes: 120, timeoutMs: 45000, userAgent: 'Special/1.0' },
      },
    ]);
  });

  it('applies every default to a minimal config', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'planet.toml');
    await writeFile(file, '[[feeds]]\nurl = "https://example.org/feed.xml"\n');
    const config = await loadConfig(file, { version: '0.9.0' });
    expect(config.site).toEqual({
      name: 'Orrery',
      outputDir: path.join(dir, 'public'),
      timezone: 'UTC',
      language: 'en',
      dateFormat: '%B %d, %Y',
      timeFormat: '%H:%M',
      itemsPerPage: 60,
      daysPerPage: 10,
      sections: [{ id: 'main', title: 'Orrery' }],
    });
    expect(config.fetch).toMatchObject({
      concurrency: 32,
      perHostLimit: 2,
      connectTimeoutMs: 10_000,
      headersTimeoutMs: 15_000,
      bodyTimeoutMs: 30_000,
      maxBodyBytes: 5 * 1024 * 1024,
      maxDecompressedBytes: 20 * 1024 * 1024,
      maxRedirects: 5,
      userAgent: 'Orrery/0.9.0',
      allowPrivate: false,
      intervalMinutes: 60,
      maxIntervalMinutes: 10080,
    });
    expect(config.store.path).toBe(path.join(dir, 'orrery.sqlite'));
    expect(config.feeds).toEqual([{ url: 'https://example.org/feed.xml', section: 'main' }]);
  });

  it('says how to create a missing config', async () => {
    const missing = path.join(os.tmpdir(), 'no-such-dir-orrery', 'planet.toml');
    const err = await loadConfig(missing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('config');
    expect((err as ConfigError).message).toContain(`no planet.toml at ${missing}`);
    expect((err as ConfigError).message).toContain('orrery init');
  });

  it('shows the line and column of a TOML syntax error', async () => {
    const err = await loadError('bad-syntax.toml');
    expect(err.line).toBe(5);
    expect(err.file).toBe(fixture('bad-syntax.toml'));
    expect(err.message).toMatch(/bad-syntax\.toml:5:\d+: TOML syntax error/);
    expect(err.message).toContain('url = "https://example.org/feed.xml');
  });

  it('names an unknown key, its line, and the key it probably meant', async () => {
    const err = await loadError('unknown-key.toml');
    expect(err.problems).toHaveLength(2);
    expect(err.problems[0]).toEqual({
      key: 'site.titel',
      line: 2,
      message: "unknown key — did you mean 'name'?",
    });
    expect(err.problems[1]).toMatchObject({ key: 'feeds[0].avatar', line: 7 });
    expect(err.problems[1]?.message).toContain("did you mean 'face'?");
    expect(err.message).toContain('unknown-key.toml:2: site.titel: unknown key');
    expect(err.key).toBe('site.titel');
    expect(err.line).toBe(2);
  });

  it('rejects a feed URL that is not http(s)', async () => {
    const err = await loadError('bad-url.toml');
    expect(err.key).toBe('feeds[1].url');
    expect(err.line).toBe(9);
    expect(err.message).toContain('"example.org/feed.xml" is not an http:// or https:// URL');
  });

  it('rejects a feed in a section that is not defined, listing the defined ones', async () => {
    const err = await loadError('undefined-section.toml');
    expect(err.key).toBe('feeds[1].section');
    expect(err.line).toBe(13);
    expect(err.message).toContain('section "gsoc" is not defined');
    expect(err.message).toContain('"python"');
  });

  it('rejects a time zone Intl does not know', async () => {
    const err = await loadError('bad-timezone.toml');
    expect(err).toMatchObject({ key: 'site.timezone', line: 3 });
    expect(err.message).toContain('"Europe/Berln" is not a time zone');
  });

  it('reads site.language as a canonical BCP 47 tag, and rejects one Intl cannot read', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'planet.toml');
    await writeFile(file, '[site]\nlanguage = "pt-br"\n');
    expect((await loadConfig(file)).site.language).toBe('pt-BR');
    await writeFile(file, '[site]\nname = "P"\nlanguage = "english please"\n');
    const err = (await loadConfig(file).catch((e: unknown) => e)) as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toMatchObject({ key: 'site.language', line: 3 });
    expect(err.message).toContain('"english please" is not a language tag');
  });

  it('rejects the same feed twice, even with a differently cased scheme and host', async () => {
    const err = await loadError('duplicate-feed.toml');
    expect(err).toMatchObject({ key: 'feeds[1].url', line: 6 });
    expect(err.message).toContain('already feeds[0], line 2');
  });

  it('reports every bad value at once, each at its line', async () => {
    const err = await loadError('bad-values.toml');
    const byKey = Object.fromEntries(err.problems.map((p) => [p.key, p]));
    expect(byKey['site.items_per_page']).toMatchObject({ line: 2 });
    expect(byKey['site.items_per_page']?.message).toContain('the string "25"');
    expect(byKey['fetch.max_body_size']?.message).toContain('"5 parsecs" is not a size');
    expect(byKey['fetch.concurrency']).toMatchObject({ line: 6, message: 'must be at least 1' });
    expect(byKey['feeds[0].filters.include[0]']).toMatchObject({ line: 11 });
    expect(byKey['feeds[0].filters.include[0]']?.message).toContain(
      'not a valid regular expression',
    );
    expect(byKey['feeds[1].url']).toMatchObject({ line: 13 });
    expect(byKey['feeds[1].url']?.message).toContain('required');
    expect(err.message).toContain('5 problems in');
  });

  it('refuses a site folder that would hold the config or the database', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'planet.toml');
    await writeFile(file, '[site]\noutput_dir = "."\n\n[store]\npath = "./orrery.sqlite"\n');
    const err = (await loadConfig(file).catch((e: unknown) => e)) as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.problems.map((p) => [p.key, p.line])).toEqual([
      ['site.output_dir', 2],
      ['store.path', 5],
    ]);
    expect(err.message).toContain('holds this config file');
    await writeFile(file, '[site]\noutput_dir = "public"\n[store]\npath = "public/db.sqlite"\n');
    const err2 = (await loadConfig(file).catch((e: unknown) => e)) as ConfigError;
    expect(err2.key).toBe('store.path');
    expect(err2.message).toContain('keep the database outside it');
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { importOpml } from './import-opml.js';

const here = path.dirname(new URL(import.meta.url).pathname);
const read = (name: string) => readFileSync(path.join(here, 'testdata', name), 'utf8');

function importError(name: string): ConfigError {
  try {
    importOpml(read(name), { file: name });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`${name} was imported without error`);
}

describe('importOpml', () => {
  it('turns folders into sections, feeds into subscriptions, and reports the rest', () => {
    const result = importOpml(read('subscriptions.opml'), { file: 'subscriptions.opml' });
    expect(result.site).toEqual({
      name: 'Planet Python',
      ownerName: 'Python Software Foundation',
      ownerEmail: 'planet@python.org',
    });
    expect(result.sections).toEqual([
      { id: 'main', title: 'Planet Python' },
      { id: 'planet-python', title: 'Planet Python' },
      { id: 'psf-gsoc-students', title: 'PSF GSoC students' },
      { id: 'weekly-reports', title: 'Weekly reports' },
    ]);
    expect(result.subscriptions).toEqual([
      { url: 'https://top.example.org/feed.xml', name: 'Top-level feed', section: 'main' },
      {
        url: 'http://ziade.org/feeds/python.rss',
        name: 'Tarek Ziade',
        section: 'planet-python',
        siteLink: 'http://ziade.org/',
      },
      { url: 'https://title.example.org/atom.xml', name: 'Only a title', section: 'planet-python' },
      {
        url: 'https://one.example.org/gsoc.rss',
        name: 'Student One',
        section: 'psf-gsoc-students',
      },
      { url: 'https://two.example.org/feed', name: 'Student Two', section: 'weekly-reports' },
    ]);
    expect(result.skipped).toEqual([
      { item: 'outline "No feed here" (line 15)', reason: 'a link, not a feed (no xmlUrl)' },
      { item: 'outline "Duplicate Tarek" (line 16)', reason: 'duplicate of the feed at line 12' },
      {
        item: 'outline "Student One" (line 19) htmlUrl',
        reason: '"not a url" is not an http(s) URL',
      },
      {
        item: 'outline "Gopher" (line 24)',
        reason: 'xmlUrl "gopher://old.example.org/feed" is not an http(s) URL',
      },
      {
        item: 'outline "Blogroll" (line 27)',
        reason: 'includes another OPML file; import that file separately',
      },
    ]);
  });

  it('reads OPML with bare ampersands and HTML entities as the author meant it', () => {
    const result = importOpml(read('malformed-amp.opml'));
    expect(result.site?.name).toBe("Tom & Jerry's\u00a0feeds");
    expect(result.subscriptions).toEqual([
      {
        url: 'https://example.org/feed?tag=python&format=rss',
        name: 'Search & Rescue',
        section: 'main',
        siteLink: 'https://example.org/?a=1&b=2',
      },
      {
        url: 'https://cafe.example.org/rss',
        name: 'Café © &unknownentity; été',
        section: 'main',
      },
    ]);
  });

  it('uses the OPML 2.0 category attribute as the section of a feed outside any folder', () => {
    const result = importOpml(
      '<opml version="2.0"><body><outline text="A" xmlUrl="https://a.example/f" category="/Python/PSF GSoC students,/Other"/><outline text="B" xmlUrl="https://b.example/f" category=""/></body></opml>',
    );
    expect(result.sections).toEqual([
      { id: 'main', title: 'Main' },
      { id: 'psf-gsoc-students', title: 'PSF GSoC students' },
    ]);
    expect(result.subscriptions.map((s) => s.section)).toEqual(['psf-gsoc-students', 'main']);
  });

  it('names the file and line of XML that is not well-formed', () => {
    const err = importError('broken.opml');
    expect(err.file).toBe('broken.opml');
    expect(err.line).toBe(7);
    expect(err.message).toMatch(/^config: broken\.opml:7:\d+: not well-formed XML: /);
  });

  it('refuses an XML file that is not OPML', () => {
    const err = importError('not-opml.xml');
    expect(err.line).toBe(2);
    expect(err.message).toContain('not an OPML file: the root element is <rss>');
  });

  it('refuses text that is not XML at all', () => {
    expect(() => importOpml('name = "a toml file"', { file: 'x.toml' })).toThrow(
      /config: x\.toml:1:\d+: not well-formed XML/,
    );
  });
});

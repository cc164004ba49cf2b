import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredEntry } from '../model/stored.js';
import { buildSite } from './build-site.js';
import { listFiles } from './list-files.js';
import { createMemorySource } from './memory-source.js';
import { FIXTURE_NOW, fixtureData, fixtureSite } from './testdata/planet-fixture.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orrery-render-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const read = (out: string, path: string) => readFile(join(out, path), 'utf8');

describe('buildSite', () => {
  it('writes every page, feed and asset', async () => {
    const out = join(dir, 'public');
    const report = await buildSite({
      source: createMemorySource(fixtureData()),
      site: fixtureSite(out),
      now: FIXTURE_NOW,
      search: false,
    });
    for (const path of [
      'index.html',
      'atom.xml',
      'rss.xml',
      'feed.json',
      'opml.xml',
      'sections/python/index.html',
      'sections/python/atom.xml',
      'sections/gsoc/feed.json',
      'archive/index.html',
      'archive/2012/02/index.html',
      'archive/2012/02/06/index.html',
      'archive/2011/12/24/index.html',
      'about/index.html',
      'health/index.html',
      'search/index.html',
      'assets/style.css',
    ]) {
      expect(report.written, path).toContain(path);
    }
    expect(report.entries).toBe(17);
    expect(report.pagesUnchanged).toBe(0);
    expect(report.search).toBe(false);
  });

  it('matches the golden files (review their diffs like code)', async () => {
    const out = join(dir, 'public');
    await buildSite({
      source: createMemorySource(fixtureData()),
      site: fixtureSite(out),
      now: FIXTURE_NOW,
      search: false,
    });
    for (const path of [
      'index.html',
      'atom.xml',
      'rss.xml',
      'feed.json',
      'opml.xml',
      'archive/2012/02/05/index.html',
      'health/index.html',
    ]) {
      await expect(await read(out, path)).toMatchFileSnapshot(
        `testdata/golden/${path.replace(/\//g, '-')}`,
      );
    }
  });

  it('builds an empty planet', async () => {
    const out = join(dir, 'public');
    const report = await buildSite({
      source: createMemorySource({ feeds: [], entries: [] }),
      site: fixtureSite(out),
      now: FIXTURE_NOW,
    });
    expect(report.entries).toBe(0);
    expect(await read(out, 'index.html')).toContain('No posts yet.');
    expect(await read(out, 'archive/index.html')).toContain('The archive is empty.');
    expect(await read(out, 'atom.xml')).toContain('<feed xmlns="http://www.w3.org/2005/Atom">');
  });

  it('lays out the river like seed 004, each post once', async () => {
    const out = join(dir, 'public');
    await buildSite({
      source: createMemorySource(fixtureData()),
      site: fixtureSite(out),
      now: FIXTURE_NOW,
      search: false,
    });
    const html = await read(out, 'index.html');
    const day = html.indexOf('06 Feb 2012</a></h2>');
    const section = html.indexOf('>Planet Python</a></h3>', day);
    const post = html.indexOf(
      'Tarek Ziade</span><span class="sep">: </span><span class="entry-name">Scaling Crypto work in Python',
      section,
    );
    const time = html.indexOf('06 Feb 2012 8:17am UTC</time>', post);
    expect([day, section, post, time].every((i) => i > 0)).toBe(true);
    expect(day < section && section < post && post < time).toBe(true);
    expect(html.match(/data-entry-id="100"/g)).toHaveLength(1);
    expect(html.match(/class="entry-name">This Thursday/g)).toHaveLength(1);
    expect(html).not.toContain('duplicate copy');
    // The removed feed's post stays in the archive, but leaves the river and the feeds.
    expect(await read(out, 'archive/2011/12/24/index.html')).toContain(
      'A post from a feed that left the planet',
    );
    expect(html).not.toContain('A post from a feed that left the planet');
    expect(await read(out, 'atom.xml')).not.toContain('A post from a feed that left the planet');
  });

  it('escapes everything but entry content, and links relatively', async () => {
    const data = fixtureData();
    data.feeds[0]!.name = 'Tarek <b>Ziade</b>';
    data.entries[0]!.title = 'Crypto <script>alert(1)</script>';
    const out = join(dir, 'public');
    await buildSite({
      source: createMemorySource(data),
      site: fixtureSite(out),
      now: FIXTURE_NOW,
      search: false,
    });
    const html = await read(out, 'index.html');
    expect(html).toContain('Tarek &lt;b&gt;Ziade&lt;/b&gt;');
    expect(html).toContain('Crypto &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('<h3>The GIL, Gevent, greenlet and the likes</h3>');
    // No root-absolute internal links: the site works under any base path.
    for (const path of [
      'index.html',
      'archive/2012/02/06/index.html',
      'sections/gsoc/index.html',
    ]) {
      const page = await read(out, path);
      expect(page.match(/(href|src)="\/[^/]/g), path).toBeNull();
    }
    expect(await read(out, 'archive/2012/02/06/index.html')).toContain(
      'href="../../../../assets/style.css"',
    );
    // Feeds use absolute URLs from site.link.
    expect(await read(out, 'atom.xml')).toContain(
      '<link rel="self" type="application/atom+xml" href="https://planet.example.org/atom.xml"/>',
    );
  });

  it('caps the front page by items and by days; archive pages link their neighbours', async () => {
    const out = join(dir, 'public');
    await buildSite({
      source: createMemorySource(fixtureData()),
      site: fixtureSite(out, { itemsPerPage: 5, daysPerPage: 1 }),
      now: FIXTURE_NOW,
      search: false,
    });
    const html = await read(out, 'index.html');
    expect(html.match(/<article /g)).toHaveLength(4);
    expect(html).not.toContain('05 Feb 2012');
    // Five entries asked for: the stored duplicate and the second copy are skipped, not counted.
    expect((await read(out, 'atom.xml')).match(/<entry>/g)).toHaveLength(5);
    const feb1 = await read(out, 'archive/2012/02/03/index.html');
    expect(feb1).toContain('<a rel="prev" href="../../../../archive/2012/02/04/index.html">');
    // The oldest day of February links to the newest day of January.
    expect(feb1).toContain('<a rel="next" href="../../../../archive/2012/01/31/index.html">');
    expect(await read(out, 'archive/2012/01/index.html')).toContain(
      'rel="prev" href="../../../archive/2012/02/index.html"',
    );
  });

  it('rewrites only what changed: nothing on a rebuild, a few pages after one new entry', async () => {
    const out = join(dir, 'public');
    const data = fixtureData();
    const source = createMemorySource(data);
    const site = fixtureSite(out);
    await buildSite({ source, site, now: FIXTURE_NOW, search: false });
    const before = await stat(join(out, 'archive/2012/01/31/index.html'));

    const again = await buildSite({ source, site, now: FIXTURE_NOW, search: false });
    expect(again.written).toEqual([]);
    expect(again.pagesUnchanged).toBe(again.files);

    const entry: StoredEntry = {
      ...data.entries[0]!,
      id: 999,
      key: 'id:new',
      title: 'A brand new post',
      link: 'https://ziade.example.com/new',
      canonicalLink: 'https://ziade.example.com/new',
      fingerprint: 'fp-new',
      date: '2012-02-06T11:00:00Z',
      published: '2012-02-06T11:00:00Z',
    };
    data.entries.push(entry);
    data.feeds[0]!.entryCount++;
    const next = await buildSite({ source, site, now: FIXTURE_NOW, search: false });
    expect(next.written.sort()).toEqual(
      [
        'index.html',
        'atom.xml',
        'rss.xml',
        'feed.json',
        'sections/python/index.html',
        'sections/python/atom.xml',
        'sections/python/rss.xml',
        'sections/python/feed.json',
        'archive/2012/02/06/index.html',
        'archive/2012/02/index.html',
        'archive/index.html',
        'about/index.html',
      ].sort(),
    );
    const after = await stat(join(out, 'archive/2012/01/31/index.html'));
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.ino).toBe(before.ino);
  });

  it('lets a site theme override templates and assets file by file', async () => {
    const theme = join(dir, 'theme');
    await mkdir(join(theme, 'assets'), { recursive: true });
    await mkdir(join(theme, 'faces'), { recursive: true });
    await writeFile(join(theme, 'assets', 'style.css'), 'body { color: rebeccapurple; }\n');
    await writeFile(join(theme, 'faces', 'tarek.png'), 'not really a png');
    await writeFile(
      join(theme, 'about.liquid'),
      "{% layout 'layout' %}{% block content %}<h1>Our {{ feedCount }} friends</h1>{% endblock %}",
    );
    const data = fixtureData();
    data.feeds[0]!.face = 'tarek.png';
    const out = join(dir, 'public');
    await buildSite({
      source: createMemorySource(data),
      site: fixtureSite(out, { themeDir: theme }),
      now: FIXTURE_NOW,
      search: false,
    });
    expect(await read(out, 'assets/style.css')).toContain('rebeccapurple');
    expect(await read(out, 'about/index.html')).toContain('<h1>Our 14 friends</h1>');
    // Not overridden: the default templates still apply.
    expect(await read(out, 'health/index.html')).toContain('Feed health');
    expect(await read(out, 'faces/tarek.png')).toBe('not really a png');
    expect(await read(out, 'index.html')).toContain(
      '<img class="face" src="./faces/tarek.png" alt=""',
    );
  });

  it('renders every page again when the theme changes', async () => {
    const out = join(dir, 'public');
    const source = createMemorySource(fixtureData());
    await buildSite({ source, site: fixtureSite(out), now: FIXTURE_NOW, search: false });
    const theme = join(dir, 'theme');
    await mkdir(join(theme, 'partials'), { recursive: true });
    const entry = await readFile(
      join(import.meta.dirname, '../../themes/default/partials/entry.liquid'),
      'utf8',
    );
    await writeFile(
      join(theme, 'partials', 'entry.liquid'),
      entry.replace('<article class="entry', '<article class="entry custom'),
    );
    const report = await buildSite({
      source,
      site: fixtureSite(out, { themeDir: theme }),
      now: FIXTURE_NOW,
      search: false,
    });
    expect(report.written).toContain('archive/2012/01/23/index.html');
    expect(await read(out, 'archive/2012/01/23/index.html')).toContain('class="entry custom');
  });

  it('builds the search index with Pagefind, in one part by default', async () => {
    const out = join(dir, 'public');
    const report = await buildSite({
      source: createMemorySource(fixtureData()),
      site: fixtureSite(out),
      now: FIXTURE_NOW,
    });
    expect(report.search).toBe(true);
    expect(report.searchPartsBuilt).toBe(1);
    expect(report.written).toContain('pagefind/2011-12-24/pagefind-ui.js');
    expect(await pageCount(out, 'pagefind/2011-12-24/')).toBe(8);
    expect(await read(out, 'search/index.html')).toContain(
      '<script src="../pagefind/2011-12-24/pagefind-ui.js">',
    );
    const again = await buildSite({
      source: createMemorySource(fixtureData()),
      site: fixtureSite(out),
      now: FIXTURE_NOW,
    });
    expect(again.written).toEqual([]);
    expect(again.searchPartsBuilt).toBe(0);
  });

  it('keeps every search part when only the health page changed, re-indexes only a changed part', async () => {
    const out = join(dir, 'public');
    const data = fixtureData();
    const source = createMemorySource(data);
    const site = fixtureSite(out);
    // One day page per part: 8 parts, newest first on the search page.
    const first = await buildSite({ source, site, now: FIXTURE_NOW, searchPartBytes: 1 });
    expect(first.searchPartsBuilt).toBe(8);
    const parts = indexesOf(await read(out, 'search/index.html'));
    expect(parts).toHaveLength(8);
    expect(parts[0]).toBe('pagefind/2012-02-06/');
    expect(parts[7]).toBe('pagefind/2011-12-24/');
    let pages = 0;
    for (const part of parts) pages += await pageCount(out, part);
    expect(pages).toBe(8);
    const before = await fileStats(join(out, 'pagefind'));

    // A feed starts failing and the clock moves: the health page changes, no day page does.
    const cheese = data.feeds[1]!;
    Object.assign(cheese, {
      errorCode: 'dns',
      errorMessage: 'no such host',
      consecutiveFailures: 1,
      failingSince: '2012-02-06T12:00:00Z',
    });
    const later = new Date(FIXTURE_NOW.getTime() + 3_600_000);
    const failing = await buildSite({ source, site, now: later, searchPartBytes: 1 });
    expect(failing.written).toContain('health/index.html');
    expect(failing.written.filter((p) => p.startsWith('archive/'))).toEqual([]);
    expect(failing.written.filter((p) => p.startsWith('pagefind/'))).toEqual([]);
    expect(failing.searchPartsBuilt).toBe(0);
    expect(failing.search).toBe(true);
    // The bundles are the same files: same inode, same mtime.
    expect(await fileStats(join(out, 'pagefind'))).toEqual(before);
    expect(indexesOf(await read(out, 'search/index.html'))).toEqual(parts);

    // A new post on the newest day: only that day's part is indexed again.
    data.entries.push({
      ...data.entries[0]!,
      id: 999,
      key: 'id:new',
      title: 'Quokkas in the standard library',
      link: 'https://ziade.example.com/quokkas',
      canonicalLink: 'https://ziade.example.com/quokkas',
      fingerprint: 'fp-quokka',
      date: '2012-02-06T11:00:00Z',
      published: '2012-02-06T11:00:00Z',
    });
    const next = await buildSite({ source, site, now: later, searchPartBytes: 1 });
    expect(next.searchPartsBuilt).toBe(1);
    expect(next.written).toContain('pagefind/2012-02-06/pagefind-entry.json');
    const after = await fileStats(join(out, 'pagefind'));
    for (const [path, facts] of before) {
      if (!path.startsWith('2012-02-06/')) expect(after.get(path), path).toEqual(facts);
    }
  });
});

/** Pages in one search bundle. */
async function pageCount(out: string, part: string): Promise<number> {
  const entry = JSON.parse(await read(out, `${part}pagefind-entry.json`));
  return entry.languages.en.page_count;
}

/** The bundle folders the search page loads, newest first. */
function indexesOf(html: string): string[] {
  return /data-indexes="([^"]*)"/.exec(html)?.[1]?.split(' ') ?? [];
}

/** path → "inode mtime" of every file under a folder. */
async function fileStats(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const path of await listFiles(root)) {
    const s = await stat(join(root, path));
    out.set(path, `${s.ino} ${s.mtimeMs}`);
  }
  return out;
}

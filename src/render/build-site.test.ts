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
      'archive/2011/12/atom.xml',
      'archive/2011/12/feed.json',
      'about/index.html',
      'health/index.html',
      'search/index.html',
      'assets/style.css',
    ]) {
      expect(report.written, path).toContain(path);
    }
    expect(report.entries).toBe(19);
    expect(report.pagesUnchanged).toBe(0);
    expect(report.full).toBe(true);
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
      'archive/2012/02/atom.xml',
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
    expect(await read(out, 'atom.xml')).toContain('<feed xmlns="http://www.w3.org/2005/Atom"');
    expect(await read(out, 'search/index.html')).not.toContain('data-indexes');
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
      'Tarek Ziade</span><span class="sep">: </span><span class="entry-name" dir="auto">Scaling Crypto work in Python',
      section,
    );
    const time = html.indexOf('06 Feb 2012 8:17am UTC</time>', post);
    expect([day, section, post, time].every((i) => i > 0)).toBe(true);
    expect(day < section && section < post && post < time).toBe(true);
    expect(html.match(/data-entry-id="100"/g)).toHaveLength(1);
    expect(html.match(/class="entry-name" dir="auto">This Thursday: a talk on/g)).toHaveLength(1);
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
    expect(html.match(/<article /g)).toHaveLength(5);
    expect(html).not.toContain('05 Feb 2012');
    // Five entries asked for: the stored duplicate is skipped, not counted.
    expect((await read(out, 'atom.xml')).match(/<entry>/g)).toHaveLength(5);
    expect(await read(out, 'atom.xml')).not.toContain('duplicate copy');
    const feb1 = await read(out, 'archive/2012/02/03/index.html');
    expect(feb1).toContain('<a rel="prev" href="../../../../archive/2012/02/04/index.html">');
    // The oldest day of February links to the newest day of January.
    expect(feb1).toContain('<a rel="next" href="../../../../archive/2012/01/31/index.html">');
    expect(await read(out, 'archive/2012/01/index.html')).toContain(
      'rel="prev" href="../../../archive/2012/02/index.html"',
    );
  });

  it('rewrites only what changed: nothing on a rebuild, a bounded set of files after one new entry', async () => {
    const out = join(dir, 'public');
    const data = fixtureData();
    const source = createMemorySource(data);
    const site = fixtureSite(out);
    await buildSite({ source, site, now: FIXTURE_NOW, search: false });
    const before = await stat(join(out, 'archive/2012/01/31/index.html'));

    const again = await buildSite({ source, site, search: false });
    expect(again.written).toEqual([]);
    expect(again.jobsMade).toBe(0);
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
    const next = await buildSite({ source, site, search: false });
    // Its day, its month (page and archive feeds), the archive index, the front page and the
    // feeds, its section, and its feed's count on the subscriptions page: nothing else.
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
        'archive/2012/02/atom.xml',
        'archive/2012/02/feed.json',
        'archive/index.html',
        'about/index.html',
      ].sort(),
    );
    const after = await stat(join(out, 'archive/2012/01/31/index.html'));
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.ino).toBe(before.ino);

    // A post on a new, older day: that day appears, and only its neighbours' links change.
    data.entries.push({
      ...entry,
      id: 1000,
      key: 'id:old',
      date: '2012-01-30T10:00:00Z',
      published: '2012-01-30T10:00:00Z',
    });
    const late = await buildSite({ source, site, search: false });
    const days = late.written.filter((p) => /^archive\/\d+\/\d+\/\d+\/index\.html$/.test(p)).sort();
    expect(days).toEqual([
      'archive/2012/01/29/index.html',
      'archive/2012/01/30/index.html',
      'archive/2012/01/31/index.html',
    ]);
    // Removed again (retention): the day goes, its neighbours link past it.
    data.entries.pop();
    const removed = await buildSite({ source, site, search: false });
    expect(removed.removed).toEqual(['archive/2012/01/30/index.html']);
    expect(await read(out, 'archive/2012/01/31/index.html')).toContain(
      '<a rel="next" href="../../../../archive/2012/01/29/index.html">',
    );
  });

  it('speaks the site’s language: <html lang>, month and day names, the feeds’ language (fault 8)', async () => {
    const out = join(dir, 'public');
    const data = fixtureData();
    data.entries[0]!.content = { value: '<p>שלום</p>', type: 'text/html', language: 'he' };
    await buildSite({
      source: createMemorySource(data),
      site: fixtureSite(out, { language: 'de', dateFormat: '%A, %-d. %B %Y' }),
      search: false,
    });
    const html = await read(out, 'index.html');
    expect(html).toContain('<html lang="de">');
    expect(html).toContain('Montag, 6. Februar 2012');
    expect(html).toContain('<div class="content" dir="auto" lang="he"><p>שלום</p></div>');
    expect(await read(out, 'archive/2012/02/index.html')).toContain('<h1>Februar 2012</h1>');
    expect(await read(out, 'atom.xml')).toContain('xml:lang="de"');
    expect(JSON.parse(await read(out, 'feed.json')).language).toBe('de');
    expect(await read(out, 'rss.xml')).toContain('<language>de</language>');
  });

  it('shows quiet feeds by their posts’ own dates, and a feed that never dates a post (fault 1)', async () => {
    const out = join(dir, 'public');
    await buildSite({
      source: createMemorySource(fixtureData()),
      site: fixtureSite(out),
      search: false,
    });
    const health = await read(out, 'health/index.html');
    const quiet = health.slice(health.indexOf('id="quiet"'), health.indexOf('id="undated"'));
    expect(quiet).toContain('Lightning Fast Shop');
    expect(quiet).toContain('Newest post dated 01 Oct 2011');
    expect(quiet).not.toContain('Tarek Ziade');
    expect(health.slice(health.indexOf('id="undated"'))).toContain('Undated Notes');
    expect(health).toContain('Report as of the last fetch, 06 Feb 2012 11:30am UTC.');
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
    expect(await read(out, 'about/index.html')).toContain('<h1>Our 15 friends</h1>');
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
    await writeFile(
      join(theme, 'partials', 'entry.liquid'),
      '<article class="entry custom" id="{{ entry.anchor }}">{{ entry.title }}</article>',
    );
    const report = await buildSite({
      source,
      site: fixtureSite(out, { themeDir: theme }),
      now: FIXTURE_NOW,
      search: false,
    });
    expect(report.full).toBe(false);
    expect(report.jobsMade).toBe(report.jobs);
    expect(report.written).toContain('archive/2012/01/23/index.html');
    expect(await read(out, 'archive/2012/01/23/index.html')).toMatch(
      /<article class="entry custom" id="e\d+">Wireless network<\/article>/,
    );
  });

  it('builds the search index from the posts with Pagefind; a rebuild keeps it', async () => {
    const out = join(dir, 'public');
    const data = fixtureData();
    const report = await buildSite({ source: createMemorySource(data), site: fixtureSite(out) });
    expect(report.search).toBe(true);
    expect(report.searchPartsBuilt).toBe(1);
    expect(report.written).toContain('pagefind/pagefind-ui.js');
    expect(report.written).toContain('pagefind/i0-255/pagefind-entry.json');
    // One record per post (the recorded duplicate is not one).
    expect(await pageCount(out, 'pagefind/i0-255/')).toBe(19);
    // The UI is in the site once, not in every part.
    expect(report.written).not.toContain('pagefind/i0-255/pagefind-ui.js');
    const page = await read(out, 'search/index.html');
    expect(page).toContain('<script src="../pagefind/pagefind-ui.js"></script>');
    expect(page).toContain('data-indexes="pagefind/i0-255/"');
    const again = await buildSite({ source: createMemorySource(data), site: fixtureSite(out) });
    expect(again.written).toEqual([]);
    expect(again.searchPartsBuilt).toBe(0);
  });

  it('indexes again only the part a new post lands in; a health change indexes nothing', async () => {
    const out = join(dir, 'public');
    const data = fixtureData();
    // Ids far apart: the posts fall in two parts, an old one and the newest.
    for (const e of data.entries.slice(0, 6)) e.id += 10_000;
    const source = createMemorySource(data);
    const site = fixtureSite(out);
    const first = await buildSite({ source, site });
    expect(first.searchPartsBuilt).toBe(2);
    const parts = indexesOf(await read(out, 'search/index.html'));
    expect(parts).toEqual(['pagefind/i9984-10239/', 'pagefind/i0-8191/']);
    const before = await fileStats(join(out, 'pagefind'));

    // A feed starts failing: the health page changes, no post does.
    Object.assign(data.feeds[1]!, {
      errorCode: 'dns',
      errorMessage: 'no such host',
      consecutiveFailures: 1,
      failingSince: '2012-02-06T12:00:00Z',
      lastFetchedAt: '2012-02-06T12:00:00Z',
    });
    const failing = await buildSite({ source, site });
    expect(failing.written.sort()).toEqual(['about/index.html', 'health/index.html']);
    expect(failing.searchPartsBuilt).toBe(0);
    expect(await fileStats(join(out, 'pagefind'))).toEqual(before);

    // A new post: only the newest part is indexed again.
    data.entries.push({
      ...data.entries[0]!,
      id: 10_200,
      key: 'id:new',
      title: 'Quokkas in the standard library',
      link: 'https://ziade.example.com/quokkas',
      canonicalLink: 'https://ziade.example.com/quokkas',
      fingerprint: 'fp-quokka',
      date: '2012-02-06T11:00:00Z',
      published: '2012-02-06T11:00:00Z',
    });
    const next = await buildSite({ source, site });
    expect(next.searchPartsBuilt).toBe(1);
    const after = await fileStats(join(out, 'pagefind'));
    for (const [path, facts] of before) {
      if (path.startsWith('i0-8191/')) expect(after.get(path), path).toEqual(facts);
    }
    expect(await pageCount(out, 'pagefind/i9984-10239/')).toBe(6);
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

// Render benchmark: a planet of 600 feeds and 30,000 entries (in-memory source), a full build,
// a rebuild with nothing new, then a rebuild after one new entry. Prints wall time, peak
// memory (of this process; Pagefind runs in a child process of its own) and how many files
// each build rewrote.
//   npm run build && node bench/render-bench.js [--feeds 600] [--entries 30000] [--no-search] [--sqlite]
// --sqlite loads the planet into the real SQLite store (a temp file) and renders from it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSite, createMemorySource, syntheticPlanet } from '../dist/render/index.js';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const feeds = opt('feeds', 600);
const entries = opt('entries', 30_000);
const search = !args.includes('--no-search');
const useSqlite = args.includes('--sqlite');
const end = '2026-11-01T12:00:00Z';

const dir = await mkdtemp(join(tmpdir(), 'orrery-render-bench-'));
const site = {
  name: 'Bench Planet',
  link: 'https://planet.example.org/',
  outputDir: join(dir, 'public'),
  timezone: 'Europe/Berlin',
  dateFormat: '%d %b %Y',
  timeFormat: '%H:%M',
  itemsPerPage: 60,
  daysPerPage: 10,
  sections: [
    { id: 'python', title: 'Planet Python' },
    { id: 'gsoc', title: 'GSoC students' },
  ],
};

const t0 = performance.now();
const data = syntheticPlanet({ feeds, entries, end, days: 365 });
const source = useSqlite ? await loadSqlite(data) : createMemorySource(data);

/** Put the synthetic planet into a real SQLite store through the Store port's write methods. */
async function loadSqlite(planet) {
  const { createSqliteStore } = await import('../dist/store/sqlite/sqlite-store.js');
  const store = await createSqliteStore({ path: join(dir, 'bench.sqlite') });
  const started = performance.now();
  await store.syncSubscriptions(
    planet.feeds.map((f) => ({ url: f.url, name: f.name, section: f.section })),
    end,
  );
  const stored = new Map((await store.listFeeds()).map((f) => [f.url, f]));
  const byFeed = new Map();
  for (const e of planet.entries) {
    const list = byFeed.get(e.feedId) ?? [];
    list.push(e);
    byFeed.set(e.feedId, list);
  }
  for (const f of planet.feeds) {
    const entries = (byFeed.get(f.id) ?? []).map((e) => ({
      key: e.key,
      canonicalLink: e.canonicalLink,
      fingerprint: e.fingerprint,
      published: e.published,
      entry: {
        id: e.key.slice(3),
        title: e.title,
        link: e.link,
        links: [{ href: e.link, rel: 'alternate' }],
        content: [e.content],
        published: e.published,
        author: e.author,
        authors: [e.author],
        contributors: [],
        categories: e.categories,
        enclosures: [],
      },
    }));
    await store.applyFeedUpdate({
      feedId: stored.get(f.url).id,
      now: end,
      fetch: { at: end, outcome: 'ok', status: 200, elapsedMs: 1, newEntries: entries.length },
      meta: { title: f.title, link: f.siteLink, hubs: [] },
      entries,
      error: null,
      nextDueAt: end,
    });
  }
  console.log(
    `sqlite store loaded in ${Math.round(performance.now() - started)} ms: ${await store.countEntries()} entries`,
  );
  return store;
}
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
console.log(
  `render bench: ${feeds} feeds, ${entries} entries, search ${search ? 'on' : 'off'}, data made in ${Math.round(performance.now() - t0)} ms`,
);

async function run(label) {
  const started = performance.now();
  let searchNote = '';
  const log = (line) => {
    const m = line.match(/(\d+) of (\d+) search parts indexed in (\d+) ms/);
    if (m) searchNote = `  (search: ${m[1]} of ${m[2]} parts indexed in ${m[3]} ms)`;
  };
  const report = await buildSite({ source, site, now: new Date(end), search, log });
  const ms = Math.round(performance.now() - started);
  const rss = process.resourceUsage().maxRSS * 1024;
  console.log(
    `${label.padEnd(22)} ${String(ms).padStart(6)} ms  entries ${report.entries}  files ${report.files}  rewritten ${report.pagesWritten}  unchanged ${report.pagesUnchanged}  peak RSS ${mb(rss)}  heap ${mb(process.memoryUsage().heapUsed)}${searchNote}`,
  );
  return report;
}

try {
  await run('full build');
  await run('rebuild, nothing new');
  const last = data.entries[data.entries.length - 1];
  const link = `${last.link}-new`;
  if (useSqlite) {
    const feed = (await source.listFeeds()).find(
      (f) => f.name === data.feeds.find((x) => x.id === last.feedId).name,
    );
    await source.applyFeedUpdate({
      feedId: feed.id,
      now: end,
      fetch: { at: end, outcome: 'ok', status: 200, elapsedMs: 1, newEntries: 1 },
      entries: [
        {
          key: `id:${link}`,
          canonicalLink: link,
          fingerprint: 'fp-new',
          published: end,
          entry: {
            id: link,
            title: 'One new entry',
            link,
            links: [],
            content: [last.content],
            published: end,
            authors: [],
            contributors: [],
            categories: [],
            enclosures: [],
          },
        },
      ],
      nextDueAt: end,
    });
  }
  data.entries.push({
    ...last,
    id: last.id + 1,
    key: `id:${link}`,
    link,
    canonicalLink: link,
    fingerprint: 'fp-new',
    title: 'One new entry',
    date: end,
    published: end,
    firstSeenAt: end,
    lastSeenAt: end,
  });
  const one = await run('rebuild, one new entry');
  console.log(`  rewritten: ${one.written.join(' ')}`);
} finally {
  if (useSqlite) await source.close();
  await rm(dir, { recursive: true, force: true });
}

// Render benchmark: a planet of 600 feeds and 30,000 entries (in-memory source), a full build,
// a rebuild with nothing new, then a rebuild after one new entry. Prints wall time, peak
// memory and how many files each build rewrote.
//   npm run build && node bench/render-bench.js [--feeds 600] [--entries 30000] [--no-search]
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
const source = createMemorySource(data);
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
console.log(
  `render bench: ${feeds} feeds, ${entries} entries, search ${search ? 'on' : 'off'}, data made in ${Math.round(performance.now() - t0)} ms`,
);

async function run(label) {
  const started = performance.now();
  const report = await buildSite({ source, site, now: new Date(end), search });
  const ms = Math.round(performance.now() - started);
  const rss = process.resourceUsage().maxRSS * 1024;
  console.log(
    `${label.padEnd(22)} ${String(ms).padStart(6)} ms  files ${report.files}  rewritten ${report.pagesWritten}  unchanged ${report.pagesUnchanged}  peak RSS ${mb(rss)}  heap ${mb(process.memoryUsage().heapUsed)}`,
  );
  return report;
}

try {
  await run('full build');
  await run('rebuild, nothing new');
  const last = data.entries[data.entries.length - 1];
  const link = `${last.link}-new`;
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
  await rm(dir, { recursive: true, force: true });
}

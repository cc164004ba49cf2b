#!/usr/bin/env node
// The site bench (issue 12): CPU seconds (user + sys, Pagefind's included) and peak memory of
// whole `orrery` commands, measured by /usr/bin/time, each run in turn on this machine.
//
// 1. The farm planet: 600 loopback farm feeds (bench/farm/farm.js, --profile mixed by default)
//    plus one feed served here that gains posts on demand:
//      cold `orrery run` (empty store), warm `orrery run --all`, `orrery status` (the CLI's
//      start-up and a store read, for reference), `orrery build` with nothing changed, cold
//      `orrery build --full` (no site), `orrery build --full` over the site, and one feed with
//      5 new posts fetched and published by `orrery run --feed <it>`.
// 2. A synthetic archive (600 feeds, posts spread over --years years) at each --sizes entries,
//    loaded into a SQLite store: full build (no site), nothing changed, one feed with 5 new
//    posts (stored, then `orrery build`); printed as a growth table.
//
//   npm run build && node bench/render-bench.js [--sizes 10000,100000] [--years 10]
//        [--profile mixed] [--repeat 3] [--skip-farm] [--skip-synthetic] [--json out.json] [--keep]
//        [--baseline <root of another built Orrery>]
// With --baseline, the farm planet is measured with that Orrery too (its own store and site),
// in the same run, and the ratios are printed.
// The command measured is `bin/orrery.js` itself (its shebang's node flags apply), as installed.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
let BIN = join(ROOT, 'bin/orrery.js');
const HOSTS = 200;
const FEEDS = 600;

/**
 * @typedef {{ sizes: number[], years: number, profile: string, repeat: number, farm: boolean,
 *   synthetic: boolean, json: string, port: number, maxSeconds: number, baseline?: string,
 *   keep?: boolean }} Args
 * @typedef {{ code: number | null, wall: number, cpu: number, mb: number, out: string }} Run
 * @typedef {{ group: string, label: string, cpu: number[], cpuMedian: number, peakMb: number,
 *   wall: number, exit: (number | null)[] }} Row
 * @typedef {import('../src/model/feed.js').Text} Text
 * @typedef {import('../src/model/feed.js').Person} Person
 * @typedef {import('../src/model/stored.js').ProcessedEntry} ProcessedEntry
 * @typedef {import('../src/model/stored.js').StoredEntry} StoredEntry
 * @typedef {import('../src/model/stored.js').StoredFeed} StoredFeed
 */

/** @param {string[]} argv */
function parseArgs(argv) {
  /** @type {Args} */
  const args = {
    sizes: [10_000, 100_000],
    years: 10,
    profile: 'mixed',
    repeat: 3,
    farm: true,
    synthetic: true,
    json: '',
    port: 19_300 + Math.floor(Math.random() * 500),
    maxSeconds: 900,
  };
  for (let i = 2; i < argv.length; i++) {
    const [key, value = ''] = [argv[i], argv[i + 1]];
    if (key === '--sizes') args.sizes = value.split(',').map(Number);
    else if (key === '--years') args.years = Number(value);
    else if (key === '--profile') args.profile = value;
    else if (key === '--repeat') args.repeat = Number(value);
    else if (key === '--json') args.json = value;
    else if (key === '--baseline') args.baseline = resolve(value);
    else if (key === '--keep') {
      args.keep = true;
      continue;
    } else if (key === '--skip-farm') {
      args.farm = false;
      continue;
    } else if (key === '--skip-synthetic') {
      args.synthetic = false;
      continue;
    } else continue;
    i++;
  }
  return args;
}

/**
 * Run a command under /usr/bin/time: wall, CPU (user + sys, children included), peak RSS.
 * @param {string[]} argv
 * @param {{ cwd: string, maxSeconds: number }} options
 * @returns {Promise<Run>}
 */
function measure(argv, { cwd, maxSeconds }) {
  const timeFile = join(tmpdir(), `orrery-render-bench-${process.pid}-${Date.now()}`);
  return new Promise((resolvePromise) => {
    const child = spawn('/usr/bin/time', ['-f', '%e %U %S %M', '-o', timeFile, ...argv], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), maxSeconds * 1000);
    child.on('close', (code) => {
      clearTimeout(killer);
      const [e, u, s, m] =
        readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)?.split(' ') ?? [];
      rmSync(timeFile, { force: true });
      resolvePromise({
        code,
        wall: Number(e),
        cpu: Number(u) + Number(s),
        mb: Number(m) / 1024,
        out,
      });
    });
  });
}

/** @type {Row[]} */
const results = [];
/** @param {string} group @param {string} label @param {Run[]} runs */
function report(group, label, runs) {
  const cpus = runs.map((r) => r.cpu).sort((a, b) => a - b);
  const row = {
    group,
    label,
    cpu: cpus.map((c) => Number(c.toFixed(2))),
    cpuMedian: Number(/** @type {number} */ (cpus[Math.floor(cpus.length / 2)]).toFixed(2)),
    peakMb: Math.round(Math.max(...runs.map((r) => r.mb))),
    wall: Number(Math.min(...runs.map((r) => r.wall)).toFixed(2)),
    exit: runs.map((r) => r.code),
  };
  results.push(row);
  console.log(
    `${label.padEnd(46)} cpu ${row.cpu
      .map((c) => c.toFixed(2))
      .join(' / ')
      .padEnd(
        20,
      )} median ${row.cpuMedian.toFixed(2)} s  peak ${String(row.peakMb).padStart(4)} MB  exit ${row.exit.join(',')}`,
  );
  const bad = runs.find((r) => r.code !== 0 && r.code !== 4);
  if (bad) console.log(`   output: ${bad.out.slice(-600)}`);
  return row;
}

/** @param {number} n @param {(i: number) => Promise<Run>} fn */
async function repeat(n, fn) {
  const runs = [];
  for (let i = 0; i < n; i++) runs.push(await fn(i));
  return runs;
}

/** @param {number[]} items */
function rss(items) {
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Bench Blog</title><link>http://bench.test/</link><description>d</description>
${items
  .map(
    (i) =>
      `<item><guid>http://bench.test/${i}</guid><title>Post ${i} on asyncio and wheels</title><link>http://bench.test/${i}</link><pubDate>${new Date(Date.now() - (1000 - i) * 60_000).toUTCString()}</pubDate><description>&lt;p&gt;${'Words about packaging and typing. '.repeat(20)}&lt;/p&gt;</description></item>`,
  )
  .join('\n')}
</channel></rss>`;
}

/** One feed served here: `grow(n)` adds n posts. */
async function ownFeed() {
  let count = 10;
  const server = createServer((_req, res) => {
    const items = Array.from({ length: count }, (_, i) => i).slice(-50);
    res.writeHead(200, { 'content-type': 'application/rss+xml' });
    res.end(rss(items));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', () => r(undefined)));
  return {
    url: `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}/feed.xml`,
    grow: (/** @type {number} */ n) => (count += n),
    close: () => new Promise((r) => server.close(r)),
  };
}

/** @param {Args} args */
async function startFarm(args) {
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'bench/farm/farm.js'),
      ...['--hosts', String(HOSTS), '--port', String(args.port), '--profile', args.profile],
      ...['--max-seconds', String(args.maxSeconds * 6)],
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  await new Promise((/** @type {(value?: void) => void} */ resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error('farm: not ready after 30 s')), 30_000);
    lines.once('line', () => {
      clearTimeout(timer);
      resolvePromise();
    });
    child.once('exit', (code) => reject(new Error(`farm exited early (${code})`)));
  });
  return () =>
    new Promise((/** @type {(value?: void) => void} */ resolvePromise) => {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolvePromise();
      });
    });
}

/** @param {string} dir @param {string[]} urls */
function planetToml(dir, urls) {
  const lines = [
    '[site]',
    'name = "Bench"',
    'link = "https://planet.example.org/"',
    `output_dir = ${JSON.stringify(join(dir, 'public'))}`,
    '',
    '[store]',
    `path = ${JSON.stringify(join(dir, 'orrery.sqlite'))}`,
    '',
    '[fetch]',
    'concurrency = 64',
    'allow_private = true',
    '',
    '[[sections]]',
    'id = "python"',
    'title = "Planet Python"',
    '',
    '[[sections]]',
    'id = "gsoc"',
    'title = "GSoC students"',
    '',
  ];
  for (const [i, url] of urls.entries()) {
    lines.push('[[feeds]]', `url = "${url}"`, `section = "${i % 7 === 0 ? 'gsoc' : 'python'}"`, '');
  }
  writeFileSync(join(dir, 'planet.toml'), lines.join('\n'));
  return join(dir, 'planet.toml');
}

/** @param {Args} args @param {string} work @param {string} [name] */
async function farmBench(args, work, name = 'farm') {
  console.log(
    `\n== ${name}: ${FEEDS} farm feeds (profile ${args.profile}) + 1 growing feed, ${BIN}`,
  );
  const stopFarm = await startFarm(args);
  const own = await ownFeed();
  const dir = join(work, name);
  mkdirSync(dir);
  const urls = Array.from(
    { length: FEEDS },
    (_, id) => `http://127.0.${id % HOSTS}.1:${args.port}/f/${id}.xml`,
  );
  const config = planetToml(dir, [...urls, own.url]);
  // An older Orrery (the baseline) has no --full: its every build is a full one.
  /** @param {...string} rest */
  const cli = (...rest) =>
    measure(
      [
        BIN,
        ...rest.filter((a) => name !== 'baseline' || a !== '--full'),
        '--config',
        config,
        '--quiet',
      ],
      { cwd: dir, maxSeconds: args.maxSeconds },
    );
  try {
    report(name, 'cold `orrery run` (empty store)', await repeat(1, () => cli('run')));
    const entries = execFileSync(process.execPath, [BIN, 'status', '--config', config, '--json'], {
      cwd: dir,
    }).toString();
    const feeds = /** @type {{ entries?: number, entryCount?: number }[]} */ (JSON.parse(entries));
    const total = feeds.reduce((n, f) => n + (f.entries ?? f.entryCount ?? 0), 0);
    console.log(`   the store holds ${total} entries`);
    report(name, 'warm `orrery run --all`', await repeat(args.repeat, () => cli('run', '--all')));
    report(
      name,
      '`orrery status` (start-up reference)',
      await repeat(args.repeat, () => cli('status')),
    );
    report(name, '`orrery build`, nothing changed', await repeat(args.repeat, () => cli('build')));
    report(
      name,
      'cold `orrery build --full` (no site)',
      await repeat(args.repeat, () => {
        rmSync(join(dir, 'public'), { recursive: true, force: true });
        return cli('build', '--full');
      }),
    );
    report(
      name,
      '`orrery build --full` over the site',
      await repeat(args.repeat, () => cli('build', '--full')),
    );
    report(
      name,
      'one feed, 5 new posts: `orrery run --feed`',
      await repeat(args.repeat, () => {
        own.grow(5);
        return cli('run', '--feed', own.url);
      }),
    );
  } finally {
    await own.close();
    await stopFarm();
  }
}

/**
 * Load a synthetic planet into a SQLite store through the Store port.
 * @param {string} dir
 * @param {number} entries
 * @param {number} years
 */
async function loadSynthetic(dir, entries, years) {
  // The modules of the build in dist/, typed as this checkout's sources.
  /** @type {typeof import('../src/render/synthetic-planet.js')} */
  const { syntheticPlanet } = await import(join(ROOT, 'dist/render/synthetic-planet.js'));
  /** @type {typeof import('../src/store/sqlite/sqlite-store.js')} */
  const { createSqliteStore } = await import(join(ROOT, 'dist/store/sqlite/sqlite-store.js'));
  const end = '2026-11-01T12:00:00.000Z';
  const planet = syntheticPlanet({ feeds: FEEDS, entries, end, days: 365 * years });
  const config = planetToml(
    dir,
    planet.feeds.map((f) => f.url),
  );
  const store = await createSqliteStore({ path: join(dir, 'orrery.sqlite') });
  await store.syncSubscriptions(
    planet.feeds.map((f, i) => ({
      url: f.url,
      name: f.name,
      section: i % 7 === 0 ? 'gsoc' : 'python',
    })),
    end,
  );
  const ids = new Map((await store.listFeeds()).map((f) => [f.url, f.id]));
  // Every feed of the planet was just subscribed: each URL has its id.
  const idOf = (/** @type {string} */ url) => /** @type {number} */ (ids.get(url));
  /** @type {Map<number, StoredEntry[]>} */
  const byFeed = new Map();
  for (const e of planet.entries) {
    let list = byFeed.get(e.feedId);
    if (!list) byFeed.set(e.feedId, (list = []));
    list.push(e);
  }
  for (const f of planet.feeds) {
    await store.applyFeedUpdate({
      feedId: idOf(f.url),
      now: end,
      fetch: { at: end, outcome: 'ok', status: 200, elapsedMs: 1 },
      meta: { title: f.title, link: f.siteLink, hubs: [] },
      // syntheticPlanet gives every entry its content.
      entries: (byFeed.get(f.id) ?? []).map((e) =>
        processed(e.key.slice(3), e.title, e.published, /** @type {Text} */ (e.content), e.author),
      ),
      error: null,
      nextDueAt: end,
    });
  }
  await store.close();
  const feedUrl = /** @type {StoredFeed} */ (planet.feeds[1]).url; // the planet has FEEDS feeds
  return {
    config,
    /**
     * Store 5 new posts of one feed, as a fetch would.
     * @param {number} round
     */
    async addFive(round) {
      const s = await createSqliteStore({ path: join(dir, 'orrery.sqlite') });
      const now = new Date(Date.parse(end) + round * 3_600_000).toISOString();
      const fresh = Array.from({ length: 5 }, (_, i) =>
        processed(`https://bench.example/${round}/${i}`, `New post ${round}.${i}`, now, {
          value: `<p>${'Fresh words about asyncio. '.repeat(30)}</p>`,
          type: 'text/html',
        }),
      );
      await s.applyFeedUpdate({
        feedId: idOf(feedUrl),
        now,
        fetch: { at: now, outcome: 'ok', status: 200, elapsedMs: 1 },
        entries: fresh,
        nextDueAt: now,
      });
      await s.close();
    },
  };
}

/**
 * @param {string} id
 * @param {string | undefined} title
 * @param {string | undefined} published
 * @param {Text} content
 * @param {Person} [author]
 * @returns {ProcessedEntry}
 */
function processed(id, title, published, content, author) {
  return {
    key: `id:${id}`,
    canonicalLink: id,
    fingerprint: `fp:${id}`,
    published,
    entry: {
      id,
      title,
      link: id,
      links: [{ href: id, rel: 'alternate' }],
      content: [content],
      published,
      ...(author ? { author, authors: [author] } : { authors: [] }),
      contributors: [],
      categories: [],
      enclosures: [],
    },
  };
}

/** @param {Args} args @param {string} work */
async function syntheticBench(args, work) {
  console.log(`\n== synthetic archive: ${FEEDS} feeds, posts over ${args.years} years`);
  const table = [];
  for (const size of args.sizes) {
    const dir = join(work, `synthetic-${size}`);
    mkdirSync(dir);
    const started = performance.now();
    const planet = await loadSynthetic(dir, size, args.years);
    console.log(`   ${size} entries loaded in ${Math.round(performance.now() - started)} ms`);
    /** @param {...string} rest */
    const cli = (...rest) =>
      measure([BIN, ...rest, '--config', planet.config, '--quiet'], {
        cwd: dir,
        maxSeconds: args.maxSeconds,
      });
    const full = report('synthetic', `${size}: full build (no site)`, [
      await cli('build', '--full'),
    ]);
    const same = report(
      'synthetic',
      `${size}: nothing changed`,
      await repeat(args.repeat, () => cli('build')),
    );
    const one = report(
      'synthetic',
      `${size}: one feed, 5 new posts`,
      await repeat(args.repeat, async (i) => {
        await planet.addFive(i + 1);
        return cli('build');
      }),
    );
    table.push({ size, full, same, one });
    if (!args.keep) rmSync(dir, { recursive: true, force: true });
  }
  console.log('\nentries   | full build CPU, peak | nothing changed CPU | one feed +5 CPU');
  for (const r of table) {
    console.log(
      `${String(r.size).padEnd(9)} | ${r.full.cpuMedian.toFixed(2).padStart(7)} s ${String(r.full.peakMb).padStart(5)} MB | ${r.same.cpuMedian.toFixed(2).padStart(17)} s | ${r.one.cpuMedian.toFixed(2).padStart(13)} s`,
    );
  }
}

const args = parseArgs(process.argv);
if (!existsSync(join(ROOT, 'dist/render/build-site.js'))) {
  console.error('render-bench: run `npm run build` first');
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), 'orrery-render-bench-'));
try {
  console.log(
    `render bench on ${new Date().toISOString()}, load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
  );
  if (args.farm) await farmBench(args, work);
  if (args.farm && args.baseline) {
    const own = BIN;
    BIN = join(args.baseline, 'bin/orrery.js');
    await farmBench(args, work, 'baseline');
    BIN = own;
    console.log('\nratios (baseline CPU / this CPU, medians)');
    for (const row of results.filter((r) => r.group === 'farm')) {
      const base = results.find((r) => r.group === 'baseline' && r.label === row.label);
      if (base)
        console.log(`${row.label.padEnd(46)} x${(base.cpuMedian / row.cpuMedian).toFixed(2)}`);
    }
  }
  if (args.synthetic) await syntheticBench(args, work);
  if (args.json) writeFileSync(args.json, JSON.stringify(results, null, 2));
} finally {
  if (args.keep) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

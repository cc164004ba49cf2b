#!/usr/bin/env node
// Scale-out bench: `orrery worker` processes on PostgreSQL against the loopback farm
// (bench/farm/farm.js, 'planet' latency and fault profile, feeds spread over many hosts), with
// PostgreSQL started from Debian's package into a temporary cluster (initdb as the postgres
// user) unless --database-url names a server. In one run:
//   cold:    N feeds, cold, with 1, 2 and 4 worker processes of concurrency 16: feeds/s, and the
//            client floor (bench/farm/bare-client.js, undici) at the same total concurrencies:
//            when the workers' feeds/s follow the floor's, the farm's latency is the bound;
//   warm:    M feeds seeded cold, then a warm pass (every feed due, mostly 304) with 4 workers:
//            its wall time against the floor's for the same conditional GETs, each worker's peak
//            memory (whole process, and during the pass after start-up), the store's size per
//            feed and per entry;
//   compare: `orrery run` on SQLite and on PostgreSQL (no worker: the run works the queue
//            itself), the same K-feed planet, cold then warm (--all): wall, CPU, the ratio.
// CPU is user + sys of each process (/proc), PostgreSQL's own from its server processes (only
// for the private cluster). The machine is shared: read ratios within one run.
//
//   node bench/worker-bench.js [--cold 10000] [--warm 100000] [--compare 600] [--workers 1,2,4]
//        [--concurrency 16] [--hosts 2000] [--phases cold,warm,compare] [--floor 16,32,64]
//        [--database-url postgres://…] [--corpus ../shared/corpus/files] [--json out.json]
//        [--seed small|corpus] [--seed-concurrency 64] [--max-seconds 3600]
// The warm store is seeded by a cold pass of the same feeds; with --seed small (the default)
// the farm serves them small documents (three posts each) for that pass only, which saves an
// hour of parsing on a shared machine and changes nothing a warm pass does (every answer is a
// 304 or a fault, whatever the bodies); the size per entry is then the cold phase's.
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { hostAddress } from './farm/farm.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'bin', 'orrery.js');
const TICK = 100; // clock ticks per second in /proc/<pid>/stat (getconf CLK_TCK on Linux)

/** @param {string[]} argv */
function parseArgs(argv) {
  const args = {
    cold: 10_000,
    warm: 100_000,
    compare: 600,
    workers: [1, 2, 4],
    concurrency: 16,
    hosts: 2000,
    phases: ['cold', 'warm', 'compare'],
    floor: [16, 32, 64],
    databaseUrl: '',
    corpus: join(ROOT, '../shared/corpus/files'),
    seed: 'small',
    seedConcurrency: 64,
    json: '',
    maxSeconds: 3600,
    port: 18_800 + Math.floor(Math.random() * 500),
  };
  const list = (/** @type {string} */ v) => v.split(',').filter(Boolean);
  for (let i = 2; i < argv.length; i += 2) {
    const [key, value = ''] = [argv[i], argv[i + 1]];
    if (key === '--cold') args.cold = Number(value);
    else if (key === '--warm') args.warm = Number(value);
    else if (key === '--compare') args.compare = Number(value);
    else if (key === '--workers') args.workers = list(value).map(Number);
    else if (key === '--concurrency') args.concurrency = Number(value);
    else if (key === '--hosts') args.hosts = Number(value);
    else if (key === '--phases') args.phases = list(value);
    else if (key === '--floor') args.floor = list(value).map(Number);
    else if (key === '--database-url') args.databaseUrl = value;
    else if (key === '--json') args.json = value;
    else if (key === '--corpus') args.corpus = resolve(value);
    else if (key === '--seed') args.seed = value;
    else if (key === '--seed-concurrency') args.seedConcurrency = Number(value);
    else if (key === '--max-seconds') args.maxSeconds = Number(value);
    else if (key === '--port') args.port = Number(value);
    else throw new Error(`unknown option ${key}`);
  }
  return args;
}
/**
 * @typedef {ReturnType<typeof parseArgs>} Args
 * @typedef {import('node:child_process').ChildProcess} ChildProcess
 * @typedef {{ wall: number, cpu: number, peakMb: number, code: number | null, output: string }} Run
 * @typedef {Awaited<ReturnType<typeof startPostgres>>} Db
 * @typedef {Awaited<ReturnType<typeof startFarm>>} Farm
 * @typedef {Awaited<ReturnType<typeof workerPass>>} Pass
 * @typedef {Awaited<ReturnType<typeof storeSize>>} StoreSize
 */
/**
 * One row of the report (printed, and written by --json): a pass of workers, a run of the
 * client floor, or an `orrery run`.
 * @typedef {{ phase: string, feeds: number, runner: string, concurrency?: number, wallS: number,
 *   feedsPerS: number, cpuS: number, pgCpuS?: number, peakMb: number,
 *   workerPeaksMb?: (number | null)[], workerStartPeaksMb?: (number | null)[], store?: StoreSize,
 *   counts?: unknown, exit?: number | null, output?: string }} Row
 */

/** @param {string} line */
const log = (line) => process.stderr.write(`bench: ${line}\n`);
/**
 * Processes this bench started and must not leave behind, even when it is stopped.
 * @type {Set<ChildProcess>}
 */
const children = new Set();
/**
 * @template {ChildProcess} T
 * @param {T} child
 * @returns {T}
 */
function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
/** @param {number} ms */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- processes and their cost

/**
 * user + sys seconds and peak RSS (MB) of a live process, from /proc.
 * @param {number | undefined} pid
 */
function usageOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpu = (Number(fields[11]) + Number(fields[12])) / TICK;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
    return { cpu, peakMb: hwm / 1024 };
  } catch {
    return { cpu: Number.NaN, peakMb: Number.NaN };
  }
}

/**
 * Forget a process's peak RSS so far (Linux: clear_refs 5): the next peak is the pass's own.
 * @param {number | undefined} pid
 */
function resetPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * CPU seconds a PostgreSQL server has used: the postmaster, its reaped and its live children.
 * @param {number} postmaster
 */
function serverCpu(postmaster) {
  if (!postmaster) return Number.NaN;
  let total = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pid = Number(name);
      const ppid = Number(fields[1]);
      if (pid === postmaster) {
        total += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
      } else if (ppid === postmaster) {
        total += Number(fields[11]) + Number(fields[12]);
      }
    } catch {
      // The process ended while we read: its time is in the postmaster's children now.
    }
  }
  return total / TICK;
}

/**
 * Runs a command to its end: wall seconds, CPU and peak RSS (from /usr/bin/time).
 * @param {string} command
 * @param {string[]} argv
 * @param {{ cwd: string, env?: NodeJS.ProcessEnv, maxSeconds: number }} options
 * @returns {Promise<Run>}
 */
function measure(command, argv, { cwd, env, maxSeconds }) {
  const timeFile = join(tmpdir(), `orrery-worker-bench-${process.pid}-${Date.now()}`);
  return new Promise((resolvePromise) => {
    const started = performance.now();
    const child = track(
      spawn('/usr/bin/time', ['-f', '%e %U %S %M', '-o', timeFile, command, ...argv], {
        cwd,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    let output = '';
    const keep = (/** @type {Buffer} */ d) => {
      if (output.length < 1 << 20) output += d;
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const killer = setTimeout(() => child.kill('SIGKILL'), maxSeconds * 1000);
    child.on('close', (code) => {
      clearTimeout(killer);
      let run = { wall: (performance.now() - started) / 1000, cpu: Number.NaN, peakMb: Number.NaN };
      try {
        const line = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1) ?? '';
        const [e, u, s, m] = line.split(' ');
        run = { wall: Number(e), cpu: Number(u) + Number(s), peakMb: Number(m) / 1024 };
        rmSync(timeFile, { force: true });
      } catch {
        // Killed before /usr/bin/time wrote: our own wall clock, CPU unknown.
      }
      resolvePromise({ ...run, code, output });
    });
  });
}

// ---------------------------------------------------------------- PostgreSQL and the farm

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      // Listening on 127.0.0.1: the address is an IP one, with its port.
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      server.close(() => resolvePromise(port));
    });
  });
}

/**
 * A PostgreSQL cluster of Debian's package in a temporary folder, or the given server.
 * @param {Args} args
 * @param {string} work
 */
async function startPostgres(args, work) {
  if (args.databaseUrl) return { url: args.databaseUrl, postmaster: 0, stop: () => {} };
  const base = '/usr/lib/postgresql';
  const version = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
        .sort((a, b) => Number(a) - Number(b))
        .at(-1)
    : undefined;
  if (!version || process.getuid?.() !== 0) {
    throw new Error(
      'need root and Debian PostgreSQL (apt-get install postgresql) for a private cluster, or --database-url',
    );
  }
  const bin = join(base, version, 'bin');
  const data = join(work, 'pgdata');
  mkdirSync(data);
  chownSync(data, Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), 0);
  const port = await freePort();
  const su = (/** @type {string} */ command) =>
    execFileSync('su', ['postgres', '-c', command], { stdio: 'pipe', timeout: 120_000 });
  su(`${bin}/initdb -D ${data} -A trust -U postgres`);
  // Defaults but for connections (4 workers hold ~30 each) and shared buffers.
  const options = `-p ${port} -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB`;
  su(`${bin}/pg_ctl -D ${data} -l ${data}/log -w -o "${options}" start`);
  const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  log(`PostgreSQL ${version} on 127.0.0.1:${port} (${data}; ${options})`);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    postmaster,
    version,
    stop: () => su(`${bin}/pg_ctl -D ${data} -m fast -w stop`),
  };
}

/** @param {Args} args @param {string} [corpus] */
async function startFarm(args, corpus = args.corpus) {
  const child = track(
    spawn(
      process.execPath,
      [
        join(ROOT, 'bench/farm/farm.js'),
        '--hosts',
        String(args.hosts),
        '--port',
        String(args.port),
        '--profile',
        'planet',
        '--corpus',
        corpus,
        '--max-seconds',
        String(args.maxSeconds * 6),
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    ),
  );
  const ready = await new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error('farm: not ready after 60 s')), 60_000);
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      resolvePromise(JSON.parse(line));
    });
    child.once('exit', (code) => reject(new Error(`farm exited early (${code})`)));
  });
  return {
    ready,
    pid: child.pid,
    stop: () =>
      new Promise((/** @type {(value?: void) => void} */ resolvePromise) => {
        child.stdin.end();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolvePromise();
        });
      }),
  };
}

/** @param {Args} args @param {number} id */
const feedUrl = (args, id) => `http://${hostAddress(id % args.hosts)}:${args.port}/f/${id}.xml`;

/** @param {string} dir @param {string[]} urls @param {string[]} [extra] */
function writePlanet(dir, urls, extra = []) {
  mkdirSync(dir, { recursive: true });
  const lines = [
    '[site]',
    'name = "Bench"',
    `output_dir = ${JSON.stringify(join(dir, 'public'))}`,
    '',
    '[store]',
    `path = ${JSON.stringify(join(dir, 'orrery.sqlite'))}`,
    '',
    '[fetch]',
    'allow_private = true',
    'per_host_limit = 2',
    ...extra,
    '',
  ];
  for (const url of urls) lines.push('[[feeds]]', `url = "${url}"`, '');
  writeFileSync(join(dir, 'planet.toml'), lines.join('\n'));
  return join(dir, 'planet.toml');
}

/** @param {string} url @param {string} schema */
function withSchema(url, schema) {
  const u = new URL(url);
  u.searchParams.set('schema', schema);
  return u.href;
}

// ---------------------------------------------------------------- a pass of workers

/**
 * Starts `workers` worker processes on a planet and waits until every feed has been fetched
 * and no refresh is queued: the pass. Returns its wall seconds and each worker's cost.
 * @param {{ args: Args, db: Db, dir: string, config: string, schema: string, feeds: number,
 *   workers: number, concurrency: number }} pass
 */
async function workerPass({ args, db, dir, config, schema, feeds, workers, concurrency }) {
  const env = { ORRERY_DATABASE_URL: withSchema(db.url, schema) };
  /** @type {{ child: ChildProcess, stderr: () => string, startPeakMb: number, reset?: boolean }[]} */
  const procs = [];
  const cpuBefore = serverCpu(db.postmaster);
  const started = performance.now();
  const since = new Date().toISOString();
  for (let i = 0; i < workers; i++) {
    const child = track(
      spawn(
        process.execPath,
        [CLI, 'worker', '--config', config, '--concurrency', String(concurrency), '--no-render'],
        { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] },
      ),
    );
    let stderr = '';
    child.stderr.on('data', (d) => {
      if (stderr.length < 1 << 16) stderr += d;
    });
    procs.push({ child, stderr: () => stderr, startPeakMb: Number.NaN });
  }
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const deadline = Date.now() + args.maxSeconds * 1000;
  let startedUp = false;
  try {
    for (;;) {
      await sleep(1000);
      const left = await remaining(client, schema, feeds, since);
      // Once the feeds are queued, the workers are past their start (config, sync): the peak
      // from here on is the pass's own.
      if (!startedUp && left.queued > 0) {
        startedUp = true;
        for (const c of procs) {
          c.startPeakMb = usageOf(c.child.pid).peakMb;
          c.reset = resetPeak(c.child.pid);
        }
      }
      if (left.done) break;
      if (Date.now() > deadline) throw new Error(`pass not done after ${args.maxSeconds} s`);
      if (procs.every((c) => c.child.exitCode !== null)) {
        // A pass starts at least one worker: procs has a first.
        const first = /** @type {(typeof procs)[number]} */ (procs[0]);
        throw new Error(`every worker exited: ${first.stderr().slice(-500)}`);
      }
    }
  } finally {
    await client.end();
  }
  const wall = (performance.now() - started) / 1000;
  const pgCpu = serverCpu(db.postmaster) - cpuBefore;
  const costs = procs.map((c) => ({ ...usageOf(c.child.pid), startPeakMb: c.startPeakMb }));
  const early = procs.filter((c) => c.child.exitCode !== null || c.child.signalCode !== null);
  for (const c of early) log(`a worker had exited before the end: ${c.stderr().slice(-800)}`);
  await Promise.all(
    procs.map(
      ({ child }) =>
        new Promise((/** @type {(value?: void) => void} */ resolvePromise) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolvePromise();
          const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolvePromise();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  return { wall, pgCpu, costs, early: early.length };
}

/**
 * Whether every feed was fetched since `since` (ISO) and no refresh is queued.
 * @param {pg.Client} client
 * @param {string} schema
 * @param {number} feeds
 * @param {string} since
 */
async function remaining(client, schema, feeds, since) {
  try {
    const f = await client.query(
      `select count(*) as all, count(*) filter (where (last_fetched_at is null or last_fetched_at < $1) and retired::int = 0) as left from "${schema}".feeds where active::int = 1`,
      [since],
    );
    const q = await client.query(
      `select count(*) as n from "${schema}_queue".jobs where task_identifier = 'orrery_refresh' and (locked_at is not null or attempts < max_attempts)`,
    );
    const all = Number(f.rows[0].all);
    const queued = Number(q.rows[0].n);
    return { queued, done: all === feeds && Number(f.rows[0].left) === 0 && queued === 0 };
  } catch (error) {
    // The schemas are not there yet (the workers are starting). pg's errors carry the SQLSTATE.
    const { code } = /** @type {{ code?: string }} */ (error);
    if (code === '42P01' || code === '3F000') return { queued: 0, done: false };
    throw error;
  }
}

/**
 * The client floor: the same GETs by undici alone, nothing parsed or stored.
 * @param {Args} args
 * @param {string} dir
 * @param {string[]} urls
 * @param {number} concurrency
 * @param {Record<string, string>} state the ETags a warm client holds, by URL
 */
async function floor(args, dir, urls, concurrency, state) {
  const urlsFile = join(dir, 'urls.txt');
  writeFileSync(urlsFile, urls.join('\n'));
  const stateFile = join(dir, `state-${concurrency}.json`);
  writeFileSync(stateFile, JSON.stringify(state));
  const run = await measure(
    process.execPath,
    [
      join(ROOT, 'bench/farm/bare-client.js'),
      '--client',
      'undici',
      '--urls',
      urlsFile,
      '--state',
      stateFile,
      '--concurrency',
      String(concurrency),
      '--per-host',
      '2',
    ],
    { cwd: dir, maxSeconds: args.maxSeconds },
  );
  const detail = safeJson(run.output);
  return { ...run, counts: detail?.counts };
}

/**
 * The last line of bare-client's output, parsed (its `counts` are printed).
 * @param {string} text
 * @returns {Record<string, unknown> | undefined}
 */
function safeJson(text) {
  try {
    return JSON.parse(text.trim().split('\n').at(-1) ?? '');
  } catch {
    return undefined;
  }
}

/**
 * As many small documents as the corpus has files: the farm's ETags stay the same.
 * @param {Args} args
 * @param {string} dir
 */
function smallCorpus(args, dir) {
  mkdirSync(dir, { recursive: true });
  const files = readdirSync(args.corpus).filter((n) => !n.startsWith('.')).length;
  for (let i = 0; i < files; i++) {
    const items = [0, 1, 2]
      .map(
        (j) =>
          `<item><guid>seed-${i}-${j}</guid><title>Post ${j} of document ${i}</title><link>http://seed.test/${i}/${j}</link><pubDate>${new Date(Date.UTC(2026, 10, 20 - j * 4)).toUTCString()}</pubDate><description>Text ${j} of document ${i}.</description></item>`,
      )
      .join('');
    writeFileSync(
      join(dir, `${String(i).padStart(4, '0')}-seed.xml`),
      `<?xml version="1.0"?><rss version="2.0"><channel><title>Seed ${i}</title><link>http://seed.test/${i}</link>${items}</channel></rss>`,
    );
  }
  return dir;
}

/**
 * The ETags the farm gives (farm.js): a warm client's state without a cold run of its own.
 * @param {Args} args
 * @param {string[]} urls
 */
function farmEtags(args, urls) {
  const files = readdirSync(args.corpus).filter((n) => !n.startsWith('.')).length;
  return Object.fromEntries(urls.map((url, id) => [url, `"f${id}-${id % files}"`]));
}

// ---------------------------------------------------------------- the phases

/** @param {Args} args @param {Db} db @param {string} work @param {Row[]} rows */
async function coldPhase(args, db, work, rows) {
  const n = args.cold;
  const urls = Array.from({ length: n }, (_, id) => feedUrl(args, id));
  for (const workers of args.workers) {
    const dir = join(work, `cold-${workers}`);
    const config = writePlanet(dir, urls);
    const schema = `bench_cold_${workers}`;
    log(`cold ${n} feeds, ${workers} worker(s) × ${args.concurrency}...`);
    const pass = await workerPass({
      args,
      db,
      dir,
      config,
      schema,
      feeds: n,
      workers,
      concurrency: args.concurrency,
    });
    report(rows, passRow('cold', n, workers, args.concurrency, pass));
  }
  for (const concurrency of args.floor) {
    const dir = join(work, `cold-floor-${concurrency}`);
    mkdirSync(dir, { recursive: true });
    log(`cold ${n} feeds, client floor at ${concurrency}...`);
    const run = await floor(args, dir, urls, concurrency, {});
    report(rows, floorRow('cold', n, concurrency, run));
  }
}

/**
 * @param {Args} args
 * @param {Db} db
 * @param {string} work
 * @param {Row[]} rows
 * @param {Farm} farm
 */
async function warmPhase(args, db, work, rows, farm) {
  const n = args.warm;
  const urls = Array.from({ length: n }, (_, id) => feedUrl(args, id));
  const dir = join(work, 'warm');
  const config = writePlanet(dir, urls);
  const schema = 'bench_warm';
  const workers = 4;
  let seedFarm;
  if (args.seed === 'small') {
    await farm.stop();
    seedFarm = await startFarm(args, smallCorpus(args, join(work, 'small-corpus')));
  }
  log(
    `warm ${n}: seeding the store with a cold pass (${workers} workers × ${args.seedConcurrency}, ${args.seed} documents)...`,
  );
  const passOf = (/** @type {number} */ concurrency) =>
    workerPass({ args, db, dir, config, schema, feeds: n, workers, concurrency });
  const seed = await passOf(args.seedConcurrency);
  if (seedFarm) {
    await seedFarm.stop();
    Object.assign(farm, await startFarm(args));
  }
  report(rows, passRow(`cold (seed, ${args.seed})`, n, workers, args.seedConcurrency, seed));
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  // Every feed due now, as if its interval had passed.
  await client.query(`update "${schema}".feeds set next_due_at = null`);
  await client.query('checkpoint');
  log(`warm ${n}: the warm pass...`);
  const pass = await passOf(args.concurrency);
  const size = await storeSize(client, schema);
  await client.end();
  report(rows, {
    ...passRow('warm', n, workers, args.concurrency, pass),
    workerPeaksMb: pass.costs.map((c) => round(c.peakMb, 0)),
    workerStartPeaksMb: pass.costs.map((c) => round(c.startPeakMb, 0)),
    store: size,
  });
  const floorDir = join(work, 'warm-floor');
  mkdirSync(floorDir, { recursive: true });
  const concurrency = workers * args.concurrency;
  log(`warm ${n}: client floor at ${concurrency} (the farm's 304 ceiling)...`);
  const run = await floor(args, floorDir, urls, concurrency, farmEtags(args, urls));
  report(rows, floorRow('warm', n, concurrency, run));
}

/**
 * A pass of worker processes as a row of the report.
 * @param {string} phase
 * @param {number} feeds
 * @param {number} workers
 * @param {number} concurrency
 * @param {Pass} pass
 */
function passRow(phase, feeds, workers, concurrency, pass) {
  return {
    phase,
    feeds,
    runner: `${workers} worker${workers > 1 ? 's' : ''} × ${concurrency}`,
    concurrency: workers * concurrency,
    wallS: pass.wall,
    feedsPerS: feeds / pass.wall,
    cpuS: sum(pass.costs.map((c) => c.cpu)),
    pgCpuS: pass.pgCpu,
    peakMb: Math.max(...pass.costs.map((c) => c.peakMb)),
  };
}

/**
 * A run of the client floor as a row of the report.
 * @param {string} phase
 * @param {number} feeds
 * @param {number} concurrency
 * @param {Awaited<ReturnType<typeof floor>>} run
 */
function floorRow(phase, feeds, concurrency, run) {
  return {
    phase,
    feeds,
    runner: `undici-bare × ${concurrency}`,
    concurrency,
    wallS: run.wall,
    feedsPerS: feeds / run.wall,
    cpuS: run.cpu,
    peakMb: run.peakMb,
    counts: run.counts,
  };
}

/** @param {Row[]} rows @param {Row} row */
function report(rows, row) {
  rows.push(row);
  printRow(row);
}

/** @param {pg.Client} client @param {string} schema */
async function storeSize(client, schema) {
  const size = async (/** @type {string} */ table) =>
    Number(
      (await client.query('select pg_total_relation_size($1) as n', [`"${schema}".${table}`]))
        .rows[0].n,
    );
  const count = async (/** @type {string} */ table) =>
    Number((await client.query(`select count(*) as n from "${schema}".${table}`)).rows[0].n);
  const feeds = await size('feeds');
  const entries = await size('entries');
  const fetches = await size('fetches');
  const feedRows = await count('feeds');
  const entryRows = await count('entries');
  return {
    feeds: feedRows,
    entries: entryRows,
    totalMb: round((feeds + entries + fetches) / 2 ** 20, 1),
    bytesPerFeed: Math.round((feeds + entries + fetches) / feedRows),
    bytesPerEntry: Math.round(entries / entryRows),
    feedsTableMb: round(feeds / 2 ** 20, 1),
    entriesTableMb: round(entries / 2 ** 20, 1),
    fetchesTableMb: round(fetches / 2 ** 20, 1),
  };
}

/** @param {Args} args @param {Db} db @param {string} work @param {Row[]} rows */
async function comparePhase(args, db, work, rows) {
  const n = args.compare;
  const urls = Array.from({ length: n }, (_, id) => feedUrl(args, id));
  for (const store of ['sqlite', 'postgres']) {
    const dir = join(work, `compare-${store}`);
    const config = writePlanet(dir, urls);
    const env =
      store === 'postgres' ? { ORRERY_DATABASE_URL: withSchema(db.url, 'bench_compare') } : {};
    for (const phase of ['cold', 'warm']) {
      log(`compare ${n}: orrery run on ${store}, ${phase}...`);
      const before = serverCpu(db.postmaster);
      const argv = [
        CLI,
        'run',
        '--config',
        config,
        '--quiet',
        ...(phase === 'warm' ? ['--all'] : []),
      ];
      const run = await measure(process.execPath, argv, {
        cwd: dir,
        env,
        maxSeconds: args.maxSeconds,
      });
      const pgCpu = store === 'postgres' ? serverCpu(db.postmaster) - before : 0;
      report(rows, {
        phase: `run ${phase}`,
        feeds: n,
        runner: `orrery run, ${store}`,
        wallS: run.wall,
        feedsPerS: n / run.wall,
        cpuS: run.cpu,
        pgCpuS: pgCpu,
        peakMb: run.peakMb,
        exit: run.code,
        ...(run.code !== 0 ? { output: run.output.slice(-400) } : {}),
      });
    }
  }
}

// ---------------------------------------------------------------- report

/** @param {number[]} xs */
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
/** @param {number} x @param {number} [digits] */
function round(x, digits = 2) {
  return Number.isFinite(x) ? Number(x.toFixed(digits)) : null;
}

/** @param {Row} r */
function printRow(r) {
  process.stdout.write(
    `${[
      r.phase.padEnd(11),
      String(r.feeds).padStart(6),
      r.runner.padEnd(22),
      `wall ${String(round(r.wallS, 1)).padStart(7)} s`,
      `${String(round(r.feedsPerS, 1)).padStart(7)} feeds/s`,
      `cpu ${String(round(r.cpuS, 1)).padStart(7)} s`,
      r.pgCpuS !== undefined ? `pg cpu ${String(round(r.pgCpuS, 1)).padStart(6)} s` : '',
      `peak ${String(round(r.peakMb, 0)).padStart(4)} MB`,
      r.workerPeaksMb ? `per worker ${r.workerPeaksMb.join('/')} MB (pass)` : '',
      r.workerStartPeaksMb ? `${r.workerStartPeaksMb.join('/')} MB (start)` : '',
      r.counts ? JSON.stringify(r.counts) : '',
      r.exit !== undefined && r.exit !== 0 ? `exit ${r.exit} ${r.output ?? ''}` : '',
    ]
      .filter(Boolean)
      .join('  ')}\n`,
  );
  if (r.store) process.stdout.write(`            store: ${JSON.stringify(r.store)}\n`);
}

/** @param {Row[]} rows @param {Args} args */
function printRatios(rows, args) {
  /** @param {string} phase @param {string} runner */
  const find = (phase, runner) => rows.find((r) => r.phase === phase && r.runner === runner);
  const lines = [];
  const one = find('cold', `1 worker × ${args.concurrency}`);
  for (const w of args.workers.filter((x) => x > 1)) {
    const many = find('cold', `${w} workers × ${args.concurrency}`);
    if (one && many) {
      lines.push(
        `cold ${args.cold}: ${w} workers / 1 worker throughput x${(many.feedsPerS / one.feedsPerS).toFixed(2)}`,
      );
    }
  }
  for (const w of args.workers) {
    const run = find('cold', `${w} worker${w > 1 ? 's' : ''} × ${args.concurrency}`);
    const bare = find('cold', `undici-bare × ${w * args.concurrency}`);
    if (run && bare) {
      lines.push(
        `cold ${args.cold}: ${w} worker(s) reach ${((100 * run.feedsPerS) / bare.feedsPerS).toFixed(0)} % of the client floor at the same concurrency (${w * args.concurrency})`,
      );
    }
  }
  // The warm pass's row has the workers' peaks (warmPhase).
  const warm = /** @type {(Row & { workerPeaksMb: (number | null)[] }) | undefined} */ (
    find('warm', `4 workers × ${args.concurrency}`)
  );
  const ceiling = find('warm', `undici-bare × ${4 * args.concurrency}`);
  if (warm && ceiling) {
    lines.push(
      `warm ${args.warm}: pass / the farm's 304 ceiling (client floor) x${(warm.wallS / ceiling.wallS).toFixed(2)}; worker peaks ${warm.workerPeaksMb.join('/')} MB`,
    );
  }
  for (const phase of ['run cold', 'run warm']) {
    const lite = find(phase, 'orrery run, sqlite');
    // comparePhase gives every `orrery run` row its server's CPU.
    const post = /** @type {(Row & { pgCpuS: number }) | undefined} */ (
      find(phase, 'orrery run, postgres')
    );
    if (lite && post) {
      lines.push(
        `${phase} ${args.compare}: PostgreSQL / SQLite wall x${(post.wallS / lite.wallS).toFixed(2)}, CPU (orrery + server) x${((post.cpuS + post.pgCpuS) / lite.cpuS).toFixed(2)}`,
      );
    }
  }
  if (lines.length) process.stdout.write(`\nratios\n${lines.join('\n')}\n`);
}

async function main() {
  const args = parseArgs(process.argv);
  if (!existsSync(join(ROOT, 'dist', 'bundle', 'main.js'))) {
    throw new Error('build first: npm run build (the bench runs bin/orrery.js)');
  }
  const work = mkdtempSync(join(tmpdir(), 'orrery-worker-bench-'));
  // The private cluster's folder is inside: the postgres user must be able to reach it.
  chmodSync(work, 0o755);
  /** @type {Row[]} */
  const rows = [];
  /** @type {Db | undefined} */
  let db;
  let farm;
  const stop = () => {
    for (const child of children) child.kill('SIGKILL');
    try {
      db?.stop();
    } catch {
      // Already stopped.
    }
    rmSync(work, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    db = await startPostgres(args, work);
    farm = await startFarm(args);
    log(`farm: ${args.hosts} hosts on port ${args.port}, profile planet`);
    if (args.phases.includes('cold')) await coldPhase(args, db, work, rows);
    if (args.phases.includes('compare')) await comparePhase(args, db, work, rows);
    if (args.phases.includes('warm')) await warmPhase(args, db, work, rows, farm);
  } finally {
    for (const child of children) child.kill('SIGKILL');
    await farm?.stop();
    try {
      db?.stop();
    } catch (caught) {
      // pg_ctl failing: execFileSync throws an Error.
      const error = /** @type {Error} */ (caught);
      log(`could not stop PostgreSQL: ${error.message}`);
    }
    rmSync(work, { recursive: true, force: true });
  }
  printRatios(rows, args);
  if (args.json) writeFileSync(args.json, JSON.stringify(rows, null, 2));
}

await main();

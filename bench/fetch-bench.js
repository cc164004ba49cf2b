#!/usr/bin/env node
// Fetch benchmark on a loopback feed farm (bench/farm/farm.js, run as a child process so the
// measured process is only the fetcher). For each profile (clean, mixed) and each size (600,
// 10,000 feeds) it measures, cold then warm (all conditional GETs):
//   - orrery-fetch: `node bin/orrery.js fetch …`: fetch + parse + sanitize + store, the job
//              newsboat does (the targets are judged on it);
//   - orrery:  `node bin/orrery.js run --config <tmp>/planet.toml --allow-private --quiet [--all]`
//              when the CLI is built (dist/cli/main.js), the same plus the site build;
//   - direct:  the fetcher + runQueue alone (bench/farm/direct-run.js), fetch only;
//   - undici-bare, http-bare: the same requests made by undici (Orrery's client) or node:http
//              alone, nothing parsed or stored (bench/farm/bare-client.js): the floor any
//              fetcher on that client starts from (redirects are not followed);
//   - newsboat `-x reload` with reload-threads 16, when newsboat is installed;
// wall time, CPU time (user+sys) and peak RSS from /usr/bin/time, requests/s, and the ratios.
//
//   node bench/fetch-bench.js [--feeds 600,10000] [--profiles clean,mixed] [--runners orrery-fetch,orrery,direct,undici-bare,http-bare,newsboat]
//                             [--concurrency 64] [--per-host 2] [--json out.json]
// Every step has a time limit (--max-seconds per command, default 600); the farm exits by itself.
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFarm } from './farm/farm-process.js';
import { runChild } from './farm/run-child.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const HOSTS = 200;

/** @param {string[]} argv */
function parseArgs(argv) {
  const args = {
    feeds: [600, 10_000],
    profiles: ['clean', 'mixed'],
    runners: ['orrery-fetch', 'orrery', 'direct', 'undici-bare', 'http-bare', 'newsboat'],
    concurrency: 64,
    perHost: 2,
    maxSeconds: 600,
    port: 18_300 + Math.floor(Math.random() * 500),
    json: '',
    keep: false,
    orreryRoot: '',
  };
  for (let i = 2; i < argv.length; i++) {
    const key = argv[i];
    const value = argv[i + 1] ?? '';
    if (key === '--feeds') args.feeds = value.split(',').map(Number);
    else if (key === '--profiles') args.profiles = value.split(',');
    else if (key === '--runners') args.runners = value.split(',');
    else if (key === '--concurrency') args.concurrency = Number(value);
    else if (key === '--per-host') args.perHost = Number(value);
    else if (key === '--max-seconds') args.maxSeconds = Number(value);
    else if (key === '--port') args.port = Number(value);
    else if (key === '--json') args.json = value;
    else if (key === '--orrery-root') args.orreryRoot = resolve(value);
    else if (key === '--keep') {
      args.keep = true;
      continue;
    } else continue;
    i++;
  }
  return args;
}
/** @typedef {ReturnType<typeof parseArgs>} Args */

/**
 * One row of the results (printed, and written by --json).
 * @typedef {{ profile: string, feeds: number, runner: string, phase: string, wallS: number | null,
 *   cpuS: number | null, peakMb: number | null, requests: number, reqPerS: number,
 *   exit: string | number | null, detail: Record<string, unknown> | undefined, stderr?: string }} Row
 */

/**
 * Runs a command under /usr/bin/time; resolves with wall/CPU/RSS, killing it past the limit.
 * @param {string} command
 * @param {string[]} argv
 * @param {{ cwd: string, maxSeconds: number, env?: Record<string, string> }} options
 */
async function measure(command, argv, { cwd, maxSeconds, env }) {
  const timeFile = join(tmpdir(), `orrery-bench-time-${process.pid}-${Date.now()}`);
  const run = await runChild(
    '/usr/bin/time',
    ['-f', '%e %U %S %M', '-o', timeFile, command, ...argv],
    { cwd, env, maxSeconds },
  );
  let wall = run.wallS;
  let cpu = Number.NaN;
  let rssMb = Number.NaN;
  try {
    const line = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1) ?? '';
    // A field missing (a short line) is NaN, as undefined would be in the arithmetic.
    const [e = Number.NaN, u = Number.NaN, s = Number.NaN, m = Number.NaN] = line
      .split(' ')
      .map(Number);
    wall = e;
    cpu = u + s;
    rssMb = m / 1024;
    rmSync(timeFile, { force: true });
  } catch {
    // /usr/bin/time wrote nothing (killed): wall time from our clock, CPU unknown.
  }
  return {
    code: run.code,
    signal: run.signal,
    wall,
    cpu,
    rssMb,
    stdout: run.stdout,
    stderr: run.stderr,
  };
}

/**
 * The farm for one profile (bench/farm/farm-process.js), alive a good while past the runs.
 * @param {Args} args
 * @param {string} profile
 */
function startProfileFarm(args, profile) {
  return startFarm({ hosts: HOSTS, port: args.port, profile, maxSeconds: args.maxSeconds * 8 });
}

/** @param {number} port @param {number} id */
const feedUrl = (port, id) => `http://127.0.${id % HOSTS}.1:${port}/f/${id}.xml`;

/** @param {string} work */
function compileDirect(work) {
  const out = join(work, 'build');
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/typescript/bin/tsc'),
      '--outDir',
      out,
      '--rootDir',
      join(ROOT, 'src'),
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'ES2022',
      '--skipLibCheck',
      '--types',
      'node',
      '--strict',
      '--verbatimModuleSyntax',
      join(ROOT, 'src/fetch/http-fetcher.ts'),
      join(ROOT, 'src/schedule/run-queue.ts'),
    ],
    { cwd: ROOT, stdio: 'inherit', timeout: 120_000 },
  );
  // The compiled fetcher imports undici and the rest from the checkout's packages.
  symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'));
  return out;
}

/**
 * The CLI to measure: ROOT/bin/orrery.js when dist/ is built, else a private build of the
 * current sources in the work folder (tsc into <work>/orrery/dist, node_modules and themes linked),
 * so the bench never writes into the repository.
 * @param {Args} args
 * @param {string} work
 */
function orreryRoot(args, work) {
  if (args.orreryRoot) return args.orreryRoot;
  if (existsSync(join(ROOT, 'dist/cli/main.js'))) return ROOT;
  const root = join(work, 'orrery');
  mkdirSync(join(root, 'bin'), { recursive: true });
  process.stderr.write('bench: dist/ missing, building the CLI into a temporary folder...\n');
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/typescript/bin/tsc'),
      '-p',
      join(ROOT, 'tsconfig.build.json'),
      '--outDir',
      join(root, 'dist'),
      '--declaration',
      'false',
      '--sourceMap',
      'false',
    ],
    { cwd: ROOT, stdio: 'inherit', timeout: 300_000 },
  );
  copyFileSync(join(ROOT, 'bin/orrery.js'), join(root, 'bin/orrery.js'));
  copyFileSync(join(ROOT, 'package.json'), join(root, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
  symlinkSync(join(ROOT, 'themes'), join(root, 'themes'));
  return root;
}

/** @param {string} dir @param {string[]} urls @param {Args} args */
function planetToml(dir, urls, args) {
  const lines = [
    '[site]',
    'name = "Bench"',
    `output_dir = ${JSON.stringify(join(dir, 'public'))}`,
    '',
    '[store]',
    `path = ${JSON.stringify(join(dir, 'orrery.sqlite'))}`,
    '',
    '[fetch]',
    `concurrency = ${args.concurrency}`,
    `per_host_limit = ${args.perHost}`,
    'allow_private = true',
    '',
  ];
  for (const url of urls) lines.push('[[feeds]]', `url = "${url}"`, '');
  writeFileSync(join(dir, 'planet.toml'), lines.join('\n'));
  return join(dir, 'planet.toml');
}

/** @param {string} dir @param {string[]} urls */
function newsboatFiles(dir, urls) {
  writeFileSync(join(dir, 'urls'), `${urls.join('\n')}\n`);
  writeFileSync(
    join(dir, 'config'),
    [
      'reload-threads 16',
      'download-timeout 30',
      'show-read-feeds yes',
      'cleanup-on-quit no',
      '',
    ].join('\n'),
  );
  return [
    '-x',
    'reload',
    '-u',
    join(dir, 'urls'),
    '-c',
    join(dir, 'cache.db'),
    '-C',
    join(dir, 'config'),
  ];
}

async function main() {
  const args = parseArgs(process.argv);
  const work = mkdtempSync(join(tmpdir(), 'orrery-fetch-bench-'));
  /** @type {Record<string, boolean>} */
  const have = {
    orrery: true,
    'orrery-fetch': true,
    newsboat: existsSync('/usr/bin/newsboat'),
    direct: true,
    'undici-bare': true,
    'http-bare': true,
  };
  const runners = args.runners.filter((r) => {
    if (!have[r])
      process.stderr.write(
        `bench: skipping ${r} (${r === 'orrery' ? 'run npm run build first' : 'not installed'})\n`,
      );
    return have[r];
  });
  const build = runners.includes('direct') ? compileDirect(work) : '';
  const cliRoot = runners.some((r) => r.startsWith('orrery')) ? orreryRoot(args, work) : '';
  /** @type {Row[]} */
  const results = [];
  try {
    for (const profile of args.profiles) {
      const farm = await startProfileFarm(args, profile);
      try {
        for (const n of args.feeds) {
          const urls = Array.from({ length: n }, (_, id) => feedUrl(args.port, id));
          for (const runner of runners) {
            const dir = join(work, `${profile}-${n}-${runner}`);
            mkdirSync(dir, { recursive: true });
            for (const phase of ['cold', 'warm']) {
              const before = (await farm.stats()).requests;
              let run;
              if (runner === 'orrery' || runner === 'orrery-fetch') {
                const config = planetToml(dir, urls, args);
                const argv = [
                  join(cliRoot, 'bin/orrery.js'),
                  runner === 'orrery' ? 'run' : 'fetch',
                  '--config',
                  config,
                  '--allow-private',
                  '--quiet',
                ];
                if (phase === 'warm') argv.push('--all');
                run = await measure(process.execPath, argv, {
                  cwd: dir,
                  maxSeconds: args.maxSeconds,
                });
              } else if (runner === 'direct' || runner.endsWith('-bare')) {
                // Both read the URLs from a file and keep validators in state.json between runs.
                writeFileSync(join(dir, 'urls.txt'), urls.join('\n'));
                /** @type {[script: string, ...options: string[]]} */
                const script =
                  runner === 'direct'
                    ? ['bench/farm/direct-run.js', '--build', build]
                    : ['bench/farm/bare-client.js', '--client', runner.replace('-bare', '')];
                run = await measure(
                  process.execPath,
                  [
                    join(ROOT, script[0]),
                    ...script.slice(1),
                    '--urls',
                    join(dir, 'urls.txt'),
                    '--state',
                    join(dir, 'state.json'),
                    '--concurrency',
                    String(args.concurrency),
                    '--per-host',
                    String(args.perHost),
                  ],
                  { cwd: dir, maxSeconds: args.maxSeconds },
                );
              } else {
                run = await measure('/usr/bin/newsboat', newsboatFiles(dir, urls), {
                  cwd: dir,
                  maxSeconds: args.maxSeconds,
                  env: { HOME: dir, XDG_CONFIG_HOME: dir, XDG_DATA_HOME: dir, XDG_CACHE_HOME: dir },
                });
              }
              const requests = (await farm.stats()).requests - before;
              /** @type {Row} */
              const row = {
                profile,
                feeds: n,
                runner,
                phase,
                wallS: round(run.wall),
                cpuS: round(run.cpu),
                peakMb: round(run.rssMb, 1),
                requests,
                reqPerS: Math.round(requests / run.wall),
                exit: run.signal ?? run.code,
                detail:
                  runner === 'direct' || runner.endsWith('-bare')
                    ? safeJson(run.stdout)
                    : undefined,
              };
              if (run.code !== 0 && runner !== 'orrery') row.stderr = run.stderr.slice(-400);
              if (runner.startsWith('orrery') && run.code !== 0)
                row.stderr = run.stderr.slice(-400);
              results.push(row);
              process.stdout.write(`${formatRow(row)}\n`);
            }
          }
        }
      } finally {
        await farm.stop();
      }
    }
  } finally {
    if (!args.keep) rmSync(work, { recursive: true, force: true });
  }
  printRatios(results);
  if (args.json) writeFileSync(args.json, JSON.stringify(results, null, 2));
}

/** @param {number} x @param {number} [digits] */
function round(x, digits = 2) {
  return Number.isFinite(x) ? Number(x.toFixed(digits)) : null;
}

/**
 * The last line of a bench/farm client's output, parsed (its `counts` are printed).
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

/** @param {Row} r */
function formatRow(r) {
  return [
    r.profile.padEnd(6),
    String(r.feeds).padStart(6),
    r.runner.padEnd(12),
    r.phase.padEnd(5),
    `wall ${String(r.wallS).padStart(7)} s`,
    `cpu ${String(r.cpuS).padStart(7)} s`,
    `peak ${String(r.peakMb).padStart(6)} MB`,
    `${String(r.requests).padStart(6)} req`,
    `${String(r.reqPerS).padStart(6)} req/s`,
    `exit ${r.exit}`,
    r.detail ? JSON.stringify(r.detail.counts) : '',
    r.stderr ? `stderr: ${r.stderr.replace(/\s+/g, ' ').slice(0, 200)}` : '',
  ].join('  ');
}

/** @param {Row[]} results */
function printRatios(results) {
  /** @param {string} profile @param {number} feeds @param {string} runner @param {string} phase */
  const find = (profile, feeds, runner, phase) =>
    results.find(
      (r) => r.profile === profile && r.feeds === feeds && r.runner === runner && r.phase === phase,
    );
  const lines = [];
  for (const r of results) {
    if (r.runner === 'newsboat') continue;
    const nb = find(r.profile, r.feeds, 'newsboat', r.phase);
    if (!nb) continue;
    // A figure not measured (null) counts as 0, as arithmetic on null does.
    lines.push(
      `${r.profile} ${r.feeds} ${r.phase}: newsboat/${r.runner} wall x${(Number(nb.wallS) / Number(r.wallS)).toFixed(2)}, ` +
        `cpu x${(Number(nb.cpuS) / Number(r.cpuS)).toFixed(2)}, peak ${r.peakMb} MB vs ${nb.peakMb} MB`,
    );
  }
  if (lines.length) process.stdout.write(`\nratios (>1: orrery faster)\n${lines.join('\n')}\n`);
}

await main();

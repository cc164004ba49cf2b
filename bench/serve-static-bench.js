#!/usr/bin/env node
// Static serving: the demo planet's river page (index.html) from `orrery serve` against a bare
// node:http server sending the same bytes from memory, with autocannon (keep-alive), in the same
// run, rounds interleaved: the full page (200), and a browser's revalidation (If-None-Match, 304).
// Reports requests/s, latency, and the server's CPU seconds per round.
//
//   npm run build && node bench/serve-static-bench.js [--seconds 10] [--rounds 2] [--connections 10]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import {
  cpuSeconds,
  demoPlanet,
  percentile,
  published,
  ROOT,
  runOrrery,
  sleep,
  startServe,
} from './serve/common.js';

const args = { seconds: 10, rounds: 2, connections: 10 };
for (let i = 2; i < process.argv.length; i += 2) {
  const key = process.argv[i]?.replace(/^--/, '');
  if (key && key in args) {
    args[/** @type {keyof typeof args} */ (key)] = Number(process.argv[i + 1]);
  }
}

/**
 * @param {string} url
 * @param {Record<string, string>} [headers]
 * @returns {Promise<import('autocannon').Result>}
 */
function load(url, headers = {}) {
  return new Promise((resolve, reject) => {
    autocannon(
      { url, connections: args.connections, duration: args.seconds, headers },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

/**
 * @param {string} name
 * @param {string} url
 * @param {number | undefined} pid
 * @param {Record<string, string>} headers
 */
async function round(name, url, pid, headers) {
  const before = cpuSeconds(pid);
  const result = await load(url, headers);
  const cpu = cpuSeconds(pid) - before;
  const ok = result.errors === 0 && result['4xx'] === 0 && result['5xx'] === 0;
  return {
    name,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpu,
    ok,
    bytes: result.throughput.average,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'orrery-serve-bench-'));
const feeds = await demoPlanet(dir);
/** @type {Awaited<ReturnType<typeof startServe>> | undefined} */
let serve;
/** @type {import('node:child_process').ChildProcessByStdio<null, import('node:stream').Readable, null> | undefined} */
let bare;
try {
  const run = await runOrrery(['run'], dir);
  if (run.code !== 0) throw new Error(`orrery run failed:\n${run.out}`);
  serve = await startServe(dir, ['--port', '0']);
  await published(serve); // its start-up build
  const page = join(dir, 'public/index.html');
  bare = spawn(process.execPath, [join(ROOT, 'bench/serve/bare-static.js'), page], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const started = bare;
  /** @type {string} */
  const bareUrl = await new Promise((r) => started.stdout.once('data', (d) => r(String(d).trim())));
  const size = readFileSync(page).length;
  console.log(
    `river page: ${size} bytes; ${args.connections} connections, keep-alive, ${args.seconds} s per round`,
  );
  const etag = (await fetch(`${serve.url}index.html`)).headers.get('etag');
  const revalidate = { 'if-none-match': etag ?? '' };
  const ours = `${serve.url}index.html`;
  /** @type {[name: string, url: string, pid: number | undefined, headers: Record<string, string>][]} */
  const plan = [
    ['bare node:http, 200', bareUrl, started.pid, {}],
    ['orrery serve, 200', ours, serve.pid, {}],
    ['orrery serve, 200 gzip', ours, serve.pid, { 'accept-encoding': 'gzip' }],
    ['bare node:http, 304', bareUrl, started.pid, revalidate],
    ['orrery serve, 304', ours, serve.pid, revalidate],
  ];
  /** @type {Awaited<ReturnType<typeof round>>[]} */
  const results = [];
  for (let r = 0; r < args.rounds; r++) {
    for (const [name, url, pid, headers] of plan) {
      results.push(await round(name, url, pid, headers));
      await sleep(1000);
    }
  }
  console.log('\n| server | req/s | p50 ms | p99 ms | server CPU s | req per CPU s | no errors |');
  console.log('|---|---|---|---|---|---|---|');
  for (const x of results) {
    const perCpu = Math.round((x.rps * args.seconds) / x.cpu);
    console.log(
      `| ${x.name} | ${Math.round(x.rps)} | ${x.p50} | ${x.p99} | ${x.cpu.toFixed(2)} | ${perCpu} | ${x.ok} |`,
    );
  }
  /** @param {string} name */
  const rps = (name) => results.filter((x) => x.name === name).map((x) => x.rps);
  for (const kind of ['200', '304']) {
    const mine = rps(`orrery serve, ${kind}`);
    const floor = rps(`bare node:http, ${kind}`);
    const ratios = mine.map((x, i) => (x / /** @type {number} */ (floor[i])).toFixed(2)).join(', ');
    const median = Math.round(percentile(mine, 50));
    console.log(
      `\n${kind}: orrery serve / bare node:http per round: ${ratios}; orrery serve median ${median} req/s`,
    );
  }
  console.log('(targets: >= 5000 req/s and >= 0.5x bare node:http)');
  console.log('(2-core machine shared with other work: compare ratios within this run)');
} finally {
  bare?.kill();
  await serve?.stop();
  await feeds.close();
  rmSync(dir, { recursive: true, force: true });
}

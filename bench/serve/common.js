// Shared by the `orrery serve` benches: planets in temp folders (the demo planet, the 600-feed
// farm), `orrery serve` and `orrery run` as child processes of the built CLI (bin/orrery.js),
// a feed with a WebSub hub, CPU and memory of a process from /proc.
import { spawn } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = join(ROOT, 'bin/orrery.js');
export const CORPUS = resolve(ROOT, '../shared/corpus/files');
/**
 * A log line of `orrery serve --log-format json` (pino): its message, level and fields.
 * @typedef {{ msg?: string, level?: number, [field: string]: any }} LogLine
 */
/** @typedef {{ id: string, title: string, date: string }} FeedItem */

const TICKS = 100; // USER_HZ on Linux

/**
 * user + sys CPU seconds a process has used so far.
 * @param {number | undefined} pid
 */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/**
 * Resident memory of a process, MB.
 * @param {number | undefined} pid
 */
export function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** @param {number} ms @returns {Promise<void>} */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @param {number[]} values
 * @param {number} p
 * @returns {number}
 */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return /** @type {number} */ (
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
  );
}

/**
 * The demo planet in `dir`, its feeds served on loopback by examples/demo/server.js.
 * @param {string} dir
 */
export async function demoPlanet(dir, extraFeeds = '') {
  /** @type {typeof import('../../examples/demo/server.js')} */
  const { startDemoServer } = await import(join(ROOT, 'examples/demo/server.js'));
  const server = await startDemoServer({ port: 0 });
  const config = readFileSync(join(ROOT, 'examples/demo/planet.toml'), 'utf8');
  writeFileSync(
    join(dir, 'planet.toml'),
    `${config.replaceAll('127.0.0.1:48173', `127.0.0.1:${server.port}`)}\n${extraFeeds}`,
  );
  cpSync(join(ROOT, 'examples/demo/feeds'), join(dir, 'feeds'), { recursive: true });
  return server;
}

/**
 * Runs the built CLI to its end; resolves with its exit code and output.
 * @param {string[]} args
 * @param {string} cwd
 * @returns {Promise<{ code: number | null, out: string }>}
 */
export function runOrrery(args, cwd) {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, out });
    });
  });
}

/**
 * `orrery serve` as a child process; resolves once it listens, with its pid, URL and log lines
 * (JSON, one object each).
 * @param {string} cwd
 * @param {string[]} [args]
 * @param {Record<string, string>} [env]
 */
export async function startServe(cwd, args = [], env = {}) {
  const child = spawn(process.execPath, [BIN, 'serve', '--log-format', 'json', ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  /** @type {LogLine[]} */
  const logs = [];
  const lines = createInterface({ input: child.stderr });
  lines.on('line', (line) => {
    try {
      logs.push(JSON.parse(line));
    } catch {
      logs.push({ level: 60, msg: line }); // not JSON: a crash trace, counted as an error
    }
  });
  /** @type {Promise<number | null>} */
  const exited = new Promise((r) => child.once('exit', r));
  const until = Date.now() + 60_000;
  for (;;) {
    const listening = logs.find((l) => l.msg === 'orrery serve is listening');
    if (listening) {
      return {
        pid: child.pid,
        url: listening.url,
        logs,
        exited,
        async stop() {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
          const code = await exited;
          clearTimeout(timer);
          return code;
        },
      };
    }
    if (Date.now() > until || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(
        `orrery serve did not start:\n${logs.map((l) => JSON.stringify(l)).join('\n')}`,
      );
    }
    await sleep(50);
  }
}

/**
 * Waits until `count` 'site published' lines are in the log.
 * @param {{ logs: LogLine[] }} serve
 */
export async function published(serve, count = 1, ms = 600_000) {
  const until = Date.now() + ms;
  while (serve.logs.filter((l) => l.msg === 'site published').length < count) {
    if (Date.now() > until) throw new Error('no publish in time');
    await sleep(100);
  }
}

/**
 * A one-feed Atom server whose feed names `hubUrl` (Link header and rel=hub).
 * @param {string} hubUrl
 */
export async function hubbedFeed(hubUrl) {
  const items = [{ id: 'seed', title: 'Seed post', date: '2020-01-01T00:00:00Z' }];
  let topic = '';
  const server = createServer((_req, res) => {
    res.writeHead(200, {
      'content-type': 'application/atom+xml',
      link: `<${hubUrl}>; rel="hub", <${topic}>; rel="self"`,
    });
    res.end(atom(topic, items, hubUrl));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', () => r(undefined)));
  topic = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}/feed.xml`;
  return { topic, items, close: () => new Promise((r) => server.close(r)) };
}

/**
 * @param {string} topic
 * @param {FeedItem[]} items
 * @param {string} [hub]
 */
export function atom(topic, items, hub) {
  const entries = items
    .map(
      (i) =>
        `<entry><id>urn:bench:${i.id}</id><title>${i.title}</title><updated>${i.date}</updated>` +
        `<link href="https://bench.example.org/${i.id}"/><content type="html">&lt;p&gt;${i.title}&lt;/p&gt;</content></entry>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Bench Blog</title><id>${topic}</id><updated>2026-11-22T00:00:00Z</updated><link rel="self" href="${topic}"/>${hub ? `<link rel="hub" href="${hub}"/>` : ''}${entries}</feed>`;
}

/**
 * Reads a Prometheus text value, e.g. metric(text, 'orrery_sse_clients').
 * @param {string} text
 * @param {string} name
 */
export function metric(text, name) {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : Number.NaN;
}

/**
 * The loopback farm (bench/farm/farm.js) as a child process.
 * @param {{ hosts?: number, port: number, profile?: string, maxSeconds?: number }} options
 */
export async function startFarm({ hosts = 200, port, profile = 'clean', maxSeconds = 1800 }) {
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'bench/farm/farm.js'),
      '--hosts',
      String(hosts),
      '--port',
      String(port),
      '--profile',
      profile,
      '--corpus',
      CORPUS,
      '--max-seconds',
      String(maxSeconds),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  await new Promise((/** @type {(value?: void) => void} */ resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error('farm: not ready after 60 s')), 60_000);
    lines.once('line', () => {
      clearTimeout(timer);
      resolvePromise();
    });
    child.once('exit', (code) => reject(new Error(`farm exited early (${code})`)));
  });
  return {
    /** @param {number} id */
    url: (id) => `http://127.0.${id % hosts}.1:${port}/f/${id}.xml`,
    stop() {
      child.stdin.end();
      return new Promise((/** @type {(value?: void) => void} */ r) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          r();
        });
      });
    },
  };
}

/**
 * planet.toml for the farm's first `count` feeds (and `extra` TOML appended).
 * @param {{ url(id: number): string }} farm
 * @param {number} count
 */
export function farmPlanetToml(farm, count, extra = '', fetch = '') {
  const feeds = Array.from(
    { length: count },
    (_, id) => `[[feeds]]\nurl = "${farm.url(id)}"\nname = "Farm ${id}"\n`,
  ).join('\n');
  return `[site]\nname = "Farm Planet"\nlink = "https://planet.example.org/"\n\n[fetch]\nallow_private = true\nconcurrency = 64\n${fetch}\n${feeds}\n${extra}`;
}

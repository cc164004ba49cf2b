// Runs the real CLI against the feed farm's hostile servers and reads back what happened, with
// the run's wall time, CPU and peak RSS (measured by the child itself: usage-preload.js). Shared
// by the reliability tests (test/reliability/, CI sizes) and bench/hostile-bench.js (long sizes).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { faultOf, HOSTILE_KINDS } from './farm.js';
import { startFarm } from './farm-process.js';
import { runChild } from './run-child.js';

export { faultOf, HOSTILE_KINDS, startFarm };

export const ROOT = resolve(import.meta.dirname, '../..');

/** True when `root` has a built CLI (bin/orrery.js runs dist/bundle, else dist/cli). */
export function cliBuilt(root = ROOT) {
  return (
    existsSync(join(root, 'dist/bundle/main.js')) || existsSync(join(root, 'dist/cli/main.js'))
  );
}

/**
 * A feed as `orrery status --json` prints it (the fields read here).
 * @typedef {{ url: string, errorCode?: string, errorMessage?: string, entryCount?: number,
 *   lastSuccessAt?: string }} FeedState
 */
/**
 * What a hostile case or farm runs against.
 * @typedef {{ port: number, dir: string, fetch?: Record<string, unknown>, maxSeconds: number,
 *   root?: string }} CaseOptions
 */

/**
 * Runs `orrery ...args` in a child process, killed with SIGKILL past `maxSeconds` (a run that
 * needs it is a hang: `signal` says so). Resolves with wall seconds, CPU seconds (user + sys)
 * and peak RSS in MB (KB ÷ 1024, as /usr/bin/time's figures in the other benches).
 * @param {string[]} args
 * @param {{ cwd: string, maxSeconds: number, root?: string, maxOutput?: number }} options
 */
export async function runOrrery(args, { cwd, maxSeconds, root = ROOT, maxOutput }) {
  const usageFile = join(cwd, `.usage-${process.pid}-${Date.now()}.json`);
  const preload = join(import.meta.dirname, 'usage-preload.js');
  const run = await runChild(
    process.execPath,
    ['--import', preload, join(root, 'bin/orrery.js'), ...args],
    { cwd, env: { NO_COLOR: '1', ORRERY_USAGE_FILE: usageFile }, maxSeconds, maxOutput },
  );
  let usage = { maxRssKb: Number.NaN, userS: Number.NaN, systemS: Number.NaN };
  if (existsSync(usageFile)) {
    usage = JSON.parse(readFileSync(usageFile, 'utf8'));
    rmSync(usageFile, { force: true });
  }
  return { ...run, cpuS: usage.userS + usage.systemS, peakMb: usage.maxRssKb / 1024 };
}

/**
 * Writes `dir/planet.toml` subscribing to `urls`, with `[fetch]` settings (allow_private on).
 * @param {string} dir
 * @param {string[]} urls
 * @param {Record<string, unknown>} [fetch]
 */
export function writePlanet(dir, urls, fetch = {}) {
  mkdirSync(dir, { recursive: true });
  const lines = ['[site]', 'name = "Hostile"', '', '[fetch]', 'allow_private = true'];
  for (const [key, value] of Object.entries(fetch)) lines.push(`${key} = ${JSON.stringify(value)}`);
  lines.push('');
  for (const url of urls) lines.push('[[feeds]]', `url = "${url}"`, '');
  const path = join(dir, 'planet.toml');
  writeFileSync(path, lines.join('\n'));
  return path;
}

/**
 * The feeds as `orrery status --json` shows them, by URL.
 * @param {string} dir
 * @param {{ root?: string }} [options]
 * @returns {Promise<Map<string, FeedState>>}
 */
export async function feedStates(dir, { root = ROOT } = {}) {
  // About 1 KB a feed: a big farm's status is many megabytes.
  const maxOutput = 1 << 28;
  const status = await runOrrery(['status', '--json'], {
    cwd: dir,
    maxSeconds: 300,
    root,
    maxOutput,
  });
  if (status.code !== 0) throw new Error(`orrery status failed: ${status.stderr}`);
  return new Map(JSON.parse(status.stdout).map((/** @type {FeedState} */ f) => [f.url, f]));
}

/**
 * Updated by this run: answered and read or confirmed unchanged, without an error.
 * @param {FeedState | undefined} state
 */
const updated = (state) => state !== undefined && !state.errorCode && Boolean(state.lastSuccessAt);

/**
 * The first `n` feed ids the hostile profile serves healthily.
 * @param {number} n
 */
export function healthyIds(n, from = 0) {
  /** @type {number[]} */
  const ids = [];
  for (let id = from; ids.length < n; id++) if (faultOf(id, 'hostile') === 'ok') ids.push(id);
  return ids;
}

/** @param {Awaited<ReturnType<typeof runOrrery>>} run */
function figures(run) {
  return {
    exit: run.signal ?? run.code,
    wallS: round(run.wallS),
    cpuS: round(run.cpuS),
    peakMb: round(run.peakMb, 1),
  };
}

/**
 * One hostile server (`kind`) next to `healthy` feeds on the same host, in one `orrery run` on a
 * fresh planet: the run's figures, what became of the hostile feed, and how many healthy feeds
 * were updated.
 * @param {CaseOptions & { kind: string, healthy: number[] }} options
 */
export async function hostileCase({ port, kind, healthy, dir, fetch, maxSeconds, root = ROOT }) {
  const base = `http://127.0.0.1:${port}`;
  const hostileUrl = `${base}/h/${kind}/1.xml`;
  const urls = [hostileUrl, ...healthy.map((id) => `${base}/f/${id}.xml`)];
  writePlanet(dir, urls, fetch);
  const run = await runOrrery(['run'], { cwd: dir, maxSeconds, root });
  const states = await feedStates(dir, { root });
  const hostile = states.get(hostileUrl);
  return {
    kind,
    ...figures(run),
    hostile: {
      outcome: hostile?.errorCode ?? (updated(hostile) ? 'ok' : 'not updated'),
      message: hostile?.errorMessage,
      entries: hostile?.entryCount,
    },
    healthyUpdated: urls.slice(1).filter((u) => updated(states.get(u))).length,
    healthyTotal: healthy.length,
    summary: summaryLine(run.stderr),
    stderr: run.code === 0 ? '' : run.stderr.slice(-2000),
  };
}

/**
 * A farm of `feeds` feeds spread over `hosts` loopback hosts, about 10 % of them hostile, in one
 * `orrery run` on a fresh planet: the run's figures and the healthy feeds' update rate.
 * @param {CaseOptions & { hosts: number, feeds: number }} options
 */
export async function hostileFarm({ port, hosts, feeds, dir, fetch, maxSeconds, root = ROOT }) {
  const url = (/** @type {number} */ id) => `http://127.0.${id % hosts}.1:${port}/f/${id}.xml`;
  const ids = Array.from({ length: feeds }, (_, id) => id);
  writePlanet(dir, ids.map(url), fetch);
  const run = await runOrrery(['run'], { cwd: dir, maxSeconds, root });
  const states = await feedStates(dir, { root });
  const faulty = ids.filter((id) => faultOf(id, 'hostile') !== 'ok');
  const healthy = ids.filter((id) => faultOf(id, 'hostile') === 'ok');
  const notUpdated = healthy.filter((id) => !updated(states.get(url(id))));
  /** @type {Record<string, number>} */
  const faultyOutcomes = {};
  for (const id of faulty) {
    const key = `${faultOf(id, 'hostile')}: ${states.get(url(id))?.errorCode ?? 'ok'}`;
    faultyOutcomes[key] = (faultyOutcomes[key] ?? 0) + 1;
  }
  return {
    feeds,
    ...figures(run),
    faulty: faulty.length,
    healthy: healthy.length,
    healthyUpdated: healthy.length - notUpdated.length,
    notUpdated: notUpdated.map((id) => ({ url: url(id), ...pick(states.get(url(id))) })),
    faultyOutcomes,
    summary: summaryLine(run.stderr),
    stderr: run.code === 0 ? '' : run.stderr.slice(-2000),
  };
}

/** @param {FeedState | undefined} state */
function pick(state) {
  return state
    ? { errorCode: state.errorCode, errorMessage: state.errorMessage }
    : { missing: true };
}

/** @param {string} stderr */
function summaryLine(stderr) {
  return /^\d+ feeds: .*$/m.exec(stderr)?.[0] ?? '';
}

/** @param {number} x */
function round(x, digits = 2) {
  return Number.isFinite(x) ? Number(x.toFixed(digits)) : null;
}

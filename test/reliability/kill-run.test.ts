/**
 * Reliability suite: kill -9 at random points of `orrery run` (the built CLI, bin/orrery.js, a
 * child process in its own process group, so Pagefind dies with it), many times in a row on
 * one SQLite store, against a loopback planet that changes between runs (changing-planet.ts:
 * new posts, failing feeds, cross-posts). After each kill:
 * - the store passes PRAGMA integrity_check and its own invariants (store-check.ts);
 * - every feed update the run reported finished (`--verbose`: a feed's line, then the
 *   `store: committed N feed updates` line of the group commit that made it durable) has every
 *   post the feed served in that run in the store.
 * Then one run without a kill exits 0 and publishes a site showing every stored original.
 * Kill points come from a seeded PRNG (ORRERY_KILL_SEED), 50 kills by default; ORRERY_KILLS
 * raises it for the long variant (e.g. ORRERY_KILLS=500 npx vitest run test/reliability/kill-run).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBuilt, ROOT } from '../../bench/farm/hostile-run.js';
import { listFiles } from '../../src/render/list-files.js';
import { prng } from '../../src/render/synthetic-planet.js';
import { type ChangingPlanet, startChangingPlanet } from './changing-planet.js';
import { checkStore } from './store-check.js';

const KILLS = Number(process.env.ORRERY_KILLS ?? 50);
const SEED = Number(process.env.ORRERY_KILL_SEED ?? 13);
/** A run still going after this long is a hang (it is killed and the test fails). */
const HANG_MS = 60_000;

type Phase = 'start' | 'fetch' | 'build' | 'after';

interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** When the first feed's line came (ms from the start), if one did. */
  fetchAtMs?: number;
  killed: boolean;
}

/** `orrery run --all --verbose` in `dir`, SIGKILLed (with its process group) after `killAfterMs`. */
function runOrrery(dir: string, killAfterMs?: number): Promise<CliRun> {
  const started = performance.now();
  const child: ChildProcess = spawn(
    process.execPath,
    [join(ROOT, 'bin/orrery.js'), 'run', '--all', '--verbose'],
    { cwd: dir, env: { PATH: process.env.PATH, NO_COLOR: '1' }, detached: true },
  );
  let stdout = '';
  let stderr = '';
  let killed = false;
  let fetchAtMs: number | undefined;
  child.stdout?.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr?.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
    if (fetchAtMs === undefined && /^store: \//m.test(stderr)) {
      fetchAtMs = performance.now() - started;
    }
  });
  const kill = () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    killed = true;
    // The whole group: the CLI and the Pagefind process it started.
    process.kill(-(child.pid as number), 'SIGKILL');
  };
  const killTimer = killAfterMs === undefined ? undefined : setTimeout(kill, killAfterMs);
  const hangTimer = setTimeout(kill, HANG_MS);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killTimer);
      clearTimeout(hangTimer);
      const ms = performance.now() - started;
      resolve({ code, signal, stdout, stderr, ms, killed, ...(fetchAtMs ? { fetchAtMs } : {}) });
    });
  });
}

/** Where in the run the kill landed, from what the run printed before it. */
function phaseOf(run: CliRun): Phase {
  if (!run.killed) return 'after';
  if (/^\d+ feeds: /m.test(run.stderr)) return 'build';
  // From the store's opening (its --verbose line) the feeds are being fetched.
  if (/^store: \//m.test(run.stderr)) return 'fetch';
  return 'start';
}

/**
 * Feeds whose update the run reported finished and durable: a `[k/n] done|unchanged Blog i`
 * line followed by a group commit's line (or a run that ended by itself: the store was closed).
 */
function durableFeeds(run: CliRun): number[] {
  const lines = run.stderr.split('\n');
  const lastCommit = run.killed
    ? lines.findLastIndex((l) => l.startsWith('store: committed '))
    : lines.length;
  const feeds: number[] = [];
  for (const line of lines.slice(0, Math.max(0, lastCommit))) {
    const m = /^\[\d+\/\d+\] (?:done|unchanged) Blog (\d+)\b/.exec(line);
    if (m) feeds.push(Number(m[1]));
  }
  return feeds;
}

/** Posts feed i served at generation g that the store does not have. */
function missingPosts(
  planet: ChangingPlanet,
  entries: ReturnType<typeof checkStore>['entries'],
  i: number,
  g: number,
): string[] {
  const url = planet.feedUrl(i);
  const have = new Set(entries.filter((e) => e.feedUrl === url).map((e) => e.guid));
  return planet
    .posts(i, g)
    .map((p) => p.guid)
    .filter((guid) => !have.has(guid));
}

let planet: ChangingPlanet;
let dir = '';

describe.skipIf(!cliBuilt())('kill -9 during orrery run (the built CLI: npm run build)', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'orrery-kill-run-'));
    planet = await startChangingPlanet({ seed: SEED, feeds: 10 });
    planet.writeConfig(dir);
  });
  afterAll(async () => {
    await planet?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(`${KILLS} kills in a row on one store: intact after each, then a run publishes everything`, async () => {
    const started = performance.now();
    const random = prng(SEED);
    const store = join(dir, 'planet.db');
    // A first run, not killed: the store and the site exist, and its time scales the kills.
    const first = await runOrrery(dir);
    expect(first.code, first.stderr).toBe(0);
    // Kills spread from half the start-up (Node, the config, opening the store) to a little
    // past the end: most land in the fetches and the build, some before and after them.
    const from = (first.fetchAtMs ?? 0) / 2;
    const span = first.ms * 1.1 - from;

    const landed: Record<Phase, number> = { start: 0, fetch: 0, build: 0, after: 0 };
    let feedUpdatesChecked = 0;
    for (let k = 1; k <= KILLS; k++) {
      planet.generation = k;
      const run = await runOrrery(dir, from + random() * span);
      const phase = phaseOf(run);
      landed[phase]++;
      const context = `kill ${k} (${phase}) at generation ${k}:\n${run.stderr.slice(-2000)}`;
      if (!run.killed) expect([0, 4], context).toContain(run.code);
      else expect(run.signal, context).toBe('SIGKILL');
      const check = checkStore(store);
      expect(check.problems, context).toEqual([]);
      for (const i of durableFeeds(run)) {
        feedUpdatesChecked++;
        expect(missingPosts(planet, check.entries, i, k), `Blog ${i}, ${context}`).toEqual([]);
      }
    }

    // The run after the last kill finishes, publishes, and the site shows every original.
    planet.generation = KILLS + 1;
    const last = await runOrrery(dir);
    expect(last.code, last.stderr).toBe(0);
    expect(last.stdout).toMatch(/site (written to|in) /);
    const final = checkStore(store);
    expect(final.problems).toEqual([]);
    for (let i = 0; i < planet.feeds; i++) {
      if (planet.fault(i, KILLS + 1)) continue;
      expect(missingPosts(planet, final.entries, i, KILLS + 1), `Blog ${i}`).toEqual([]);
    }
    const site = join(dir, 'public');
    const pages: string[] = [];
    for (const path of await listFiles(site)) {
      if (path.endsWith('.html') && !path.startsWith('.orrery/')) {
        pages.push(await readFile(join(site, path), 'utf8'));
      }
    }
    const html = pages.join('\n');
    const originals = final.entries.filter((e) => e.duplicateOf === null);
    const unshown = originals.filter((e) => !html.includes(`href="${e.link}"`));
    expect(unshown.map((e) => e.link)).toEqual([]);
    // The cross-posts are stored as duplicates, never shown twice.
    expect(final.entries.some((e) => e.duplicateOf !== null)).toBe(true);

    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `kill-run: ${KILLS} kills (seed ${SEED}) landed: start ${landed.start}, fetch ${landed.fetch}, build ${landed.build}, after the run ${landed.after}; ` +
        `${feedUpdatesChecked} reported feed updates checked; ${final.entries.length} entries (${originals.length} shown); first run ${(first.ms / 1000).toFixed(2)} s; ${seconds} s in all`,
    );
    // Kills must have landed inside the run, not only after it.
    expect(landed.fetch + landed.build).toBeGreaterThan(0);
  }, 600_000);
});

/**
 * `orrery worker` as real processes (the CLI bundled into a temporary folder, as npm run build
 * bundles it): a worker killed with -9 mid-job, whose jobs another worker takes, nothing lost or
 * stored twice; and PostgreSQL restarted mid-run, the worker reconnecting and going on. The
 * restart needs a PostgreSQL of its own (the shared one is never restarted): a private cluster
 * in a temporary folder, started as the postgres user, which needs root, Debian's PostgreSQL
 * binaries and that user; without them that test is skipped with the reason.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore } from '../store/postgres/postgres-store.js';
import type { Store } from '../store/store.js';
import { startTestFarm, type TestFarm } from './testdata/farm.js';

const url = process.env.ORRERY_TEST_POSTGRES_URL;
const ROOT = join(import.meta.dirname, '..', '..');

/** Why the private-cluster test cannot run here, or undefined when it can. */
function privateClusterUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root (the cluster is started as the postgres user)';
  if (!pgBin()) return 'no PostgreSQL server binaries in /usr/lib/postgresql/*/bin';
  try {
    execFileSync('id', ['postgres'], { stdio: 'ignore' });
  } catch {
    return 'no postgres user';
  }
  return undefined;
}

function pgBin(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(a) - Number(b));
  const last = versions[versions.length - 1];
  return last ? join(base, last, 'bin') : undefined;
}

let bundleDir = '';
beforeAll(async () => {
  if (!url) return;
  bundleDir = await mkdtemp(join(ROOT, '.orrery-tmp-worker-bundle-'));
  const bundler = (await import(pathToFileURL(join(ROOT, 'scripts', 'bundle.js')).href)) as {
    bundleCli: (outdir: string) => Promise<void>;
  };
  await bundler.bundleCli(join(bundleDir, 'bundle'));
  await writeFile(
    join(bundleDir, 'orrery.mjs'),
    "import { main } from './bundle/main.js';\nprocess.exitCode = await main(process.argv);\n",
  );
});
afterAll(async () => {
  if (bundleDir) await rm(bundleDir, { recursive: true, force: true });
});

interface Worker {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function spawnWorker(dir: string, databaseUrl: string, args: string[]): Worker {
  const child = spawn(
    process.execPath,
    [join(bundleDir, 'orrery.mjs'), 'worker', '--verbose', ...args],
    {
      cwd: dir,
      env: { ...process.env, ORRERY_DATABASE_URL: databaseUrl, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // Never outlive the test run.
  const guard = setTimeout(() => child.kill('SIGKILL'), 170_000);
  void exited.then(() => clearTimeout(guard));
  return { child, output: () => output, exited };
}

async function until(what: string, test: () => Promise<boolean> | boolean, limitMs: number) {
  const deadline = Date.now() + limitMs;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function planetDir(farm: TestFarm): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'orrery-worker-'));
  const feeds = farm.urls.map((u) => `[[feeds]]\nurl = "${u}"\n`).join('\n');
  await writeFile(
    join(dir, 'planet.toml'),
    `[site]\nname = "Workers"\n\n[fetch]\nallow_private = true\nper_host_limit = 2\nconnect_timeout = 2\n\n${feeds}`,
  );
  return dir;
}

async function dropSchemas(connectionString: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.query(`DROP SCHEMA IF EXISTS "${schema}_queue" CASCADE`);
  await client.end();
}

/** Every feed fetched, its posts stored once and one successful fetch on record. */
async function storedOnce(store: Store, feeds: number): Promise<void> {
  expect(await store.countEntries({ includeDuplicates: true })).toBe(feeds * 3);
  for (const feed of await store.listFeeds()) {
    expect(feed.entryCount).toBe(3);
    const fetches = await store.recentFetches(feed.id);
    expect(fetches.filter((f) => f.outcome === 'ok')).toHaveLength(1);
  }
}

function withSchema(connectionString: string, schema: string): string {
  const u = new URL(connectionString);
  u.searchParams.set('schema', schema);
  return u.href;
}

if (url) {
  describe('orrery worker processes', () => {
    it('a worker killed with -9 mid-job: another takes its jobs, nothing lost or stored twice', async () => {
      const farm = await startTestFarm({ hosts: 3, feeds: 6, latencyMs: 1500 });
      const dir = await planetDir(farm);
      const schema = `orrery_k_${randomBytes(5).toString('hex')}`;
      const databaseUrl = withSchema(url, schema);
      const workers: Worker[] = [];
      let store: Store | undefined;
      try {
        const args = ['--concurrency', '6', '--heartbeat', '0.5'];
        const a = spawnWorker(dir, databaseUrl, args);
        workers.push(a);
        // A is mid-job: its first feeds are in flight (each takes 1.5 s).
        const sent = () => [...farm.requests.values()].reduce((n, r) => n + r, 0);
        await until('worker A fetches', () => farm.inFlight >= 3, 60_000);
        await new Promise((r) => setTimeout(r, 300));
        expect(farm.inFlight).toBeGreaterThan(0);
        a.child.kill('SIGKILL');
        expect(await a.exited).toBe(null);
        // On a loaded machine A may have finished a feed or two before the kill: those stay
        // done; every other feed is B's to fetch again.
        const sentByA = sent();
        store = await createPostgresStore({ connectionString: url, schema, poolSize: 2 });
        const s = store;
        const storedByA = (await s.listFeeds()).filter((f) => f.lastFetchedAt !== undefined).length;

        const b = spawnWorker(dir, databaseUrl, args);
        workers.push(b);
        await until(
          'worker B has refreshed every feed',
          async () => (await s.listFeeds()).every((f) => f.lastFetchedAt !== undefined),
          60_000,
        );
        expect(b.output()).toMatch(/workers not seen for 3 s, their jobs released/);
        // A's unfinished requests died with it: B made those again, and nothing else.
        expect(farm.requests.size).toBe(6);
        expect(sent()).toBe(sentByA + 6 - storedByA);
        await storedOnce(store, 6);
        b.child.kill('SIGTERM');
        expect(await b.exited).toBe(0);
        expect(b.output()).toMatch(/stopped: \d+ jobs done/);
      } finally {
        for (const w of workers) w.child.kill('SIGKILL');
        await store?.close();
        await farm.close();
        await rm(dir, { recursive: true, force: true });
        await dropSchemas(url, schema);
      }
    }, 150_000);

    const unavailable = privateClusterUnavailable();
    it.skipIf(unavailable !== undefined)(
      `PostgreSQL restarted mid-run: the worker reconnects and goes on${unavailable ? ` (skipped: ${unavailable})` : ''}`,
      async () => {
        const bin = pgBin() as string;
        const data = await mkdtemp(join(tmpdir(), 'orrery-pg-'));
        chownSync(data, Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), 0);
        const port = await freePort();
        const asPostgres = (command: string) =>
          execFileSync('su', ['postgres', '-c', command], { stdio: 'pipe', timeout: 60_000 });
        const ctl = (action: string) =>
          asPostgres(
            `${bin}/pg_ctl -D ${data} -l ${data}/log -w -m fast -o "-p ${port} -k /tmp -c listen_addresses=127.0.0.1" ${action}`,
          );
        const farm = await startTestFarm({ hosts: 4, feeds: 80, latencyMs: 400 });
        const dir = await planetDir(farm);
        let worker: Worker | undefined;
        let store: Store | undefined;
        try {
          asPostgres(`${bin}/initdb -D ${data} -A trust -U postgres`);
          ctl('start');
          const databaseUrl = `postgres://postgres@127.0.0.1:${port}/postgres?schema=planet`;
          worker = spawnWorker(dir, databaseUrl, ['--concurrency', '8', '--heartbeat', '1']);
          const requests = () => [...farm.requests.values()].reduce((a, b) => a + b, 0);
          await until('a quarter of the feeds are fetched', () => requests() >= 20, 60_000);
          ctl('restart');
          const w = worker;
          await until(
            'more feeds are fetched after the restart',
            () => requests() >= 40,
            60_000,
          ).catch((error: Error) => {
            throw new Error(`${error.message}; the worker said:\n${w.output()}`);
          });
          store = await createPostgresStore({
            connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`,
            schema: 'planet',
            poolSize: 2,
          });
          const s = store;
          await until(
            'every feed is stored',
            async () => (await s.listFeeds()).every((f) => f.entryCount === 3),
            120_000,
          );
          expect(worker.child.exitCode).toBe(null);
          await storedOnce(store, 80);
          worker.child.kill('SIGTERM');
          expect(await worker.exited).toBe(0);
        } finally {
          worker?.child.kill('SIGKILL');
          await store?.close();
          await farm.close();
          await rm(dir, { recursive: true, force: true });
          try {
            ctl('stop');
          } catch {
            // Not started, or already stopped: the folder goes anyway.
          }
          await rm(data, { recursive: true, force: true });
        }
      },
      170_000,
    );
  });
} else {
  describe.skip('orrery worker processes (skipped: ORRERY_TEST_POSTGRES_URL is not set, no PostgreSQL server)', () => {
    it('runs the worker process suite', () => {});
  });
}

/** A TCP port nobody listens on now, for the private cluster. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

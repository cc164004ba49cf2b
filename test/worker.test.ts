/**
 * The CLI on a PostgreSQL store (ORRERY_TEST_POSTGRES_URL), in-process over a loopback farm:
 * `orrery run` queues its feeds and works them itself when no worker runs, waits for running
 * workers instead (each feed fetched once), refuses a second run at once with a clear message,
 * and `status` shows the intervals, the queue and the workers. Skipped, with the reason, without
 * a server.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createHttpFetcher } from '../src/fetch/http-fetcher.js';
import { createPostgresStore } from '../src/store/postgres/postgres-store.js';
import { openQueue } from '../src/worker/queue.js';
import { SETTINGS, startTestFarm, type TestFarm } from '../src/worker/testdata/farm.js';
import { startWorker } from '../src/worker/worker.js';
import { runCli, withTempDir } from './helpers.js';

const url = process.env.ORRERY_TEST_POSTGRES_URL;

async function planetToml(dir: string, farm: TestFarm): Promise<void> {
  const feeds = farm.urls.map((u) => `[[feeds]]\nurl = "${u}"\n`).join('\n');
  await writeFile(
    join(dir, 'planet.toml'),
    `[site]\nname = "Queue planet"\n\n[fetch]\nallow_private = true\nper_host_limit = 2\n\n${feeds}`,
  );
}

async function withPostgresPlanet(
  fn: (dir: string, farm: TestFarm, env: Record<string, string>, schema: string) => Promise<void>,
): Promise<void> {
  const schema = `orrery_c_${randomBytes(5).toString('hex')}`;
  const farm = await startTestFarm({ hosts: 3, feeds: 12, latencyMs: 30 });
  try {
    await withTempDir(async (dir) => {
      await planetToml(dir, farm);
      const u = new URL(url!);
      u.searchParams.set('schema', schema);
      await fn(dir, farm, { ORRERY_DATABASE_URL: u.href }, schema);
    });
  } finally {
    await farm.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.query(`DROP SCHEMA IF EXISTS "${schema}_queue" CASCADE`);
    await client.end();
  }
}

const each = (farm: TestFarm) => [...farm.requests.values()];

if (url) {
  describe('orrery on PostgreSQL', () => {
    it('run works the queue itself without workers, builds, and status shows the queue', async () => {
      await withPostgresPlanet(async (dir, farm, env) => {
        const run = await runCli(['run'], { cwd: dir, env });
        expect(run.stderr).toMatch(/12 feeds: 12 fetched, 0 unchanged, 0 failed; 36 new entries/);
        expect(run.code).toBe(0);
        expect(existsSync(join(dir, 'public', 'index.html'))).toBe(true);
        expect(each(farm)).toEqual(Array(12).fill(1));

        const again = await runCli(['run'], { cwd: dir, env });
        expect(again.code).toBe(0);
        expect(again.stderr).toMatch(/no feed is due/);

        const status = await runCli(['status'], { cwd: dir, env });
        expect(status.code).toBe(0);
        // Three posts three days apart, the newest on 2026-11-20: learned, not the 60 minutes.
        expect(status.stdout).toMatch(/Feed 1 .*HTTP 200 .*3 entries .*ok {2}every \d+h/);
        expect(status.stdout).toMatch(/queue: 0 feeds ready, 0 running, 0 waiting to retry/);
        expect(status.stdout).toMatch(/workers: 0 seen in the last minute/);
      });
    });

    it('run leaves the feeds to running workers (each fetched once) and a second run exits 3', async () => {
      await withPostgresPlanet(async (dir, farm, env, schema) => {
        const store = await createPostgresStore({ connectionString: url!, schema, poolSize: 3 });
        const queue = await openQueue({
          connectionString: url!,
          schema: `${schema}_queue`,
          poolSize: 2,
        });
        const fetcher = createHttpFetcher(SETTINGS);
        const workers = await Promise.all(
          [0, 1].map(() =>
            startWorker(
              {
                store,
                fetcher,
                settings: SETTINGS,
                now: () => new Date(),
                subscriptionFor: () => undefined,
                log: () => undefined,
              },
              { queue, concurrency: 3, tasks: ['refresh'] },
            ),
          ),
        );
        try {
          const run = await runCli(['run'], { cwd: dir, env });
          expect(run.code).toBe(0);
          expect(run.stderr).toMatch(/2 workers are running on this store: the feeds are queued/);
          expect(run.stderr).toMatch(/12 feeds: 12 fetched/);
          expect(each(farm)).toEqual(Array(12).fill(1));
          expect(workers[0]!.stats.done + workers[1]!.stats.done).toBe(12);

          const status = await runCli(['status'], { cwd: dir, env });
          expect(status.stdout).toMatch(/workers: 2 seen in the last minute/);
          expect(status.stdout).toMatch(/pid \d+: 3 at a time, \d+ jobs done/);

          // A second run while one holds the store: a clear message, exit 3, nothing fetched.
          farm.latencyMs = 400;
          const first = runCli(['run', '--all'], { cwd: dir, env });
          for (let i = 0; i < 200 && farm.inFlight === 0; i++) {
            await new Promise((r) => setTimeout(r, 25));
          }
          const second = await runCli(['run', '--all'], { cwd: dir, env });
          expect(second.code).toBe(3);
          expect(second.stderr).toMatch(
            /another orrery run \(pid \d+.*\) holds .*; wait or stop it/,
          );
          const done = await first;
          expect(done.code).toBe(0);
          expect(done.stderr).toMatch(/12 feeds: 0 fetched, 12 unchanged/);
          expect(each(farm)).toEqual(Array(12).fill(2));
        } finally {
          await Promise.all(workers.map((w) => w.stop()));
          await fetcher.close();
          await queue.release();
          await store.close();
        }
      });
    });

    it('worker refuses a SQLite store with a clear message (exit 2)', async () => {
      await withPostgresPlanet(async (dir) => {
        const result = await runCli(['worker'], { cwd: dir, env: {} });
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(
          /orrery worker needs a PostgreSQL store .* set ORRERY_DATABASE_URL or \[store\] url/,
        );
      });
    });
  });
} else {
  describe.skip('orrery on PostgreSQL (skipped: ORRERY_TEST_POSTGRES_URL is not set, no PostgreSQL server)', () => {
    it('runs the PostgreSQL CLI suite', () => {});
  });
}

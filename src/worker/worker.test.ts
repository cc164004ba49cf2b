/**
 * Workers on a real PostgreSQL (ORRERY_TEST_POSTGRES_URL) over a loopback farm of several
 * hosts: the work spread over workers, each feed fetched and stored once, the per-host limit held
 * at the servers, and poison feeds failing alone. Each test has its own store and queue schemas,
 * dropped afterwards. Without a server the suite is reported as skipped, with the reason.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpFetcher } from '../fetch/http-fetcher.js';
import type { Fetcher } from '../model/fetch.js';
import { type DocumentReader, readInProcess } from '../pipeline/read-document.js';
import { createPostgresStore } from '../store/postgres/postgres-store.js';
import type { Store } from '../store/store.js';
import { type JobContext, POISON_ATTEMPTS, refreshJob, scheduleJob } from './jobs.js';
import { openQueue, type Queue } from './queue.js';
import { SETTINGS, startTestFarm, type TestFarm } from './testdata/farm.js';
import { type RunningWorker, startWorker } from './worker.js';

const url = process.env.ORRERY_TEST_POSTGRES_URL;

interface Planet {
  schema: string;
  store: Store;
  queue: Queue;
  farm: TestFarm;
  fetchers: Fetcher[];
  workers: RunningWorker[];
}

let planet: Planet | undefined;
/** A refresh job on its first attempt. */
const job = { attempts: 1, maxAttempts: 5, lastError: null };

async function dropSchemas(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.query(`DROP SCHEMA IF EXISTS "${schema}_queue" CASCADE`);
  await client.end();
}

async function openPlanet(farmOptions: Parameters<typeof startTestFarm>[0]): Promise<Planet> {
  const schema = `orrery_w_${randomBytes(5).toString('hex')}`;
  const farm = await startTestFarm(farmOptions);
  const store = await createPostgresStore({ connectionString: url!, schema, poolSize: 3 });
  const queue = await openQueue({ connectionString: url!, schema: `${schema}_queue`, poolSize: 2 });
  await store.syncSubscriptions(
    farm.urls.map((u) => ({ url: u, section: 'main' })),
    new Date().toISOString(),
  );
  planet = { schema, store, queue, farm, fetchers: [], workers: [] };
  return planet;
}

afterEach(async () => {
  if (!planet) return;
  const p = planet;
  planet = undefined;
  await Promise.all(p.workers.map((w) => w.stop()));
  await Promise.all(p.fetchers.map((f) => f.close()));
  await p.queue.release();
  await p.store.close();
  await p.farm.close();
  await dropSchemas(p.schema);
});

function context(p: Planet, extra: Partial<JobContext> = {}): JobContext {
  const fetcher = createHttpFetcher(SETTINGS);
  p.fetchers.push(fetcher);
  return {
    store: p.store,
    fetcher,
    settings: SETTINGS,
    now: () => new Date(),
    subscriptionFor: () => undefined,
    log: () => undefined,
    ...extra,
  };
}

/** Waits (bounded) until every feed has been fetched and the queue holds no refresh. */
async function drained(p: Planet, limitMs = 45_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const feeds = await p.store.listFeeds();
    const depth = await p.queue.depth();
    if (
      feeds.every((f) => f.lastFetchedAt !== undefined) &&
      depth.ready + depth.waiting + depth.running === 0
    ) {
      return;
    }
    if (Date.now() > deadline) throw new Error('the queue did not drain in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

if (url) {
  describe('workers on PostgreSQL', () => {
    it('share the feeds: each fetched and stored once, the per-host limit held at the servers', async () => {
      const p = await openPlanet({ hosts: 4, feeds: 40, latencyMs: 60 });
      for (let i = 0; i < 3; i++) {
        p.workers.push(
          await startWorker(context(p), {
            queue: p.queue,
            concurrency: 4,
            tasks: ['refresh', 'schedule'],
          }),
        );
      }
      await drained(p);
      expect([...p.farm.requests.values()]).toEqual(Array(40).fill(1));
      for (const host of p.farm.hosts) {
        expect(p.farm.maxInFlightByHost.get(host)).toBeLessThanOrEqual(SETTINGS.perHostLimit);
      }
      expect(Math.max(...p.farm.maxInFlightByHost.values())).toBe(SETTINGS.perHostLimit);
      expect(await p.store.countEntries()).toBe(120);
      for (const feed of await p.store.listFeeds()) {
        expect(feed.entryCount).toBe(3);
        expect((await p.store.recentFetches(feed.id)).map((f) => f.outcome)).toEqual(['ok']);
      }
      const busy = p.workers.filter((w) => w.stats.done > 0);
      expect(busy.length).toBeGreaterThanOrEqual(2);
      expect(p.workers.reduce((n, w) => n + w.stats.done, 0)).toBe(40);
      expect((await p.queue.workers(60_000)).map((w) => w.id).sort()).toEqual(
        p.workers.map((w) => w.id).sort(),
      );

      // The next tick queues nothing: every feed is fresh.
      expect(await scheduleJob(context(p), p.queue)).toEqual({ queued: 0, abandoned: 0 });
    });

    it("keeps working when another planet's queue is created in the same database", async () => {
      const p = await openPlanet({ hosts: 1, feeds: 4, latencyMs: 10 });
      const warnings: string[] = [];
      p.workers.push(
        await startWorker(
          context(p, { log: (level, line) => level === 'warn' && warnings.push(line) }),
          { queue: p.queue, concurrency: 2, tasks: ['refresh'] },
        ),
      );
      // graphile-worker's migrations of a new schema notify every worker of the database.
      const other = await openQueue({
        connectionString: url!,
        schema: `${p.schema}_other`,
        poolSize: 1,
      });
      await other.release();
      await p.queue.enqueueRefreshes(await p.store.listFeeds(), { perHostLimit: 2 });
      await drained(p);
      expect(warnings).toEqual([]);
      expect(p.workers[0]!.stats.done).toBe(4);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${p.schema}_other" CASCADE`);
      await client.end();
    });

    it('lets a poison feed fail alone, backed off: a parser crash and a feed that hangs', async () => {
      const p = await openPlanet({ hosts: 2, feeds: 10, latencyMs: 20 });
      const poisoned: DocumentReader = (job) => {
        if (job.url.endsWith('/f/1.xml')) {
          return Promise.resolve({ kind: 'crashed', stage: 'parser', message: 'stack overflow' });
        }
        // Never settles: only the feed's time budget ends it.
        if (job.url.endsWith('/f/2.xml')) return new Promise(() => undefined);
        return readInProcess(job);
      };
      const started = Date.now();
      p.workers.push(
        await startWorker(context(p, { readDocument: poisoned }), {
          queue: p.queue,
          concurrency: 2,
          tasks: ['refresh', 'schedule'],
        }),
      );
      await drained(p);
      const feeds = await p.store.listFeeds();
      const byPath = (path: string) => feeds.find((f) => f.url.endsWith(path))!;
      const crashed = byPath('/f/1.xml');
      expect(crashed.errorCode).toBe('parse');
      expect(crashed.errorMessage).toMatch(/parser crashed: stack overflow/);
      const hung = byPath('/f/2.xml');
      expect(hung.errorCode).toBe('timeout');
      expect(hung.errorMessage).toMatch(/whole time budget/);
      for (const feed of [crashed, hung]) {
        expect(feed.consecutiveFailures).toBe(1);
        // Backed off: not due again for at least the interval.
        expect(Date.parse(feed.nextDueAt!)).toBeGreaterThanOrEqual(started + 60 * 60_000);
      }
      const healthy = feeds.filter((f) => f !== crashed && f !== hung);
      expect(healthy.map((f) => [f.errorCode, f.entryCount])).toEqual(
        Array(8).fill([undefined, 3]),
      );
      expect(await scheduleJob(context(p), p.queue)).toEqual({ queued: 0, abandoned: 0 });
    });

    it("holds a feed's Retry-After and back-off for every worker, not only the one that met it", async () => {
      const p = await openPlanet({ hosts: 1, feeds: 2, latencyMs: 0, throttled: [1] });
      const [throttled, healthy] = await p.store.listFeeds();
      const started = Date.now();
      // Two workers hold a job for each feed (the second queued before the first ran).
      for (const feed of [throttled!, healthy!]) {
        const first = await refreshJob({ feed: feed.id }, job, context(p), p.queue);
        const second = await refreshJob({ feed: feed.id }, job, context(p), p.queue);
        expect(first.kind).not.toBe('skipped');
        expect(second).toMatchObject({ kind: 'skipped', reason: expect.stringMatching(/not due/) });
      }
      expect([...p.farm.requests.values()]).toEqual([1, 1]);
      const stored = await p.store.getFeed(throttled!.id);
      expect(stored?.errorCode).toBe('http-status');
      expect(Date.parse(stored!.nextDueAt!)).toBeGreaterThanOrEqual(started + 3600_000);
    });

    it('gives up a feed whose worker died on it twice, without fetching it a third time', async () => {
      const p = await openPlanet({ hosts: 1, feeds: 1, latencyMs: 0 });
      const [feed] = await p.store.listFeeds();
      const result = await refreshJob(
        { feed: feed!.id },
        { attempts: POISON_ATTEMPTS, maxAttempts: 5, lastError: null },
        context(p),
        p.queue,
      );
      expect(result.kind).toBe('failed');
      expect(p.farm.requests.size).toBe(0);
      const stored = await p.store.getFeed(feed!.id);
      expect(stored?.errorCode).toBe('internal');
      expect(stored?.errorMessage).toMatch(/stopped dead on this feed 2 times/);
      expect(Date.parse(stored!.nextDueAt!)).toBeGreaterThan(Date.now() + 30 * 60_000);
    });

    it('a scheduler tick queues every due feed once, page by page, past those already queued', async () => {
      const p = await openPlanet({ hosts: 2, feeds: 7, latencyMs: 0 });
      const feeds = await p.store.listFeeds();
      await p.queue.enqueueRefreshes([feeds[1]!, feeds[4]!], { perHostLimit: 2 });
      expect(await scheduleJob(context(p), p.queue, 2)).toEqual({ queued: 5, abandoned: 0 });
      expect([...(await p.queue.pendingFeedIds())].sort((a, b) => a - b)).toEqual(
        feeds.map((f) => f.id).sort((a, b) => a - b),
      );
      expect(await scheduleJob(context(p), p.queue, 2)).toEqual({ queued: 0, abandoned: 0 });
      expect(p.farm.requests.size).toBe(0);
    });

    it('records a feed whose refresh attempts were spent (a database gone) and clears its job', async () => {
      const p = await openPlanet({ hosts: 1, feeds: 2, latencyMs: 0 });
      const feeds = await p.store.listFeeds();
      await p.queue.enqueueRefreshes(feeds, { perHostLimit: 2 });
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(
        `update "${p.queue.schema}"._private_jobs set attempts = max_attempts,
           last_error = 'store/postgres: connection terminated' where key = $1`,
        [`feed:${feeds[0]!.id}`],
      );
      await client.end();
      expect(await p.queue.abandonedRefreshes()).toHaveLength(1);
      // The tick records the failure, removes the job, and leaves the other feed's job queued.
      const tick = await scheduleJob(context(p), p.queue);
      expect(tick).toEqual({ queued: 0, abandoned: 1 });
      const stored = await p.store.getFeed(feeds[0]!.id);
      expect(stored?.errorCode).toBe('internal');
      expect(stored?.errorMessage).toMatch(
        /failed 5 times: store\/postgres: connection terminated/,
      );
      expect([...(await p.queue.pendingFeedIds())]).toEqual([feeds[1]!.id]);
      expect(p.farm.requests.size).toBe(0);
    });
  });
} else {
  describe.skip('workers on PostgreSQL (skipped: ORRERY_TEST_POSTGRES_URL is not set, no PostgreSQL server)', () => {
    it('runs the worker suite', () => {});
  });
}

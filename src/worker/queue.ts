/**
 * The job queue, on graphile-worker in the store's PostgreSQL database: the only module that
 * speaks to graphile-worker's tables. One PostgreSQL schema holds graphile-worker's tables and
 * Orrery's two: `orrery_workers` (one row per worker process, its heartbeat) and
 * `orrery_pass_results` (what each feed of an `orrery run` came to, read back by that run).
 *
 * Jobs:
 * - `orrery_refresh` {feed, pass?, force?}: one feed's update. Job key `feed:<id>`, so a feed is
 *   queued once; queue `host:<host>:<n>` with n below the per-host limit (hostQueues), and
 *   graphile-worker runs one job of a queue at a time over every worker: the per-host limit
 *   holds across them.
 * - `orrery_render`: the site build, key `render` (requests within its delay share one build),
 *   its own queue (one build at a time).
 * - `orrery_schedule`: enqueues the due feeds; graphile-worker's cron adds one a minute for the
 *   whole cluster, whichever workers are alive.
 */
import { hostname } from 'node:os';
import { type Job, Logger, makeWorkerUtils, type WorkerUtils } from 'graphile-worker';
import { OrreryError } from '../model/errors.js';
import { hostOf } from '../pipeline/refresh-all.js';

export const TASK = {
  refresh: 'orrery_refresh',
  render: 'orrery_render',
  schedule: 'orrery_schedule',
} as const;

/** A feed as the queue needs it. */
export interface FeedRef {
  id: number;
  url: string;
}

export interface RefreshPayload {
  feed: number;
  /** The `orrery run` that queued it and waits for its result. */
  pass?: string;
  /** Refresh even if the feed is not due (`--all`, `--feed`). */
  force?: boolean;
}

/** What a refresh came to, as the waiting run reads it (RefreshOutcome without the feed). */
export interface PassResult {
  feed: number;
  kind: 'ok' | 'not-modified' | 'failed';
  newEntries?: number;
  updatedEntries?: number;
  duplicates?: number;
  movedTo?: string;
  code?: string;
  message?: string;
}

/** A refresh job that will not run again (its attempts are spent). */
export interface AbandonedJob {
  id: string;
  feed: number;
  attempts: number;
  lastError: string | null;
  /**
   * false when a newer job took its key while it ran (graphile-worker then spends its
   * attempts): the feed's update is that newer job's.
   */
  keyed: boolean;
}

export interface QueueDepth {
  /** Refresh jobs ready to run now. */
  ready: number;
  /** Refresh jobs waiting for their retry time. */
  waiting: number;
  /** Refresh jobs a worker holds. */
  running: number;
  /** Refresh jobs whose attempts are spent (cleared by the next scheduler tick). */
  failed: number;
  /** A site build is queued or running. */
  renderQueued: boolean;
}

export interface WorkerSeen {
  id: string;
  host: string;
  pid: number;
  startedAt: string;
  seenAt: string;
  concurrency: number;
  done: number;
  failed: number;
}

export type QueueLog = (level: 'error' | 'warning' | 'info' | 'debug', message: string) => void;

export interface QueueOptions {
  /** The store's PostgreSQL database. */
  connectionString: string;
  /** The PostgreSQL schema of the queue. */
  schema: string;
  /** Connections for the queue's own use (default 4). */
  poolSize?: number;
  log?: QueueLog;
  /** Only look (`orrery status`): create and migrate nothing; openQueue gives undefined if absent. */
  inspectOnly?: boolean;
}

export interface Queue {
  readonly schema: string;
  readonly connectionString: string;
  readonly logger: Logger;
  enqueueRefreshes(
    feeds: readonly FeedRef[],
    options: { perHostLimit: number; pass?: string; force?: boolean },
  ): Promise<void>;
  /** Queue a site build in `delayMs`, unless one is already queued (it is not postponed). */
  requestRender(delayMs: number): Promise<void>;
  /** Queue a scheduler tick now (a worker starting need not wait for the next minute). */
  requestSchedule(): Promise<void>;
  /** Feeds with a refresh job that is queued, running or still to be retried. */
  pendingFeedIds(): Promise<Set<number>>;
  /** Of these feeds, those whose refresh job is still to run (queued, running or to retry). */
  stillQueued(feedIds: readonly number[]): Promise<Set<number>>;
  abandonedRefreshes(): Promise<AbandonedJob[]>;
  removeJobs(ids: readonly string[]): Promise<void>;
  depth(): Promise<QueueDepth>;
  /** Record a worker process as alive now. */
  heartbeat(worker: Omit<WorkerSeen, 'seenAt'>): Promise<void>;
  forgetWorker(id: string): Promise<void>;
  /** Workers seen within `withinMs`, newest first. */
  workers(withinMs: number): Promise<WorkerSeen[]>;
  /**
   * Workers not seen for `staleMs` are gone (killed, crashed, cut off): their jobs and queues are
   * unlocked for others to take, and their rows removed. Returns their ids.
   */
  reapDeadWorkers(staleMs: number): Promise<string[]>;
  recordResult(pass: string, result: PassResult): Promise<void>;
  /** The results of a pass recorded since the last call (removed as they are read). */
  takeResults(pass: string): Promise<PassResult[]>;
  /** Forget results no run came for (a run stopped half-way) after `olderThanMs`. */
  pruneResults(olderThanMs: number): Promise<number>;
  release(): Promise<void>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** Jobs per addJobs call: one SQL statement each, with arrays of this length. */
const ENQUEUE_CHUNK = 2000;
/** The job key and queue of the scheduler's tick (cron's and a starting worker's share them). */
export const SCHEDULE_KEY = 'schedule';
/** Attempts of a refresh job: it retries a broken database, not a failing feed (that is a value). */
export const REFRESH_ATTEMPTS = 5;

/** graphile-worker's log lines, through Orrery's. */
export function queueLogger(log: QueueLog | undefined): Logger {
  return new Logger(() => (level, message) => log?.(level, message));
}

/** Open the queue: graphile-worker's tables and Orrery's are created or migrated as needed. */
export async function openQueue(options: QueueOptions & { inspectOnly?: false }): Promise<Queue>;
export async function openQueue(options: QueueOptions): Promise<Queue | undefined>;
export async function openQueue(options: QueueOptions): Promise<Queue | undefined> {
  const { schema } = options;
  if (!SCHEMA_NAME.test(schema)) {
    throw new OrreryError(
      'store-bad-input',
      `worker: bad queue schema name ${JSON.stringify(schema)}`,
    );
  }
  const logger = queueLogger(options.log);
  const utils = await makeWorkerUtils({
    connectionString: options.connectionString,
    schema,
    maxPoolSize: options.poolSize ?? 4,
    logger,
  });
  try {
    if (options.inspectOnly) {
      const found = await utils.withPgClient((client) =>
        client.query('select 1 from pg_tables where schemaname = $1 and tablename = $2', [
          schema,
          'orrery_workers',
        ]),
      );
      if (!found.rowCount) {
        await utils.release();
        return undefined;
      }
    } else {
      await utils.migrate();
      await createOwnTables(utils, schema);
    }
  } catch (error) {
    await utils.release();
    throw error;
  }
  return queueOn(utils, options, logger);
}

async function createOwnTables(utils: WorkerUtils, schema: string): Promise<void> {
  await utils.withPgClient(async (client) => {
    await client.query('begin');
    try {
      // Several workers start at once: one creates the tables, the others wait and find them.
      await client.query('select pg_advisory_xact_lock(hashtext($1))', [`orrery-queue:${schema}`]);
      await client.query(`create table if not exists "${schema}".orrery_workers (
        id text primary key,
        host text not null,
        pid integer not null,
        started_at timestamptz not null,
        seen_at timestamptz not null,
        concurrency integer not null,
        done bigint not null default 0,
        failed bigint not null default 0)`);
      await client.query(`create table if not exists "${schema}".orrery_pass_results (
        pass text not null,
        feed_id bigint not null,
        result jsonb not null,
        at timestamptz not null default now())`);
      await client.query(
        `create index if not exists orrery_pass_results_pass on "${schema}".orrery_pass_results (pass)`,
      );
      // graphile-worker looks for work again when a job is added (NOTIFY) or every poll
      // interval, and a worker asks for its next job before the one it finished has unlocked its
      // queue: a host's next feed waited for some worker's poll. A freed queue now announces
      // itself the way a new job does, to every worker process (docs/decisions/schedule.md).
      await client.query(`create or replace function "${schema}".orrery_queue_freed()
        returns trigger language plpgsql as $$
        begin
          perform pg_notify('jobs:insert', '{"count":1}');
          return null;
        end $$`);
      const { rowCount } = await client.query(
        `select 1 from pg_trigger where tgname = 'orrery_queue_freed'
          and tgrelid = $1::regclass`,
        [`"${schema}"._private_job_queues`],
      );
      if (!rowCount) {
        await client.query(`create trigger orrery_queue_freed
          after update of locked_at on "${schema}"._private_job_queues
          for each row when (old.locked_at is not null and new.locked_at is null)
          execute function "${schema}".orrery_queue_freed()`);
      }
      await client.query('commit');
    } catch (error) {
      await client.query('rollback');
      throw error;
    }
  });
}

/**
 * The queue `host:<host>:<n>` of each feed, n in [0, perHostLimit): one job at a time per queue,
 * so perHostLimit per host over every worker. A host's feeds of one batch take the slots in
 * turn from a random one: two due feeds of a host run side by side, not one behind the other
 * (a slot fixed per feed put half the pairs in one lane), and a host's single feeds do not all
 * wait in slot 0.
 */
export function hostQueues(
  feeds: readonly FeedRef[],
  perHostLimit: number,
  random: () => number = Math.random,
): string[] {
  const slots = Math.max(1, Math.floor(perHostLimit));
  const next = new Map<string, number>();
  return feeds.map((feed) => {
    const host = hostOf(feed.url).slice(0, 200);
    const slot = next.get(host) ?? Math.floor(random() * slots);
    next.set(host, (slot + 1) % slots);
    return `host:${host}:${slot}`;
  });
}

function queueOn(utils: WorkerUtils, options: QueueOptions, logger: Logger): Queue {
  const { schema } = options;
  const q = `"${schema}"`;
  const query = <R extends object>(text: string, values: unknown[] = []) =>
    utils.withPgClient((client) => client.query<R & Record<string, unknown>>(text, values));
  const feedIdsOf = (rows: { key: string }[]) =>
    new Set(rows.map((r) => Number(r.key.slice('feed:'.length))));

  return {
    schema,
    connectionString: options.connectionString,
    logger,
    async enqueueRefreshes(feeds, opts) {
      const queues = hostQueues(feeds, opts.perHostLimit);
      for (let i = 0; i < feeds.length; i += ENQUEUE_CHUNK) {
        const specs = feeds.slice(i, i + ENQUEUE_CHUNK).map((feed, j) => ({
          identifier: TASK.refresh,
          payload: {
            feed: feed.id,
            ...(opts.pass ? { pass: opts.pass } : {}),
            ...(opts.force ? { force: true } : {}),
          } satisfies RefreshPayload,
          jobKey: `feed:${feed.id}`,
          queueName: queues[i + j] as string,
          maxAttempts: REFRESH_ATTEMPTS,
        }));
        await utils.addJobs(specs);
      }
    },
    async requestRender(delayMs) {
      // preserve_run_at: a request while one is queued does not postpone it.
      await utils.addJobs(
        [
          {
            identifier: TASK.render,
            payload: {},
            jobKey: 'render',
            queueName: 'render',
            runAt: new Date(Date.now() + delayMs),
            maxAttempts: 3,
          },
        ],
        true,
      );
    },
    async requestSchedule() {
      await utils.addJobs(
        [
          {
            identifier: TASK.schedule,
            payload: {},
            jobKey: SCHEDULE_KEY,
            // One tick at a time over the cluster.
            queueName: SCHEDULE_KEY,
            maxAttempts: 1,
          },
        ],
        true,
      );
    },
    async pendingFeedIds() {
      // One array of ids, not a row per job: a 100,000-feed pass has as many jobs queued.
      const { rows } = await query<{ ids: number[] | null }>(
        `select array_agg(substr(key, 6)::bigint) as ids from ${q}.jobs
          where key like 'feed:%' and (locked_at is not null or attempts < max_attempts)`,
      );
      return new Set((rows[0]?.ids ?? []).map(Number));
    },
    async stillQueued(feedIds) {
      const { rows } = await query<{ key: string }>(
        `select key from ${q}.jobs where key = any($1::text[]) and (locked_at is not null or attempts < max_attempts)`,
        [feedIds.map((id) => `feed:${id}`)],
      );
      return feedIdsOf(rows);
    },
    async abandonedRefreshes() {
      const { rows } = await query<{
        id: string;
        payload: RefreshPayload;
        attempts: number;
        last_error: string | null;
        keyed: boolean;
      }>(
        `select id, payload, attempts, last_error, key is not null as keyed from ${q}._private_jobs
          where locked_at is null and attempts >= max_attempts
            and task_id = (select id from ${q}._private_tasks where identifier = $1)`,
        [TASK.refresh],
      );
      return rows.map((r) => ({
        id: String(r.id),
        feed: Number(r.payload.feed),
        attempts: r.attempts,
        lastError: r.last_error,
        keyed: r.keyed,
      }));
    },
    async removeJobs(ids) {
      if (ids.length > 0) await utils.completeJobs([...ids]);
    },
    async depth() {
      const { rows } = await query<Record<string, string | number>>(
        `select
          count(*) filter (where task_identifier = $1 and locked_at is null and attempts < max_attempts and run_at <= now()) as ready,
          count(*) filter (where task_identifier = $1 and locked_at is null and attempts < max_attempts and run_at > now()) as waiting,
          count(*) filter (where task_identifier = $1 and locked_at is not null) as running,
          count(*) filter (where task_identifier = $1 and locked_at is null and attempts >= max_attempts) as failed,
          count(*) filter (where task_identifier = $2 and (locked_at is not null or attempts < max_attempts)) as render
        from ${q}.jobs`,
        [TASK.refresh, TASK.render],
      );
      const row = rows[0] ?? {};
      return {
        ready: Number(row.ready ?? 0),
        waiting: Number(row.waiting ?? 0),
        running: Number(row.running ?? 0),
        failed: Number(row.failed ?? 0),
        renderQueued: Number(row.render ?? 0) > 0,
      };
    },
    async heartbeat(w) {
      await query(
        `insert into ${q}.orrery_workers (id, host, pid, started_at, seen_at, concurrency, done, failed)
         values ($1, $2, $3, $4, now(), $5, $6, $7)
         on conflict (id) do update set seen_at = now(), done = excluded.done, failed = excluded.failed`,
        [w.id, w.host, w.pid, w.startedAt, w.concurrency, w.done, w.failed],
      );
    },
    async forgetWorker(id) {
      await query(`delete from ${q}.orrery_workers where id = $1`, [id]);
    },
    async workers(withinMs) {
      const { rows } = await query<{
        id: string;
        host: string;
        pid: number;
        started_at: Date;
        seen_at: Date;
        concurrency: number;
        done: string;
        failed: string;
      }>(
        `select * from ${q}.orrery_workers
          where seen_at > now() - make_interval(secs => $1::double precision / 1000)
          order by seen_at desc`,
        [withinMs],
      );
      return rows.map((r) => ({
        id: r.id,
        host: r.host,
        pid: r.pid,
        startedAt: r.started_at.toISOString(),
        seenAt: r.seen_at.toISOString(),
        concurrency: r.concurrency,
        done: Number(r.done),
        failed: Number(r.failed),
      }));
    },
    async reapDeadWorkers(staleMs) {
      const { rows } = await query<{ id: string }>(
        `delete from ${q}.orrery_workers
          where seen_at < now() - make_interval(secs => $1::double precision / 1000)
          returning id`,
        [staleMs],
      );
      const ids = rows.map((r) => r.id);
      if (ids.length > 0) await utils.forceUnlockWorkers(ids);
      return ids;
    },
    async recordResult(pass, result) {
      await query(
        `insert into ${q}.orrery_pass_results (pass, feed_id, result) values ($1, $2, $3)`,
        [pass, result.feed, JSON.stringify(result)],
      );
    },
    async takeResults(pass) {
      const { rows } = await query<{ result: PassResult }>(
        `delete from ${q}.orrery_pass_results where pass = $1 returning result`,
        [pass],
      );
      return rows.map((r) => r.result);
    },
    async pruneResults(olderThanMs) {
      const { rowCount } = await query(
        `delete from ${q}.orrery_pass_results
          where at < now() - make_interval(secs => $1::double precision / 1000)`,
        [olderThanMs],
      );
      return rowCount ?? 0;
    },
    release: async () => {
      await utils.release();
    },
  };
}

/** This process, as a worker row describes it. */
export function thisProcess(): Pick<WorkerSeen, 'host' | 'pid'> {
  return { host: hostname(), pid: process.pid };
}

export type { Job };

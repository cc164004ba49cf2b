/**
 * worker: take the planet's jobs from the PostgreSQL queue until SIGTERM; and the queue wiring
 * of `orrery run`/`fetch` on PostgreSQL. Loaded only for PostgreSQL planets: a SQLite run never
 * loads graphile-worker.
 */
import { stat } from 'node:fs/promises';
import type { OrreryConfig } from '../../config/schema.js';
import { errorMessage } from '../../model/errors.js';
import type { Subscription } from '../../model/subscription.js';
import type { Refresher } from '../../pipeline/planet-pass.js';
import { refreshSettingsLookup } from '../../pipeline/planet-pass.js';
import type { Store } from '../../store/store.js';
import type { JobContext } from '../../worker/jobs.js';
import { openQueue, type Queue, type QueueLog } from '../../worker/queue.js';
import { createQueueRefresher } from '../../worker/queue-refresher.js';
import { startWorker, type WorkerTask } from '../../worker/worker.js';
import {
  type CliDeps,
  createFetcher,
  type GlobalOptions,
  loadPlanet,
  openStore,
  postgresLocation,
  VERSION,
} from '../context.js';
import { CliError, EXIT, type ExitCode } from '../exit-codes.js';
import type { Reporter } from '../reporter.js';
import { buildInto } from './run.js';
import { ago } from './status.js';

export interface WorkerCommandOptions extends GlobalOptions {
  concurrency?: string;
  /** --no-render: leave site builds to other workers (commander sets render: false). */
  render?: boolean;
  /** --no-schedule: take jobs but never queue due feeds. */
  schedule?: boolean;
  /** Seconds between heartbeats (a worker silent for HEARTBEATS_TO_DEATH of them is dead). */
  heartbeat?: string;
}

/** Heartbeats a worker may miss before the others take its jobs. */
const HEARTBEATS_TO_DEATH = 6;

/** The queue of a PostgreSQL planet; a usage error on SQLite. */
async function queueOf(config: OrreryConfig, deps: CliDeps, what: string): Promise<Queue> {
  const location = postgresLocation(config);
  if (!location) {
    throw new CliError(
      `${what} needs a PostgreSQL store (workers share their jobs through it): set ORRERY_DATABASE_URL or [store] url in ${config.configPath}`,
      EXIT.usage,
    );
  }
  return openQueue({
    connectionString: location.connectionString,
    schema: location.queueSchema,
    log: queueLog(deps.reporter),
  });
}

/** graphile-worker's own lines: its warnings and errors are shown, the rest with --verbose. */
function queueLog(reporter: Reporter): QueueLog {
  return (level, message) => {
    // Its advice to give each job a connection: jobs only take and return theirs through it
    // (the feed's work uses the store's pool), so fewer serve and spare the server's slots.
    if (message.includes('smaller than concurrency')) reporter.debug(`queue: ${message}`);
    else if (level === 'error' || level === 'warning') reporter.warn(`queue: ${message}`);
    else reporter.debug(`queue: ${message}`);
  };
}

function jobLog(reporter: Reporter): JobContext['log'] {
  return (level, line) => {
    if (level === 'warn') reporter.warn(line);
    else if (level === 'info') reporter.info(line);
    else reporter.debug(line);
  };
}

/** `orrery run`/`fetch` on PostgreSQL: the pass queues its feeds and waits for them. */
export async function queueRefresherFor(
  config: OrreryConfig,
  deps: CliDeps,
): Promise<{ refresh: Refresher; close: () => Promise<void> }> {
  const queue = await queueOf(config, deps, 'a run through the queue');
  const refresh = createQueueRefresher({
    queue,
    log: jobLog(deps.reporter),
    onWorkers: (workers) => {
      if (workers > 0) {
        deps.reporter.info(
          `${workers} worker${workers === 1 ? ' is' : 's are'} running on this store: the feeds are queued for them (each feed is fetched once)`,
        );
      }
    },
  });
  return { refresh, close: () => queue.release() };
}

export async function runWorker(options: WorkerCommandOptions, deps: CliDeps): Promise<ExitCode> {
  let config = await loadPlanet(options, deps);
  const concurrency = parseConcurrency(options.concurrency, config.fetch.concurrency);
  const heartbeatMs = parseSeconds(options.heartbeat, 10) * 1000;
  const queue = await queueOf(config, deps, 'orrery worker');
  let store: Store | undefined;
  const fetcher = createFetcher(config.fetch, deps);
  try {
    store = await openStore(config);
    const openedStore = store;
    let lookup = refreshSettingsLookup(config.feeds);
    // The subscriptions are kept only until the first sync: between syncs the worker needs
    // those with settings of their own (lookup), and the rest of the config (site, fetch)
    // (docs/decisions/schedule.md).
    let subscriptions: readonly Subscription[] | undefined = config.feeds;
    config = { ...config, feeds: [] };
    let configTime = -1;
    // Each scheduler tick syncs the subscriptions of a config that changed since (the first
    // tick of a process always does): `orrery add` reaches every worker within a minute.
    const beforeSchedule = async () => {
      const mtime = (await stat(config.configPath)).mtimeMs;
      if (mtime === configTime) return;
      if (configTime >= 0 || !subscriptions) {
        const loaded = await loadPlanet(options, deps);
        subscriptions = loaded.feeds;
        config = { ...loaded, feeds: [] };
      }
      configTime = mtime;
      lookup = refreshSettingsLookup(subscriptions);
      await openedStore.syncSubscriptions(subscriptions, deps.now().toISOString());
      subscriptions = undefined;
    };
    const tasks: WorkerTask[] = ['refresh'];
    if (options.render !== false) tasks.push('render');
    if (options.schedule !== false) tasks.push('schedule');
    // A worker that never schedules never syncs: its subscriptions can go now.
    if (!tasks.includes('schedule')) subscriptions = undefined;
    const worker = await startWorker(
      {
        store,
        fetcher,
        settings: config.fetch,
        now: deps.now,
        readerId: `orrery ${VERSION}`,
        subscriptionFor: (feed) => lookup(feed),
        log: jobLog(deps.reporter),
        beforeSchedule,
        ...(tasks.includes('render')
          ? { publish: () => buildInto(openedStore, config, deps) }
          : {}),
      },
      {
        queue,
        concurrency,
        tasks,
        heartbeatMs,
        staleMs: heartbeatMs * HEARTBEATS_TO_DEATH,
        onRefresh: (result) => {
          if (result.kind === 'failed') {
            deps.reporter.debug(`${result.feed.url}: ${result.code}: ${result.message}`);
          } else if (result.kind !== 'skipped') {
            deps.reporter.debug(`${result.feed.url}: ${result.kind}`);
          }
        },
      },
    );
    deps.reporter.info(
      `worker ${worker.id} (pid ${process.pid}) takes ${tasks.join(', ')} jobs, ${concurrency} at a time, from queue ${queue.schema}; SIGTERM stops it`,
    );
    await untilSignal(deps.reporter);
    await worker.stop();
    deps.reporter.info(
      `worker ${worker.id} stopped: ${worker.stats.done} jobs done, ${worker.stats.failed} failed`,
    );
    return EXIT.ok;
  } finally {
    await fetcher.close();
    await store?.close().catch((error: unknown) => deps.reporter.warn(errorMessage(error)));
    await queue.release();
  }
}

function parseConcurrency(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) {
    throw new CliError(`--concurrency must be a whole number from 1 to 1000, not '${value}'`);
  }
  return n;
}

function parseSeconds(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0.1 || n > 3600) {
    throw new CliError(`--heartbeat must be a number of seconds from 0.1 to 3600, not '${value}'`);
  }
  return n;
}

/**
 * Resolves on the first SIGTERM or SIGINT: running jobs finish (each within its feed's time
 * budget) before the worker exits 0. A second signal exits at once: its jobs go to other
 * workers once this one is missed.
 */
function untilSignal(reporter: Reporter): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (name: NodeJS.Signals) => {
      if (stopping) process.exit(EXIT.interrupted);
      stopping = true;
      reporter.info(`${name}: finishing the running jobs (again to quit at once)`);
      resolve();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

/** What `orrery status` shows of a PostgreSQL planet's queue: its depth and the workers seen. */
export async function describeQueue(config: OrreryConfig, deps: CliDeps): Promise<string[]> {
  const location = postgresLocation(config);
  if (!location) return [];
  const queue = await openQueue({
    connectionString: location.connectionString,
    schema: location.queueSchema,
    log: queueLog(deps.reporter),
    inspectOnly: true,
  });
  if (!queue) return ['queue: none yet (no worker and no run on PostgreSQL has used this store)'];
  try {
    const depth = await queue.depth();
    const workers = await queue.workers(60_000);
    const now = deps.now().getTime();
    return [
      `queue: ${depth.ready} feeds ready, ${depth.running} running, ${depth.waiting} waiting to retry, ${depth.failed} given up${depth.renderQueued ? '; a site build is queued' : ''}`,
      `workers: ${workers.length} seen in the last minute`,
      ...workers.map(
        (w) =>
          `  ${w.host} pid ${w.pid}: ${w.concurrency} at a time, ${w.done} jobs done, ${w.failed} failed, seen ${ago(now - Date.parse(w.seenAt))} ago, up ${ago(now - Date.parse(w.startedAt))}`,
      ),
    ];
  } finally {
    await queue.release();
  }
}

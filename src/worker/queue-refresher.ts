/**
 * How `orrery run` and `fetch` refresh on PostgreSQL: through the queue, like the workers, so a
 * run and running workers never fetch one feed twice at once (one job per feed, by its key). The
 * run queues its feeds, waits for each one's result, and works the queue itself while no worker
 * is alive (a run with no worker behaves as on SQLite). A planet pass (pipeline/planet-pass.ts)
 * takes it as its refresher: the rest of the run is the same flow as on SQLite.
 */
import { randomUUID } from 'node:crypto';
import type { StoredFeed } from '../model/stored.js';
import type { Refresher } from '../pipeline/planet-pass.js';
import { summarize } from '../pipeline/refresh-all.js';
import type { RefreshOutcome } from '../pipeline/refresh-feed.js';
import { fromPassResult, type JobContext } from './jobs.js';
import type { PassResult, Queue } from './queue.js';
import { type RunningWorker, startWorker } from './worker.js';

export interface QueueRefresherOptions {
  queue: Queue;
  log: JobContext['log'];
  /** How often the run looks for results (default 250 ms). */
  pollMs?: number;
  /** Workers seen within this are alive (default 60 s, as workers reap each other). */
  staleMs?: number;
  /** Called once the run knows who does the work. */
  onWorkers?: (workers: number) => void;
}

const DEFAULT_POLL_MS = 250;
const DEFAULT_STALE_MS = 60_000;
/** Polls between the checks for jobs that ended without a result, and for live workers. */
const CHECK_EVERY = 8;

/** A pass's refresher that queues the feeds and waits for them. */
export function createQueueRefresher(options: QueueRefresherOptions): Refresher {
  const { queue } = options;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  return async (feeds, deps, refreshOptions) => {
    const started = deps.now().getTime();
    const pass = randomUUID();
    const byId = new Map(feeds.map((f) => [f.id, f]));
    const outcomes = new Map<number, RefreshOutcome>();
    const settle = (feed: StoredFeed, outcome: RefreshOutcome) => {
      if (outcomes.has(feed.id)) return;
      outcomes.set(feed.id, outcome);
      refreshOptions.onSettled?.(outcome);
    };
    const take = async () => {
      for (const result of await queue.takeResults(pass)) {
        const feed = byId.get(result.feed);
        if (feed) settle(feed, fromPassResult(feed, result));
      }
    };

    const ctx: JobContext = {
      ...deps,
      subscriptionFor: refreshOptions.subscriptionFor,
      log: options.log,
    };
    let local: RunningWorker | undefined;
    /** Work the queue here while no worker is alive. */
    const ensureWorker = async () => {
      if (local) return;
      const alive = (await queue.workers(staleMs)).length;
      if (alive > 0) return alive;
      local = await startWorker(ctx, {
        queue,
        concurrency: refreshOptions.concurrency,
        tasks: ['refresh'],
        staleMs,
      });
      return 0;
    };

    await queue.enqueueRefreshes(feeds, {
      perHostLimit: refreshOptions.perHostLimit,
      pass,
      ...(refreshOptions.force ? { force: true } : {}),
    });
    try {
      options.onWorkers?.((await ensureWorker()) ?? 0);
      for (let poll = 1; outcomes.size < feeds.length; poll++) {
        refreshOptions.signal?.throwIfAborted();
        await take();
        if (outcomes.size >= feeds.length) break;
        if (poll % CHECK_EVERY === 0) {
          await settleLost(feeds, outcomes, queue, take, settle);
          await ensureWorker();
        }
        await sleep(pollMs, refreshOptions.signal);
      }
    } finally {
      await local?.stop();
    }
    const ordered = feeds.map((f) => outcomes.get(f.id) as RefreshOutcome);
    return summarize(ordered, deps.now().getTime() - started);
  };
}

/**
 * A feed whose job is gone without a result: its attempts were spent on a broken database
 * (the scheduler records the failure on the feed), or someone removed it.
 */
async function settleLost(
  feeds: readonly StoredFeed[],
  outcomes: ReadonlyMap<number, RefreshOutcome>,
  queue: Queue,
  take: () => Promise<void>,
  settle: (feed: StoredFeed, outcome: RefreshOutcome) => void,
): Promise<void> {
  const missing = feeds.filter((f) => !outcomes.has(f.id));
  const queued = await queue.stillQueued(missing.map((f) => f.id));
  // A job records its result before it leaves the queue: read once more before calling it lost.
  await take();
  for (const feed of missing) {
    if (queued.has(feed.id) || outcomes.has(feed.id)) continue;
    const result: PassResult = {
      feed: feed.id,
      kind: 'failed',
      code: 'internal',
      message: 'its job left the queue without a result (its attempts were spent)',
    };
    settle(feed, fromPassResult(feed, result));
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

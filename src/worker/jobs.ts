/**
 * What the queue's jobs do (queue.ts names them). Each handler is safe to run twice and safe to
 * run after a worker died half-way: a refresh skips a feed that is no longer due (another worker
 * did it), and a feed's update is one transaction, so a retried job stores nothing twice.
 */
import type { StoredFeed } from '../model/stored.js';
import type { Subscription } from '../model/subscription.js';
import { nothingChanged, perFeedBudgetMs } from '../pipeline/planet-pass.js';
import { summarize } from '../pipeline/refresh-all.js';
import {
  type RefreshDeps,
  type RefreshOutcome,
  recordFailure,
  refreshFeed,
} from '../pipeline/refresh-feed.js';
import { runQueue } from '../schedule/run-queue.js';
import type { DueFeedCursor, Store } from '../store/store.js';
import type { PassResult, Queue, RefreshPayload } from './queue.js';

/** Everything a worker's jobs need: the pipeline's deps, the config's view, the site build. */
export interface JobContext extends Omit<RefreshDeps, 'store'> {
  store: Store;
  subscriptionFor: (feed: StoredFeed) => Subscription | undefined;
  /** Builds and publishes the site; absent in a process that does not render. */
  publish?: () => Promise<void>;
  /** Called before each scheduler tick (e.g. to reload a changed config and sync it). */
  beforeSchedule?: () => Promise<void>;
  log: (level: 'info' | 'warn' | 'debug', line: string) => void;
}

/** A job's own record, from graphile-worker. */
export interface JobInfo {
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
}

/**
 * Attempts after which a refresh that never ended (its worker was killed or hung, so no error
 * was recorded) is given up: the feed fails alone with the usual back-off instead of taking
 * down a third worker.
 */
export const POISON_ATTEMPTS = 3;
/** Results of a run that stopped before reading them are dropped after a day. */
const RESULTS_KEPT_MS = 24 * 3600_000;
/** Due feeds a scheduler tick reads and queues at a time. */
export const SCHEDULE_PAGE = 2000;
/** A site build waits this long after the first change, so a busy minute makes one build. */
export const RENDER_DELAY_MS = 10_000;

/** What happened to one refresh job. */
export type RefreshJobResult = { kind: 'skipped'; reason: string } | RefreshOutcome;

/** Refresh one feed, unless another worker already did; record the result for a waiting run. */
export async function refreshJob(
  payload: RefreshPayload,
  job: JobInfo,
  ctx: JobContext,
  queue: Queue,
): Promise<RefreshJobResult> {
  const result = await refreshOrSkip(payload, job, ctx);
  if (payload.pass) {
    await queue.recordResult(payload.pass, toPassResult(payload.feed, result));
  } else if (result.kind !== 'skipped' && changedSite(result)) {
    // A run that queued the feed builds the site itself; the scheduler's feeds ask for a build.
    await queue.requestRender(RENDER_DELAY_MS);
  }
  return result;
}

async function refreshOrSkip(
  payload: RefreshPayload,
  job: JobInfo,
  ctx: JobContext,
): Promise<RefreshJobResult> {
  const feed = await ctx.store.getFeed(payload.feed);
  if (!feed?.active || feed.retired) {
    return { kind: 'skipped', reason: 'no longer subscribed' };
  }
  const now = ctx.now().getTime();
  if (!payload.force && feed.nextDueAt !== undefined && Date.parse(feed.nextDueAt) > now) {
    return { kind: 'skipped', reason: `not due before ${feed.nextDueAt}` };
  }
  const subscription = ctx.subscriptionFor(feed);
  if (job.attempts >= POISON_ATTEMPTS && job.lastError === null) {
    const died = job.attempts - 1;
    return recordFailure(
      feed,
      subscription,
      ctx,
      'internal',
      `a worker stopped dead on this feed ${died} times (killed, crashed or hung); it is backed off`,
    );
  }
  return refreshWithinBudget(feed, subscription, ctx);
}

/**
 * refreshFeed within the feed's whole time budget: a feed that hangs (a parser that never
 * returns, a store call that never settles) is abandoned after it and recorded as a timeout
 * with back-off, so it frees its slot and is not queued again at the next tick.
 */
async function refreshWithinBudget(
  feed: StoredFeed,
  subscription: Subscription | undefined,
  ctx: JobContext,
): Promise<RefreshOutcome> {
  const budget = perFeedBudgetMs(ctx.settings);
  const TIMED_OUT = null;
  const [outcome] = await runQueue(
    [feed],
    (f, signal) => refreshFeed(f, subscription, ctx, signal),
    {
      concurrency: 1,
      perHostLimit: 1,
      hostOf: () => '',
      perItemTimeoutMs: budget,
      onTimeout: () => TIMED_OUT,
    },
  );
  if (outcome) return outcome;
  return recordFailure(
    feed,
    subscription,
    ctx,
    'timeout',
    `gave up after ${Math.round(budget / 1000)} s (the feed's whole time budget)`,
  );
}

function changedSite(outcome: RefreshOutcome): boolean {
  return !nothingChanged({ ...summarize([outcome], 0), configChanged: false });
}

export function toPassResult(feed: number, result: RefreshJobResult): PassResult {
  switch (result.kind) {
    case 'skipped':
      // Another worker refreshed it just before: no news for this run.
      return { feed, kind: 'not-modified' };
    case 'not-modified':
      return { feed, kind: 'not-modified', ...(result.movedTo ? { movedTo: result.movedTo } : {}) };
    case 'ok':
      return {
        feed,
        kind: 'ok',
        newEntries: result.newEntries,
        updatedEntries: result.updatedEntries,
        duplicates: result.duplicates,
        ...(result.movedTo ? { movedTo: result.movedTo } : {}),
      };
    case 'failed':
      return { feed, kind: 'failed', code: result.code, message: result.message };
  }
}

/** The outcome a run reports for a feed, from the result a job recorded. */
export function fromPassResult(feed: StoredFeed, result: PassResult): RefreshOutcome {
  const moved = result.movedTo ? { movedTo: result.movedTo } : {};
  if (result.kind === 'ok') {
    return {
      kind: 'ok',
      feed,
      newEntries: result.newEntries ?? 0,
      updatedEntries: result.updatedEntries ?? 0,
      duplicates: result.duplicates ?? 0,
      warnings: [],
      ...moved,
    };
  }
  if (result.kind === 'not-modified') return { kind: 'not-modified', feed, ...moved };
  return {
    kind: 'failed',
    feed,
    code: (result.code ?? 'internal') as Extract<RefreshOutcome, { kind: 'failed' }>['code'],
    message: result.message ?? '',
  };
}

/** Build and publish the site (the coalesced render job). */
export async function renderJob(ctx: JobContext): Promise<void> {
  if (!ctx.publish) return;
  await ctx.publish();
}

/**
 * One scheduler tick: give up on refresh jobs whose attempts are spent (the feed fails alone,
 * backed off), then queue every due feed that has no job yet.
 */
export async function scheduleJob(
  ctx: JobContext,
  queue: Queue,
  pageSize = SCHEDULE_PAGE,
): Promise<{ queued: number; abandoned: number }> {
  await ctx.beforeSchedule?.();
  const abandoned = await settleAbandoned(ctx, queue);
  await queue.pruneResults(RESULTS_KEPT_MS);
  const now = ctx.now().toISOString();
  // The jobs first, then the due feeds: a job that ends in between has made its feed not due,
  // where the other order would queue that feed again.
  const pending = await queue.pendingFeedIds();
  let queued = 0;
  let after: DueFeedCursor | undefined;
  // A page at a time, so the worker running a tick never holds every due feed of a large
  // planet (docs/decisions/schedule.md).
  do {
    const page = await ctx.store.dueFeedRefPage(now, pageSize, after);
    if (page.refs.length > 0) {
      const todo = page.refs.filter((f) => !pending.has(f.id));
      await queue.enqueueRefreshes(todo, { perHostLimit: ctx.settings.perHostLimit });
      queued += todo.length;
    }
    after = page.next;
  } while (after);
  if (queued > 0) ctx.log('debug', `scheduler: ${queued} due feeds queued`);
  return { queued, abandoned };
}

async function settleAbandoned(ctx: JobContext, queue: Queue): Promise<number> {
  const jobs = await queue.abandonedRefreshes();
  for (const job of jobs) {
    const feed = job.keyed ? await ctx.store.getFeed(job.feed) : undefined;
    if (feed?.active && !feed.retired) {
      const message = `its refresh failed ${job.attempts} times: ${job.lastError ?? 'the worker stopped dead'}`;
      ctx.log('warn', `${feed.url}: ${message}`);
      await recordFailure(feed, ctx.subscriptionFor(feed), ctx, 'internal', message);
    }
  }
  await queue.removeJobs(jobs.map((j) => j.id));
  return jobs.length;
}

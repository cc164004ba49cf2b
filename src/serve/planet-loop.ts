/**
 * `orrery serve`'s planet loop: the same pass as `orrery run` (pipeline/planet-pass: sync the
 * config, pick the due feeds, refresh them with the scheduler's concurrency, per-host limit and
 * per-feed budgets), run again and again. Between passes it sleeps until the next feed is due (at
 * most `maxSleepMs`), or until woken: a feed to refresh now, a config change. Feeds pushed by a
 * WebSub hub are polled only as a safety net (`pushedPollMinutes`, daily by default).
 */
import type { OrreryConfig } from '../config/schema.js';
import { errorMessage } from '../model/errors.js';
import type { Fetcher } from '../model/fetch.js';
import type { StoredFeed } from '../model/stored.js';
import type { Subscription } from '../model/subscription.js';
import { fetchPass, type PassReport } from '../pipeline/planet-pass.js';
import type { RefreshOutcome } from '../pipeline/refresh-feed.js';
import type { Store } from '../store/store.js';
import type { Logger } from './logger.js';

export interface PlanetLoopDeps {
  store: Store;
  fetcher: Fetcher;
  /** The config in force (it may be reloaded between passes). */
  config: () => OrreryConfig;
  /** Reload planet.toml if it changed on disk (called before each pass). */
  reloadConfig: () => Promise<void>;
  now: () => Date;
  readerId: string;
  log: Logger;
  /** Feeds a hub pushes: polled at most every `pushedPollMinutes`. */
  pushedFeedIds: () => Promise<Set<number>>;
  onStart?: (feeds: readonly StoredFeed[]) => void;
  onOutcome: (outcome: RefreshOutcome) => void;
  onPass: (pass: PassReport) => void;
}

export interface PlanetLoopOptions {
  /** Longest sleep between passes (default 60 s): config changes are noticed at least this often. */
  maxSleepMs?: number;
  /** Polling interval of a pushed feed (default 1440: daily). */
  pushedPollMinutes?: number;
}

export class PlanetLoop {
  private stopping = false;
  private readonly wanted = new Set<string>();
  private wakeUp: (() => void) | undefined;
  /** wake() came while no sleep was going on: the next sleep ends at once. */
  private woken = false;
  private controller: AbortController | undefined;
  private running: Promise<void> | undefined;
  /** False while the store is failing (the health check reports it). */
  healthy = true;
  lastPassAt: Date | undefined;

  constructor(
    private readonly deps: PlanetLoopDeps,
    private readonly options: PlanetLoopOptions = {},
  ) {}

  start(): void {
    this.running ??= this.loop();
  }

  /** Fetch this feed (URL or name) at the next pass, which starts now if the loop sleeps. */
  refresh(feed: string): void {
    this.wanted.add(feed);
    this.wake();
  }

  /** End the current sleep (a config change, a feed to refresh). */
  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.woken = true;
  }

  /**
   * Stop: no new pass; the current one may finish its feeds for `graceMs`, then its fetches are
   * aborted (those feeds are recorded as timed out and retried on the next start).
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    this.wake();
    const running = this.running;
    if (!running) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), graceMs);
    });
    if ((await Promise.race([running, late])) === 'late')
      this.controller?.abort(new Error('orrery serve is stopping'));
    clearTimeout(timer);
    await running;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.deps.reloadConfig();
        const wanted = [...this.wanted];
        this.wanted.clear();
        if (wanted.length > 0) for (const feed of wanted) await this.pass(feed);
        else await this.pass(undefined);
        this.healthy = true;
      } catch (error) {
        if (this.stopping) break;
        // refreshAll throws only when the store breaks: say so, report unhealthy, try again.
        this.healthy = false;
        this.deps.log.error({ err: errorMessage(error) }, 'pass failed; trying again in 5 s');
        await this.sleep(5_000);
        continue;
      }
      if (!this.stopping && this.wanted.size === 0) await this.sleep(await this.untilNextDue());
    }
  }

  private async pass(feed: string | undefined): Promise<void> {
    const config = this.deps.config();
    this.controller = new AbortController();
    const pass = await fetchPass(
      {
        store: this.deps.store,
        fetcher: this.deps.fetcher,
        subscriptions: await this.pollingSubscriptions(config),
        settings: config.fetch,
        now: this.deps.now,
        readerId: this.deps.readerId,
      },
      {
        ...(feed !== undefined ? { feed } : {}),
        signal: this.controller.signal,
        onStart: (feeds) => this.deps.onStart?.(feeds),
        onSettled: (outcome) => this.deps.onOutcome(outcome),
      },
    );
    this.lastPassAt = this.deps.now();
    if (pass.unknownFeed !== undefined) {
      this.deps.log.warn({ feed: pass.unknownFeed }, 'no subscribed feed with that URL or name');
    }
    this.deps.onPass(pass);
  }

  /** The config's subscriptions, the pushed ones with their safety-net interval. */
  private async pollingSubscriptions(config: OrreryConfig): Promise<Subscription[]> {
    const pushed = await this.deps.pushedFeedIds();
    if (pushed.size === 0) return config.feeds;
    const minutes = this.options.pushedPollMinutes ?? 1440;
    const urls = new Set<string>();
    for (const feed of await this.deps.store.listFeeds()) {
      if (pushed.has(feed.id)) for (const url of [feed.url, ...feed.previousUrls]) urls.add(url);
    }
    return config.feeds.map((sub) => {
      if (!urls.has(sub.url)) return sub;
      const interval = Math.max(
        sub.overrides?.intervalMinutes ?? config.fetch.intervalMinutes,
        minutes,
      );
      return { ...sub, overrides: { ...sub.overrides, intervalMinutes: interval } };
    });
  }

  private async untilNextDue(): Promise<number> {
    const max = this.options.maxSleepMs ?? 60_000;
    const now = this.deps.now().getTime();
    let next = now + max;
    for (const feed of await this.deps.store.listFeeds()) {
      if (!feed.active || feed.retired) continue;
      next = Math.min(next, feed.nextDueAt ? Date.parse(feed.nextDueAt) : now);
    }
    // A little slack: feeds that fall due together are fetched in one pass.
    return Math.min(max, Math.max(250, next - now + 100));
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = undefined;
        done();
      };
    });
  }
}

/**
 * `orrery serve` assembled: the planet loop polling due feeds, the coalesced publish after each
 * burst of changes (build, then ping the configured hub), the live river, the WebSub subscriber
 * (with a public URL), the admin API (with a token), the HTTP server, and an orderly stop.
 * The CLI hands in what it opened (config, locked store, fetcher, logger); this wires the rest.
 */
import { existsSync, type FSWatcher, watch } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname } from 'node:path';
import type { OrreryConfig } from '../config/schema.js';
import { errorMessage } from '../model/errors.js';
import type { Fetcher } from '../model/fetch.js';
import { addFeed } from '../pipeline/add-feed.js';
import { nothingChanged, subscriptionLookup } from '../pipeline/planet-pass.js';
import { storePushedDocument } from '../pipeline/push-document.js';
import { recordMovesInConfig } from '../pipeline/record-moves.js';
import { summarize } from '../pipeline/refresh-all.js';
import type { RefreshOutcome } from '../pipeline/refresh-feed.js';
import { DEFAULT_QUIET_DAYS, feedStatus } from '../render/site-model.js';
import { type Store, WEBSUB_STATES } from '../store/store.js';
import { adminApi } from './admin-api.js';
import { createApp } from './app.js';
import { Coalescer } from './coalescer.js';
import { LiveRiver } from './live-river.js';
import type { Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { notFoundPage } from './not-found-page.js';
import { PlanetLoop } from './planet-loop.js';
import { createStaticSite } from './static-site.js';
import { createHubClient, type HubClient } from './websub/hub-client.js';
import { recordLinkHeaders } from './websub/link-header.js';
import { changedFeedUrls, pingHub } from './websub/publisher.js';
import { createSubscriber, type Subscriber } from './websub/subscriber.js';

export interface PlanetServerOptions {
  config: OrreryConfig;
  /** Reads planet.toml again (throws a ConfigError when it is broken). */
  loadConfig: () => Promise<OrreryConfig>;
  /** The store, its run lock held by the caller (who closes it after close()). It keeps the
   * WebSub subscriptions too, so a restart goes on with them. */
  store: Store;
  /** Closed by close(). */
  fetcher: Fetcher;
  host: string;
  port: number;
  /** The address the world reaches this server at: WebSub callbacks live under it. */
  publicUrl?: string;
  /** Turns the admin API on. */
  adminToken?: string;
  log: Logger;
  now: () => Date;
  version: string;
  hubClient?: HubClient;
  /** Timings; the defaults suit a real planet, tests shorten them. */
  timings?: Partial<ServeTimings>;
}

export interface ServeTimings {
  /** Publish this long after the last change… */
  publishQuietMs: number;
  /** …or this long after the first change of a burst that never goes quiet. */
  publishMaxWaitMs: number;
  /** Longest sleep of the planet loop between passes. */
  maxSleepMs: number;
  /** How often WebSub leases and pending requests are checked. */
  websubTickMs: number;
  /** A hub that has not verified a request after this long has failed. */
  verifyTimeoutMs: number;
  /** Polling interval of a pushed feed (minutes). */
  pushedPollMinutes: number;
  heartbeatMs: number;
  /** How long in-flight fetches may finish at shutdown. */
  stopGraceMs: number;
}

const TIMINGS: ServeTimings = {
  publishQuietMs: 1000,
  publishMaxWaitMs: 10_000,
  maxSleepMs: 60_000,
  websubTickMs: 30_000,
  verifyTimeoutMs: 600_000,
  pushedPollMinutes: 1440,
  heartbeatMs: 25_000,
  stopGraceMs: 10_000,
};

export interface PlanetServer {
  /** e.g. http://127.0.0.1:8080/ */
  url: string;
  port: number;
  metrics: Metrics;
  loop: PlanetLoop;
  live: LiveRiver;
  subscriber?: Subscriber;
  /** Resolves when no publish is running. */
  published(): Promise<void>;
  /** End every live stream; the pages reconnect and catch up (Last-Event-ID). */
  closeLiveStreams(): Promise<void>;
  /** Stop accepting, end live streams, let fetches finish (bounded), stop. Idempotent. */
  close(): Promise<void>;
}

/** True when an outcome changed what the site shows (see planet-pass nothingChanged). */
function changed(outcome: RefreshOutcome): boolean {
  return !nothingChanged({ ...summarize([outcome], 0), configChanged: false });
}

export async function startPlanetServer(options: PlanetServerOptions): Promise<PlanetServer> {
  const t = { ...TIMINGS, ...options.timings };
  const { store, log, now } = options;
  let config = options.config;

  const metrics = createMetrics({
    feedsByState: async () => {
      const counts: Record<string, number> = {};
      const posts = new Map((await store.feedPostStats()).map((p) => [p.feedId, p]));
      for (const feed of await store.listFeeds({ includeInactive: true })) {
        const state = feedStatus(feed, posts.get(feed.id), now(), DEFAULT_QUIET_DAYS);
        counts[state] = (counts[state] ?? 0) + 1;
      }
      return counts;
    },
    websubByState: () => webSubCounts(store),
  });

  // The fetcher, timed for the metrics and recording each feed's Link header (WebSub §4).
  const fetcher = recordLinkHeaders(
    {
      fetch: async (url, validators, signal) => {
        const end = metrics.fetchSeconds.startTimer();
        try {
          return await options.fetcher.fetch(url, validators, signal);
        } finally {
          end();
        }
      },
      close: () => options.fetcher.close(),
    },
    store,
    (url, error) =>
      log.warn({ feed: url, err: errorMessage(error) }, 'websub: Link header not recorded'),
  );

  const live = new LiveRiver({ source: store, site: () => config.site, now });
  await live.reset();

  const hubs =
    options.hubClient ??
    createHubClient({ userAgent: config.fetch.userAgent, allowPrivate: config.fetch.allowPrivate });

  // ------------------------------------------------------------ publishing
  let notFoundHtml: Promise<string> | undefined;
  const publisher = new Coalescer(
    async () => {
      const { buildSite } = await import('../render/build-site.js');
      const end = metrics.buildSeconds.startTimer();
      const report = await buildSite({
        source: store,
        site: config.site,
        now: now(),
        log: (line) => log.debug(line),
      });
      const seconds = end();
      metrics.builds.inc({ result: 'ok' });
      site.invalidate();
      notFoundHtml = undefined;
      log.info(
        {
          written: report.pagesWritten,
          unchanged: report.pagesUnchanged,
          ms: Math.round(seconds * 1000),
        },
        'site published',
      );
      const hub = config.site.websubHub;
      const feeds = changedFeedUrls(report.written, config.site.link);
      if (hub && feeds.length > 0) {
        const pings = await pingHub(hub, feeds, hubs);
        metrics.hubPings.inc({ result: 'ok' }, pings.pinged.length);
        metrics.hubPings.inc({ result: 'failed' }, pings.failed.length);
        for (const f of pings.failed)
          log.warn({ hub, feed: f.url, err: f.message }, 'websub: publish ping failed');
      }
    },
    {
      quietMs: t.publishQuietMs,
      maxWaitMs: t.publishMaxWaitMs,
      onError: (error) => {
        metrics.builds.inc({ result: 'failed' });
        log.error({ err: errorMessage(error) }, 'publish failed; the previous site stays');
      },
    },
  );
  const site = createStaticSite({
    root: config.site.outputDir,
    notFoundPage: () => (notFoundHtml ??= notFoundPage(config.site)),
    whenPublished: () => publisher.idle(),
  });
  /** New entries: the open pages now, the site after the burst. */
  const entriesChanged = () => {
    live
      .refresh()
      .catch((error: unknown) => log.error({ err: errorMessage(error) }, 'live river failed'));
    publisher.request();
  };

  // ------------------------------------------------------------ config reloads
  let seen = await fileStamp(config.configPath);
  /** Reads planet.toml again if it changed; one reload at a time (the loop and the API both ask). */
  const reloadOnce = async () => {
    const stamp = await fileStamp(config.configPath);
    if (stamp === seen) return;
    seen = stamp;
    try {
      const next = await options.loadConfig();
      if (next.site.outputDir !== config.site.outputDir) {
        log.warn('site.output_dir changed: restart orrery serve to serve the new folder');
      }
      config = next;
      await live.reset();
      publisher.request();
      log.info({ feeds: config.feeds.length }, 'planet.toml reloaded');
    } catch (error) {
      log.error(
        { err: errorMessage(error) },
        'planet.toml changed but does not load; keeping the previous config',
      );
    }
  };
  let reloading: Promise<void> | undefined;
  const reloadConfig = async () => {
    while (reloading) await reloading;
    reloading = reloadOnce();
    try {
      await reloading;
    } finally {
      reloading = undefined;
    }
  };

  // ------------------------------------------------------------ the loop
  let subscriber: Subscriber | undefined;
  const loop = new PlanetLoop(
    {
      store,
      fetcher,
      config: () => config,
      reloadConfig,
      now,
      readerId: `orrery ${options.version}`,
      log,
      pushedFeedIds: async () => (subscriber ? subscriber.pushedFeedIds() : new Set()),
      onStart: (feeds) => metrics.queueDepth.set(feeds.length),
      onOutcome: (outcome) => {
        metrics.queueDepth.dec();
        metrics.fetches.inc({ outcome: outcome.kind === 'failed' ? outcome.code : outcome.kind });
        if (outcome.kind === 'ok' && outcome.newEntries > 0) {
          metrics.entriesStored.inc({ via: 'poll' }, outcome.newEntries);
        }
        if (outcome.kind === 'failed') {
          log.debug(
            { feed: outcome.feed.url, code: outcome.code, err: outcome.message },
            'fetch failed',
          );
        }
        if (changed(outcome)) entriesChanged();
      },
      onPass: (pass) => {
        if (pass.configChanged) publisher.request();
        if (pass.total > 0) {
          log.info(
            {
              feeds: pass.total,
              fetched: pass.fetched,
              unchanged: pass.unchanged,
              failed: pass.failed,
              new: pass.newEntries,
              ms: pass.ms,
            },
            'pass done',
          );
        }
        if (pass.moved.length > 0) {
          // planet.toml follows a feed that moved for good, as after `orrery run`.
          recordMovesInConfig(config, pass, {
            now,
            version: options.version,
            done: (line) => log.info(line),
            warn: (line) => log.warn(line),
          }).catch((error: unknown) => log.warn({ err: errorMessage(error) }, 'config: moves'));
        }
        if (subscriber) void reconcile(subscriber);
      },
    },
    { maxSleepMs: t.maxSleepMs, pushedPollMinutes: t.pushedPollMinutes },
  );

  // ------------------------------------------------------------ WebSub subscriber
  if (options.publicUrl) {
    subscriber = createSubscriber(
      {
        publicUrl: options.publicUrl,
        maxBodyBytes: config.fetch.maxBodyBytes,
        verifyTimeoutMs: t.verifyTimeoutMs,
      },
      {
        store,
        hubs,
        now,
        deliver: async (feedId, body, contentType) => {
          const feed = await store.getFeed(feedId);
          if (!feed?.active) return;
          const out = await storePushedDocument(
            feed,
            subscriptionLookup(config.feeds)(feed),
            { body, ...(contentType ? { contentType } : {}) },
            { store, now },
          );
          metrics.pushes.inc({ result: out.kind });
          if (out.kind === 'rejected') {
            log.warn(
              { feed: feed.url, code: out.code, err: out.message },
              'websub: pushed content refused',
            );
            return;
          }
          metrics.entriesStored.inc({ via: 'push' }, out.newEntries);
          log.info(
            { feed: feed.url, new: out.newEntries, updated: out.updatedEntries },
            'websub: content pushed',
          );
          if (out.newEntries + out.updatedEntries > 0) entriesChanged();
        },
        pollNow: (feedId) => {
          void store.getFeed(feedId).then((feed) => feed && loop.refresh(feed.url));
        },
        onEvent: (event) => {
          if (event.kind === 'rejected') {
            metrics.rejections.inc({ reason: `websub-${event.reason}` });
            log.warn({ reason: event.reason }, `websub: ${event.detail}`);
          } else {
            log.info(
              { feed: event.feedId, topic: event.topic, hub: event.hub, reason: event.reason },
              `websub: ${event.state}`,
            );
          }
        },
      },
    );
  } else {
    log.info('no --public-url: not subscribing to WebSub hubs (feeds are polled)');
  }
  let reconciling: Promise<void> | undefined;
  let reconcileAgain = false;
  /**
   * Subscribe the feeds of planet.toml whose hub the store knows and that are not pushed. One
   * at a time; a call meanwhile runs once more after it (a pass may have found a hub).
   */
  const reconcile = (s: Subscriber): Promise<void> => {
    if (reconciling) {
      reconcileAgain = true;
      return reconciling;
    }
    const listed = subscriptionLookup(config.feeds);
    reconciling = store
      .listFeeds()
      .then((feeds) => s.reconcile(feeds.filter((feed) => listed(feed) !== undefined)))
      .catch((error: unknown) =>
        log.error({ err: errorMessage(error) }, 'websub: subscribing failed'),
      )
      .finally(() => {
        reconciling = undefined;
        if (reconcileAgain) {
          reconcileAgain = false;
          void reconcile(s);
        }
      });
    return reconciling;
  };
  const ticker = subscriber
    ? setInterval(() => {
        subscriber
          ?.tick()
          .catch((error: unknown) =>
            log.error({ err: errorMessage(error) }, 'websub: lease check failed'),
          );
      }, t.websubTickMs)
    : undefined;

  // ------------------------------------------------------------ admin API
  const api = options.adminToken
    ? adminApi({
        token: options.adminToken,
        feeds: () => store.listFeeds(),
        feed: (id) => store.getFeed(id),
        add: async (request) => {
          const outcome = await addFeed(request, {
            configPath: config.configPath,
            sections: config.site.sections,
            subscribed: config.feeds.map((f) => f.url),
            fetcher: options.fetcher,
            version: options.version,
          });
          if (outcome.kind === 'added') {
            await applyConfigNow();
            loop.refresh(outcome.subscription.url);
            log.info({ feed: outcome.subscription.url }, 'api: feed added');
          }
          return outcome;
        },
        remove: async (feed) => {
          const { removeFeedFromConfig } = await import('../config/edit.js');
          const { editPlanetFile } = await import('../config/edit-lock.js');
          const urls = [feed.url, ...feed.previousUrls];
          const { value: removed } = await editPlanetFile(
            config.configPath,
            (text) => {
              for (const url of urls) {
                const result = removeFeedFromConfig(text, url, { file: config.configPath });
                if (result.removed) return { text: result.text, value: true };
              }
              return { text, value: false };
            },
            { version: options.version },
          );
          if (removed) {
            await applyConfigNow();
            log.info({ feed: feed.url }, 'api: feed removed');
          }
          return removed;
        },
        refresh: (feed) => loop.refresh(feed.url),
        websubState: async (feed) => (await store.getFeedWebSubSubscription(feed.id))?.state,
        rejected: (reason) => metrics.rejections.inc({ reason: `api-${reason}` }),
        now,
        postStats: async () => new Map((await store.feedPostStats()).map((p) => [p.feedId, p])),
      })
    : undefined;
  /** After an API edit: load planet.toml and make the store follow it before answering. */
  async function applyConfigNow(): Promise<void> {
    await reloadConfig();
    await store.syncSubscriptions(config.feeds, now().toISOString());
    publisher.request();
  }

  // ------------------------------------------------------------ HTTP
  const { listener, closeStreams } = createApp({
    site,
    live,
    metrics,
    log,
    healthy: () => loop.healthy,
    ...(subscriber ? { subscriber } : {}),
    maxPushBytes: config.fetch.maxBodyBytes,
    ...(api ? { api } : {}),
    heartbeatMs: t.heartbeatMs,
  });
  const server = createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
    server.listen(options.port, options.host);
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${host}:${port}/`;

  let watcher: FSWatcher | undefined;
  try {
    // A change by `orrery add` or an editor is picked up at once (renames replace the file).
    watcher = watch(dirname(config.configPath), (_event, name) => {
      if (name === basename(config.configPath)) loop.wake();
    });
  } catch (error) {
    log.warn(
      { err: errorMessage(error) },
      `cannot watch ${config.configPath}; changes are seen within ${t.maxSleepMs / 1000} s`,
    );
  }

  // Subscriptions and hubs are in the store: go on with them, and subscribe what needs it now,
  // before any fetch.
  if (subscriber) {
    const s = subscriber;
    void s
      .resume()
      .then(() => reconcile(s))
      .then(async () =>
        log.info(await webSubCounts(store), 'websub: subscriptions resumed from the store'),
      )
      .catch((error: unknown) =>
        log.error({ err: errorMessage(error) }, 'websub: resuming subscriptions failed'),
      );
  }
  loop.start();
  // The first build makes the site match this version's theme (live.js included); cheap when
  // nothing changed, and the old site is served meanwhile.
  void publisher.runNow();
  log.info(
    {
      url,
      site: config.site.outputDir,
      admin: Boolean(api),
      websub: Boolean(subscriber),
      existing: existsSync(config.site.outputDir),
    },
    'orrery serve is listening',
  );

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    metrics,
    loop,
    live,
    ...(subscriber ? { subscriber } : {}),
    published: () => publisher.idle(),
    closeLiveStreams: closeStreams,
    close: () =>
      (closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        await closeStreams();
        server.closeIdleConnections();
        watcher?.close();
        clearInterval(ticker);
        await loop.stop(t.stopGraceMs);
        await publisher.stop();
        await subscriber?.settle();
        await hubs.close();
        await fetcher.close();
        await stopped;
      })()),
  };
}

/** The stored WebSub subscriptions by state (every state, 0 included). */
async function webSubCounts(store: Pick<Store, 'listWebSubSubscriptions'>) {
  const counts: Record<string, number> = Object.fromEntries(WEBSUB_STATES.map((s) => [s, 0]));
  for (const sub of await store.listWebSubSubscriptions()) {
    counts[sub.state] = (counts[sub.state] ?? 0) + 1;
  }
  return counts;
}

/** Changes when the file is replaced or rewritten. */
async function fileStamp(path: string): Promise<string> {
  try {
    const s = await stat(path);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch (error) {
    return `missing:${errorMessage(error)}`;
  }
}

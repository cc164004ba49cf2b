/** fetch, build and run (fetch then build): the commands cron calls. */

import { existsSync } from 'node:fs';
import type { OrreryConfig } from '../../config/schema.js';
import { errorMessage } from '../../model/errors.js';
import type { StoredFeed } from '../../model/stored.js';
import { type RefreshReport, refreshAll } from '../../pipeline/refresh-all.js';
import type { RefreshOutcome } from '../../pipeline/refresh-feed.js';
import type { Store } from '../../store/store.js';
import {
  type CliDeps,
  createFetcher,
  type GlobalOptions,
  loadPlanet,
  openLockedStore,
  VERSION,
} from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';

export interface FetchOptions extends GlobalOptions {
  /** Fetch every feed now, not only the due ones. */
  all?: boolean;
  /** Only this feed (URL or name). */
  feed?: string;
  /** Seconds to wait for another run's lock. */
  wait?: string;
  /** Exit 4 when any feed failed. */
  strict?: boolean;
}

function waitMs(options: FetchOptions): number {
  const seconds = options.wait === undefined ? 0 : Number(options.wait);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
}

/** Load the config, hold the store's run lock for `work`, always release it. */
async function withLockedStore(
  options: FetchOptions,
  deps: CliDeps,
  work: (store: Store, config: OrreryConfig) => Promise<ExitCode>,
): Promise<ExitCode> {
  const config = await loadPlanet(options, deps);
  const { store, close } = await openLockedStore(config, deps, waitMs(options));
  // The store commits feed updates in groups: on Ctrl-C or a service stop, commit what is
  // finished before leaving (a second signal leaves at once; the group is then redone next run).
  let stopping = false;
  const onSignal = (name: NodeJS.Signals) => {
    if (stopping) process.exit(EXIT.interrupted);
    stopping = true;
    deps.reporter.warn(`${name}: stopping; keeping what is finished (again to quit at once)`);
    close()
      .catch((error: unknown) =>
        deps.reporter.warn(`could not store the last feeds: ${errorMessage(error)}`),
      )
      .finally(() => process.exit(EXIT.interrupted));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(store, config);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await close();
  }
}

export function runFetch(options: FetchOptions, deps: CliDeps): Promise<ExitCode> {
  return withLockedStore(options, deps, async (store, config) =>
    fetchExitCode(await fetchInto(store, config, options, deps), options),
  );
}

export function runBuild(options: FetchOptions, deps: CliDeps): Promise<ExitCode> {
  return withLockedStore(options, deps, async (store, config) => {
    await store.syncSubscriptions(config.feeds, deps.now().toISOString());
    await buildInto(store, config, deps);
    return EXIT.ok;
  });
}

export function runRun(options: FetchOptions, deps: CliDeps): Promise<ExitCode> {
  return withLockedStore(options, deps, async (store, config) => {
    const report = await fetchInto(store, config, options, deps);
    // Retention ([archive]): entries past it leave before the build, so the site drops them too.
    const pruned = await store.pruneEntries(config.archive, deps.now().toISOString());
    if (nothingChanged(report) && pruned.removed === 0 && existsSync(config.site.outputDir)) {
      // A warm cron run (all 304) should cost next to nothing: the site is already current.
      deps.reporter.info(`no feed changed; the site in ${config.site.outputDir} is current`);
    } else {
      await buildInto(store, config, deps);
    }
    return fetchExitCode(report, options);
  });
}

/**
 * True when the run changed nothing the site shows: no new or updated entry, no config change,
 * no feed that started failing, failed differently or recovered. A feed failing again as it
 * did before is no news (like a 304, it only moves "last checked", which waits for the next
 * real change): without this, a planet with a few dead feeds rebuilt on every cron run.
 */
export function nothingChanged(report: RefreshReport & { configChanged: boolean }): boolean {
  if (report.configChanged) return false;
  return report.outcomes.every((o) => {
    const wasFailing = o.feed.errorCode;
    if (o.kind === 'failed') return wasFailing === o.code;
    if (wasFailing !== undefined) return false;
    if (o.kind === 'not-modified') return o.movedTo === undefined;
    return o.newEntries === 0 && o.updatedEntries === 0 && o.duplicates === 0 && !o.movedTo;
  });
}

function fetchExitCode(report: RefreshReport, options: FetchOptions): ExitCode {
  if (report.total > 0 && report.failed === report.total) return EXIT.feedsFailed;
  if (options.strict && report.failed > 0) return EXIT.feedsFailed;
  return EXIT.ok;
}

async function fetchInto(
  store: Store,
  config: OrreryConfig,
  options: FetchOptions,
  deps: CliDeps,
): Promise<RefreshReport & { configChanged: boolean }> {
  const { reporter } = deps;
  const nowIso = deps.now().toISOString();
  const sync = await store.syncSubscriptions(config.feeds, nowIso);
  const configChanged = sync.added + sync.updated + sync.deactivated > 0;
  if (sync.added || sync.deactivated) {
    reporter.debug(
      `subscriptions: ${sync.added} added, ${sync.updated} updated, ${sync.deactivated} removed`,
    );
  }
  let feeds = options.all || options.feed ? await store.listFeeds() : await store.dueFeeds(nowIso);
  if (options.feed) {
    const wanted = options.feed;
    feeds = feeds.filter((f) => f.url === wanted || f.name === wanted);
    if (feeds.length === 0) reporter.warn(`no subscribed feed with URL or name '${wanted}'`);
  }
  feeds = feeds.filter((f) => !f.retired);
  const subscriptions = new Map(config.feeds.map((s) => [s.url, s]));
  // A feed moved by a permanent redirect keeps its config entry under the old URL.
  const subscriptionFor = (feed: StoredFeed) =>
    subscriptions.get(feed.url) ??
    feed.previousUrls.map((url) => subscriptions.get(url)).find((s) => s !== undefined);
  if (feeds.length === 0) {
    reporter.info('no feed is due; nothing to fetch (use --all to fetch every feed now)');
  }
  const fetcher = createFetcher(config.fetch, deps);
  const progress = reporter.progress(feeds.length, 'fetching');
  let report: RefreshReport;
  try {
    report = await refreshAll(
      feeds,
      { store, fetcher, settings: config.fetch, now: deps.now, readerId: `orrery ${VERSION}` },
      {
        concurrency: config.fetch.concurrency,
        perHostLimit: config.fetch.perHostLimit,
        perFeedTimeoutMs:
          config.fetch.connectTimeoutMs +
          config.fetch.headersTimeoutMs +
          config.fetch.bodyTimeoutMs +
          10_000,
        subscriptionFor,
        onSettled: (outcome) =>
          progress.tick(progressKind(outcome), label(outcome), detail(outcome)),
      },
    );
  } finally {
    progress.stop();
    await fetcher.close();
  }
  if (report.total > 0) reporter.info(formatSummary(report));
  for (const move of report.moved)
    reporter.info(`moved (permanent redirect): ${move.from} -> ${move.to}`);
  return { ...report, configChanged };
}

async function buildInto(store: Store, config: OrreryConfig, deps: CliDeps): Promise<void> {
  // Loaded only when a build happens: a warm run with nothing new never needs the renderer.
  const { buildSite } = await import('../../render/build-site.js');
  const report = await buildSite({
    source: store,
    site: config.site,
    now: deps.now(),
    log: (line) => deps.reporter.debug(line),
  });
  deps.reporter.out(
    `site written to ${report.outputDir} (${report.pagesWritten} files changed, ${report.pagesUnchanged} unchanged)`,
  );
}

function progressKind(outcome: RefreshOutcome): 'done' | 'unchanged' | 'failed' {
  return outcome.kind === 'ok' ? 'done' : outcome.kind === 'not-modified' ? 'unchanged' : 'failed';
}

function label(outcome: RefreshOutcome): string {
  return outcome.feed.name ?? outcome.feed.url;
}

function detail(outcome: RefreshOutcome): string | undefined {
  if (outcome.kind === 'failed') return `${outcome.code}: ${outcome.message}`;
  if (outcome.kind === 'ok') return `${outcome.newEntries} new`;
  return undefined;
}

export function formatSummary(report: RefreshReport): string {
  const failedKinds = Object.entries(report.failedByKind)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
  return (
    `${report.total} feeds: ${report.fetched} fetched, ${report.unchanged} unchanged, ` +
    `${report.failed} failed${failedKinds ? ` (${failedKinds})` : ''}; ` +
    `${report.newEntries} new entries, ${report.duplicates} duplicates; ${(report.ms / 1000).toFixed(1)} s`
  );
}

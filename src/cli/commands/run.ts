/** fetch, build and run (fetch then build): the commands cron calls. */

import { existsSync } from 'node:fs';
import type { OrreryConfig } from '../../config/schema.js';
import { errorMessage } from '../../model/errors.js';
import type { Fetcher } from '../../model/fetch.js';
import {
  fetchPass,
  type PassReport,
  type PlanetPassDeps,
  type PlanetPassOptions,
  type PlanetRunReport,
  planetPass,
  type Refresher,
} from '../../pipeline/planet-pass.js';
import type { RefreshReport } from '../../pipeline/refresh-all.js';
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
import type { Progress } from '../reporter.js';

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
  return withLockedStore(options, deps, async (store, config) => {
    const fetcher = createFetcher(config.fetch, deps);
    const passing = passOptions(options, deps);
    const queued = await queueFor(store, config, deps);
    let pass: PassReport;
    try {
      pass = await fetchPass(passDeps(store, config, fetcher, deps, queued), passing);
    } finally {
      passing.done();
      await fetcher.close();
      await queued?.close();
    }
    reportPass(pass, deps);
    return fetchExitCode(pass, options);
  });
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
    const fetcher = createFetcher(config.fetch, deps);
    const queued = await queueFor(store, config, deps);
    let closing: Promise<void> | undefined;
    const closeFetcher = () =>
      (closing ??= fetcher.close().finally(async () => await queued?.close()));
    const passing = passOptions(options, deps);
    let report: PlanetRunReport<void>;
    try {
      report = await planetPass(passDeps(store, config, fetcher, deps, queued), {
        ...passing,
        // The summary comes before the build's line; the build needs no connection.
        publish: async (pass) => {
          passing.done();
          await closeFetcher();
          reportPass(pass, deps);
          await buildInto(store, config, deps);
        },
        siteExists: () => existsSync(config.site.outputDir),
      });
    } finally {
      passing.done();
      await closeFetcher();
    }
    if (!('published' in report)) {
      reportPass(report.pass, deps);
      deps.reporter.info(`no feed changed; the site in ${config.site.outputDir} is current`);
    }
    return fetchExitCode(report.pass, options);
  });
}

function passDeps(
  store: Store,
  config: OrreryConfig,
  fetcher: Fetcher,
  deps: CliDeps,
  queued?: { refresh: Refresher },
): PlanetPassDeps {
  return {
    store,
    fetcher,
    subscriptions: config.feeds,
    settings: config.fetch,
    now: deps.now,
    readerId: `orrery ${VERSION}`,
    ...(queued ? { refresh: queued.refresh } : {}),
  };
}

/** On PostgreSQL the feeds go through the workers' queue (cli/commands/worker.ts). */
async function queueFor(
  store: Store,
  config: OrreryConfig,
  deps: CliDeps,
): Promise<{ refresh: Refresher; close: () => Promise<void> } | undefined> {
  if (store.dialect !== 'postgres') return undefined;
  const { queueRefresherFor } = await import('./worker.js');
  return queueRefresherFor(config, deps);
}

/**
 * The pass's options, with the progress bar (or plain lines) fed by its callbacks; `done`
 * ends the bar before the summary is printed.
 */
function passOptions(
  options: FetchOptions,
  deps: CliDeps,
): PlanetPassOptions & { done: () => void } {
  let progress: Progress | undefined;
  return {
    done: () => progress?.stop(),
    ...(options.all ? { all: true } : {}),
    ...(options.feed !== undefined ? { feed: options.feed } : {}),
    onStart: (feeds) => {
      if (feeds.length === 0 && options.feed === undefined) {
        deps.reporter.info('no feed is due; nothing to fetch (use --all to fetch every feed now)');
      }
      progress = deps.reporter.progress(feeds.length, 'fetching');
    },
    onSettled: (outcome) => progress?.tick(progressKind(outcome), label(outcome), detail(outcome)),
  };
}

function reportPass(pass: PassReport, deps: CliDeps): void {
  const { reporter } = deps;
  if (pass.unknownFeed !== undefined) {
    reporter.warn(`no subscribed feed with URL or name '${pass.unknownFeed}'`);
  }
  if (pass.sync.added || pass.sync.deactivated) {
    reporter.debug(
      `subscriptions: ${pass.sync.added} added, ${pass.sync.updated} updated, ${pass.sync.deactivated} removed`,
    );
  }
  if (pass.total > 0) reporter.info(formatSummary(pass));
  for (const move of pass.moved) {
    reporter.info(`moved (permanent redirect): ${move.from} -> ${move.to}`);
  }
}

function fetchExitCode(report: RefreshReport, options: FetchOptions): ExitCode {
  if (report.total > 0 && report.failed === report.total) return EXIT.feedsFailed;
  if (options.strict && report.failed > 0) return EXIT.feedsFailed;
  return EXIT.ok;
}

export async function buildInto(store: Store, config: OrreryConfig, deps: CliDeps): Promise<void> {
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

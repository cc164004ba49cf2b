/** fetch, build and run (fetch then build): the commands cron calls. */

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
import { recordMovesInConfig } from '../../pipeline/record-moves.js';
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
import { CliError, EXIT, type ExitCode } from '../exit-codes.js';
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
  /** build: make every page again. */
  full?: boolean;
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
    await reportPass(pass, config, deps);
    return fetchExitCode(pass, options);
  });
}

export function runBuild(options: FetchOptions, deps: CliDeps): Promise<ExitCode> {
  return withLockedStore(options, deps, async (store, config) => {
    await store.syncSubscriptions(config.feeds, deps.now().toISOString());
    await buildInto(store, config, deps, { full: options.full === true });
    return EXIT.ok;
  });
}

export function runRun(options: FetchOptions, deps: CliDeps): Promise<ExitCode> {
  return withLockedStore(options, deps, async (store, config) => {
    // Retention ([archive]): entries past it leave first; the build drops them from the site.
    await store.pruneEntries(config.archive, deps.now().toISOString());
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
          await reportPass(pass, config, deps);
          await buildInto(store, config, deps);
        },
      });
    } finally {
      passing.done();
      await closeFetcher();
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

/** The pass's summary; then planet.toml follows the feeds that moved for good. */
async function reportPass(pass: PassReport, config: OrreryConfig, deps: CliDeps): Promise<void> {
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
  await recordMovesInConfig(config, pass, {
    now: deps.now,
    version: VERSION,
    done: (line) => reporter.out(line),
    warn: (line) => reporter.warn(line),
  });
}

function fetchExitCode(report: RefreshReport, options: FetchOptions): ExitCode {
  if (report.total > 0 && report.failed === report.total) return EXIT.feedsFailed;
  if (options.strict && report.failed > 0) return EXIT.feedsFailed;
  return EXIT.ok;
}

export async function buildInto(
  store: Store,
  config: OrreryConfig,
  deps: CliDeps,
  options: { full?: boolean } = {},
): Promise<void> {
  const written = await buildSiteInto(store, config, deps, options);
  await announceToHub(config, written, deps);
}

/** With `[websub] hub`: tell the hub which of the planet's feeds this build changed. */
async function announceToHub(
  config: OrreryConfig,
  written: string[],
  deps: CliDeps,
): Promise<void> {
  const hub = config.site.websubHub;
  if (!hub) return;
  const { changedFeedUrls, pingHub } = await import('../../serve/websub/publisher.js');
  const feeds = changedFeedUrls(written, config.site.link);
  if (feeds.length === 0) return;
  const { createHubClient } = await import('../../serve/websub/hub-client.js');
  // The hub is the operator's own choice, not a feed's: it may live on a private address.
  const client = createHubClient({ userAgent: config.fetch.userAgent, allowPrivate: true });
  try {
    const report = await pingHub(hub, feeds, client);
    for (const f of report.failed)
      deps.reporter.warn(`the hub ${hub} was not told about ${f.url}: ${f.message}`);
    if (report.pinged.length > 0)
      deps.reporter.debug(`websub: told ${hub} about ${report.pinged.length} feeds`);
  } finally {
    await client.close();
  }
}

/**
 * Publish what changed in the store since the last publish (everything with `full`); the
 * site paths written. A broken template is the user's input (exit 2), a site folder that
 * cannot be written exit 7, a full disk exit 6; either way the published site is left as it was.
 */
async function buildSiteInto(
  store: Store,
  config: OrreryConfig,
  deps: CliDeps,
  options: { full?: boolean },
): Promise<string[]> {
  const { buildSite } = await import('../../render/build-site.js');
  let report: Awaited<ReturnType<typeof buildSite>>;
  try {
    report = await buildSite({
      source: store,
      site: config.site,
      ...(options.full ? { full: true } : {}),
      log: (line) => deps.reporter.debug(line),
    });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'theme') throw new CliError(errorMessage(error), EXIT.usage);
    if (code === 'site-unwritable') throw new CliError(errorMessage(error), EXIT.siteUnwritable);
    if (code === 'site-disk-full') throw new CliError(errorMessage(error), EXIT.diskFull);
    // Pagefind died or refused: a clear message, exit 1 (broken infrastructure), no stack.
    if (code === 'search-failed') throw new CliError(errorMessage(error), EXIT.internal);
    throw error;
  }
  const changed = report.pagesWritten + report.filesRemoved;
  deps.reporter.out(
    changed === 0
      ? `site in ${report.outputDir} is current (nothing changed since the last publish)`
      : `site written to ${report.outputDir} (${report.pagesWritten} files changed, ${report.filesRemoved} removed, ${report.pagesUnchanged} unchanged${report.full ? '; full build' : ''})`,
  );
  return report.written;
}

function progressKind(outcome: RefreshOutcome): 'done' | 'unchanged' | 'failed' {
  return outcome.kind === 'ok' ? 'done' : outcome.kind === 'not-modified' ? 'unchanged' : 'failed';
}

function label(outcome: RefreshOutcome): string {
  return outcome.feed.name ?? outcome.feed.url;
}

function detail(outcome: RefreshOutcome): string | undefined {
  if (outcome.kind === 'failed') return `${outcome.code}: ${outcome.message}`;
  if (outcome.kind === 'ok') {
    const dropped = outcome.entriesDropped
      ? `, ${outcome.entriesDropped} past the per-document limit not read`
      : '';
    return `${outcome.newEntries} new${dropped}`;
  }
  return undefined;
}

export function formatSummary(report: RefreshReport): string {
  const failedKinds = Object.entries(report.failedByKind)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
  // Entries a document had past the parser's limit are not read: never dropped silently.
  const dropped = report.entriesDropped
    ? `, ${report.entriesDropped} entries past the per-document limit not read (${report.feedsWithDroppedEntries} ${report.feedsWithDroppedEntries === 1 ? 'feed' : 'feeds'}; see orrery status)`
    : '';
  return (
    `${report.total} feeds: ${report.fetched} fetched, ${report.unchanged} unchanged, ` +
    `${report.failed} failed${failedKinds ? ` (${failedKinds})` : ''}; ` +
    `${report.newEntries} new entries, ${report.duplicates} duplicates${dropped}; ${(report.ms / 1000).toFixed(1)} s`
  );
}

/**
 * One pass of the planet loop, shared by `orrery fetch`/`run` and `orrery serve`: make the
 * store's feeds match the config, pick the feeds to refresh (the due ones, every one, or one),
 * refresh them within their time budgets, then publish when the site needs it. The callers
 * only report progress and turn the report into an exit code or a log line.
 */
import type { FetchSettings } from '../model/settings.js';
import type { StoredFeed } from '../model/stored.js';
import type { Subscription } from '../model/subscription.js';
import type { Store, SyncReport } from '../store/store.js';
import { type RefreshAllOptions, type RefreshReport, refreshAll } from './refresh-all.js';
import type { RefreshDeps, RefreshOutcome } from './refresh-feed.js';

export interface PlanetPassDeps extends Omit<RefreshDeps, 'store'> {
  store: Store;
  /** The config's subscriptions (planet.toml [[feeds]]). */
  subscriptions: readonly Subscription[];
  settings: FetchSettings;
  /** Refreshes the picked feeds (default refreshAll, here; worker/ queues them instead). */
  refresh?: Refresher;
}

/** How a pass refreshes its feeds: in this process, or through a job queue. */
export type Refresher = (
  feeds: readonly StoredFeed[],
  deps: PlanetPassDeps,
  options: RefreshAllOptions,
) => Promise<RefreshReport>;

export interface PlanetPassOptions {
  /** Refresh every feed now, not only the due ones. */
  all?: boolean;
  /** Only this feed (URL or name). */
  feed?: string;
  signal?: AbortSignal;
  /** Called once the feeds are picked, before any is fetched. */
  onStart?: (feeds: readonly StoredFeed[]) => void;
  onSettled?: (outcome: RefreshOutcome) => void;
}

export interface PassReport extends RefreshReport {
  sync: SyncReport;
  /** The subscriptions changed (added, renamed, moved to another section, removed). */
  configChanged: boolean;
  /** Set when `feed` named no subscribed feed. */
  unknownFeed?: string;
}

export interface PlanetRunOptions<P> extends PlanetPassOptions {
  /**
   * Builds and publishes the site; called after every fetch. The build compares the store with
   * the last publish (not with this pass), so it catches up an interrupted run, a failed build
   * or an `orrery fetch`, and costs next to nothing when nothing changed.
   */
  publish: (pass: PassReport) => Promise<P>;
}

export interface PlanetRunReport<P> {
  pass: PassReport;
  /** What publish returned, when it ran. */
  published?: P;
}

/** A whole pass: fetch, then publish what the site lacks. */
export async function planetPass<P>(
  deps: PlanetPassDeps,
  options: PlanetRunOptions<P>,
): Promise<PlanetRunReport<P>> {
  const pass = await fetchPass(deps, options);
  return { pass, published: await options.publish(pass) };
}

/** Sync, pick and refresh: the fetch half of a pass. Never throws for one feed's failure. */
export async function fetchPass(
  deps: PlanetPassDeps,
  options: PlanetPassOptions = {},
): Promise<PassReport> {
  const { store } = deps;
  const nowIso = deps.now().toISOString();
  const sync = await store.syncSubscriptions(deps.subscriptions, nowIso);
  const configChanged = sync.added + sync.updated + sync.deactivated > 0;
  const feeds = await pickFeeds(store, options, nowIso);
  options.onStart?.(feeds);
  const refresh = deps.refresh ?? refreshAll;
  const report = await refresh(feeds, deps, {
    force: options.all === true || options.feed !== undefined,
    concurrency: deps.settings.concurrency,
    perHostLimit: deps.settings.perHostLimit,
    perFeedTimeoutMs: perFeedBudgetMs(deps.settings, deps.subscriptions),
    subscriptionFor: subscriptionLookup(deps.subscriptions),
    ...(options.onSettled ? { onSettled: options.onSettled } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const unknown = options.feed !== undefined && feeds.length === 0 ? options.feed : undefined;
  return { ...report, sync, configChanged, ...(unknown ? { unknownFeed: unknown } : {}) };
}

/** The feeds a pass refreshes: never a retired one (410 Gone). */
async function pickFeeds(
  store: Store,
  options: PlanetPassOptions,
  nowIso: string,
): Promise<StoredFeed[]> {
  let feeds =
    options.all || options.feed !== undefined
      ? await store.listFeeds()
      : await store.dueFeeds(nowIso);
  if (options.feed !== undefined) {
    const wanted = options.feed;
    feeds = feeds.filter((f) => f.url === wanted || f.name === wanted);
  }
  return feeds.filter((f) => !f.retired);
}

/**
 * A feed's whole time budget (fetch + parse + store): the fetch's own timeouts plus room to
 * read and store what arrived. A hung parser or store cannot hold a run beyond it. One budget
 * serves every feed of a pass, so a feed whose own `timeout` is longer raises it.
 */
export function perFeedBudgetMs(
  settings: FetchSettings,
  subscriptions: readonly Subscription[] = [],
): number {
  let fetchMs = settings.connectTimeoutMs + settings.headersTimeoutMs + settings.bodyTimeoutMs;
  for (const s of subscriptions) fetchMs = Math.max(fetchMs, s.overrides?.timeoutMs ?? 0);
  return fetchMs + 10_000;
}

/** A feed moved by a permanent redirect keeps its config entry under an old URL. */
export function subscriptionLookup(
  subscriptions: readonly Subscription[],
): (feed: StoredFeed) => Subscription | undefined {
  const byUrl = new Map(subscriptions.map((s) => [s.url, s]));
  return (feed) =>
    byUrl.get(feed.url) ??
    feed.previousUrls.map((url) => byUrl.get(url)).find((s) => s !== undefined);
}

/**
 * subscriptionLookup over the subscriptions a refresh reads anything from: its own settings
 * (`overrides`) or `filters`. The others answer undefined, which a refresh takes alike; a
 * worker keeps this between syncs instead of every subscription of a large planet.
 */
export function refreshSettingsLookup(
  subscriptions: readonly Subscription[],
): (feed: StoredFeed) => Subscription | undefined {
  return subscriptionLookup(
    subscriptions.filter((s) => s.overrides !== undefined || s.filters !== undefined),
  );
}

/**
 * True when the pass changed nothing the site shows: no new or updated entry, no config change,
 * no feed that started failing, failed differently or recovered. A feed failing again as it
 * did before is no news (like a 304, it only moves "last checked").
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

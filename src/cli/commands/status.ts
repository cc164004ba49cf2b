import { existsSync } from 'node:fs';
/** status: one line per feed — last fetch, HTTP status, entries, error. */
import type { OrreryConfig } from '../../config/schema.js';
import type { StoredFeed } from '../../model/stored.js';
import { subscriptionLookup } from '../../pipeline/planet-pass.js';
import { checkIntervalMinutes } from '../../schedule/learn-interval.js';
import {
  type CliDeps,
  type GlobalOptions,
  loadPlanet,
  openStore,
  postgresLocation,
} from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';

export async function runStatus(
  options: GlobalOptions & { json?: boolean; failing?: boolean },
  deps: CliDeps,
): Promise<ExitCode> {
  const config = await loadPlanet(options, deps);
  if (!postgresLocation(config, deps.env) && !existsSync(config.store.path)) {
    deps.reporter.info(`no store yet at ${config.store.path}: run \`orrery run\` first`);
    return EXIT.ok;
  }
  // Reading needs no lock: SQLite's WAL lets status read while a run writes.
  const store = await openStore(config, { readonly: true, env: deps.env });
  try {
    let feeds = await store.listFeeds({ includeInactive: false });
    if (feeds.length === 0) {
      deps.reporter.info('no feed has been fetched yet; run `orrery run` first');
    }
    if (options.failing) feeds = feeds.filter((f) => f.errorCode !== undefined || f.retired);
    const intervalOf = checkIntervals(config, deps.now());
    if (options.json) {
      const shown = feeds.map((f) => ({ ...f, intervalMinutes: intervalOf(f) }));
      deps.reporter.out(JSON.stringify(shown, null, 2));
      return EXIT.ok;
    }
    const now = deps.now().getTime();
    for (const feed of feeds) {
      deps.reporter.out(`${formatFeedLine(feed, now)}  every ${ago(intervalOf(feed) * 60_000)}`);
    }
    const failing = feeds.filter((f) => f.errorCode !== undefined).length;
    deps.reporter.info(`${feeds.length} feeds, ${failing} failing`);
    if (store.dialect === 'postgres') {
      const { describeQueue } = await import('./worker.js');
      for (const line of await describeQueue(config, deps)) deps.reporter.out(line);
    }
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

/** Each feed's check interval in minutes: its own from the config, else the learned one. */
function checkIntervals(config: OrreryConfig, now: Date): (feed: StoredFeed) => number {
  const subscriptionOf = subscriptionLookup(config.feeds);
  return (feed) =>
    checkIntervalMinutes(feed, subscriptionOf(feed)?.overrides?.intervalMinutes, config.fetch, now);
}

export function formatFeedLine(feed: StoredFeed, now: number): string {
  const name = feed.name ?? feed.title ?? feed.url;
  const last = feed.lastFetchedAt
    ? `${ago(now - Date.parse(feed.lastFetchedAt))} ago`
    : 'never fetched';
  const status = feed.lastStatus !== undefined ? `HTTP ${feed.lastStatus}` : '-';
  const state = feed.retired
    ? `RETIRED (gone)`
    : feed.errorCode
      ? `ERROR ${feed.errorCode}: ${feed.errorMessage ?? ''} (${feed.consecutiveFailures}x${feed.failingSince ? ` since ${feed.failingSince.slice(0, 16).replace('T', ' ')}` : ''})`
      : 'ok';
  const moved =
    feed.previousUrls.length > 0
      ? ` moved from ${feed.previousUrls[feed.previousUrls.length - 1]}`
      : '';
  const pending = feed.pendingRedirect ? ` (redirects to ${feed.pendingRedirect.to})` : '';
  return `${name}  ${feed.url}  ${last}  ${status}  ${feed.entryCount} entries  ${state}${moved}${pending}`;
}

export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.round(h / 24)}d`;
}

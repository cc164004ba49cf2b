/** status: one line per feed — last fetch, HTTP status, entries, error, check interval, WebSub state. */
import type { OrreryConfig } from '../../config/schema.js';
import type { StoredFeed } from '../../model/stored.js';
import { subscriptionLookup } from '../../pipeline/planet-pass.js';
import { checkIntervalMinutes } from '../../schedule/learn-interval.js';
import type { Store, WebSubSubscription } from '../../store/store.js';
import {
  type CliDeps,
  describeStore,
  type GlobalOptions,
  loadPlanet,
  openStore,
  storeExists,
} from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';

export async function runStatus(
  options: GlobalOptions & { json?: boolean; failing?: boolean },
  deps: CliDeps,
): Promise<ExitCode> {
  const config = await loadPlanet(options, deps);
  if (!storeExists(config)) {
    deps.reporter.info(`no store yet at ${describeStore(config)}: run \`orrery run\` first`);
    return EXIT.ok;
  }
  // Reading needs no lock: SQLite's WAL lets status read while a run writes.
  const store = await openStore(config, { readonly: true });
  try {
    let feeds = await store.listFeeds({ includeInactive: false });
    if (feeds.length === 0) {
      deps.reporter.info('no feed has been fetched yet; run `orrery run` first');
    }
    if (options.failing) feeds = feeds.filter((f) => f.errorCode !== undefined || f.retired);
    const dropped = await entriesDroppedByFeed(store, feeds);
    const websub = new Map(
      (await store.listWebSubSubscriptions()).map((sub) => [sub.feedId, sub] as const),
    );
    const intervalOf = checkIntervals(config, deps.now());
    if (options.json) {
      const withDetails = feeds.map((f) => {
        const n = dropped.get(f.id);
        return {
          ...f,
          ...(n ? { entriesDropped: n } : {}),
          intervalMinutes: intervalOf(f),
          websub: webSubStatus(websub.get(f.id)),
        };
      });
      deps.reporter.out(JSON.stringify(withDetails, null, 2));
      return EXIT.ok;
    }
    const now = deps.now().getTime();
    for (const feed of feeds) {
      const line = formatFeedLine(feed, now, {
        entriesDropped: dropped.get(feed.id),
        websub: webSubStatus(websub.get(feed.id)),
        intervalMinutes: intervalOf(feed),
      });
      deps.reporter.out(line);
    }
    const failing = feeds.filter((f) => f.errorCode !== undefined).length;
    const over = dropped.size > 0 ? `, ${dropped.size} over the per-document entry limit` : '';
    deps.reporter.info(`${feeds.length} feeds, ${failing} failing${over}`);
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

/**
 * Entries the last document read of each feed had past the parser's per-document limit (only
 * feeds with some). A read records the count (0 when none); a 304 or the same bytes again read
 * nothing, so the newest record that has a count is the last read.
 */
async function entriesDroppedByFeed(
  store: Pick<Store, 'recentFetches'>,
  feeds: readonly StoredFeed[],
): Promise<Map<number, number>> {
  const dropped = new Map<number, number>();
  for (const feed of feeds) {
    const history = await store.recentFetches(feed.id);
    const lastRead = history.find((r) => r.entriesDropped !== undefined);
    if (lastRead?.entriesDropped) dropped.set(feed.id, lastRead.entriesDropped);
  }
  return dropped;
}

/** A feed's WebSub subscription as status shows it. */
export interface WebSubStatus {
  /** none: no subscription; polling fallback: expired, failed or unsubscribed (polled as usual). */
  status: 'none' | 'pending' | 'active' | 'denied' | 'polling fallback';
  state?: WebSubSubscription['state'];
  hub?: string;
  topic?: string;
  expiresAt?: string;
  /** ISO 8601: when serve asks the hub again. */
  retryAt?: string;
  failures?: number;
  lastError?: string;
}

/** What status shows of a subscription: never its secret, nor its callback (which names it). */
export function webSubStatus(sub: WebSubSubscription | undefined): WebSubStatus {
  if (!sub) return { status: 'none' };
  const status: WebSubStatus['status'] =
    sub.state === 'pending' || sub.state === 'active' || sub.state === 'denied'
      ? sub.state
      : 'polling fallback';
  const { state, hub, topic, expiresAt, retryAt, failures, lastError } = sub;
  return {
    status,
    state,
    hub,
    topic,
    ...(expiresAt ? { expiresAt } : {}),
    ...(retryAt ? { retryAt } : {}),
    failures,
    ...(lastError ? { lastError } : {}),
  };
}

function formatWebSub(w: WebSubStatus): string {
  const at = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;
  if (w.status === 'active' && w.expiresAt) return `WebSub active until ${at(w.expiresAt)}`;
  if (w.status === 'polling fallback') {
    return `WebSub polling fallback (${w.state}${w.retryAt ? `, retry after ${at(w.retryAt)}` : ''})`;
  }
  return `WebSub ${w.status}`;
}

export function formatFeedLine(
  feed: StoredFeed,
  now: number,
  details: { entriesDropped?: number; websub?: WebSubStatus; intervalMinutes?: number } = {},
): string {
  const { entriesDropped, websub = { status: 'none' }, intervalMinutes } = details;
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
  const dropped = entriesDropped
    ? ` (+${entriesDropped} past the per-document limit, not read)`
    : '';
  const every = intervalMinutes !== undefined ? `  every ${ago(intervalMinutes * 60_000)}` : '';
  return `${name}  ${feed.url}  ${last}  ${status}  ${feed.entryCount} entries${dropped}  ${state}${moved}${pending}${every}  ${formatWebSub(websub)}`;
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

/** status: one line per feed — last fetch, HTTP status, entries, error. */
import type { StoredFeed } from '../../model/stored.js';
import type { Store } from '../../store/store.js';
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
    if (options.json) {
      const withDropped = feeds.map((f) => {
        const n = dropped.get(f.id);
        return n ? { ...f, entriesDropped: n } : f;
      });
      deps.reporter.out(JSON.stringify(withDropped, null, 2));
      return EXIT.ok;
    }
    const now = deps.now().getTime();
    for (const feed of feeds) deps.reporter.out(formatFeedLine(feed, now, dropped.get(feed.id)));
    const failing = feeds.filter((f) => f.errorCode !== undefined).length;
    const over = dropped.size > 0 ? `, ${dropped.size} over the per-document entry limit` : '';
    deps.reporter.info(`${feeds.length} feeds, ${failing} failing${over}`);
    return EXIT.ok;
  } finally {
    await store.close();
  }
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

export function formatFeedLine(feed: StoredFeed, now: number, entriesDropped?: number): string {
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
  return `${name}  ${feed.url}  ${last}  ${status}  ${feed.entryCount} entries${dropped}  ${state}${moved}${pending}`;
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.round(h / 24)}d`;
}

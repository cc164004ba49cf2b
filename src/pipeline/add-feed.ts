/**
 * Subscribe to a feed: find it from a home page (autodiscovery) and add it to planet.toml under
 * the edit lock. One implementation for `orrery add` and the admin API's POST /api/feeds; each
 * caller turns the outcome into its own answer (a message and exit code, an HTTP status).
 */
import { ConfigError } from '../config/config-error.js';
import { addFeedToConfig } from '../config/edit.js';
import { editPlanetFile } from '../config/edit-lock.js';
import { feedUrlKey } from '../config/schema.js';
import { type DiscoveredFeed, discoverFeeds } from '../fetch/discover.js';
import type { Fetcher } from '../model/fetch.js';
import type { SectionSettings } from '../model/settings.js';
import type { Subscription } from '../model/subscription.js';

export interface AddFeedRequest {
  /** A home page or the feed's own URL. */
  url: string;
  name?: string;
  /** Default: the first section. */
  section?: string;
  /** false: add the URL as given, without fetching it. */
  discover?: boolean;
  /** When several feeds are found, take this one (1-based). */
  pick?: number;
}

export interface AddFeedDeps {
  configPath: string;
  sections: readonly SectionSettings[];
  /** The subscribed URLs as last loaded (a quick check; the locked edit checks again). */
  subscribed: readonly string[];
  fetcher: Fetcher;
  version?: string;
  /** Called before the discovery fetches (progress for the CLI). */
  onDiscover?: (url: string) => void;
}

export type AddFeedRefusal =
  | 'bad-url'
  | 'unknown-section'
  | 'no-feed'
  | 'blocked'
  | 'already-subscribed'
  | 'config';

export type AddFeedOutcome =
  | { kind: 'added'; subscription: Subscription }
  /** Several feeds found and none picked: the caller lets the user choose. */
  | { kind: 'several'; pageUrl: string; feeds: DiscoveredFeed[] }
  | { kind: 'refused'; reason: AddFeedRefusal; message: string };

/** Discover, then add to planet.toml; never throws for the request's own problems. */
export async function addFeed(request: AddFeedRequest, deps: AddFeedDeps): Promise<AddFeedOutcome> {
  const refuse = (reason: AddFeedRefusal, message: string): AddFeedOutcome => ({
    kind: 'refused',
    reason,
    message,
  });
  const url = URL.canParse(request.url) ? new URL(request.url) : undefined;
  if (!url) {
    return refuse(
      'bad-url',
      `'${request.url}' is not a URL; give a full http(s) URL such as https://blog.example.org/`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return refuse('bad-url', `'${request.url}' is not an http(s) URL`);
  }
  const section = request.section ?? deps.sections[0]?.id ?? 'main';
  if (!deps.sections.some((s) => s.id === section)) {
    const known = deps.sections.map((s) => s.id).join(', ');
    return refuse(
      'unknown-section',
      `no section '${section}' in ${deps.configPath} (sections: ${known})`,
    );
  }
  let feedUrl = url.href;
  let title: string | undefined;
  if (request.discover !== false) {
    deps.onDiscover?.(feedUrl);
    const found = await discoverFeeds(feedUrl, deps.fetcher);
    if (found.kind === 'error' && found.code === 'blocked-address') {
      return refuse('blocked', `${found.message}; pass --allow-private to allow it`);
    }
    if (found.kind !== 'found' || found.feeds.length === 0) {
      const why = found.kind === 'found' ? 'nothing found' : `${found.code}: ${found.message}`;
      return refuse(
        'no-feed',
        `no feed found at ${feedUrl} (${why}); give the feed's own URL, or --no-discover to add it as is`,
      );
    }
    const pick = request.pick;
    const chosen =
      found.feeds.length === 1
        ? found.feeds[0]
        : pick === undefined
          ? undefined
          : found.feeds[pick - 1];
    if (!chosen) return { kind: 'several', pageUrl: feedUrl, feeds: found.feeds };
    feedUrl = chosen.url;
    title = chosen.title;
  }
  const already = (u: string) => feedUrlKey(u) === feedUrlKey(feedUrl);
  if (deps.subscribed.some(already)) {
    return refuse('already-subscribed', `${feedUrl} is already in ${deps.configPath}`);
  }
  const name = request.name ?? title;
  const subscription: Subscription = { url: feedUrl, section, ...(name ? { name } : {}) };
  try {
    await editPlanetFile(
      deps.configPath,
      (text) => ({
        text: addFeedToConfig(text, subscription, { file: deps.configPath }),
        value: 0,
      }),
      deps.version !== undefined ? { version: deps.version } : {},
    );
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const reason = /already subscribed/.test(error.message) ? 'already-subscribed' : 'config';
    return refuse(reason, error.message);
  }
  return { kind: 'added', subscription };
}

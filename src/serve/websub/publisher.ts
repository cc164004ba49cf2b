/**
 * WebSub publisher side: after a publish that changed some of the planet's own feeds, tell the
 * configured hub (`[websub] hub`) which ones, so it fetches them and pushes them on to its
 * subscribers. Used by `orrery run` and `orrery serve`.
 */
import { absoluteUrl } from '../../render/urls.js';
import type { HubClient } from './hub-client.js';

/** The site paths of the subscription feeds a build writes (not the archive's month documents). */
const FEED_PATH = /^(sections\/[^/]+\/)?(atom\.xml|rss\.xml|feed\.json)$/;

/** The public URLs of the feeds among a build's written files. */
export function changedFeedUrls(
  written: readonly string[],
  siteLink: string | undefined,
): string[] {
  return written
    .filter((path) => FEED_PATH.test(path))
    .map((path) => absoluteUrl(siteLink, path))
    .filter((url): url is string => url !== undefined);
}

export interface PingReport {
  pinged: string[];
  failed: Array<{ url: string; message: string }>;
}

/** POST hub.mode=publish&hub.url=<feed> for each feed, one request per feed. */
export async function pingHub(
  hub: string,
  feeds: readonly string[],
  client: HubClient,
): Promise<PingReport> {
  const report: PingReport = { pinged: [], failed: [] };
  for (const url of feeds) {
    const answer = await client.post(hub, { 'hub.mode': 'publish', 'hub.url': url });
    if (answer.ok) report.pinged.push(url);
    else report.failed.push({ url, message: answer.message });
  }
  return report;
}

/** RFC 8288 Link headers: the hub and self links a feed's server announces (WebSub §4). */
import type { Fetcher } from '../../model/fetch.js';
import type { WebSubLinks, WebSubSubscriptions } from '../../store/store.js';

/** The rel=hub and rel=self targets of one or more Link header values, resolved against `base`. */
export function parseWebSubLinks(header: string | undefined, base: string): WebSubLinks {
  const links: WebSubLinks = { hubs: [] };
  if (!header) return links;
  // <uri>; param; param, <uri>; ... — commas inside <…> or quotes do not split.
  const pattern = /<([^>]*)>((?:\s*;\s*[^;,="]+(?:=(?:"[^"]*"|[^;,]*))?)*)/g;
  for (const match of header.slice(0, 16_384).matchAll(pattern)) {
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]*))/i.exec(match[2] ?? '');
    const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    const target = URL.canParse(match[1] ?? '', base)
      ? new URL(match[1] ?? '', base).href
      : undefined;
    if (!target) continue;
    if (rels.includes('hub') && !links.hubs.includes(target)) links.hubs.push(target);
    if (rels.includes('self') && links.self === undefined) links.self = target;
  }
  return links;
}

/**
 * Wraps a Fetcher to record in the store the hub and self links of each feed's answers (WebSub
 * §4: the HTTP Link header comes before the document's own links), so that after a restart the
 * subscriber knows a hub named only there without fetching first. A 200 records what its header
 * says (nothing: forgotten); a 304 only records links it names (servers often leave headers
 * out of a 304). A feed's links are written when they differ from the last ones written by
 * this process: at most once per feed after a start, then on a change.
 */
export function recordLinkHeaders(
  fetcher: Fetcher,
  store: Pick<WebSubSubscriptions, 'recordFeedLinkHeader'>,
  onError: (url: string, error: unknown) => void,
): Fetcher {
  const written = new Map<string, string>();
  async function record(url: string, links: WebSubLinks): Promise<void> {
    const key = JSON.stringify(links);
    if (written.get(url) === key) return;
    try {
      if (await store.recordFeedLinkHeader(url, links)) written.set(url, key);
    } catch (error) {
      onError(url, error);
    }
  }
  return {
    async fetch(url, validators, signal) {
      const outcome = await fetcher.fetch(url, validators, signal);
      if (outcome.kind !== 'error') {
        const links = parseWebSubLinks(outcome.headers.link, outcome.finalUrl);
        const named = links.hubs.length > 0 || links.self !== undefined;
        if (named || outcome.kind === 'ok') await record(url, links);
      }
      return outcome;
    },
    close: () => fetcher.close(),
  };
}

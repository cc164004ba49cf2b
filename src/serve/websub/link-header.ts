/** RFC 8288 Link headers: the hub and self links a feed's server announces (WebSub §4). */
import type { Fetcher } from '../../model/fetch.js';

export interface WebSubLinks {
  hubs: string[];
  self?: string;
}

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
 * Wraps a Fetcher to remember the hub and self links of each feed's last answer (WebSub §4:
 * the HTTP Link header comes before the document's own links).
 */
export function rememberLinkHeaders(fetcher: Fetcher): {
  fetcher: Fetcher;
  linksOf: (feedUrl: string) => WebSubLinks | undefined;
} {
  const seen = new Map<string, WebSubLinks>();
  return {
    fetcher: {
      async fetch(url, validators, signal) {
        const outcome = await fetcher.fetch(url, validators, signal);
        if (outcome.kind !== 'error') {
          const links = parseWebSubLinks(outcome.headers.link, outcome.finalUrl);
          if (links.hubs.length > 0 || links.self) seen.set(url, links);
          else seen.delete(url);
        }
        return outcome;
      },
      close: () => fetcher.close(),
    },
    linksOf: (feedUrl) => seen.get(feedUrl),
  };
}

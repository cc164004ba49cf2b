/**
 * fetch/: URL → FetchOutcome over HTTP(S). Conditional GET, redirects followed hop by hop
 * (each hop checked), connect/headers/whole-body deadlines, body and decompressed size caps,
 * per-origin connection limit, SSRF guard on the resolved address, HTTP(S)_PROXY/NO_PROXY;
 * feed autodiscovery. Never parses feeds, never stores; a feed's failure is a value.
 */
export { blockedAddressReason, isPublicAddress } from './address-guard.js';
export { type Classified, classifyError, classifyStatus, FetchFailure } from './classify.js';
export {
  COMMON_FEED_PATHS,
  type DiscoveredFeed,
  type DiscoveredFormat,
  type DiscoveryResult,
  discoverFeeds,
} from './discover.js';
export {
  cacheNotBefore,
  createHttpFetcher,
  type HttpFetcherOptions,
  type ProxyEnv,
  parseRetryAfter,
} from './http-fetcher.js';
export { type SniffedFormat, sniffFeed } from './sniff-feed.js';

/** What the fetch tests share: tight fetcher options for loopback servers, and an outcome check. */
import type { FetchOutcome } from '../../model/fetch.js';
import type { HttpFetcherOptions } from '../http-fetcher.js';

export const TEST_FETCHER_OPTIONS: HttpFetcherOptions = {
  connectTimeoutMs: 2000,
  headersTimeoutMs: 2000,
  bodyTimeoutMs: 2000,
  maxBodyBytes: 64 * 1024,
  maxDecompressedBytes: 256 * 1024,
  maxRedirects: 5,
  perHostLimit: 4,
  userAgent: 'Orrery-test/1',
  allowPrivate: true,
};

/** The outcome, narrowed to `kind`; throws (with the whole outcome) when it is another kind. */
export function expectKind<K extends FetchOutcome['kind']>(
  outcome: FetchOutcome,
  kind: K,
): Extract<FetchOutcome, { kind: K }> {
  if (outcome.kind !== kind) throw new Error(`expected ${kind}, got ${JSON.stringify(outcome)}`);
  return outcome as Extract<FetchOutcome, { kind: K }>;
}

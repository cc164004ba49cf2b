import type { FeedErrorCode } from './errors.js';

/** HTTP validators and hints kept between fetches of one feed. */
export interface FetchValidators {
  etag?: string;
  lastModified?: string;
}

/** One hop of a redirect chain. */
export interface RedirectHop {
  from: string;
  to: string;
  status: number;
}

/** What fetch/ returns for one URL: a value, never an exception. */
export type FetchOutcome =
  | {
      kind: 'ok';
      /** The URL the body came from, after redirects. */
      finalUrl: string;
      status: number;
      /** Response headers, lower-case names. */
      headers: Record<string, string>;
      body: Uint8Array;
      validators: FetchValidators;
      redirects: RedirectHop[];
      /** Set when every hop of the chain was permanent (301/308): the feed's new URL. */
      permanentRedirect?: string;
      /** Earliest time the server wants us back (Cache-Control max-age / Expires), ISO 8601. */
      notBefore?: string;
      elapsedMs: number;
    }
  | {
      kind: 'not-modified';
      finalUrl: string;
      status: 304;
      headers: Record<string, string>;
      validators: FetchValidators;
      redirects: RedirectHop[];
      permanentRedirect?: string;
      notBefore?: string;
      elapsedMs: number;
    }
  | {
      kind: 'error';
      code: FeedErrorCode;
      message: string;
      status?: number;
      /** From Retry-After on 429/503, ISO 8601. */
      retryAfter?: string;
      redirects: RedirectHop[];
      elapsedMs: number;
    };

/** The fetch port the pipeline depends on. */
export interface Fetcher {
  fetch(url: string, validators?: FetchValidators, signal?: AbortSignal): Promise<FetchOutcome>;
  close(): Promise<void>;
}

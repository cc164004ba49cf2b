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

/** A feed's own settings for its requests (planet.toml [[feeds]] user_agent, timeout, headers). */
export interface FetchRequestOptions {
  /** Replaces the fetcher's User-Agent. */
  userAgent?: string;
  /** Bounds this feed's whole fetch (connect, headers, every redirect, body), replacing the body timeout. */
  timeoutMs?: number;
  /**
   * Extra request headers, names lower case; they win over the fetcher's own extra headers of
   * the same name. Authorization and Cookie are never sent to a redirect target on another origin.
   */
  headers?: Readonly<Record<string, string>>;
  /**
   * Called for a 2xx body bigger than 1 MB once inflated, before it is inflated and returned;
   * resolves true to go on, false to give up (the fetch then fails as timed out). The pipeline
   * bounds the big documents held at once with it: a waiting body stays as sent (often
   * compressed), and small documents never wait.
   */
  admit?: () => Promise<boolean>;
}

/** The fetch port the pipeline depends on. */
export interface Fetcher {
  fetch(
    url: string,
    validators?: FetchValidators,
    signal?: AbortSignal,
    request?: FetchRequestOptions,
  ): Promise<FetchOutcome>;
  close(): Promise<void>;
}

/**
 * Request headers the fetcher owns (or HTTP leaves to the connection), with why: a config may
 * not set them in `headers` (config/ refuses them; fetch/ never sends them from extra headers).
 */
export const FETCHER_OWNED_HEADERS: Readonly<Record<string, string>> = {
  host: 'it is set from the feed URL',
  'content-length': 'a GET has no body',
  connection: 'the connection is managed by Orrery',
  'keep-alive': 'the connection is managed by Orrery',
  'transfer-encoding': 'a GET has no body',
  te: 'the connection is managed by Orrery',
  trailer: 'a GET has no body',
  upgrade: 'the connection is managed by Orrery',
  expect: 'a GET has no body',
  'if-none-match': 'conditional GET sends the ETag the server gave',
  'if-modified-since': 'conditional GET sends the Last-Modified date the server gave',
  'accept-encoding': 'Orrery asks only for the compressions it decompresses within its caps',
  'user-agent': 'set user_agent instead',
};

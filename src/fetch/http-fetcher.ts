/**
 * The HTTP fetcher: URL → FetchOutcome, over one undici Agent per run.
 * Conditional GET, redirects followed by hand (each hop checked), connect/headers/whole-body
 * deadlines, caps on body and decompressed size, per-origin connection limit, an SSRF guard on
 * the resolved address at connect time, and HTTP(S)_PROXY/NO_PROXY; a feed's own User-Agent,
 * time budget and extra headers. Never throws for a feed, and never puts a header value in a
 * message.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate, inflateRaw, type ZlibOptions } from 'node:zlib';
import type { Agent, Dispatcher } from 'undici';
import {
  FETCHER_OWNED_HEADERS,
  type Fetcher,
  type FetchOutcome,
  type FetchRequestOptions,
  type FetchValidators,
  type RedirectHop,
} from '../model/fetch.js';
import type { FetchSettings } from '../model/settings.js';
import { blockedAddressReason } from './address-guard.js';
import { classifyError, classifyStatus, FetchFailure } from './classify.js';
import { leanPoolFactory } from './lean-pool.js';
import { loadUndici, loadUndiciLite } from './undici-lite.js';

export interface ProxyEnv {
  HTTPS_PROXY?: string | undefined;
  HTTP_PROXY?: string | undefined;
  NO_PROXY?: string | undefined;
}

/** The FetchSettings the fetcher needs (extra settings fields are accepted and ignored). */
export type HttpFetcherOptions = Partial<FetchSettings> &
  Pick<
    FetchSettings,
    | 'connectTimeoutMs'
    | 'headersTimeoutMs'
    | 'bodyTimeoutMs'
    | 'maxBodyBytes'
    | 'maxDecompressedBytes'
    | 'maxRedirects'
    | 'perHostLimit'
    | 'userAgent'
    | 'allowPrivate'
  > & {
    /** Proxy settings, passed in by the CLI (fetch/ never reads process.env). */
    env?: ProxyEnv;
    /**
     * Why an address is refused (undefined: allowed). Default: blockedAddressReason, i.e. every
     * non-public address. Tests narrow it to exercise the guard on loopback servers.
     */
    addressPolicy?: (address: string) => string | undefined;
  };

const ACCEPT =
  'application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, application/feed+json, ' +
  'application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.7, */*;q=0.5';
const ACCEPT_ENCODING = 'gzip, deflate, br';
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/**
 * Bodies up to this size once inflated are returned at once; a bigger one waits to be admitted
 * (FetchRequestOptions.admit). 2 of the 490 corpus feeds are bigger.
 */
export const ADMIT_ABOVE_BYTES = 1 << 20;
/** Credentials a redirect to another origin does not receive (as browsers and curl do). */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);
/** Bodies that are never a feed: refused before they are downloaded. */
const NOT_A_FEED_TYPE = /^(image|audio|video|font)\//i;

const gunzipAsync = promisify<Buffer, ZlibOptions, Buffer>(gunzip);
const inflateAsync = promisify<Buffer, ZlibOptions, Buffer>(inflate);
const inflateRawAsync = promisify<Buffer, ZlibOptions, Buffer>(inflateRaw);
const brotliAsync = promisify<Buffer, ZlibOptions, Buffer>(brotliDecompress);

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

function blockedFailure(host: string, address: string, reason: string): FetchFailure {
  return new FetchFailure(
    'blocked-address',
    `refused to connect to ${host} (${address}): ${reason} address; to fetch it anyway set ` +
      'allow_private = true in [fetch] of planet.toml, or pass --allow-private',
  );
}

/** A size for messages: "5 MB", "512 KB", "300 bytes" (binary units, as planet.toml writes them). */
export function formatSize(bytes: number): string {
  const units: [number, string][] = [
    [1024 ** 3, 'GB'],
    [1024 ** 2, 'MB'],
    [1024, 'KB'],
  ];
  for (const [size, unit] of units) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(1))} ${unit}`;
  }
  return `${bytes} bytes`;
}

/** A duration for messages: "400 ms", "30 s". */
function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}

const allowAll = (): undefined => undefined;

type LookupAllCallback = (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void;
type CachedLookup = (hostname: string, options: LookupOptions, callback: LookupAllCallback) => void;

const systemLookupAll: CachedLookup = (hostname, options, callback) =>
  dnsLookup(hostname, { ...options, all: true }, callback);

/**
 * One DNS answer per host per run: a planet has hundreds of feeds on a few hosts (feedburner,
 * blogspot), and a host that does not resolve should cost one lookup, not one per feed.
 * Concurrent lookups of one name share the answer; failures are cached for a shorter time.
 * `lookupAll` (default: node:dns lookup with `all: true`) is injectable so tests can count calls.
 */
export function createDnsCache(
  ttlMs = 300_000,
  negativeTtlMs = 60_000,
  lookupAll: CachedLookup = systemLookupAll,
): CachedLookup {
  type Slot =
    | { state: 'waiting'; callbacks: LookupAllCallback[] }
    | {
        state: 'done';
        until: number;
        error: NodeJS.ErrnoException | null;
        addresses: LookupAddress[];
      };
  const cache = new Map<string, Slot>();
  return (hostname, options, callback) => {
    const key = `${hostname}/${options.family ?? 0}`;
    const slot = cache.get(key);
    if (slot?.state === 'waiting') {
      slot.callbacks.push(callback);
      return;
    }
    if (slot && slot.until > Date.now()) {
      process.nextTick(callback, slot.error, slot.addresses);
      return;
    }
    const waiting: Slot = { state: 'waiting', callbacks: [callback] };
    cache.set(key, waiting);
    lookupAll(hostname, options, (error, addresses) => {
      const list = error ? [] : addresses;
      const until = Date.now() + (error ? negativeTtlMs : ttlMs);
      cache.set(key, { state: 'done', until, error, addresses: list });
      for (const cb of waiting.callbacks) cb(error, list);
    });
  };
}

/** dns.lookup that refuses non-public addresses: the check happens on what the socket will use. */
function guardedLookup(
  policy: (address: string) => string | undefined,
  lookupAll: CachedLookup,
  hostname: string,
  options: LookupOptions,
  callback: LookupCallback,
): void {
  lookupAll(hostname, options, (error, addresses) => {
    if (error) return callback(error, []);
    const allowed: LookupAddress[] = [];
    let refused: { address: string; reason: string } | undefined;
    for (const entry of addresses) {
      const reason = policy(entry.address);
      if (reason === undefined) allowed.push(entry);
      else refused ??= { address: entry.address, reason };
    }
    const first = allowed[0];
    if (!first) {
      const failure = refused
        ? blockedFailure(hostname, refused.address, refused.reason)
        : new FetchFailure('dns', `DNS lookup failed (${hostname}): no address`);
      return callback(failure as NodeJS.ErrnoException, []);
    }
    if (options.all) return callback(null, allowed);
    callback(null, first.address, first.family);
  });
}

function headerRecord(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** When the server wants us back at the earliest: Cache-Control max-age (minus Age), else Expires. */
export function cacheNotBefore(
  headers: Record<string, string>,
  receivedAt: number,
): string | undefined {
  const cacheControl = headers['cache-control']?.toLowerCase() ?? '';
  if (/(^|,)\s*(no-store|no-cache)\b/.test(cacheControl)) return undefined;
  const maxAge = /(?:^|,)\s*max-age\s*=\s*"?(\d+)/.exec(cacheControl)?.[1];
  if (maxAge !== undefined) {
    const age = Number(headers.age ?? 0) || 0;
    const seconds = Number(maxAge) - age;
    return seconds > 0 ? new Date(receivedAt + seconds * 1000).toISOString() : undefined;
  }
  const expires = headers.expires ? Date.parse(headers.expires) : Number.NaN;
  if (Number.isNaN(expires)) return undefined;
  // Judge Expires against the server's own clock (Date) so a skewed clock does not matter.
  const serverNow = headers.date ? Date.parse(headers.date) : Number.NaN;
  const delta = expires - (Number.isNaN(serverNow) ? receivedAt : serverNow);
  return delta > 0 ? new Date(receivedAt + delta).toISOString() : undefined;
}

/** Retry-After as seconds or an HTTP-date, as an ISO time; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, receivedAt: number): string | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return new Date(receivedAt + Number(text) * 1000).toISOString();
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : new Date(Math.max(at, receivedAt)).toISOString();
}

function looksLikeZlib(bytes: Uint8Array): boolean {
  const [cmf = 0, flg = 0] = bytes;
  return (cmf & 0x0f) === 8 && ((cmf << 8) | flg) % 31 === 0;
}

async function decode(raw: Buffer, encoding: string, maxBytes: number): Promise<Buffer> {
  const codings = encoding
    .toLowerCase()
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '' && c !== 'identity');
  let body = raw;
  // Codings are listed in the order they were applied: undo them from the last one.
  for (const coding of codings.reverse()) {
    const options: ZlibOptions = { maxOutputLength: maxBytes };
    if (body.length === 0) return body;
    if (coding === 'gzip' || coding === 'x-gzip') body = await gunzipAsync(body, options);
    // "deflate" is meant to be zlib-wrapped, but some servers send raw deflate.
    else if (coding === 'deflate') {
      body = await (looksLikeZlib(body) ? inflateAsync : inflateRawAsync)(body, options);
    } else if (coding === 'br') body = await brotliAsync(body, options);
    else throw new FetchFailure('parse', `unsupported Content-Encoding "${coding}"`);
  }
  return body;
}

/**
 * The caller's signal, joined with a deadline on the whole fetch when the feed has its own
 * timeout; that deadline aborts with a `timeout` FetchFailure that names it.
 */
function withFeedDeadline(
  caller: AbortSignal | undefined,
  timeoutMs: number | undefined,
  host: string,
): { signal: AbortSignal | undefined; clear: () => void } {
  if (timeoutMs === undefined) return { signal: caller, clear: () => undefined };
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(
      new FetchFailure(
        'timeout',
        `no complete answer within the feed's timeout of ${formatMs(timeoutMs)} (${host})`,
      ),
    );
  }, timeoutMs);
  return {
    signal: caller ? AbortSignal.any([caller, controller.signal]) : controller.signal,
    clear: () => clearTimeout(timer),
  };
}

function isTooLarge(error: unknown): boolean {
  return (error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE';
}

/** The connection was closed by the other side before any response (a request that may be sent again). */
function closedBeforeAnswer(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE') return true;
  }
  return false;
}

/** Drops a body we will not read (its abort error has nowhere to go and does not matter). */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

interface Hop {
  status: number;
  headers: Record<string, string>;
  body: Dispatcher.ResponseData['body'];
}

/** Creates the fetcher for one run; close() it to release the connections. */
export function createHttpFetcher(options: HttpFetcherOptions): Fetcher {
  const {
    connectTimeoutMs,
    headersTimeoutMs,
    bodyTimeoutMs,
    maxBodyBytes,
    maxDecompressedBytes,
    maxRedirects,
    perHostLimit,
    userAgent,
    allowPrivate,
    headers: fetcherHeaders = {},
    env = {},
    addressPolicy = blockedAddressReason,
  } = options;
  const dnsCache = createDnsCache();
  const agentOptions: Agent.Options = {
    connections: Math.max(1, perHostLimit),
    headersTimeout: headersTimeoutMs,
    // undici's bodyTimeout is an idle timeout; the whole-body deadline is ours (see below).
    bodyTimeout: bodyTimeoutMs,
    keepAliveTimeout: 10_000,
    connect: {
      timeout: connectTimeoutMs,
      lookup: (host: string, opts: LookupOptions, cb: LookupCallback) =>
        guardedLookup(allowPrivate ? allowAll : addressPolicy, dnsCache, host, opts, cb),
    },
  };
  const proxied = Boolean(env.HTTP_PROXY || env.HTTPS_PROXY);
  const { Agent: UndiciAgent, Pool, Client, request: undiciRequest } = loadUndiciLite();
  // Empty strings, not undefined: EnvHttpProxyAgent would otherwise fall back to process.env.
  // The proxy connection itself is not guarded (a proxy may well live on a private address).
  const dispatcher: Dispatcher = proxied
    ? new (loadUndici().EnvHttpProxyAgent)({
        ...agentOptions,
        httpProxy: env.HTTP_PROXY ?? '',
        httpsProxy: env.HTTPS_PROXY ?? env.HTTP_PROXY ?? '',
        noProxy: env.NO_PROXY ?? '',
      })
    : new UndiciAgent({ ...agentOptions, factory: leanPoolFactory(Pool, Client) });

  function checkUrl(url: URL): void {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new FetchFailure(
        'bad-url',
        `only http and https URLs are fetched, not ${url.protocol}`,
      );
    }
    if (allowPrivate) return;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // Literal IPs never reach the lookup hook; names such as localhost may bypass it via a proxy.
    if (isIP(host)) {
      const reason = addressPolicy(host);
      if (reason) throw blockedFailure(url.host, host, reason);
    } else if (/(^|\.)localhost\.?$/i.test(host)) {
      throw blockedFailure(url.host, host, 'loopback');
    }
  }

  /**
   * The request's headers. Extra headers (the fetcher's, then the feed's: the feed wins per
   * name) may replace Accept but never the ones the fetcher owns, set after them. Credentials
   * (extra Authorization/Cookie, or user:pass@ in the URL) go to the feed's own origin only.
   */
  function requestHeaders(
    url: URL,
    validators: FetchValidators | undefined,
    sameOrigin: boolean,
    request: FetchRequestOptions | undefined,
  ): Record<string, string> {
    const headers: Record<string, string> = { accept: ACCEPT };
    for (const extra of [fetcherHeaders, request?.headers ?? {}]) {
      for (const [name, value] of Object.entries(extra)) {
        const key = name.toLowerCase();
        // The config refuses these; a library caller passing one must not break the request.
        if (Object.hasOwn(FETCHER_OWNED_HEADERS, key)) continue;
        if (sameOrigin || !CREDENTIAL_HEADERS.has(key)) headers[key] = value;
      }
    }
    headers['user-agent'] = request?.userAgent ?? userAgent;
    headers['accept-encoding'] = ACCEPT_ENCODING;
    // A validator a server once sent with control characters would make every later request
    // throw: such a value is not sent (the fetch becomes unconditional instead).
    if (validators?.etag && HEADER_VALUE.test(validators.etag))
      headers['if-none-match'] = validators.etag;
    if (validators?.lastModified && HEADER_VALUE.test(validators.lastModified)) {
      headers['if-modified-since'] = validators.lastModified;
    }
    // Credentials in the feed URL go to its own origin only, never to a redirect target; an
    // Authorization header the config sets explicitly wins over them.
    if (sameOrigin && url.username && headers.authorization === undefined) {
      const user = decodeURIComponent(url.username);
      const pass = decodeURIComponent(url.password);
      headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    }
    return headers;
  }

  /**
   * One request, sent again once on a new connection when the server closed the one it went on
   * before answering: a kept-alive connection the server drops just as we reuse it (its idle
   * timeout) is a race of HTTP/1.1, not the feed's failure. A GET may be repeated; browsers and
   * curl do the same.
   */
  async function requestHop(
    url: URL,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
    timeoutMs: number | undefined,
  ): Promise<Hop> {
    try {
      return await sendRequest(url, headers, signal, timeoutMs);
    } catch (error) {
      if (signal?.aborted || !closedBeforeAnswer(error)) throw error;
      return sendRequest(url, headers, signal, timeoutMs);
    }
  }

  async function sendRequest(
    url: URL,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
    timeoutMs: number | undefined,
  ): Promise<Hop> {
    const response = await undiciRequest.call(dispatcher, {
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers,
      ...(signal ? { signal } : {}),
      // A feed's own timeout replaces the run's header and idle-body timeouts, so that a longer
      // one can be longer; its deadline (in fetchUrl) bounds the whole fetch and, set a little
      // earlier than undici's (which ticks about every 0.5 s), is the one that names it.
      ...(timeoutMs !== undefined
        ? { headersTimeout: timeoutMs + 2000, bodyTimeout: timeoutMs + 2000 }
        : {}),
    });
    return {
      status: response.statusCode,
      headers: headerRecord(response.headers),
      body: response.body,
    };
  }

  /** The body as it came over the wire, cut at max_body_size. */
  async function readRawBody(hop: Hop, url: URL): Promise<Buffer> {
    const declared = Number(hop.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBodyBytes) {
      discard(hop.body);
      throw new FetchFailure(
        'too-large',
        `the body (${formatSize(declared)}) is larger than max_body_size (${formatSize(maxBodyBytes)}) (${url.host})`,
      );
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of hop.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBodyBytes) {
        discard(hop.body);
        throw new FetchFailure(
          'too-large',
          `the body is larger than max_body_size (${formatSize(maxBodyBytes)}) (${url.host})`,
        );
      }
      chunks.push(chunk);
    }
    return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
  }

  /** The body with its Content-Encoding undone, cut at max_decompressed_size. */
  async function decodeBody(raw: Buffer, hop: Hop, url: URL): Promise<Buffer> {
    const encoding = hop.headers['content-encoding'];
    if (!encoding) return raw;
    try {
      return await decode(raw, encoding, maxDecompressedBytes);
    } catch (error) {
      if (isTooLarge(error)) {
        throw new FetchFailure(
          'too-large',
          `the decompressed body is larger than max_decompressed_size (${formatSize(maxDecompressedBytes)}) (${encoding}, ${url.host})`,
        );
      }
      throw error;
    }
  }

  /** The body inflated when it is at most ADMIT_ABOVE_BYTES, else undefined. */
  async function smallBody(raw: Buffer, hop: Hop): Promise<Buffer | undefined> {
    const encoding = hop.headers['content-encoding'];
    if (!encoding) return raw.length <= ADMIT_ABOVE_BYTES ? raw : undefined;
    const limit = Math.min(ADMIT_ABOVE_BYTES, maxDecompressedBytes);
    try {
      return await decode(raw, encoding, limit);
    } catch (error) {
      // Bigger: inflated again once admitted, against max_decompressed_size.
      if (isTooLarge(error)) return undefined;
      throw error;
    }
  }

  async function fetchUrl(
    url: string,
    validators: FetchValidators | undefined,
    caller: AbortSignal | undefined,
    request: FetchRequestOptions | undefined,
  ): Promise<FetchOutcome> {
    const started = performance.now();
    const redirects: RedirectHop[] = [];
    const elapsed = () => Math.round(performance.now() - started);
    const fail = (code: FetchFailure['code'], message: string, extra?: object): FetchOutcome => ({
      kind: 'error',
      code,
      message,
      redirects,
      elapsedMs: elapsed(),
      ...extra,
    });
    let current: URL;
    try {
      current = new URL(url);
    } catch {
      return fail('bad-url', `not a valid URL: ${url}`);
    }
    let deadline: NodeJS.Timeout | undefined;
    const feedTimeoutMs = request?.timeoutMs;
    const { signal: outer, clear: clearFeedDeadline } = withFeedDeadline(
      caller,
      feedTimeoutMs,
      current.host,
    );
    const origin = current.origin;
    // Once the chain has left the feed's origin, no later hop gets its credentials back.
    let sameOrigin = true;
    try {
      const seen = new Set<string>([current.href]);
      let allPermanent = true;
      for (;;) {
        checkUrl(current);
        sameOrigin &&= current.origin === origin;
        const headers = requestHeaders(current, validators, sameOrigin, request);
        const hop = await requestHop(current, headers, outer, feedTimeoutMs);
        if (REDIRECTS.has(hop.status)) {
          // Drain so the connection can be reused; a redirect's body is never read.
          await hop.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
          const location = hop.headers.location;
          if (!location) {
            return fail('http-status', `HTTP ${hop.status} redirect without a Location header`, {
              status: hop.status,
            });
          }
          let next: URL;
          try {
            next = new URL(location, current);
          } catch {
            return fail('bad-url', `redirect to an invalid URL: ${location}`, {
              status: hop.status,
            });
          }
          next.hash = '';
          redirects.push({ from: current.href, to: next.href, status: hop.status });
          if (hop.status !== 301 && hop.status !== 308) allPermanent = false;
          if (seen.has(next.href)) {
            return fail('redirect-loop', `redirect loop: ${next.href} was already visited`, {
              status: hop.status,
            });
          }
          if (redirects.length > maxRedirects) {
            return fail(
              'too-many-redirects',
              `more than ${maxRedirects} redirects (max_redirects in [fetch]); last: ${next.href}`,
              { status: hop.status },
            );
          }
          seen.add(next.href);
          current = next;
          continue;
        }
        const receivedAt = Date.now();
        const permanentRedirect = redirects.length > 0 && allPermanent ? current.href : undefined;
        const notBefore = cacheNotBefore(hop.headers, receivedAt);
        const common = {
          finalUrl: current.href,
          headers: hop.headers,
          redirects,
          ...(permanentRedirect ? { permanentRedirect } : {}),
          ...(notBefore ? { notBefore } : {}),
        };
        if (hop.status === 304) {
          await hop.body.dump().catch(() => undefined);
          return {
            kind: 'not-modified',
            status: 304,
            ...common,
            validators: {
              ...((hop.headers.etag ?? validators?.etag)
                ? { etag: hop.headers.etag ?? validators?.etag }
                : {}),
              ...((hop.headers['last-modified'] ?? validators?.lastModified)
                ? { lastModified: hop.headers['last-modified'] ?? validators?.lastModified }
                : {}),
            } as FetchValidators,
            elapsedMs: elapsed(),
          };
        }
        if (hop.status < 200 || hop.status >= 300) {
          await hop.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
          const { code, message } = classifyStatus(hop.status);
          const retryAfter =
            hop.status === 429 || hop.status === 503
              ? parseRetryAfter(hop.headers['retry-after'], receivedAt)
              : undefined;
          return fail(code, `${message} (${current.host})`, {
            status: hop.status,
            ...(retryAfter ? { retryAfter } : {}),
          });
        }
        const contentType = hop.headers['content-type'] ?? '';
        if (NOT_A_FEED_TYPE.test(contentType)) {
          discard(hop.body);
          return fail('not-a-feed', `the server sent ${contentType.split(';')[0]}, not a feed`, {
            status: hop.status,
          });
        }
        // The whole body must arrive by this deadline: a trickling server is cut off here. A
        // feed with its own timeout has its whole-fetch deadline instead.
        if (feedTimeoutMs === undefined) {
          const host = current.host;
          deadline = setTimeout(() => {
            hop.body.destroy(
              new FetchFailure(
                'timeout',
                `the body did not arrive within ${formatMs(bodyTimeoutMs)} (body_timeout) (${host})`,
              ),
            );
          }, bodyTimeoutMs);
        }
        const raw = await readRawBody(hop, current);
        clearTimeout(deadline);
        // A big document waits until the caller can read it (FetchRequestOptions.admit), as
        // sent: often compressed, not the document it inflates to.
        const small = request?.admit ? await smallBody(raw, hop) : undefined;
        if (request?.admit && !small && !(await request.admit())) {
          return fail(
            'timeout',
            `its time budget ran out before it could be read (${current.host})`,
            {
              status: hop.status,
            },
          );
        }
        const body = small ?? (await decodeBody(raw, hop, current));
        const validatorsOut: FetchValidators = {};
        if (hop.headers.etag) validatorsOut.etag = hop.headers.etag;
        if (hop.headers['last-modified']) validatorsOut.lastModified = hop.headers['last-modified'];
        return {
          kind: 'ok',
          status: hop.status,
          ...common,
          body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
          validators: validatorsOut,
          elapsedMs: elapsed(),
        };
      }
    } catch (error) {
      // An abort carries its reason: our body deadline, or the caller's signal.
      const cause = outer?.aborted && !(error instanceof FetchFailure) ? outer.reason : error;
      const { code, message } = classifyError(cause ?? error, current.href);
      return fail(code, message);
    } finally {
      if (deadline) clearTimeout(deadline);
      clearFeedDeadline();
    }
  }

  return {
    fetch: fetchUrl,
    async close() {
      await dispatcher.close();
    },
  };
}

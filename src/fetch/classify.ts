/**
 * Every way a fetch fails, mapped to one FeedErrorCode and a message a person can act on.
 * Inputs are undici/Node errors (ENOTFOUND, ECONNREFUSED, UND_ERR_* ...) and the fetcher's own
 * FetchFailure (size caps, redirects, the SSRF guard).
 */
import { errorMessage, type FeedErrorCode } from '../model/errors.js';

/** A classified failure raised inside fetch/ (caught and turned into an error outcome). */
export class FetchFailure extends Error {
  readonly code: FeedErrorCode;
  constructor(code: FeedErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FetchFailure';
    this.code = code;
  }
}

export interface Classified {
  code: FeedErrorCode;
  message: string;
}

const DNS_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NODATA',
  'EAI_FAIL',
  'EAI_NONAME',
  'ENODATA',
  'ESERVFAIL',
]);
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'ECONNABORTED',
]);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
const TLS_CODE =
  /^(CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_TLS_|ERR_SSL_|HOSTNAME_MISMATCH|EPROTO$)/;

/** What timed out, with the planet.toml setting that bounds it. */
const TIMEOUT_WHAT: Record<string, string> = {
  UND_ERR_CONNECT_TIMEOUT: 'connecting (connect_timeout)',
  UND_ERR_HEADERS_TIMEOUT: 'waiting for the response headers (headers_timeout)',
  UND_ERR_BODY_TIMEOUT: 'waiting for the body (body_timeout)',
  ETIMEDOUT: 'connecting',
};

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** The innermost cause with a code (undici wraps socket errors). */
function rootCause(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5; depth++) {
    const cause = (current as { cause?: unknown } | null)?.cause;
    if (cause === undefined || cause === null || codeOf(current) !== undefined) break;
    current = cause;
  }
  return current;
}

/** Maps an error thrown while fetching `url` to a FeedErrorCode and a human message. */
export function classifyError(error: unknown, url?: string): Classified {
  for (
    let e: unknown = error, depth = 0;
    e && depth < 5;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    if (e instanceof FetchFailure) return { code: e.code, message: e.message };
  }
  const root = rootCause(error);
  const code = codeOf(root) ?? codeOf(error) ?? '';
  const name = (root as { name?: unknown } | null)?.name;
  let host = '';
  try {
    host = url ? new URL(url).host : '';
  } catch {
    // A URL that does not parse is reported by the caller as bad-url; no host to name here.
  }
  const at = host ? ` (${host})` : '';
  const detail = errorMessage(root);
  if (DNS_CODES.has(code)) {
    return {
      code: 'dns',
      message: `DNS lookup failed${at}: ${code === 'ENOTFOUND' ? 'no such host' : code}`,
    };
  }
  if (CONNECT_CODES.has(code)) {
    const what = code === 'ECONNREFUSED' ? 'connection refused' : `cannot connect (${code})`;
    return { code: 'connect', message: `${what}${at}` };
  }
  if (RESET_CODES.has(code)) {
    return {
      code: 'connect',
      message: `connection closed by the server${at}: ${detail} (${code})`,
    };
  }
  if (TIMEOUT_CODES.has(code) || name === 'TimeoutError') {
    const what = TIMEOUT_WHAT[code] ?? 'fetching';
    return { code: 'timeout', message: `timed out ${what}${at}` };
  }
  if (TLS_CODE.test(code)) {
    return { code: 'tls', message: `TLS error${at}: ${detail} (${code})` };
  }
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE' || code === 'ERR_BUFFER_TOO_LARGE') {
    return { code: 'too-large', message: `response too large${at}` };
  }
  if (code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') {
    return {
      code: 'connect',
      message: `body shorter than its Content-Length${at} (connection cut)`,
    };
  }
  if (
    code.startsWith('Z_') ||
    code === 'ERR_BROTLI_DECOMPRESSION_FAILED' ||
    code === 'ERR__ERROR_FORMAT_PADDING_1'
  ) {
    return { code: 'parse', message: `cannot decompress the body${at}: ${detail}` };
  }
  if (code === 'ERR_INVALID_URL') {
    return { code: 'bad-url', message: `bad URL: ${detail}` };
  }
  if (name === 'AbortError' || code === 'UND_ERR_ABORTED' || code === 'ABORT_ERR') {
    return { code: 'timeout', message: `fetch aborted${at}: ${detail}` };
  }
  if (code === 'HPE_INVALID_CONSTANT' || code.startsWith('HPE_') || code === 'UND_ERR_INFO') {
    return { code: 'connect', message: `the server sent malformed HTTP${at}: ${detail}` };
  }
  return { code: 'internal', message: `fetch failed${at}: ${detail}${code ? ` (${code})` : ''}` };
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  410: 'Gone',
  429: 'Too Many Requests',
  451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Classifies a non-success HTTP status: 410 is 'gone' (the feed retires), the rest 'http-status'. */
export function classifyStatus(status: number): Classified {
  const reason = REASONS[status];
  const text = `HTTP ${status}${reason ? ` ${reason}` : ''}`;
  if (status === 410) return { code: 'gone', message: `${text}: the feed was removed for good` };
  if (status === 429 || status === 503) {
    return { code: 'http-status', message: `${text}: the server asks us to come back later` };
  }
  return { code: 'http-status', message: text };
}

/**
 * URL helpers (domain-free, pure). canonicalizeUrl folds the spellings of one web address that
 * feeds and planets produce — http vs https, host case, default port, trailing slash, fragment,
 * tracking parameters, query order — into one key. The result is for comparing, not fetching.
 */

/** Query parameters that only track the reader (campaigns, click ids); they never change the page. */
const TRACKING_PARAMS = new Set([
  'fbclid',
  'gclid',
  'dclid',
  'gbraid',
  'wbraid',
  'msclkid',
  'yclid',
  'igshid',
  'twclid',
  'mc_cid',
  'mc_eid',
  '_hsenc',
  '_hsmi',
  'mkt_tok',
  'oly_anon_id',
  'oly_enc_id',
  'vero_id',
  '_ga',
  '_gl',
]);

function isTracking(name: string): boolean {
  const n = name.toLowerCase();
  return n.startsWith('utm_') || TRACKING_PARAMS.has(n);
}

// Characters RFC 3986 calls unreserved: %XX escapes of them mean the same URL unescaped.
const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** Decode escapes of unreserved characters and upper-case the hex of the others. */
function normalizeEscapes(s: string): string {
  return s.replace(/%([0-9a-fA-F]{2})/g, (_m, hex: string) => {
    const ch = String.fromCharCode(Number.parseInt(hex, 16));
    return UNRESERVED.test(ch) ? ch : `%${hex.toUpperCase()}`;
  });
}

/**
 * The canonical key of an http(s) URL, or undefined when `url` is not one (resolved against
 * `base` when given). http and https, and a trailing slash or not, give the same key.
 */
export function canonicalizeUrl(url: string, base?: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url.trim(), base);
  } catch {
    // Not a URL: there is nothing to canonicalize, and callers treat undefined as "no link".
    return undefined;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
  if (u.hostname === '') return undefined;
  const port = u.port === '80' || u.port === '443' ? '' : u.port;
  const host = u.hostname.replace(/\.$/, '') + (port ? `:${port}` : '');
  let path = normalizeEscapes(u.pathname);
  if (path.length > 1) path = path.replace(/\/+$/, '') || '/';
  const params = [...u.searchParams.entries()]
    .filter(([k]) => !isTracking(k))
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  const query = params.length > 0 ? `?${new URLSearchParams(params).toString()}` : '';
  return `https://${host}${path}${query}`;
}

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

// ---------------------------------------------------------------------------------------------
// Resolution: the one URL resolver of Orrery (sanitize/ and the HTML URL rewriter use it; see
// docs/decisions/sanitize.md). A reference is read the way the WHATWG URL parser — every
// browser's — reads it, resolved by that parser (RFC 3986 §5 with the browsers' leniencies),
// and an IRI stays an IRI: non-ASCII characters the feed wrote come back as characters, not as
// percent-escapes or punycode, as feedparser returns them.

const EDGE_RE = /^[\u0000-\u0020]+|[\u0000-\u0020]+$/g;
const TAB_NEWLINE_RE = /[\t\n\r]/g;
const NEEDS_CLEANING_RE = /^[\u0000-\u0020]|[\u0000-\u0020]$|[\t\n\r]/;
const SCHEME_RE = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;
const NON_ASCII_RE = /[^\u0000-\u007f]/;
/** Runs of percent-encoded bytes >= 0x80: UTF-8 sequences of non-ASCII characters. */
const ENCODED_NON_ASCII_RE = /(?:%[89a-fA-F][0-9a-fA-F])+/g;
/** Characters an IRI may show as themselves: not controls, spaces, bidi marks or specials. */
const IRI_CHARS_RE =
  /^[^\u0000-\u00a0\u1680\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\ufeff\ufff0-\uffff]+$/;
/** An authority holding non-ASCII characters: `scheme://` or `//`, the authority, the rest. */
const IRI_AUTHORITY_RE =
  /^((?:[a-zA-Z][a-zA-Z0-9+.-]*:)?\/\/)([^/?#]*[^\u0000-\u007f][^/?#]*)(.*)$/s;
/** Stands in for a Unicode host while the URL parser runs (it would turn it into punycode). */
const HOST_PLACEHOLDER = 'iri-host.invalid';

/**
 * A URL reference as the URL parser reads it: C0 controls and spaces stripped at both ends,
 * tabs and newlines removed anywhere (so `java&#9;script:` is a javascript: URL). Unicode
 * spaces such as U+00A0 are not stripped: a browser does not strip them either.
 */
export function cleanUrl(value: string): string {
  return NEEDS_CLEANING_RE.test(value)
    ? value.replace(EDGE_RE, '').replace(TAB_NEWLINE_RE, '')
    : value;
}

/** The lower-cased scheme of a cleaned URL reference, or '' when it is relative. */
export function urlScheme(url: string): string {
  const m = SCHEME_RE.exec(url);
  return m ? (m[1] ?? '').toLowerCase() : '';
}

/**
 * Resolve a URL reference against an absolute base, as a browser would. Returns the cleaned
 * reference itself when it is absolute (kept as written: no normalization surprises), when
 * there is no base, or when the base or reference cannot be parsed; else the absolute URL.
 */
export function resolveUrl(ref: string, base: string | undefined): string {
  const url = cleanUrl(ref);
  if (base === undefined || SCHEME_RE.test(url)) return url;
  if (!NON_ASCII_RE.test(url) && !NON_ASCII_RE.test(base)) {
    try {
      return new URL(url, base).href;
    } catch {
      // An unparsable base or reference: the reference as written is all there is.
      return url;
    }
  }
  return resolveIri(url, base);
}

/** resolveUrl for an IRI (reference or base with non-ASCII characters). */
function resolveIri(url: string, base: string): string {
  // The resolved URL's authority is the reference's when it has one (`//host/…`), else the
  // base's: that one is swapped for a placeholder while the parser runs, then put back.
  let ref = url;
  let against = base;
  let authority: string | undefined;
  const own = IRI_AUTHORITY_RE.exec(url);
  if (own) {
    authority = own[2];
    ref = `${own[1]}${HOST_PLACEHOLDER}${own[3]}`;
  } else if (!url.startsWith('//')) {
    const inherited = IRI_AUTHORITY_RE.exec(base);
    if (inherited) {
      authority = inherited[2];
      against = `${inherited[1]}${HOST_PLACEHOLDER}${inherited[3]}`;
    }
  }
  let href: string;
  try {
    href = new URL(ref, against).href;
  } catch {
    // An unparsable base or reference: the reference as written is all there is.
    return url;
  }
  if (authority !== undefined) href = href.replace(`//${HOST_PLACEHOLDER}`, `//${authority}`);
  return href.replace(ENCODED_NON_ASCII_RE, decodeNonAscii);
}

function decodeNonAscii(run: string): string {
  try {
    const decoded = decodeURIComponent(run);
    return IRI_CHARS_RE.test(decoded) ? decoded : run;
  } catch {
    // Not valid UTF-8: the bytes stay escaped.
    return run;
  }
}

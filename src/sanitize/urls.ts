import { URI_SCHEMES } from './allowlists.js';

// URL handling inside HTML: what a browser would do with the attribute value (the WHATWG URL
// parser strips leading/trailing C0 controls and spaces and removes tabs and newlines anywhere,
// so `java&#9;script:` and ` javascript:` are javascript: URLs), then a scheme allowlist.

const STRIP_EDGES_RE = /^[\u0000-\u0020]+|[\u0000-\u0020]+$/g;
const TAB_NEWLINE_RE = /[\t\n\r]/g;
const NEEDS_CLEANING_RE = /^[\u0000-\u0020]|[\u0000-\u0020]$|[\t\n\r]/;
const SCHEME_RE = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;
/** Inline images are common in feeds; only raster types (SVG documents can carry script). */
const DATA_IMAGE_RE = /^data:image\/(?:png|gif|jpe?g|webp|avif|bmp|x-icon)[;,]/i;

/** Normalize an attribute value the way the URL parser sees it. */
export function cleanUrl(value: string): string {
  return NEEDS_CLEANING_RE.test(value)
    ? value.replace(STRIP_EDGES_RE, '').replace(TAB_NEWLINE_RE, '')
    : value;
}

/** The lower-cased scheme of a cleaned URL, or '' when it is relative. */
export function urlScheme(url: string): string {
  const m = SCHEME_RE.exec(url);
  return m ? (m[1] ?? '').toLowerCase() : '';
}

/**
 * Resolve `value` against `base` (when given) and return it, or undefined when the result is
 * not safe to put in a page. Absolute URLs are kept as written; relative ones are resolved
 * with the WHATWG URL parser, as a browser would.
 */
export function safeUrl(
  value: string,
  base: string | undefined,
  allowDataImage = false,
): string | undefined {
  const url = cleanUrl(value);
  const scheme = urlScheme(url);
  if (scheme !== '') {
    if (URI_SCHEMES.has(scheme)) return value.trim();
    if (allowDataImage && scheme === 'data' && DATA_IMAGE_RE.test(url)) return url;
    return undefined;
  }
  if (base === undefined) return value.trim();
  const resolved = resolveUrl(url, base);
  if (resolved === undefined) return value.trim();
  return URI_SCHEMES.has(urlScheme(resolved)) ? resolved : undefined;
}

const NON_ASCII_RE = /[^\u0000-\u007f]/;
/** Runs of percent-encoded bytes >= 0x80: UTF-8 sequences of non-ASCII characters. */
const ENCODED_NON_ASCII_RE = /(?:%[89a-fA-F][0-9a-fA-F])+/g;

function decodeNonAscii(run: string): string {
  try {
    const decoded = decodeURIComponent(run);
    // Only characters that need no escaping in an IRI (not controls or specials).
    return /^[^\u0000-\u00a0\u2028\u2029\ufeff\ufffd]+$/.test(decoded) ? decoded : run;
  } catch {
    // Not valid UTF-8: keep the bytes escaped.
    return run;
  }
}

/** Resolve a relative reference; undefined when the base is unusable. */
export function resolveUrl(url: string, base: string): string | undefined {
  try {
    const href = new URL(url, base).href;
    // The URL parser percent-encodes non-ASCII characters; keep them as the feed wrote them
    // (an IRI, as feedparser does: `href="À"` resolves to `http://any.test/À`).
    return NON_ASCII_RE.test(url) ? href.replace(ENCODED_NON_ASCII_RE, decodeNonAscii) : href;
  } catch {
    // An unparsable base or reference: the caller keeps the value as written.
    return undefined;
  }
}

/** A `srcset` candidate: URL and its descriptors (`2x`, `640w`), per the HTML spec's parser. */
export interface SrcsetCandidate {
  url: string;
  descriptor: string;
}

const isSpace = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f';

/** Split a `srcset` value into candidates; URLs may contain commas (`data:` URLs do). */
export function parseSrcset(value: string): SrcsetCandidate[] {
  const out: SrcsetCandidate[] = [];
  const n = value.length;
  let i = 0;
  while (i < n) {
    while (i < n && (isSpace(value[i]) || value[i] === ',')) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && !isSpace(value[i])) i++;
    let url = value.slice(start, i);
    let descriptor = '';
    if (url.endsWith(',')) {
      url = url.replace(/,+$/, '');
    } else {
      const from = i;
      let inParens = false;
      while (i < n) {
        const c = value[i];
        if (c === '(') inParens = true;
        else if (c === ')') inParens = false;
        else if (c === ',' && !inParens) break;
        i++;
      }
      descriptor = value.slice(from, i).trim();
      i++;
    }
    if (url !== '') out.push({ url, descriptor });
  }
  return out;
}

/** Resolve each URL of a `srcset` candidate list (or a space-separated `ping` list). */
export function safeUrlList(
  value: string,
  base: string | undefined,
  isSrcset: boolean,
  allowDataImage = false,
): string | undefined {
  const out: string[] = [];
  if (isSrcset) {
    for (const { url, descriptor } of parseSrcset(value)) {
      const safe = safeUrl(url, base, allowDataImage);
      if (safe === undefined || safe === '') continue;
      out.push(descriptor ? `${safe} ${descriptor}` : safe);
    }
    return out.length > 0 ? out.join(', ') : undefined;
  }
  for (const url of value.split(/\s+/)) {
    if (url === '') continue;
    const safe = safeUrl(url, base);
    if (safe !== undefined && safe !== '') out.push(safe);
  }
  return out.length > 0 || value.trim() === '' ? out.join(' ') : undefined;
}

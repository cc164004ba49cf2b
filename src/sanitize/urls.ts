import { cleanUrl, resolveUrl, urlScheme } from '../lib/url.js';
import { URI_SCHEMES } from './allowlists.js';
import { namespaceFragment } from './user-content.js';

// URLs inside content: resolution (lib/url.ts, the one resolver) and the sanitizer's policy on
// top of it — a scheme allowlist, raster `data:` images, same-document references.

/** Inline images are common in feeds; only raster types (SVG documents can carry script). */
const DATA_IMAGE_RE = /^data:image\/(?:png|gif|jpe?g|webp|avif|bmp|x-icon)[;,]/i;

/**
 * A URL of the content resolved against `base` (when given). A same-document reference
 * (`#x`) stays one: on the planet's page it points into the post, not back to the blog.
 * Absolute URLs are kept as written.
 */
export function resolveContentUrl(value: string, base: string | undefined): string {
  const url = cleanUrl(value);
  return url.startsWith('#') ? url : resolveUrl(url, base);
}

/**
 * The value for a URL attribute of sanitized content, or undefined when it is not safe to put
 * in a page (a scheme outside feedparser's list, or `data:` other than a raster image where
 * `allowDataImage`). Same-document references point at the namespaced ids (user-content.ts).
 */
export function safeUrl(
  value: string,
  base: string | undefined,
  allowDataImage = false,
): string | undefined {
  const url = resolveContentUrl(value, base);
  if (url.startsWith('#')) return namespaceFragment(url);
  const scheme = urlScheme(url);
  if (scheme === '' || URI_SCHEMES.has(scheme)) return url;
  return allowDataImage && scheme === 'data' && DATA_IMAGE_RE.test(url) ? url : undefined;
}

/** The base a `<base href>` sets, as browsers use it: only a valid http(s) URL is honoured. */
export function baseFromHref(href: string, outer: string | undefined): string | undefined {
  const resolved = resolveUrl(href, outer);
  const scheme = urlScheme(resolved);
  return (scheme === 'http' || scheme === 'https') && URL.canParse(resolved) ? resolved : outer;
}

/** A `srcset` candidate: URL and its descriptors (`2x`, `640w`), per the HTML spec's parser. */
export interface SrcsetCandidate {
  url: string;
  descriptor: string;
}

const ASCII_SPACES_RE = /[\t\n\f\r ]+/;
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

/**
 * Map each URL of a list attribute — `srcset` candidates, or a space-separated `ping` list —
 * through `map`; a URL it maps to undefined or '' is left out. undefined when nothing is left
 * of a value that had URLs.
 */
export function mapUrlList(
  value: string,
  isSrcset: boolean,
  map: (url: string) => string | undefined,
): string | undefined {
  const out: string[] = [];
  if (isSrcset) {
    for (const { url, descriptor } of parseSrcset(value)) {
      const mapped = map(url);
      if (mapped === undefined || mapped === '') continue;
      out.push(descriptor ? `${mapped} ${descriptor}` : mapped);
    }
    return out.length > 0 ? out.join(', ') : undefined;
  }
  // A space-separated token list: ASCII whitespace only (U+00A0 belongs to the URL).
  for (const url of value.split(ASCII_SPACES_RE)) {
    if (url === '') continue;
    const mapped = map(url);
    if (mapped !== undefined && mapped !== '') out.push(mapped);
  }
  return out.length > 0 || /^[\t\n\f\r ]*$/.test(value) ? out.join(' ') : undefined;
}

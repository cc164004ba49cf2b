// Feed-supplied ids and names live in their own namespace on the page. Unprefixed, a post's
// `<img name="cookie">` or `<a id="search">` would shadow `document.cookie` or the page's own
// element for the page's scripts (DOM clobbering), so every id and name gets the prefix GitHub
// uses, and the references inside the content (`href="#x"`, `usemap`, `headers`, SVG
// `url(#x)`) get it too so footnotes, image maps and gradients keep working. A value that
// already has the prefix keeps it as it is: sanitizing sanitized output changes nothing.

/** The prefix of every id and name that comes from a feed; a theme never uses it for its own. */
export const USER_CONTENT_PREFIX = 'user-content-';

/** An id or name in the content's namespace (the empty value names nothing and stays). */
export function namespaceId(value: string): string {
  return value === '' || value.startsWith(USER_CONTENT_PREFIX)
    ? value
    : USER_CONTENT_PREFIX + value;
}

/** A same-document reference (`#x`) pointing at the namespaced id; `#` alone stays. */
export function namespaceFragment(url: string): string {
  return url.length <= 1 ? url : `#${namespaceId(url.slice(1))}`;
}

/** A space-separated list of ids (`headers`). */
export function namespaceIdList(value: string): string {
  return value.replace(/[^\t\n\f\r ]+/g, namespaceId);
}

const LOCAL_URL_REF_RE = /(url\(\s*['"]?#)([^'")\s]+)/gi;

/** `url(#gradient)` references in SVG paint and marker attributes. */
export function namespaceUrlRefs(value: string): string {
  return value.includes('#')
    ? value.replace(LOCAL_URL_REF_RE, (_m, head: string, id: string) => head + namespaceId(id))
    : value;
}

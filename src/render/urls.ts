/** URL helpers: every page links relatively; feeds use absolute URLs when site.link is set. */

/** The relative prefix from a page at `path` (e.g. 'archive/2012/02/06/index.html') to the root. */
export function rootFrom(path: string): string {
  const depth = path.split('/').length - 1;
  return depth === 0 ? './' : '../'.repeat(depth);
}

/** The absolute URL of a site path, or undefined when the site has no public link. */
export function absoluteUrl(link: string | undefined, path: string): string | undefined {
  if (!link) return undefined;
  const base = link.endsWith('/') ? link : `${link}/`;
  return new URL(path.replace(/(^|\/)index\.html$/, '$1'), base).href;
}

/**
 * Static full-text search with Pagefind: the archive's day pages (each post once) are indexed
 * from the new site tree just before it is swapped in, and the bundle is written with the site
 * (see docs/decisions/render.md). Results point at posts (#anchors) as Pagefind sub-results.
 */

/** The day pages the index covers. */
export const SEARCH_GLOB = 'archive/*/*/*/index.html';

export type SearchFiles = Array<{ path: string; content: Uint8Array }>;

/**
 * Index the pages under `dir` matching SEARCH_GLOB; returns the bundle files (paths under
 * pagefind/), or undefined when Pagefind is unavailable or fails — the site is then built
 * without search, never aborted.
 */
export async function buildSearchIndex(
  dir: string,
  log: (line: string) => void,
): Promise<SearchFiles | undefined> {
  let pagefind: typeof import('pagefind');
  try {
    pagefind = await import('pagefind');
  } catch (error) {
    log(`render: search index disabled: cannot load pagefind: ${(error as Error).message}`);
    return undefined;
  }
  try {
    const created = await pagefind.createIndex({ keepIndexUrl: true, forceLanguage: 'en' });
    if (created.errors.length || !created.index) throw new Error(created.errors.join('; '));
    const added = await created.index.addDirectory({ path: dir, glob: SEARCH_GLOB });
    if (added.errors.length) throw new Error(added.errors.join('; '));
    const got = await created.index.getFiles();
    if (got.errors.length) throw new Error(got.errors.join('; '));
    log(`render: search index over ${added.page_count} pages`);
    return got.files.map((f) => ({ path: f.path.replace(/^\/+/, ''), content: f.content }));
  } catch (error) {
    log(`render: search index disabled: ${(error as Error).message}`);
    return undefined;
  } finally {
    await pagefind.close();
  }
}

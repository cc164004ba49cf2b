/**
 * Static full-text search with Pagefind: the archive's day pages are indexed from memory
 * while the site is built, and the index bundle is written with the site (see
 * docs/decisions/render.md). Results point at entries (#anchors) through Pagefind's sub-results.
 */
import type { PagefindIndex } from 'pagefind';

export interface SearchIndexer {
  /** Index one page; `url` is its site path ('archive/2012/02/06/index.html'). */
  add(url: string, html: string): Promise<void>;
  /** The bundle files (paths under pagefind/), or undefined when indexing failed. */
  finish(): Promise<Array<{ path: string; content: Uint8Array }> | undefined>;
}

/** Start a Pagefind index. Failures are logged and leave the site without search, never abort it. */
export async function createSearchIndexer(log: (line: string) => void): Promise<SearchIndexer> {
  let index: PagefindIndex | undefined;
  let pagefind: typeof import('pagefind') | undefined;
  let failed = false;
  const fail = (what: string, detail: unknown) => {
    failed = true;
    log(`render: search index disabled: ${what}: ${String(detail)}`);
  };
  try {
    pagefind = await import('pagefind');
    const created = await pagefind.createIndex({ keepIndexUrl: true, forceLanguage: 'en' });
    if (created.errors.length || !created.index) fail('createIndex', created.errors.join('; '));
    else index = created.index;
  } catch (error) {
    fail('cannot start pagefind', error instanceof Error ? error.message : error);
  }
  return {
    async add(url, html) {
      if (failed || !index) return;
      const r = await index.addHTMLFile({ url: `/${url}`, content: html });
      if (r.errors.length) fail(`indexing ${url}`, r.errors.join('; '));
    },
    async finish() {
      try {
        if (failed || !index) return undefined;
        const r = await index.getFiles();
        if (r.errors.length) {
          fail('getFiles', r.errors.join('; '));
          return undefined;
        }
        return r.files.map((f) => ({ path: f.path.replace(/^\/+/, ''), content: f.content }));
      } finally {
        if (pagefind) await pagefind.close();
      }
    },
  };
}

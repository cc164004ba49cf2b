/**
 * Static full-text search with Pagefind: the archive's day pages (each post once) are indexed
 * from the new site tree just before it is swapped in, and the bundles are written with the
 * site (see docs/decisions/render.md). Results point at posts (#anchors) as sub-results.
 *
 * The archive is indexed in parts — runs of consecutive day pages, oldest first, of at most
 * PART_BYTES of HTML — each its own Pagefind bundle under pagefind/<first day>/, merged by the
 * search page in the browser. Pagefind's memory grows faster than its input (335 MB for 18 MB
 * of day pages at once, 105 MB for the largest 4 MB part), and it has no incremental mode: a
 * part whose pages' bytes are unchanged keeps its previous bundle, so a new post re-indexes
 * only the newest part.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listFiles } from './list-files.js';

/** The folder holding one bundle per part. */
export const SEARCH_DIR = 'pagefind/';

/** A part's day pages hold at most this much HTML (a single larger day gets a part of its own). */
export const PART_BYTES = 4 * 1024 * 1024;

/** An indexed page as the site writer knows it. */
export interface IndexedPage {
  /** Site path, e.g. 'archive/2012/02/06/index.html'. */
  path: string;
  /** sha256 of its bytes. */
  hash: string;
  size: number;
}

export interface SearchPart {
  /** Its bundle folder from the site root, e.g. 'pagefind/2012-02-06/'. */
  dir: string;
  pages: IndexedPage[];
  /** What the bundle is made from: the Pagefind version and its pages' paths and bytes. */
  inputHash: string;
}

/**
 * Split the day pages (oldest first) into parts of at most `maxBytes`. Cut from the oldest
 * end, so new days only ever change the newest part, and a part keeps its folder (named after
 * its first day) while it grows.
 */
export function planSearchParts(
  pages: readonly IndexedPage[],
  maxBytes: number,
  version: string,
): SearchPart[] {
  const groups: IndexedPage[][] = [];
  let current: IndexedPage[] = [];
  let bytes = 0;
  for (const page of pages) {
    if (current.length > 0 && bytes + page.size > maxBytes) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(page);
    bytes += page.size;
  }
  if (current.length > 0) groups.push(current);
  return groups.map((group) => {
    const first = group[0]!.path.replace(/^archive\/|\/index\.html$/g, '').replaceAll('/', '-');
    const hash = createHash('sha256').update(version);
    for (const p of group) hash.update(`\n${p.path} ${p.hash}`);
    return { dir: `${SEARCH_DIR}${first}/`, pages: group, inputHash: hash.digest('base64url') };
  });
}

/** The installed Pagefind's version (part of each bundle's input: an upgrade re-indexes). */
export async function pagefindVersion(): Promise<string> {
  try {
    const main = new URL(import.meta.resolve('pagefind'));
    const pkg = JSON.parse(await readFile(new URL('../package.json', main), 'utf8')) as {
      version?: string;
    };
    return `pagefind ${pkg.version}`;
  } catch (error) {
    // No Pagefind here: the build goes on without search (buildSearchParts says why).
    return `pagefind unavailable: ${(error as Error).message}`;
  }
}

/**
 * Index each part's pages under `dir` with one Pagefind process, one part at a time; Pagefind
 * writes each bundle into `dir` at part.dir itself (its bytes never pass through this process),
 * then `adopt` gets the bundle's file paths from the site root. Pagefind so holds one part at
 * a time. Returns false when Pagefind is unavailable or fails — the site is then built without
 * search, never aborted.
 */
export async function buildSearchParts(
  dir: string,
  parts: readonly SearchPart[],
  adopt: (part: SearchPart, paths: string[]) => Promise<void>,
  log: (line: string) => void,
): Promise<boolean> {
  if (parts.length === 0) return true;
  let pagefind: typeof import('pagefind');
  try {
    pagefind = await import('pagefind');
  } catch (error) {
    log(`render: search index disabled: cannot load pagefind: ${(error as Error).message}`);
    return false;
  }
  try {
    for (const part of parts) {
      const created = await pagefind.createIndex({ keepIndexUrl: true, forceLanguage: 'en' });
      if (created.errors.length || !created.index) throw new Error(created.errors.join('; '));
      const { index } = created;
      // Day paths hold only digits and slashes: safe inside a glob's {a,b} alternatives.
      const paths = part.pages.map((p) => p.path);
      const glob = paths.length === 1 ? paths[0]! : `{${paths.join(',')}}`;
      const added = await index.addDirectory({ path: dir, glob });
      if (added.errors.length) throw new Error(added.errors.join('; '));
      if (added.page_count !== paths.length) {
        throw new Error(`indexed ${added.page_count} of the ${paths.length} pages of ${part.dir}`);
      }
      const out = join(dir, part.dir);
      const wrote = await index.writeFiles({ outputPath: out });
      if (wrote.errors.length) throw new Error(wrote.errors.join('; '));
      await index.deleteIndex();
      await adopt(
        part,
        (await listFiles(out)).sort().map((p) => `${part.dir}${p}`),
      );
      log(`render: search part ${part.dir} over ${added.page_count} pages`);
    }
    return true;
  } catch (error) {
    log(`render: search index disabled: ${(error as Error).message}`);
    return false;
  } finally {
    await pagefind.close();
  }
}

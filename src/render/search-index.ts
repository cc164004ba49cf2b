/**
 * Static full-text search with Pagefind, fed records (one per post: its title, feed, author
 * and text) through Pagefind's Node API, not HTML read back from the pages. The index comes in
 * parts by entry id, each its own Pagefind bundle under pagefind/i<first>-<last>/, merged by
 * the search page in the browser. Pagefind has no incremental mode; the parts make adding a
 * post cheap: new posts get new ids, so they land in the newest, smallest part, and only that
 * part is indexed again (docs/decisions/render.md, "Search").
 *
 * The parts are aligned blocks of ids, from MIN_BLOCK to MAX_BLOCK ids, laid out like the
 * binary digits of the highest id: every complete MAX_BLOCK, then the remainder in falling
 * powers of two, then one block for the last few. A block's bounds never move while new ids
 * come; when blocks fill up, two of a size become one of the next (indexed again once), so a
 * post is indexed again about log2(MAX_BLOCK / MIN_BLOCK) times in its life, and the search
 * page merges at most (highest id / MAX_BLOCK) + log2(MAX_BLOCK / MIN_BLOCK) + 1 bundles.
 */
import { ChildProcess } from 'node:child_process';
import { readFile, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { OrreryError } from '../model/errors.js';
import { listFiles } from './list-files.js';
import type { EntryView } from './site-model.js';

/** The folder holding the search UI and one bundle per part. */
export const SEARCH_DIR = 'pagefind/';
export const MIN_BLOCK = 256;
export const MAX_BLOCK = 8192;
/** Text indexed per post: longer posts are indexed by their beginning (a bound on the cost). */
export const MAX_INDEXED_CHARS = 5000;
/** Records sent to Pagefind before waiting for its answers. */
const PIPELINE = 256;
/** Pagefind groups a part's result fragments into at most this many files. */
const MAX_FRAGMENTS = 128;

/** One part of the index: ids start ≤ id < end. */
export interface SearchBlock {
  /** Its bundle folder from the site root, e.g. 'pagefind/i8192-16383/'. */
  dir: string;
  start: number;
  end: number;
}

/** The parts for entries with ids up to maxId (see the module comment). */
export function searchBlocks(maxId: number, min = MIN_BLOCK, max = MAX_BLOCK): SearchBlock[] {
  const blocks: SearchBlock[] = [];
  const add = (start: number, size: number) =>
    blocks.push({ dir: `${SEARCH_DIR}i${start}-${start + size - 1}/`, start, end: start + size });
  const n = Math.max(0, Math.floor(maxId) + 1);
  let start = 0;
  for (; start + max <= n; start += max) add(start, max);
  for (let size = max / 2; size >= min; size /= 2) {
    if (start + size <= n) {
      add(start, size);
      start += size;
    }
  }
  if (start < n) add(start, min);
  return blocks;
}

/** The block holding `id` (blocks as searchBlocks gives them, ascending). */
export function blockOf(id: number, blocks: readonly SearchBlock[]): SearchBlock | undefined {
  let lo = 0;
  let hi = blocks.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const b = blocks[mid];
    if (!b) break;
    if (id < b.start) hi = mid - 1;
    else if (id >= b.end) lo = mid + 1;
    else return b;
  }
  return undefined;
}

/** A post as search sees it. */
export interface SearchRecord {
  /** From the site root, with the post's anchor: '/archive/2012/02/06/index.html#e12'. */
  url: string;
  /** Shown as the result's title: "Feed: Title". */
  title: string;
  content: string;
}

/** The search record of a post. */
export function searchRecord(e: EntryView): SearchRecord {
  const title = e.untitled ? e.feed.name : `${e.feed.name}: ${e.title}`;
  const byline = e.author !== e.feed.name ? `${e.author}\n` : '';
  const text = e.text.length > MAX_INDEXED_CHARS ? e.text.slice(0, MAX_INDEXED_CHARS) : e.text;
  return {
    url: `/${e.archivePath}#${e.anchor}`,
    title,
    content: `${e.untitled ? '' : `${e.title}\n`}${byline}${text}`,
  };
}

/** Files Pagefind writes into every bundle that only the search page's own copy needs. */
const UI_FILES = new Set([
  'pagefind-ui.js',
  'pagefind-ui.css',
  'pagefind-component-ui.js',
  'pagefind-component-ui.css',
  'pagefind-modular-ui.js',
  'pagefind-modular-ui.css',
  'pagefind-highlight.js',
]);
/** The search UI, once for the whole site, beside the bundles. */
export const UI_PATHS = [`${SEARCH_DIR}pagefind-ui.js`, `${SEARCH_DIR}pagefind-ui.css`];

/** One part of the index being made: records go to Pagefind as they come. */
export interface SearchPart {
  add(records: readonly SearchRecord[]): Promise<void>;
  /**
   * Write the bundle into `root`/`dir` (Pagefind writes the files itself); returns its files
   * as paths from `root`, the UI files left out (the site has one copy, UI_PATHS).
   */
  write(root: string, dir: string): Promise<string[]>;
}

export interface SearchIndexer {
  begin(): Promise<SearchPart>;
  /** Write the search UI files (UI_PATHS) under `root`. */
  writeUi(root: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The Pagefind process, found among this process's live handles while a call to it is pending
 * (its Node API keeps the process to itself and never watches it: when Pagefind dies, by a
 * signal such as SIGXFSZ at a file size limit or the OOM killer, its calls stay pending for
 * ever, and the build hung, or ended with exit 0 once nothing else kept Node running).
 */
function pagefindProcess(): ChildProcess | undefined {
  const handles =
    (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles?.() ?? [];
  return handles.find(
    (h): h is ChildProcess => h instanceof ChildProcess && /pagefind/i.test(h.spawnfile),
  );
}

/** A Pagefind failure: what happened, and the next step. */
function searchFailure(what: string, cause?: unknown): OrreryError {
  const full = /EFBIG|SIGXFSZ|os error 27|file too large/i.test(what);
  const space = /ENOSPC|os error 28|no space left/i.test(what);
  if (full || space) {
    return new OrreryError(
      'site-disk-full',
      `render: the search indexer (Pagefind) could not write the search index: ${what}; ${
        full
          ? 'a file reached the largest size this process may write: raise the limit (ulimit -f unlimited, or LimitFSIZE= in a systemd unit)'
          : "the disk holding the site's output folder is full: free space on it"
      }, then run orrery again. The published site was left as it was.`,
      cause === undefined ? {} : { cause },
    );
  }
  return new OrreryError(
    'search-failed',
    `render: the search indexer (Pagefind) failed: ${what}. The published site was left as it was; run orrery again (orrery build --verbose shows the build's steps).`,
    cause === undefined ? {} : { cause },
  );
}

/**
 * Await a call to Pagefind, failing (not hanging) if its process dies meanwhile; Pagefind's
 * own errors become searchFailure's.
 */
async function watched<T>(call: Promise<T>): Promise<T> {
  const child = pagefindProcess();
  let poll: NodeJS.Timeout | undefined;
  let onExit: ((code: number | null, signal: NodeJS.Signals | null) => void) | undefined;
  const died = new Promise<never>((_, reject) => {
    const fail = (code: number | null, signal: NodeJS.Signals | null) =>
      reject(
        searchFailure(
          `its process${child?.pid ? ` (pid ${child.pid})` : ''} ${signal ? `was killed by ${signal}` : `exited with code ${code}`}`,
        ),
      );
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      fail(child.exitCode, child.signalCode);
      return;
    }
    if (child) child.once('exit', (onExit = fail));
    // Also keeps Node running while Pagefind is away (its handle is not referenced by then);
    // without a process to watch, its handle's presence is what tells it is alive.
    poll = setInterval(() => {
      if (!child && !process.getActiveResourcesInfo().includes('ProcessWrap')) fail(null, null);
    }, 250);
  });
  try {
    return await Promise.race([call, died]);
  } catch (error) {
    if (error instanceof OrreryError) throw error;
    throw searchFailure(error instanceof Error ? error.message : String(error), error);
  } finally {
    clearInterval(poll);
    if (child && onExit) child.off('exit', onExit);
  }
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
    return `pagefind unavailable: ${(error as Error).message}`;
  }
}

/**
 * Start Pagefind (one process for the whole build), indexing in `language` (the site's, as
 * Pagefind wants it: ISO 639-1). Undefined when Pagefind cannot be loaded: the site is then
 * built without search, and `log` says why.
 */
export async function openSearchIndexer(
  language: string,
  log: (line: string) => void,
): Promise<SearchIndexer | undefined> {
  let pagefind: typeof import('pagefind');
  try {
    pagefind = await import('pagefind');
  } catch (error) {
    log(`render: search disabled: cannot load pagefind: ${(error as Error).message}`);
    return undefined;
  }
  const lang = (language.split('-')[0] ?? language).toLowerCase();
  const createIndex = async () => {
    const created = await watched(
      pagefind.createIndex({
        keepIndexUrl: true,
        forceLanguage: lang,
        maxFragments: MAX_FRAGMENTS,
      }),
    );
    if (created.errors.length || !created.index) {
      throw searchFailure(created.errors.join('; ') || 'no index');
    }
    return created.index;
  };
  const begin = async (): Promise<SearchPart & { writeAll(out: string): Promise<void> }> => {
    const index = await createIndex();
    const writeAll = async (out: string) => {
      const wrote = await watched(index.writeFiles({ outputPath: out }));
      if (wrote.errors.length) throw searchFailure(wrote.errors.join('; '));
      await watched(index.deleteIndex());
    };
    return {
      async add(records) {
        // Sent without waiting for each answer (the service numbers its messages): one record
        // at a time cost Pagefind ~40 % more CPU, in the round trips.
        for (let i = 0; i < records.length; i += PIPELINE) {
          const answers = await watched(
            Promise.all(
              records.slice(i, i + PIPELINE).map((r) =>
                index.addCustomRecord({
                  url: r.url,
                  content: r.content,
                  language: lang,
                  meta: { title: r.title },
                }),
              ),
            ),
          );
          const errors = answers.flatMap((a) => a.errors);
          if (errors.length) throw searchFailure(errors.join('; '));
        }
      },
      writeAll,
      async write(root, dir) {
        const out = join(root, dir);
        await writeAll(out);
        const files: string[] = [];
        for (const path of (await listFiles(out)).sort()) {
          if (UI_FILES.has(path)) await unlink(join(out, path));
          else files.push(`${dir}${path}`);
        }
        return files;
      },
    };
  };
  return {
    begin,
    async writeUi(root) {
      // Pagefind writes its UI only with a bundle: make a throwaway one and keep the UI.
      const scratch = join(root, `${SEARCH_DIR}.ui-scratch`);
      const part = await begin();
      await part.add([{ url: '/', title: 'Orrery', content: 'Orrery' }]);
      await part.writeAll(scratch);
      for (const path of UI_PATHS) {
        await rename(join(scratch, path.slice(SEARCH_DIR.length)), join(root, path));
      }
      await rm(scratch, { recursive: true, force: true });
    },
    close: async () => {
      await pagefind.close();
    },
  };
}

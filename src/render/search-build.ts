/**
 * The search index of a build: which parts (id blocks, search-index.ts) must be indexed
 * again, their posts' records collected while the archive is made, then each part indexed by
 * Pagefind and published; the others kept.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { type Build, hashOf, needs, READ_CHUNK, readViews } from './build-context.js';
import {
  blockOf,
  MAX_INDEXED_CHARS,
  pagefindVersion,
  type SearchIndexer,
  type SearchRecord,
  searchRecord,
  UI_PATHS,
} from './search-index.js';
import { type EntryView, siteLanguage } from './site-model.js';
import type { PlannedBlock, SitePlan } from './site-plan.js';

/** The search records' format: part of every part's key (a new page layout re-indexes nothing). */
const SEARCH_FORMAT = 'search 1';

/**
 * The search parts to index again, and the records of their posts met while the archive was
 * made (written to a file per part in the stage, so a full build neither holds every post's
 * text in memory nor reads every post twice).
 */
export interface SearchPlan {
  indexer: SearchIndexer;
  key: string;
  /** Block (by its first id) → its record file, for the blocks to index again. */
  spills: Map<number, string>;
  blocks: readonly PlannedBlock[];
  /** Ids whose block is to be indexed again. */
  wanted: (id: number) => number | undefined;
}

export async function planSearch(
  b: Build,
  plan: SitePlan,
  indexer: SearchIndexer,
): Promise<SearchPlan> {
  const key = hashOf(
    'search',
    SEARCH_FORMAT,
    await pagefindVersion(),
    siteLanguage(b.site),
    b.site.timezone,
    MAX_INDEXED_CHARS,
  );
  const dirty = plan.blocks.filter((block) =>
    needs(b, `search:${block.dir}`, hashOf(key, block.sig)),
  );
  const spills = new Map<number, string>();
  if (dirty.length > 0) mkdirSync(b.publisher.scratchDir, { recursive: true });
  for (const block of dirty) {
    spills.set(block.start, join(b.publisher.scratchDir, `search-${block.start}.jsonl`));
  }
  return {
    indexer,
    key,
    spills,
    blocks: dirty,
    wanted: (id) => (spills.size === 0 ? undefined : blockOf(id, dirty)?.start),
  };
}

/** Keep the records of posts whose part is to be indexed again. */
export function collectRecords(search: SearchPlan | undefined, views: Iterable<EntryView>): void {
  if (!search || search.spills.size === 0) return;
  const lines = new Map<number, string[]>();
  for (const v of views) {
    const start = search.wanted(v.id);
    if (start === undefined) continue;
    let list = lines.get(start);
    if (!list) lines.set(start, (list = []));
    list.push(JSON.stringify([v.id, searchRecord(v)]));
  }
  for (const [start, list] of lines) {
    const spill = search.spills.get(start);
    if (spill) appendFileSync(spill, `${list.join('\n')}\n`);
  }
}

/**
 * Index again the parts whose posts changed (with the records met, and the posts the archive
 * did not read), keep the others. Returns the bundle folders, newest first (the search page
 * loads the first and merges the others).
 */
export async function writeSearch(
  b: Build,
  plan: SitePlan,
  search: SearchPlan,
): Promise<{ indexes: string[]; built: number }> {
  for (const block of search.blocks) {
    const job = `search:${block.dir}`;
    const records = new Map<number, SearchRecord>();
    const spill = search.spills.get(block.start);
    if (spill && existsSync(spill)) {
      for (const line of readFileSync(spill, 'utf8').split('\n')) {
        if (line === '') continue;
        const [id, record] = JSON.parse(line) as [number, SearchRecord];
        records.set(id, record);
      }
      unlinkSync(spill);
    }
    const missing = block.ids.filter((id) => !records.has(id));
    for (let i = 0; i < missing.length; i += READ_CHUNK) {
      const views = await readViews(b, missing.slice(i, i + READ_CHUNK));
      for (const v of views.values()) records.set(v.id, searchRecord(v));
    }
    const part = await search.indexer.begin();
    const ordered: SearchRecord[] = [];
    for (const id of block.ids) {
      const r = records.get(id);
      if (r) ordered.push(r);
    }
    await part.add(ordered);
    for (const path of await part.write(b.publisher.stageDir, block.dir)) {
      await b.publisher.adopt(job, path);
    }
  }
  if (plan.blocks.length > 0 && needs(b, 'search-ui', search.key)) {
    await search.indexer.writeUi(b.publisher.stageDir);
    for (const path of UI_PATHS) await b.publisher.adopt('search-ui', path);
  }
  const built = search.blocks.length;
  if (built > 0) b.log(`render: ${built} of ${plan.blocks.length} search parts indexed`);
  return { indexes: plan.blocks.map((p) => p.dir).reverse(), built };
}

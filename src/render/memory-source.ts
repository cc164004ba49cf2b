/**
 * A RenderSource over arrays: the Store port's read methods with its documented behaviour
 * (newest `date` first, duplicates excluded unless asked, since <= date < before). Used by
 * tests, the render benchmark, and anyone rendering without a database.
 */
import type { FetchRecord, StoredEntry, StoredFeed } from '../model/stored.js';
import type { EntryQuery } from '../store/store.js';
import type { RenderSource } from './build-site.js';

export interface MemorySourceData {
  feeds: StoredFeed[];
  entries: StoredEntry[];
  /** Fetch history by feed id, any order. */
  fetches?: Map<number, FetchRecord[]>;
}

/** A RenderSource over the given arrays (they may be changed between builds). */
export function createMemorySource(data: MemorySourceData): RenderSource {
  // Sorted once per change of the array (its identity or length), not on every query.
  let cache: { ref: StoredEntry[]; length: number; list: StoredEntry[] } | undefined;
  const sorted = (): StoredEntry[] => {
    if (!cache || cache.ref !== data.entries || cache.length !== data.entries.length) {
      const list = [...data.entries].sort(
        (a, b) => Date.parse(b.date) - Date.parse(a.date) || b.id - a.id,
      );
      cache = { ref: data.entries, length: data.entries.length, list };
    }
    return cache.list;
  };
  const select = (query: Omit<EntryQuery, 'limit'> = {}): StoredEntry[] => {
    const sections = new Map(data.feeds.map((f) => [f.id, f.section]));
    const since = query.since ? Date.parse(query.since) : undefined;
    const before = query.before ? Date.parse(query.before) : undefined;
    return sorted().filter((e) => {
      if (!query.includeDuplicates && e.duplicateOf !== undefined) return false;
      if (query.feedId !== undefined && e.feedId !== query.feedId) return false;
      if (query.section !== undefined && sections.get(e.feedId) !== query.section) return false;
      const t = Date.parse(e.date);
      if (since !== undefined && t < since) return false;
      if (before !== undefined && t >= before) return false;
      return true;
    });
  };
  return {
    async listFeeds(options) {
      return data.feeds
        .filter((f) => options?.includeInactive || f.active)
        .map((f) => structuredClone(f));
    },
    async listEntries(query = {}) {
      const list = select(query);
      return (query.limit !== undefined ? list.slice(0, query.limit) : list).map((e) =>
        structuredClone(e),
      );
    },
    async countEntries(query = {}) {
      return select(query).length;
    },
    async recentFetches(feedId, limit = 10) {
      return [...(data.fetches?.get(feedId) ?? [])]
        .sort((a, b) => Date.parse(b.at) - Date.parse(a.at))
        .slice(0, limit);
    },
  };
}

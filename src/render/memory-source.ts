/**
 * A RenderSource over arrays: the Store port's read methods with its documented behaviour
 * (newest `date` first, duplicates excluded unless asked, since <= date < before). Used by
 * tests, the render benchmark, and anyone rendering without a database. An entry's digest is a
 * hash of the whole entry, so any change to it is seen by the next build.
 */
import { createHash } from 'node:crypto';
import type { FetchRecord, StoredEntry, StoredFeed } from '../model/stored.js';
import type { EntryQuery, EntryStamp, Store } from '../store/store.js';
import type { RenderSource } from './build-site.js';

export interface MemorySourceData {
  feeds: StoredFeed[];
  entries: StoredEntry[];
  /** Fetch history by feed id, any order. */
  fetches?: Map<number, FetchRecord[]>;
}

/** What an entry shows, hashed (the store keeps this as a column; here it is computed). */
function digestOf(e: StoredEntry): string {
  const { lastSeenAt: _seen, ...shown } = e;
  return createHash('sha1').update(JSON.stringify(shown)).digest('base64');
}

/** A RenderSource over the given arrays (they may be changed between builds). */
export function createMemorySource(
  data: MemorySourceData,
): RenderSource & Pick<Store, 'countEntries'> {
  const select = (query: Omit<EntryQuery, 'limit'> = {}): StoredEntry[] => {
    const sections = new Map(data.feeds.map((f) => [f.id, f.section]));
    const since = query.since ? Date.parse(query.since) : undefined;
    const before = query.before ? Date.parse(query.before) : undefined;
    const ids = query.ids ? new Set(query.ids) : undefined;
    return data.entries
      .filter((e) => {
        if (!query.includeDuplicates && e.duplicateOf !== undefined) return false;
        if (ids && !ids.has(e.id)) return false;
        if (query.feedId !== undefined && e.feedId !== query.feedId) return false;
        if (query.section !== undefined && sections.get(e.feedId) !== query.section) return false;
        const t = Date.parse(e.date);
        if (since !== undefined && t < since) return false;
        if (before !== undefined && t >= before) return false;
        return true;
      })
      .sort((a, b) => Date.parse(b.date) - Date.parse(a.date) || b.id - a.id);
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
    async listEntryStamps(): Promise<EntryStamp[]> {
      return data.entries
        .filter((e) => e.duplicateOf === undefined)
        .map((e) => ({ id: e.id, feedId: e.feedId, date: e.date, digest: digestOf(e) }))
        .sort((a, b) => a.id - b.id);
    },
    async feedPostStats() {
      const stats = new Map(data.feeds.map((f) => [f.id, { entries: 0, newest: '' }]));
      for (const e of data.entries) {
        const s = stats.get(e.feedId);
        if (!s || e.duplicateOf !== undefined) continue;
        s.entries++;
        const own = e.published ?? e.updated;
        const iso = own && !Number.isNaN(Date.parse(own)) ? new Date(own).toISOString() : '';
        if (iso > s.newest) s.newest = iso;
      }
      return [...stats]
        .map(([feedId, s]) => ({
          feedId,
          entries: s.entries,
          ...(s.newest ? { newestPostDate: s.newest } : {}),
        }))
        .sort((a, b) => a.feedId - b.feedId);
    },
    async recentFetches(feedId, limit = 10) {
      return [...(data.fetches?.get(feedId) ?? [])]
        .sort((a, b) => Date.parse(b.at) - Date.parse(a.at))
        .slice(0, limit);
    },
  };
}

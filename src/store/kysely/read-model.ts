/** ReadModel: what the site builder and status read. */
import type { EntryQuery, EntryStamp, FeedPostStats, ReadModel } from '../store.js';
import { requireIso, type StoreContext } from './context.js';
import { ENTRY_COLUMNS, entryFromRow, fetchFromRow } from './rows.js';

export function createReadModel(ctx: StoreContext, listFeeds: ReadModel['listFeeds']): ReadModel {
  const { db, dialect, tx } = ctx;

  function entryFilter(query: Omit<EntryQuery, 'limit'>) {
    let q = db.selectFrom('entries').innerJoin('feeds', 'feeds.id', 'entries.feed_id');
    if (!query.includeDuplicates) q = q.where('entries.duplicate_of', 'is', null);
    if (query.section !== undefined) q = q.where('feeds.section', '=', query.section);
    if (query.feedId !== undefined) q = q.where('entries.feed_id', '=', query.feedId);
    if (query.ids !== undefined) q = q.where(dialect.idIn('entries.id', query.ids));
    const since = query.since === undefined ? undefined : requireIso(ctx, query.since, 'since');
    const before = query.before === undefined ? undefined : requireIso(ctx, query.before, 'before');
    if (since !== undefined) q = q.where('entries.date', '>=', since);
    if (before !== undefined) q = q.where('entries.date', '<', before);
    return q;
  }

  async function listEntries(query: EntryQuery) {
    let q = entryFilter(query)
      .select(ENTRY_COLUMNS)
      .orderBy('entries.date', 'desc')
      .orderBy('entries.id', 'desc');
    if (query.limit !== undefined) q = q.limit(query.limit);
    return (await q.execute()).map((r) => entryFromRow(dialect, r));
  }

  async function countEntries(query: Omit<EntryQuery, 'limit'>) {
    const row = await entryFilter(query)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async function recentFetches(feedId: number, limit: number) {
    const rows = await db
      .selectFrom('fetches')
      .selectAll()
      .where('feed_id', '=', feedId)
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => fetchFromRow(dialect, r));
  }

  async function listEntryStamps(): Promise<EntryStamp[]> {
    const rows = await db
      .selectFrom('entries')
      .select(['id', 'feed_id', 'date', 'digest'])
      .where('duplicate_of', 'is', null)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: Number(r.id),
      feedId: Number(r.feed_id),
      date: dialect.date(r.date),
      digest: r.digest,
    }));
  }

  async function feedPostStats(): Promise<FeedPostStats[]> {
    const rows = await db
      .selectFrom('feeds')
      .leftJoin('entries', (join) =>
        join.onRef('entries.feed_id', '=', 'feeds.id').on('entries.duplicate_of', 'is', null),
      )
      .select((eb) => [
        'feeds.id as id',
        eb.fn.count<number>('entries.id').as('entries'),
        eb.fn.max(eb.fn.coalesce('entries.published', 'entries.updated')).as('newest'),
      ])
      .groupBy('feeds.id')
      .orderBy('feeds.id')
      .execute();
    return rows.map((r) => {
      const stats: FeedPostStats = { feedId: Number(r.id), entries: Number(r.entries) };
      if (r.newest !== null && r.newest !== undefined)
        stats.newestPostDate = dialect.date(r.newest);
      return stats;
    });
  }

  return {
    listFeeds,
    listEntries: (query = {}) => tx.read(() => listEntries(query)),
    countEntries: (query = {}) => tx.read(() => countEntries(query)),
    recentFetches: (feedId, limit = ctx.history) => tx.read(() => recentFetches(feedId, limit)),
    listEntryStamps: () => tx.read(listEntryStamps),
    feedPostStats: () => tx.read(feedPostStats),
  };
}

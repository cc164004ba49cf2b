/**
 * pruneEntries: entries past the archive's retention leave the store. New entries already past
 * it are not stored at all (ingest.ts), so a feed still listing old posts does not bring them
 * back at every fetch.
 */
import { sql } from 'kysely';
import type { ArchiveSettings } from '../../model/settings.js';
import { retentionFloor } from '../../process/ingest-policy.js';
import type { IngestStore } from '../store.js';
import { assertWritable, requireIso, type StoreContext } from './context.js';
import { chunks, type Db } from './prepared.js';

/** Ids per DELETE: one parameter each way (idIn), bounded for the statement's size. */
const DELETE_CHUNK = 5_000;

export function createRetention(ctx: StoreContext): Pick<IngestStore, 'pruneEntries'> {
  const { dialect, tx } = ctx;

  async function pastIds(db: Db, settings: ArchiveSettings, now: string) {
    const past = new Map<number, { feedId: number; duplicateOf: number | null }>();
    const add = (rows: { id: number; feed_id: number; duplicate_of: number | null }[]) => {
      for (const r of rows) {
        past.set(Number(r.id), {
          feedId: Number(r.feed_id),
          duplicateOf: r.duplicate_of === null ? null : Number(r.duplicate_of),
        });
      }
    };
    const floor = retentionFloor({ keepDays: settings.keepDays }, now);
    if (floor !== undefined) {
      add(
        await db
          .selectFrom('entries')
          .select(['id', 'feed_id', 'duplicate_of'])
          .where('date', '<', floor)
          .execute(),
      );
    }
    const max = settings.maxEntriesPerFeed;
    if (max !== undefined) {
      // Ranked only in the feeds holding more than `max` (the count walks the feed index).
      const crowded = db
        .selectFrom('entries')
        .select('feed_id')
        .groupBy('feed_id')
        .having((eb) => eb.fn.countAll(), '>', max);
      const ranked = db
        .selectFrom('entries')
        .select([
          'id',
          'feed_id',
          'duplicate_of',
          sql<number>`row_number() over (partition by feed_id order by date desc, id desc)`.as(
            'rank',
          ),
        ])
        .where('feed_id', 'in', crowded)
        .as('ranked');
      add(
        await db
          .selectFrom(ranked)
          .select(['id', 'feed_id', 'duplicate_of'])
          .where('rank', '>', max)
          .execute(),
      );
    }
    return past;
  }

  async function pruneEntries(settings: ArchiveSettings, nowInput: string) {
    assertWritable(ctx, 'pruneEntries');
    const now = requireIso(ctx, nowInput, 'now');
    if (settings.keepDays === undefined && settings.maxEntriesPerFeed === undefined) {
      return { removed: 0 };
    }
    return tx.transaction(async (trx) => {
      const past = await pastIds(trx, settings, now);
      if (past.size === 0) return { removed: 0 };
      // An original stays while a copy of it stays: removing it would show the copy instead.
      const copies = await trx
        .selectFrom('entries')
        .select(['id', 'duplicate_of'])
        .where('duplicate_of', 'is not', null)
        .execute();
      for (const c of copies) {
        if (!past.has(Number(c.id))) past.delete(Number(c.duplicate_of));
      }
      const ids = [...past.keys()];
      for (const part of chunks(ids, DELETE_CHUNK)) {
        await trx.deleteFrom('entries').where(dialect.idIn('id', part)).execute();
      }
      const feeds = [...new Set([...past.values()].map((p) => p.feedId))];
      for (const part of chunks(feeds, DELETE_CHUNK)) {
        await trx
          .updateTable('feeds')
          .set((eb) => ({
            entry_count: eb
              .selectFrom('entries')
              .select(eb.fn.countAll<number>().as('n'))
              .whereRef('entries.feed_id', '=', 'feeds.id')
              .where('entries.duplicate_of', 'is', null),
          }))
          .where(dialect.idIn('id', part))
          .execute();
      }
      return { removed: ids.length };
    });
  }

  return { pruneEntries };
}

/**
 * applyFeedUpdate: reads what the ingest policy needs (process/ingest-policy.ts), asks it for
 * a plan, and writes the plan, the feed's new state and its fetch record in one transaction
 * (a savepoint of a group on SQLite). A refresh costs a few batched statements plus one per
 * changed entry; a 304 or an error costs three.
 */
import type { Transaction } from 'kysely';
import { OrreryError } from '../../model/errors.js';
import type { ProcessedEntry } from '../../model/stored.js';
import {
  type IngestPlan,
  type PlannedEntry,
  planIngest,
  retentionFloor,
} from '../../process/ingest-policy.js';
import { firstRepeated } from '../../process/post-identity.js';
import type { FeedUpdate, FeedUpdateReport } from '../store.js';
import { assertWritable, requireIso, type StoreContext } from './context.js';
import { createFeedWriter, type FeedRow } from './feed-writer.js';
import { chunks, createBatchInserter, type Db, prepared } from './prepared.js';
import { entryColumns } from './rows.js';
import type { StoreDatabase } from './schema.js';

/** Values per IN (...) list: well under SQLite's and PostgreSQL's limits on bound parameters. */
const IN_CHUNK = 500;
/** Rows per multi-row INSERT (about 21 parameters each). */
const INSERT_CHUNK = 100;

type EntryInsert = ReturnType<typeof entryColumns> & {
  feed_id: number;
  key: string;
  date: string;
  first_seen_at: string;
  last_seen_at: string;
  duplicate_of: number | null;
};

export function createIngest(ctx: StoreContext) {
  const { db, dialect, tx } = ctx;
  const stage = dialect.stage;
  const insertEntries = createBatchInserter<EntryInsert, { id: number | bigint; key: string }>(
    (rows) => db.insertInto('entries').values(rows).returning(['id', 'key']),
    INSERT_CHUNK,
  );
  const selectFeed = prepared<'id'>((slot) =>
    db.selectFrom('feeds').selectAll().where('id', '=', slot('id')),
  );
  // The date of the feed's n-th newest entry (retention by count; entries_feed_date index).
  const nthNewest = prepared<'feed' | 'offset'>((slot) =>
    db
      .selectFrom('entries')
      .select('date')
      .where('feed_id', '=', slot('feed'))
      .orderBy('date', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .offset(slot('offset')),
  );
  const feeds = createFeedWriter(ctx);

  async function applyFeedUpdate(update: FeedUpdate): Promise<FeedUpdateReport> {
    assertWritable(ctx, 'applyFeedUpdate');
    const now = requireIso(ctx, update.now, 'now');
    const nextDueAt = requireIso(ctx, update.nextDueAt, 'nextDueAt');
    const feedId = update.feedId;
    const noFeed = () => new OrreryError('store-no-feed', `${stage}: no feed with id ${feedId}`);
    const entries = update.entries ?? [];
    return tx.update(async (trx) => {
      // The feed row is read only when it is needed (entries to add, a move); otherwise the
      // feed update finds out whether the feed exists (a 304 costs 3 statements, not 4).
      let feed: FeedRow | undefined;
      if (entries.length > 0 || update.moveTo !== undefined) {
        feed = (await selectFeed(trx, { id: feedId })).rows[0] as FeedRow | undefined;
        if (!feed) throw noFeed();
      }
      const report: FeedUpdateReport = { inserted: 0, updated: 0, unchanged: 0, duplicates: 0 };
      if (entries.length > 0) Object.assign(report, await writeEntries(trx, feedId, now, update));
      await feeds.write(trx, { update, report, feed, now, nextDueAt });
      return report;
    });
  }

  async function writeEntries(
    trx: Transaction<StoreDatabase>,
    feedId: number,
    now: string,
    update: FeedUpdate,
  ): Promise<FeedUpdateReport> {
    const entries = update.entries ?? [];
    const existing = new Map<string, { id: number; digest: string }>();
    for (const keys of chunks(
      entries.map((pe) => pe.key),
      IN_CHUNK,
    )) {
      const rows = await trx
        .selectFrom('entries')
        .select(['id', 'key', 'digest'])
        .where('feed_id', '=', feedId)
        .where('key', 'in', keys)
        .execute();
      for (const r of rows) existing.set(r.key, { id: Number(r.id), digest: r.digest });
    }
    const fresh = entries.filter((pe) => !existing.has(pe.key));
    const plan = planIngest({
      entries,
      existing,
      holders: fresh.length > 0 ? await dialect.originals.holders(trx, fresh) : new Map(),
      now,
      ...(update.cleanEntry ? { clean: update.cleanEntry } : {}),
      ...(fresh.length > 0 ? { retainFrom: await retainFrom(trx, feedId, now) } : {}),
    });
    await writePlan(trx, feedId, now, plan);
    const { inserted, updated, unchanged, duplicates, expired } = plan.counts;
    return { inserted, updated, unchanged, duplicates, ...(expired > 0 ? { expired } : {}) };
  }

  /** The retention floor new entries of this feed must reach (undefined: keep everything). */
  async function retainFrom(trx: Db, feedId: number, now: string) {
    const { maxEntriesPerFeed } = ctx.archive;
    let nth: string | undefined;
    if (maxEntriesPerFeed !== undefined) {
      const row = (await nthNewest(trx, { feed: feedId, offset: maxEntriesPerFeed - 1 })).rows[0] as
        | { date: unknown }
        | undefined;
      if (row) nth = dialect.date(row.date);
    }
    return retentionFloor(ctx.archive, now, nth);
  }

  async function writePlan(trx: Db, feedId: number, now: string, plan: IngestPlan) {
    // date and first_seen_at are never touched: an edited post does not jump to the top.
    for (const { id, entry } of plan.changed) {
      await trx
        .updateTable('entries')
        .set({ ...entryColumns(entry), last_seen_at: now })
        .where('id', '=', id)
        .execute();
    }
    const row = (p: PlannedEntry, duplicateOf: number | null): EntryInsert => ({
      ...entryColumns(p),
      feed_id: feedId,
      key: p.processed.key,
      date: p.date,
      first_seen_at: now,
      last_seen_at: now,
      duplicate_of: duplicateOf,
    });
    // New posts first, in multi-row inserts; then their repeats, which may point at them.
    const idOfKey = new Map<string, number>();
    const inserted = await insertEntries(
      trx,
      plan.originals.map((o) => row(o.entry, null)),
    );
    for (const r of inserted) idOfKey.set(r.key, Number(r.id));
    await settleRaces(trx, plan, idOfKey);
    await insertEntries(
      trx,
      plan.repeats.map(({ entry, of }) =>
        row(entry, 'id' in of ? of.id : (idOfKey.get(of.key) ?? null)),
      ),
    );
    for (const ids of chunks(plan.unchanged, IN_CHUNK)) {
      await trx
        .updateTable('entries')
        .set({ last_seen_at: now })
        .where(dialect.idIn('id', ids))
        .execute();
    }
  }

  /**
   * Records the new originals' claim keys. A writer that stored the same post at the same
   * moment (PostgreSQL, several workers) may have taken a key first: then this entry is its
   * repeat after all, and so are this update's repeats of it. Changes the plan in place.
   */
  async function settleRaces(trx: Db, plan: IngestPlan, idOfKey: Map<string, number>) {
    const claims = plan.originals.map((o) => ({
      id: idOfKey.get(o.entry.processed.key) as number,
      claims: o.claims,
    }));
    const lost = await dialect.originals.claim(trx, claims);
    if (lost.size === 0) return;
    const kept: IngestPlan['originals'] = [];
    for (const o of plan.originals) {
      const pe: ProcessedEntry = o.entry.processed;
      const id = idOfKey.get(pe.key) as number;
      const holders = lost.get(id);
      const original = holders
        ? firstRepeated({ ...pe, title: pe.entry.title }, holders)
        : undefined;
      if (!original) {
        kept.push(o);
        continue;
      }
      await trx
        .updateTable('entries')
        .set({ duplicate_of: original.id })
        .where('id', '=', id)
        .execute();
      await trx.deleteFrom('entry_claims').where('entry_id', '=', id).execute();
      idOfKey.set(pe.key, original.id);
      plan.counts.inserted--;
      plan.counts.duplicates++;
    }
    plan.originals = kept;
  }

  return { applyFeedUpdate };
}

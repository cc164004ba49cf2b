/**
 * The feed's side of applyFeedUpdate: its row (validators, meta, error state, schedule, a
 * confirmed move), its fetch record and the bound on its fetch history. The hot statements are
 * compiled once (prepared.ts).
 */
import { type Selectable, sql, type Transaction, type Updateable } from 'kysely';
import { OrreryError } from '../../model/errors.js';
import { isoDate } from '../../process/ingest-policy.js';
import type { FeedUpdate, FeedUpdateReport } from '../store.js';
import type { StoreContext } from './context.js';
import { type Db, prepared } from './prepared.js';
import { compactHints, storedJson, storedText } from './rows.js';
import type { FeedsTable, FetchesTable, StoreDatabase } from './schema.js';

export type FeedRow = Selectable<FeedsTable>;

export interface FeedWrite {
  update: FeedUpdate;
  report: FeedUpdateReport;
  /** The feed row read before the update (when entries or a move needed it). */
  feed: FeedRow | undefined;
  now: string;
  nextDueAt: string;
}

export function createFeedWriter(ctx: StoreContext) {
  const { db, dialect } = ctx;
  const insertFetch = prepared<Exclude<keyof FetchesTable, 'id'>>((slot) =>
    db.insertInto('fetches').values({
      feed_id: slot('feed_id'),
      at: slot('at'),
      outcome: slot('outcome'),
      status: slot('status'),
      error_code: slot('error_code'),
      message: slot('message'),
      bytes: slot('bytes'),
      elapsed_ms: slot('elapsed_ms'),
      new_entries: slot('new_entries'),
      entries_dropped: slot('entries_dropped'),
      redirects: slot('redirects'),
    }),
  );
  // Keep the newest `history` fetches of a feed: delete those older than the history-th newest,
  // compared as the row value (at, id). Both sides walk the (feed_id, at) index; the former
  // `id NOT IN (… LIMIT history)` built and sorted a list per call, about 40 % of a warm
  // run's SQL time (portable: no DELETE … LIMIT; SQLite ≥ 3.15 and PostgreSQL have row values).
  const pruneFetches = prepared<'feed'>((slot) => {
    const boundary = db
      .selectFrom('fetches')
      .select(['at', 'id'])
      .where('feed_id', '=', slot('feed'))
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .offset(ctx.history - 1);
    return db
      .deleteFrom('fetches')
      .where('feed_id', '=', slot('feed'))
      .where(sql<boolean>`(${sql.ref('at')}, ${sql.ref('id')}) < (${boundary})`);
  });

  /** The feed update, compiled once per shape (which columns it sets, and how). */
  const feedUpdates = new Map<string, ReturnType<typeof prepared<string>>>();
  function updateFeed(
    trx: Db,
    set: Record<string, unknown>,
    failed: boolean,
    where: { id: number; now: string },
  ) {
    const columns = Object.keys(set);
    const shape = `${failed ? 'failed' : ''}:${columns.join(',')}`;
    let run = feedUpdates.get(shape);
    if (!run) {
      run = prepared<string>((slot) =>
        db
          .updateTable('feeds')
          .set((eb) => {
            const values: Record<string, unknown> = {};
            for (const c of columns) values[c] = slot(c);
            if (failed) {
              // Counted in SQL, so a failure needs no read of the feed row first.
              values.consecutive_failures = eb('consecutive_failures', '+', 1);
              values.failing_since = eb.fn.coalesce('failing_since', eb.val(slot('now')));
            }
            return values as Updateable<FeedsTable>;
          })
          .where('id', '=', slot('id')),
      );
      feedUpdates.set(shape, run);
    }
    return run(trx, { ...set, ...where });
  }

  /** What the update changes in the feed row (all but the failure counters, set in SQL). */
  async function changes(trx: Db, w: FeedWrite): Promise<Updateable<FeedsTable>> {
    const { update, report, feed, now } = w;
    const set: Updateable<FeedsTable> = {
      last_fetched_at: now,
      next_due_at: w.nextDueAt,
      pending_redirect: update.pendingRedirect ? storedJson(update.pendingRedirect) : null,
    };
    const f = update.fetch;
    if (f.status !== undefined) set.last_status = f.status;
    if (f.outcome !== 'error') set.last_success_at = now;
    if (update.validators) {
      set.etag = storedText(update.validators.etag ?? null);
      set.last_modified = storedText(update.validators.lastModified ?? null);
    }
    if (update.documentDigest !== undefined) set.document_digest = update.documentDigest;
    if (update.scheduleHints) {
      const hints = compactHints(update.scheduleHints);
      set.schedule_hints = hints ? storedJson(hints) : null;
    }
    if (update.meta) {
      set.title = storedText(update.meta.title ?? null);
      set.site_link = storedText(update.meta.link ?? null);
      set.hubs = storedJson(update.meta.hubs ?? []);
      set.self_link = storedText(update.meta.self ?? null);
    }
    if (update.error === null) {
      set.error_code = null;
      set.error_message = null;
      set.consecutive_failures = 0;
      set.failing_since = null;
    } else if (update.error) {
      // consecutive_failures + 1 and failing_since (if not set) are written by updateFeed.
      set.error_code = update.error.code;
      set.error_message = storedText(update.error.message);
    }
    if (update.retire !== undefined) set.retired = update.retire ? 1 : 0;
    if (feed && update.moveTo !== undefined && update.moveTo !== feed.url) {
      const taken = await trx
        .selectFrom('feeds')
        .select('id')
        .where('url', '=', update.moveTo)
        .executeTakeFirst();
      // Moving onto a URL another subscription already has would merge two feeds: keep this
      // one where it is (its entries are deduplicated against the other's anyway).
      if (!taken) {
        const previous = dialect.json<string[]>(feed.previous_urls);
        const from = feed.url;
        set.url = update.moveTo;
        set.previous_urls = storedJson([
          ...previous.filter((u) => u !== from && u !== update.moveTo),
          from,
        ]);
        set.pending_redirect = null;
      }
    }
    if (report.inserted + report.duplicates > 0) set.last_new_entry_at = now;
    // Only new originals change the count: duplicates are not counted, a stored entry never
    // changes sides, and only retention removes entries (and recounts). Adding keeps the count
    // exact without counting, which read every row of the feed.
    if (report.inserted > 0 && feed) set.entry_count = Number(feed.entry_count) + report.inserted;
    return set;
  }

  async function write(trx: Transaction<StoreDatabase>, w: FeedWrite): Promise<void> {
    const { update, report, now } = w;
    const feedId = update.feedId;
    const set = await changes(trx, w);
    const updated = await updateFeed(trx, set, Boolean(update.error), { id: feedId, now });
    if (updated.changed === 0) {
      throw new OrreryError('store-no-feed', `${dialect.stage}: no feed with id ${feedId}`);
    }
    const f = update.fetch;
    await insertFetch(trx, {
      feed_id: feedId,
      at: isoDate(f.at) ?? now,
      outcome: f.outcome,
      status: f.status ?? null,
      error_code: f.errorCode ?? null,
      message: storedText(f.message ?? null),
      bytes: f.bytes ?? null,
      elapsed_ms: Math.round(f.elapsedMs),
      new_entries: f.newEntries ?? (update.entries ? report.inserted : null),
      entries_dropped: f.entriesDropped ?? null,
      redirects: f.redirects && f.redirects.length > 0 ? storedJson(f.redirects) : null,
    });
    await pruneFetches(trx, { feed: feedId });
  }

  return { write };
}

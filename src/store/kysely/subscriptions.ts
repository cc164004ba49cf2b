/** SubscriptionStore: the config's feeds in the store, and which of them are due. */
import type { StoredFeed } from '../../model/stored.js';
import type { Subscription } from '../../model/subscription.js';
import type { DueFeedCursor, DueFeedPage, SubscriptionStore, SyncReport } from '../store.js';
import { assertWritable, requireIso, type StoreContext } from './context.js';
import { feedFromRow } from './rows.js';

/** Feeds a sync reads at a time. */
const SYNC_PAGE = 5000;

export function createSubscriptions(ctx: StoreContext): SubscriptionStore {
  const { db, dialect, tx } = ctx;

  /**
   * Make the store's feeds match the config. The store's feeds are read SYNC_PAGE at a time
   * and only their match is kept, so a large planet's whole table is never held at once
   * (docs/decisions/store.md). Each feed answers to the first subscription (in
   * config order) of its own URL or of a URL it moved from (when no feed has that URL as its
   * own); the other subscriptions that name it are ignored, the ones that name no feed added.
   */
  async function syncSubscriptions(
    subscriptions: readonly Subscription[],
    nowInput: string,
  ): Promise<SyncReport> {
    assertWritable(ctx, 'syncSubscriptions');
    const now = requireIso(ctx, nowInput, 'now');
    // Listed twice in the config: the first listing wins.
    const first = new Map<string, number>();
    subscriptions.forEach((sub, i) => {
      if (!first.has(sub.url)) first.set(sub.url, i);
    });
    return tx.transaction(async (trx) => {
      const report: SyncReport = { added: 0, updated: 0, deactivated: 0 };
      const columns = [
        'id',
        'url',
        'name',
        'section',
        'face',
        'config_site_link',
        'active',
      ] as const;
      const select = () => trx.selectFrom('feeds').select(columns).select('previous_urls');
      type Row = Awaited<ReturnType<ReturnType<typeof select>['executeTakeFirstOrThrow']>>;
      const configOf = (sub: Subscription) => ({
        name: sub.name ?? null,
        section: sub.section,
        face: sub.face ?? null,
        config_site_link: sub.siteLink ?? null,
      });
      const apply = async (row: Row, sub: Subscription) => {
        const config = configOf(sub);
        const changed =
          row.name !== config.name ||
          row.section !== config.section ||
          row.face !== config.face ||
          row.config_site_link !== config.config_site_link ||
          !row.active;
        if (changed) {
          await trx
            .updateTable('feeds')
            .set({ ...config, active: 1 })
            .where('id', '=', Number(row.id))
            .execute();
          report.updated++;
        }
      };
      /** Subscriptions (by index) a feed has as its own URL. */
      const ownedByUrl = new Uint8Array(subscriptions.length);
      /** Feeds that moved from a subscribed URL: settled once every own URL is known. */
      const moved: Array<{ row: Row; own: number | undefined; from: number[] }> = [];
      const gone: number[] = [];
      let lastId = 0;
      for (;;) {
        const rows = await select()
          .where('id', '>', lastId)
          .orderBy('id')
          .limit(SYNC_PAGE)
          .execute();
        for (const row of rows) {
          const own = first.get(row.url);
          if (own !== undefined) ownedByUrl[own] = 1;
          const from: number[] = [];
          for (const u of dialect.json<string[]>(row.previous_urls)) {
            const i = first.get(u);
            if (i !== undefined) from.push(i);
          }
          if (from.length > 0) moved.push({ row, own, from });
          else if (own !== undefined) await apply(row, subscriptions[own] as Subscription);
          else if (row.active) gone.push(Number(row.id));
        }
        const last = rows[rows.length - 1];
        if (!last || rows.length < SYNC_PAGE) break;
        lastId = Number(last.id);
      }
      // A moved-from URL counts only when no feed has it as its own (the last feed wins).
      const movedTo = new Map<number, Row>();
      for (const m of moved) {
        for (const i of m.from) if (!ownedByUrl[i]) movedTo.set(i, m.row);
      }
      for (const m of moved) {
        const answers = m.from.filter((i) => movedTo.get(i) === m.row);
        if (m.own !== undefined) answers.push(m.own);
        if (answers.length > 0) {
          await apply(m.row, subscriptions[Math.min(...answers)] as Subscription);
        } else if (m.row.active) gone.push(Number(m.row.id));
      }
      for (let i = 0; i < subscriptions.length; i++) {
        const sub = subscriptions[i] as Subscription;
        if (first.get(sub.url) !== i || ownedByUrl[i] || movedTo.has(i)) continue;
        // Another process (a worker starting at the same time) may add it first: no error.
        const inserted = await trx
          .insertInto('feeds')
          .values({ url: sub.url, ...configOf(sub), created_at: now })
          .onConflict((oc) => oc.column('url').doNothing())
          .returning('id')
          .executeTakeFirst();
        if (inserted) report.added++;
        else await apply(await select().where('url', '=', sub.url).executeTakeFirstOrThrow(), sub);
      }
      if (gone.length > 0) {
        await trx.updateTable('feeds').set({ active: 0 }).where(dialect.idIn('id', gone)).execute();
        report.deactivated = gone.length;
      }
      return report;
    });
  }

  async function listFeeds(opts?: { includeInactive?: boolean }): Promise<StoredFeed[]> {
    let q = db.selectFrom('feeds').selectAll();
    if (!opts?.includeInactive) q = q.where('active', '=', 1);
    const rows = await q.orderBy('id').execute();
    return rows.map((r) => feedFromRow(dialect, r));
  }

  async function getFeed(id: number): Promise<StoredFeed | undefined> {
    const row = await db.selectFrom('feeds').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? feedFromRow(dialect, row) : undefined;
  }

  /** The feed at `url`, else the feed that moved away from `url` by a permanent redirect. */
  async function getFeedByUrl(url: string): Promise<StoredFeed | undefined> {
    const row =
      (await db.selectFrom('feeds').selectAll().where('url', '=', url).executeTakeFirst()) ??
      (await db
        .selectFrom('feeds')
        .selectAll()
        .where(dialect.previousUrlsHold(url))
        .orderBy('id')
        .executeTakeFirst());
    return row ? feedFromRow(dialect, row) : undefined;
  }

  /** Active, non-retired feeds due at `now`, most overdue first. */
  function dueQuery(nowInput: string, limit?: number) {
    const now = requireIso(ctx, nowInput, 'now');
    const q = db
      .selectFrom('feeds')
      .where('active', '=', 1)
      .where('retired', '=', 0)
      .where((eb) => eb.or([eb('next_due_at', 'is', null), eb('next_due_at', '<=', now)]))
      // NULLS FIRST written out: SQLite and PostgreSQL default differently.
      .orderBy('next_due_at', (ob) => ob.asc().nullsFirst())
      .orderBy('id');
    return limit !== undefined ? q.limit(limit) : q;
  }

  async function dueFeeds(nowInput: string, limit?: number): Promise<StoredFeed[]> {
    const rows = await dueQuery(nowInput, limit).selectAll().execute();
    return rows.map((r) => feedFromRow(dialect, r));
  }

  /**
   * dueFeeds' feeds as id and URL, after a cursor, in the due order (next_due_at NULLS FIRST, id) read as its two
   * runs: the never-fetched feeds by id (the primary key's order), then the others by due time
   * and id (the next_due_at index's). One keyset over both sorted every null row for each page.
   */
  async function dueFeedRefPage(
    nowInput: string,
    limit: number,
    after?: DueFeedCursor,
  ): Promise<DueFeedPage> {
    const now = requireIso(ctx, nowInput, 'now');
    const feeds = () =>
      db
        .selectFrom('feeds')
        .select(['id', 'url', 'next_due_at'])
        .where('active', '=', 1)
        .where('retired', '=', 0);
    type Row = { id: number | string | bigint; url: string; next_due_at: unknown };
    let rows: Row[] = [];
    if (!after || after.nextDueAt === null) {
      rows = await feeds()
        .where('next_due_at', 'is', null)
        .where('id', '>', after?.id ?? 0)
        .orderBy('id')
        .limit(limit)
        .execute();
    }
    if (rows.length < limit) {
      let q = feeds().where('next_due_at', '<=', now);
      if (after && after.nextDueAt !== null) {
        const at = requireIso(ctx, after.nextDueAt, 'after.nextDueAt');
        const id = after.id;
        q = q.where((eb) =>
          eb.or([
            eb('next_due_at', '>', at),
            eb.and([eb('next_due_at', '=', at), eb('id', '>', id)]),
          ]),
        );
      }
      const dated = await q
        .orderBy('next_due_at')
        .orderBy('id')
        .limit(limit - rows.length)
        .execute();
      rows = rows.concat(dated);
    }
    const refs = rows.map((r) => ({ id: Number(r.id), url: r.url }));
    const last = rows[rows.length - 1];
    if (!last || rows.length < limit) return { refs };
    const nextDueAt = last.next_due_at === null ? null : dialect.date(last.next_due_at);
    return { refs, next: { nextDueAt, id: Number(last.id) } };
  }

  return {
    syncSubscriptions,
    listFeeds: (opts) => tx.read(() => listFeeds(opts)),
    getFeed: (id) => tx.read(() => getFeed(id)),
    getFeedByUrl: (url) => tx.read(() => getFeedByUrl(url)),
    dueFeeds: (now, limit) => tx.read(() => dueFeeds(now, limit)),
    dueFeedRefPage: (now, limit, after) => tx.read(() => dueFeedRefPage(now, limit, after)),
  };
}

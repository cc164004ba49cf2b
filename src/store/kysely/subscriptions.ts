/** SubscriptionStore: the config's feeds in the store, and which of them are due. */
import type { StoredFeed } from '../../model/stored.js';
import type { Subscription } from '../../model/subscription.js';
import type { SubscriptionStore, SyncReport } from '../store.js';
import { assertWritable, requireIso, type StoreContext } from './context.js';
import { feedFromRow } from './rows.js';

export function createSubscriptions(ctx: StoreContext): SubscriptionStore {
  const { db, dialect, tx } = ctx;

  async function syncSubscriptions(
    subscriptions: readonly Subscription[],
    nowInput: string,
  ): Promise<SyncReport> {
    assertWritable(ctx, 'syncSubscriptions');
    const now = requireIso(ctx, nowInput, 'now');
    return tx.transaction(async (trx) => {
      const rows = await trx
        .selectFrom('feeds')
        .select(['id', 'url', 'name', 'section', 'face', 'config_site_link', 'active'])
        .select('previous_urls')
        .execute();
      type Row = (typeof rows)[number];
      const byUrl = new Map(rows.map((r) => [r.url, r]));
      // A feed moved by a permanent redirect still answers to the URL the config names.
      const byPrevious = new Map<string, Row>();
      for (const r of rows) {
        for (const u of dialect.json<string[]>(r.previous_urls)) {
          if (!byUrl.has(u)) byPrevious.set(u, r);
        }
      }
      const report: SyncReport = { added: 0, updated: 0, deactivated: 0 };
      const matched = new Set<number>();
      for (const sub of subscriptions) {
        let row = byUrl.get(sub.url) ?? byPrevious.get(sub.url);
        const config = {
          name: sub.name ?? null,
          section: sub.section,
          face: sub.face ?? null,
          config_site_link: sub.siteLink ?? null,
        };
        if (!row) {
          // Another process (a worker starting at the same time) may add it first: no error.
          const inserted = await trx
            .insertInto('feeds')
            .values({ url: sub.url, ...config, created_at: now })
            .onConflict((oc) => oc.column('url').doNothing())
            .returning('id')
            .executeTakeFirst();
          if (inserted) {
            const id = Number(inserted.id);
            matched.add(id);
            // Listed twice in the config: the first listing wins.
            byUrl.set(sub.url, { ...config, id, url: sub.url, active: 1, previous_urls: [] });
            report.added++;
            continue;
          }
          row = await trx
            .selectFrom('feeds')
            .select(['id', 'url', 'name', 'section', 'face', 'config_site_link', 'active'])
            .select('previous_urls')
            .where('url', '=', sub.url)
            .executeTakeFirstOrThrow();
        }
        const id = Number(row.id);
        if (matched.has(id)) continue;
        matched.add(id);
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
            .where('id', '=', id)
            .execute();
          report.updated++;
        }
      }
      const gone = rows.filter((r) => r.active && !matched.has(Number(r.id))).map((r) => r.id);
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

  /** dueFeeds' feeds, id and URL only (a scheduler's view of a large planet). */
  async function dueFeedRefs(nowInput: string, limit?: number) {
    const rows = await dueQuery(nowInput, limit).select(['id', 'url']).execute();
    return rows.map((r) => ({ id: Number(r.id), url: r.url }));
  }

  return {
    syncSubscriptions,
    listFeeds: (opts) => tx.read(() => listFeeds(opts)),
    getFeed: (id) => tx.read(() => getFeed(id)),
    getFeedByUrl: (url) => tx.read(() => getFeedByUrl(url)),
    dueFeeds: (now, limit) => tx.read(() => dueFeeds(now, limit)),
    dueFeedRefs: (now, limit) => tx.read(() => dueFeedRefs(now, limit)),
  };
}

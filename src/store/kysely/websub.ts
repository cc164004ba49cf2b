/**
 * WebSubSubscriptions: the subscriptions `orrery serve` holds with hubs (one per feed, found by
 * the id of its callback URL), and the hub and self links a feed announces in its Link header.
 */
import { OrreryError } from '../../model/errors.js';
import {
  WEBSUB_STATES,
  type WebSubLinks,
  type WebSubSubscription,
  type WebSubSubscriptions,
} from '../store.js';
import { assertWritable, requireIso, type StoreContext } from './context.js';
import { storedJson, storedText, webSubFromRow } from './rows.js';

export function createWebSubSubscriptions(ctx: StoreContext): WebSubSubscriptions {
  const { db, dialect, tx } = ctx;
  const noFeed = (feedId: number) =>
    new OrreryError('store-no-feed', `${dialect.stage}: no feed with id ${feedId}`);

  /** The row to write; dates in the store's one ISO form, the state checked. */
  function columns(s: WebSubSubscription) {
    if (!WEBSUB_STATES.includes(s.state)) {
      throw new OrreryError('store-bad-input', `${dialect.stage}: unknown WebSub state ${s.state}`);
    }
    const date = (value: string | undefined, field: string) =>
      value === undefined ? null : requireIso(ctx, value, field);
    return {
      feed_id: s.feedId,
      hub: storedText(s.hub),
      topic: storedText(s.topic),
      callback: storedText(s.callback),
      secret: s.secret,
      state: s.state,
      pending_mode: s.pending?.mode ?? null,
      pending_since: date(s.pending?.since, 'pending.since'),
      lease_seconds: s.leaseSeconds ?? null,
      expires_at: date(s.expiresAt, 'expiresAt'),
      failures: s.failures,
      retry_at: date(s.retryAt, 'retryAt'),
      last_error: storedText(s.lastError ?? null),
      created_at: requireIso(ctx, s.createdAt, 'createdAt'),
      updated_at: requireIso(ctx, s.updatedAt, 'updatedAt'),
    };
  }

  async function put(subscription: WebSubSubscription): Promise<void> {
    assertWritable(ctx, 'putWebSubSubscription');
    const row = columns(subscription);
    await tx.transaction(async (trx) => {
      const feed = await trx
        .selectFrom('feeds')
        .select('id')
        .where('id', '=', subscription.feedId)
        .executeTakeFirst();
      if (!feed) throw noFeed(subscription.feedId);
      // A feed keeps one subscription: a new one (another id) replaces the old.
      await trx
        .deleteFrom('websub_subscriptions')
        .where('feed_id', '=', subscription.feedId)
        .where('id', '<>', subscription.id)
        .execute();
      await trx
        .insertInto('websub_subscriptions')
        .values({ id: subscription.id, ...row })
        .onConflict((oc) =>
          oc
            .column('id')
            .doUpdateSet((eb) =>
              Object.fromEntries(
                Object.keys(row).map((c) => [c, eb.ref(`excluded.${c as keyof typeof row}`)]),
              ),
            ),
        )
        .execute();
    });
  }

  async function recordFeedLinkHeader(feedUrl: string, links: WebSubLinks): Promise<boolean> {
    assertWritable(ctx, 'recordFeedLinkHeader');
    // Joins the feed updates' transaction (SQLite's group commit): one statement, no read.
    const changed = await tx.update((trx) =>
      trx
        .updateTable('feeds')
        .set({
          link_header_hubs: links.hubs.length > 0 ? storedJson(links.hubs) : null,
          link_header_self: storedText(links.self ?? null),
        })
        .where('url', '=', feedUrl)
        .executeTakeFirst(),
    );
    return Number(changed.numUpdatedRows) > 0;
  }

  const select = () => db.selectFrom('websub_subscriptions').selectAll();
  return {
    getWebSubSubscription: (id) =>
      tx.read(async () => {
        const row = await select().where('id', '=', id).executeTakeFirst();
        return row ? webSubFromRow(dialect, row) : undefined;
      }),
    getFeedWebSubSubscription: (feedId) =>
      tx.read(async () => {
        const row = await select().where('feed_id', '=', feedId).executeTakeFirst();
        return row ? webSubFromRow(dialect, row) : undefined;
      }),
    listWebSubSubscriptions: (filter) =>
      tx.read(async () => {
        let q = select();
        if (filter?.state !== undefined) q = q.where('state', '=', filter.state);
        return (await q.orderBy('feed_id').execute()).map((r) => webSubFromRow(dialect, r));
      }),
    putWebSubSubscription: put,
    recordFeedLinkHeader,
  };
}

/**
 * The admin API under /api, mounted only when ORRERY_ADMIN_TOKEN is set:
 *   GET    /api/feeds              the feeds, one object each: url, name, section, health
 *   POST   /api/feeds              {url, name?, section?}: autodiscovery, as `orrery add`
 *   DELETE /api/feeds/:id          unsubscribe (the entries stay in the archive)
 *   POST   /api/feeds/:id/refresh  fetch the feed now
 * Every request needs `Authorization: Bearer <token>` (compared in constant time). Changes go to
 * planet.toml under the edit lock the CLI takes too (config/edit-lock.ts), comments kept.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { number, optional, strictObject, string } from 'zod';
import type { StoredFeed } from '../model/stored.js';
import type { AddFeedOutcome, AddFeedRequest } from '../pipeline/add-feed.js';
import { DEFAULT_QUIET_DAYS, feedStatus, type PostStats } from '../render/site-model.js';

export interface AdminDeps {
  token: string;
  feeds: () => Promise<StoredFeed[]>;
  feed: (id: number) => Promise<StoredFeed | undefined>;
  /** Subscribe (discovery + planet.toml), then make the store follow the config. */
  add: (request: AddFeedRequest) => Promise<AddFeedOutcome>;
  /** Unsubscribe the feed in planet.toml; false when the config does not list it. */
  remove: (feed: StoredFeed) => Promise<boolean>;
  /** Queue a fetch of the feed now. */
  refresh: (feed: StoredFeed) => void;
  /** The feed's WebSub state, if it has a subscription. */
  websubState: (feed: StoredFeed) => Promise<string | undefined>;
  /** A refused request, for the counters. */
  rejected: (reason: string) => void;
  now: () => Date;
  /** Each feed's posts (Store.feedPostStats), by feed id: how quiet a feed is comes from them. */
  postStats?: () => Promise<ReadonlyMap<number, PostStats>>;
}

const addBody = strictObject({
  url: string({ error: 'url must be a string' })
    .trim()
    .min(1, { error: 'url is required' })
    .max(2048),
  name: optional(string({ error: 'name must be a string' }).trim().min(1).max(200)),
  section: optional(string({ error: 'section must be a string' }).trim().min(1).max(100)),
  pick: optional(number({ error: 'pick must be a number' }).int().min(1).max(100)),
});

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Constant-time token check (hashing first makes the lengths equal). */
export function tokenMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(.+?)\s*$/i.exec(header ?? '')?.[1];
  return given !== undefined && timingSafeEqual(digest(given), digest(token));
}

const REFUSAL_STATUS: Record<string, 400 | 409 | 422> = {
  'bad-url': 400,
  'unknown-section': 422,
  'no-feed': 422,
  blocked: 422,
  'already-subscribed': 409,
  config: 422,
};

export function adminApi(deps: AdminDeps): Hono {
  const api = new Hono();

  api.use('*', async (c, next) => {
    if (!tokenMatches(c.req.header('authorization'), deps.token)) {
      deps.rejected('bad-token');
      c.header('WWW-Authenticate', 'Bearer realm="orrery"');
      return c.json({ error: 'a valid "Authorization: Bearer <token>" header is required' }, 401);
    }
    await next();
  });

  const view = async (feed: StoredFeed, posts?: ReadonlyMap<number, PostStats>) => {
    const websub = await deps.websubState(feed);
    return {
      id: feed.id,
      url: feed.url,
      name: feed.name ?? feed.title ?? feed.url,
      section: feed.section,
      health: {
        status: feedStatus(feed, posts?.get(feed.id), deps.now(), DEFAULT_QUIET_DAYS),
        entries: feed.entryCount,
        consecutiveFailures: feed.consecutiveFailures,
        ...(feed.lastStatus !== undefined ? { lastStatus: feed.lastStatus } : {}),
        ...(feed.errorCode ? { error: { code: feed.errorCode, message: feed.errorMessage } } : {}),
        ...(feed.lastFetchedAt ? { lastFetchedAt: feed.lastFetchedAt } : {}),
        ...(feed.lastSuccessAt ? { lastSuccessAt: feed.lastSuccessAt } : {}),
        ...(feed.nextDueAt ? { nextDueAt: feed.nextDueAt } : {}),
        ...(websub ? { websub } : {}),
      },
    };
  };

  /** The feed named by :id, or the answer to give instead. */
  const target = async (id: string) => {
    if (!/^\d{1,15}$/.test(id))
      return { error: `feed id must be a number, not '${id.slice(0, 40)}'`, status: 400 as const };
    const feed = await deps.feed(Number(id));
    if (!feed?.active) return { error: `no subscribed feed with id ${id}`, status: 404 as const };
    return { feed };
  };

  api.get('/feeds', async (c) => {
    const feeds = (await deps.feeds()).filter((f) => f.active);
    const posts = await deps.postStats?.();
    return c.json(await Promise.all(feeds.map((f) => view(f, posts))));
  });

  api.post(
    '/feeds',
    bodyLimit({
      maxSize: 64 * 1024,
      onError: (c) => {
        deps.rejected('too-large');
        return c.json({ error: 'the body is over 64 KB' }, 413);
      },
    }),
    async (c) => {
      let raw: unknown;
      try {
        raw = JSON.parse(await c.req.text());
      } catch (error) {
        deps.rejected('bad-json');
        return c.json({ error: `the body is not JSON: ${(error as Error).message}` }, 400);
      }
      const parsed = addBody.safeParse(raw);
      if (!parsed.success) {
        deps.rejected('bad-input');
        const problems = parsed.error.issues.map((i) =>
          i.code === 'unrecognized_keys'
            ? `unknown field ${i.keys.join(', ')} (fields: url, name, section, pick)`
            : `${i.path.join('.') || 'body'}: ${i.message}`,
        );
        return c.json({ error: 'invalid feed', problems }, 400);
      }
      const outcome = await deps.add(parsed.data);
      if (outcome.kind === 'several') {
        return c.json(
          {
            error: `several feeds found at ${outcome.pageUrl}; send one of their URLs, or "pick": N`,
            feeds: outcome.feeds.map((f) => ({ url: f.url, format: f.format, title: f.title })),
          },
          409,
        );
      }
      if (outcome.kind === 'refused') {
        deps.rejected(`add-${outcome.reason}`);
        return c.json(
          { error: outcome.message, reason: outcome.reason },
          REFUSAL_STATUS[outcome.reason] ?? 400,
        );
      }
      const stored = (await deps.feeds()).find((f) => f.url === outcome.subscription.url);
      return c.json(
        stored ? await view(stored, await deps.postStats?.()) : outcome.subscription,
        201,
      );
    },
  );

  api.delete('/feeds/:id', async (c) => {
    const found = await target(c.req.param('id'));
    if (!found.feed) return c.json({ error: found.error }, found.status);
    if (!(await deps.remove(found.feed))) {
      return c.json(
        { error: `feed ${found.feed.id} is not in planet.toml (was it removed by hand?)` },
        409,
      );
    }
    return c.body(null, 204);
  });

  api.post('/feeds/:id/refresh', async (c) => {
    const found = await target(c.req.param('id'));
    if (!found.feed) return c.json({ error: found.error }, found.status);
    deps.refresh(found.feed);
    return c.json({ queued: true, id: found.feed.id }, 202);
  });

  return api;
}

/**
 * The WebSub subscriber (W3C WebSub Recommendation, §5-§8): subscribes to the hubs the feeds
 * announce, answers the hubs' verification of intent, checks and hands on content
 * distributions, renews before the lease ends, and falls back to polling when a hub denies,
 * never verifies, or lets the lease expire. Its subscriptions live in the store, so a restart
 * goes on with them: no new request while a lease holds, pushes checked with the stored secret.
 * Holds no feed logic: what a pushed document does is the `deliver` dependency's business; the
 * polling schedule reads `pushedFeedIds()`.
 */
import { randomBytes } from 'node:crypto';
import { errorMessage } from '../../model/errors.js';
import type { StoredFeed } from '../../model/stored.js';
import type { WebSubState, WebSubSubscription, WebSubSubscriptions } from '../../store/store.js';
import type { HubClient } from './hub-client.js';
import { checkSignature } from './signature.js';

/** Where the subscriber keeps its subscriptions: the store's part. */
export type WebSubStore = Pick<
  WebSubSubscriptions,
  | 'getWebSubSubscription'
  | 'getFeedWebSubSubscription'
  | 'listWebSubSubscriptions'
  | 'putWebSubSubscription'
>;

export interface SubscriberOptions {
  /** The public base URL of this server: callbacks are `<publicUrl>websub/<id>`. */
  publicUrl: string;
  /** hub.lease_seconds asked for (the hub decides; default 10 days). */
  leaseSeconds?: number;
  /** A request the hub has not verified after this long has failed (default 10 min). */
  verifyTimeoutMs?: number;
  /** First wait before trying a failed or denied subscription again (doubles; default 1 h). */
  retryBaseMs?: number;
  /** The longest such wait (default 7 days). */
  retryMaxMs?: number;
  /** Largest content distribution accepted, in bytes. */
  maxBodyBytes: number;
}

export interface SubscriberDeps {
  store: WebSubStore;
  hubs: HubClient;
  now: () => Date;
  /** Store a verified content distribution as the feed's new document. */
  deliver: (feedId: number, body: Uint8Array, contentType: string | undefined) => Promise<void>;
  /** The feed lost its push (denied, expired, never verified): poll it now. */
  pollNow: (feedId: number) => void;
  /** Something worth a log line or a counter. */
  onEvent?: (event: SubscriberEvent) => void;
}

export type SubscriberEvent =
  | {
      kind: 'state';
      feedId: number;
      topic: string;
      hub: string;
      state: WebSubState;
      reason?: string;
    }
  | { kind: 'rejected'; reason: RejectReason; detail: string };

export type RejectReason =
  | 'unknown-callback'
  | 'verification-mismatch'
  | 'bad-request'
  | 'too-large'
  | 'signature'
  | 'not-active';

/** What the HTTP layer answers. */
export interface CallbackAnswer {
  status: number;
  body: string;
}

const DEFAULTS = {
  leaseSeconds: 864_000,
  verifyTimeoutMs: 600_000,
  retryBaseMs: 3_600_000,
  retryMaxMs: 7 * 86_400_000,
};

export interface Subscriber {
  /**
   * Subscribe (or subscribe again) the feeds whose hub is known (StoredFeed.hubs: the Link
   * header's, else the document's) and that are not pushed yet; unsubscribe the active
   * subscriptions of feeds not among `feeds` (removed from planet.toml), and renew them no more.
   */
  reconcile(feeds: readonly StoredFeed[]): Promise<void>;
  /**
   * At start: a lease that ended while the server was stopped is no failure of the hub; the
   * subscription is marked expired without a back-off (reconcile asks again at once) and its
   * feed, polled only daily while pushed, is polled now.
   */
  resume(): Promise<void>;
  /** Renew leases that end soon; fail requests never verified; expire ended leases. */
  tick(): Promise<void>;
  /** GET on a callback: verification of intent, or a denial. */
  verify(id: string, query: Record<string, string | undefined>): Promise<CallbackAnswer>;
  /** POST on a callback: a content distribution. */
  receive(
    id: string,
    headers: { signature?: string; contentType?: string },
    body: Uint8Array,
  ): Promise<CallbackAnswer>;
  /** Feeds whose subscription is active: pushed, so polled only as a safety net. */
  pushedFeedIds(): Promise<Set<number>>;
  callbackUrl(id: string): string;
  /** Wait for the requests in flight (shutdown). */
  settle(): Promise<void>;
}

export function createSubscriber(options: SubscriberOptions, deps: SubscriberDeps): Subscriber {
  const o = { ...DEFAULTS, ...options };
  const base = o.publicUrl.endsWith('/') ? o.publicUrl : `${o.publicUrl}/`;
  const inFlight = new Set<Promise<unknown>>();
  const callbackUrl = (id: string) => new URL(`websub/${id}`, base).href;
  const iso = (ms = 0) => new Date(deps.now().getTime() + ms).toISOString();
  const event = (e: SubscriberEvent) => deps.onEvent?.(e);
  /** The feeds the last reconcile was given (before it: every feed counts as wanted). */
  let wanted: Set<number> | undefined;
  const reject = (reason: RejectReason, detail: string, status: number): CallbackAnswer => {
    event({ kind: 'rejected', reason, detail });
    return { status, body: detail };
  };

  async function setState(
    sub: WebSubSubscription,
    state: WebSubState,
    changes: Partial<WebSubSubscription> = {},
    reason?: string,
  ): Promise<WebSubSubscription> {
    const next: WebSubSubscription = { ...sub, ...changes, state, updatedAt: iso() };
    if (!('pending' in changes)) delete next.pending;
    await deps.store.putWebSubSubscription(next);
    if (state !== sub.state || reason) {
      event({
        kind: 'state',
        feedId: sub.feedId,
        topic: sub.topic,
        hub: sub.hub,
        state,
        ...(reason ? { reason } : {}),
      });
    }
    return next;
  }

  /** A failed or denied attempt: back off, and poll the feed if it was pushed. */
  async function giveUp(
    sub: WebSubSubscription,
    state: WebSubState,
    reason: string,
  ): Promise<void> {
    const failures = sub.failures + 1;
    const wait = Math.min(o.retryMaxMs, o.retryBaseMs * 2 ** (failures - 1));
    const wasPushed = sub.state === 'active';
    await setState(sub, state, { failures, retryAt: iso(wait), lastError: reason }, reason);
    if (wasPushed || state === 'expired') deps.pollNow(sub.feedId);
  }

  async function request(
    sub: WebSubSubscription,
    mode: 'subscribe' | 'unsubscribe',
  ): Promise<void> {
    const pending: WebSubSubscription = {
      ...sub,
      pending: { mode, since: iso() },
      updatedAt: iso(),
    };
    // Stored before asking: a hub may verify before it answers the request.
    await deps.store.putWebSubSubscription(pending);
    const answer = await deps.hubs.post(sub.hub, {
      'hub.callback': sub.callback,
      'hub.mode': mode,
      'hub.topic': sub.topic,
      ...(mode === 'subscribe'
        ? { 'hub.secret': sub.secret, 'hub.lease_seconds': String(o.leaseSeconds) }
        : {}),
    });
    if (answer.ok) return;
    const current = (await deps.store.getWebSubSubscription(sub.id)) ?? pending;
    // A renewal (or unsubscription) the hub refused leaves the lease running; tick() expires it
    // in time. An unsubscription is asked again after the back-off.
    if (current.state === 'active') {
      const what = mode === 'subscribe' ? 'renewal' : 'unsubscription';
      await setState(
        current,
        'active',
        {
          lastError: answer.message,
          ...(mode === 'unsubscribe' ? { retryAt: iso(o.retryBaseMs) } : {}),
        },
        `${what} refused: ${answer.message}`,
      );
      return;
    }
    await giveUp(current, 'failed', `hub refused the request: ${answer.message}`);
  }

  function track(work: Promise<void>): void {
    const p = work.catch((error: unknown) =>
      event({ kind: 'rejected', reason: 'bad-request', detail: `websub: ${errorMessage(error)}` }),
    );
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  }

  function newSubscription(
    feed: StoredFeed,
    hub: string,
    topic: string,
    failures = 0,
  ): WebSubSubscription {
    const now = iso();
    const id = randomBytes(18).toString('base64url');
    return {
      id,
      feedId: feed.id,
      hub,
      topic,
      callback: callbackUrl(id),
      // 32 random bytes as hex: well under the spec's 200-byte limit.
      secret: randomBytes(32).toString('hex'),
      state: 'pending',
      failures,
      createdAt: now,
      updatedAt: now,
    };
  }

  return {
    callbackUrl,

    async reconcile(feeds) {
      const now = deps.now().getTime();
      wanted = new Set(feeds.filter((f) => f.active && !f.retired).map((f) => f.id));
      for (const feed of feeds) {
        if (!feed.active || feed.retired) continue;
        // The store reads the Link header's hub and self before the document's (§4).
        const hub = feed.hubs[0];
        if (!hub) continue;
        const topic = feed.selfLink ?? feed.url;
        const current = await deps.store.getFeedWebSubSubscription(feed.id);
        // Same hub, topic and callback (a new --public-url needs a new subscription).
        const same =
          current?.hub === hub &&
          current.topic === topic &&
          current.callback === callbackUrl(current.id);
        if (same) {
          if (current.state === 'active' || current.pending) continue;
          if (current.retryAt && Date.parse(current.retryAt) > now) continue;
        }
        const sub = newSubscription(feed, hub, topic, same ? current.failures : 0);
        track(request(sub, 'subscribe'));
      }
      // Feeds no longer listed (removed from planet.toml, gone): their hubs are told (§5.1).
      for (const sub of await deps.store.listWebSubSubscriptions({ state: 'active' })) {
        if (wanted.has(sub.feedId) || sub.pending) continue;
        if (sub.retryAt && Date.parse(sub.retryAt) > now) continue;
        track(request(sub, 'unsubscribe'));
      }
    },

    async resume() {
      const now = deps.now().getTime();
      for (const sub of await deps.store.listWebSubSubscriptions({ state: 'active' })) {
        if (!sub.expiresAt || Date.parse(sub.expiresAt) > now) continue;
        // A renewal left pending is dropped too: reconcile sends a new request.
        await setState(
          sub,
          'expired',
          { retryAt: undefined },
          'the lease ended while orrery serve was stopped',
        );
        deps.pollNow(sub.feedId);
      }
    },

    async tick() {
      const now = deps.now().getTime();
      for (const sub of await deps.store.listWebSubSubscriptions()) {
        const pendingFor = sub.pending ? now - Date.parse(sub.pending.since) : 0;
        if (sub.pending && pendingFor > o.verifyTimeoutMs) {
          if (sub.state === 'active') {
            await setState(sub, 'active', {}, `${sub.pending.mode} never verified`);
          } else await giveUp(sub, 'failed', 'the hub never verified the request');
          continue;
        }
        if (sub.state !== 'active' || !sub.expiresAt) continue;
        // A feed no longer listed is not renewed: its lease just runs out.
        const unwanted = wanted !== undefined && !wanted.has(sub.feedId);
        const ends = Date.parse(sub.expiresAt);
        if (ends <= now) {
          if (unwanted)
            await setState(sub, 'unsubscribed', {}, 'the lease of a feed no longer listed ended');
          else await giveUp(sub, 'expired', 'the lease ended before a renewal was verified');
          continue;
        }
        // Renew in the last tenth of the lease (at least a minute before it ends).
        const margin = Math.max(60_000, ((sub.leaseSeconds ?? 0) * 1000) / 10);
        if (!unwanted && !sub.pending && ends - now <= margin) track(request(sub, 'subscribe'));
      }
    },

    async verify(id, query) {
      const sub = await deps.store.getWebSubSubscription(id);
      if (!sub) return reject('unknown-callback', 'no such subscription', 404);
      const mode = query['hub.mode'];
      const topic = query['hub.topic'];
      if (topic !== sub.topic) {
        return reject(
          'verification-mismatch',
          `topic ${topic ?? '(none)'} is not ${sub.topic}`,
          404,
        );
      }
      if (mode === 'denied') {
        const reason = query['hub.reason'] ?? 'no reason given';
        await giveUp(sub, 'denied', `the hub denied the subscription: ${reason.slice(0, 200)}`);
        return { status: 200, body: '' };
      }
      const challenge = query['hub.challenge'];
      if ((mode !== 'subscribe' && mode !== 'unsubscribe') || !challenge) {
        return reject('bad-request', 'a verification needs hub.mode and hub.challenge', 400);
      }
      if (sub.pending?.mode !== mode) {
        return reject('verification-mismatch', `no pending ${mode} for this callback`, 404);
      }
      if (mode === 'unsubscribe') {
        await setState(sub, 'unsubscribed');
        return { status: 200, body: challenge };
      }
      const lease = Number(query['hub.lease_seconds']);
      const leaseSeconds = Number.isFinite(lease) && lease > 0 ? lease : o.leaseSeconds;
      await setState(sub, 'active', {
        leaseSeconds,
        expiresAt: iso(leaseSeconds * 1000),
        failures: 0,
      });
      return { status: 200, body: challenge };
    },

    async receive(id, headers, body) {
      const sub = await deps.store.getWebSubSubscription(id);
      if (!sub) return reject('unknown-callback', 'no such subscription', 404);
      if (body.byteLength > o.maxBodyBytes) {
        return reject(
          'too-large',
          `content of ${body.byteLength} bytes is over the ${o.maxBodyBytes}-byte cap`,
          413,
        );
      }
      // §8: content whose signature is missing or wrong is acknowledged and dropped.
      const check = checkSignature(headers.signature, body, sub.secret);
      if (check !== 'valid') {
        event({
          kind: 'rejected',
          reason: 'signature',
          detail: `${sub.topic}: signature ${check}`,
        });
        return { status: 202, body: '' };
      }
      if (sub.state !== 'active') {
        return reject('not-active', `the subscription to ${sub.topic} is ${sub.state}`, 410);
      }
      await deps.deliver(sub.feedId, body, headers.contentType);
      return { status: 204, body: '' };
    },

    async pushedFeedIds() {
      return new Set(
        (await deps.store.listWebSubSubscriptions({ state: 'active' })).map((s) => s.feedId),
      );
    },

    async settle() {
      await Promise.all([...inFlight]);
    },
  };
}

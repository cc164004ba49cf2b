/**
 * The WebSub subscriptions Orrery holds as a subscriber, behind a port: one record per feed,
 * found by the random id in its callback URL. This is the shape the SQL store will take (one
 * `websub_subscriptions` row per record, the JSON-free columns below, indexes on id, feed_id and
 * state); until then `createMemoryWebSubStore` keeps them for one process.
 */

/** Where a subscription stands. Only `active` means the feed is pushed (and polled rarely). */
export type WebSubState =
  /** Asked for; the hub has not verified it yet. */
  | 'pending'
  | 'active'
  /** The hub said no (hub.mode=denied), or refused the request. */
  | 'denied'
  /** The lease ran out before a renewal was verified. */
  | 'expired'
  /** The hub failed to answer or to verify in time. */
  | 'failed'
  | 'unsubscribed';

export const WEBSUB_STATES: readonly WebSubState[] = [
  'pending',
  'active',
  'denied',
  'expired',
  'failed',
  'unsubscribed',
];

export interface WebSubSubscription {
  /** Random, URL-safe: the last segment of the callback URL (unguessable). */
  id: string;
  feedId: number;
  hub: string;
  /** The topic URL subscribed to (the feed's rel=self, else its URL). */
  topic: string;
  /** The hub.secret sent with the request: the key of X-Hub-Signature. */
  secret: string;
  state: WebSubState;
  /** A request the hub has still to verify: only it is answered with the challenge. */
  pending?: { mode: 'subscribe' | 'unsubscribe'; since: string };
  /** From the hub's verification (hub.lease_seconds). */
  leaseSeconds?: number;
  /** ISO 8601: when the verified lease ends. */
  expiresAt?: string;
  /** Failed or denied attempts in a row (the next attempt backs off). */
  failures: number;
  /** ISO 8601: no new attempt before this. */
  retryAt?: string;
  lastError?: string;
  createdAt: string;
  updatedAt: string;
}

export interface WebSubStore {
  get(id: string): Promise<WebSubSubscription | undefined>;
  /** The feed's current subscription, if it has one. */
  getByFeed(feedId: number): Promise<WebSubSubscription | undefined>;
  list(filter?: { state?: WebSubState }): Promise<WebSubSubscription[]>;
  /** Insert or replace by id; a feed keeps one subscription (a new id replaces the old one). */
  put(subscription: WebSubSubscription): Promise<void>;
}

/** In-memory WebSubStore: the reference implementation and the tests' store. */
export function createMemoryWebSubStore(): WebSubStore {
  const byId = new Map<string, WebSubSubscription>();
  const idByFeed = new Map<number, string>();
  const copy = (s: WebSubSubscription | undefined) =>
    s && { ...s, ...(s.pending ? { pending: { ...s.pending } } : {}) };
  return {
    get: async (id) => copy(byId.get(id)),
    getByFeed: async (feedId) => {
      const id = idByFeed.get(feedId);
      return id === undefined ? undefined : copy(byId.get(id));
    },
    list: async (filter) =>
      [...byId.values()]
        .filter((s) => filter?.state === undefined || s.state === filter.state)
        .map((s) => copy(s) as WebSubSubscription),
    put: async (subscription) => {
      const previous = idByFeed.get(subscription.feedId);
      if (previous !== undefined && previous !== subscription.id) byId.delete(previous);
      byId.set(subscription.id, copy(subscription) as WebSubSubscription);
      idByFeed.set(subscription.feedId, subscription.id);
    },
  };
}

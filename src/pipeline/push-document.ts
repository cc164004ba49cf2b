/**
 * A feed document that arrived without a fetch: the content of a WebSub hub's fat ping. It goes
 * through the same read-and-store path as a fetched document (refresh-feed's storeDocument), with
 * what a push does not know left as it was: the feed's validators, document digest, pending
 * redirect and schedule. A pushed document is often partial (only the new entries): it adds its
 * entries and removes none, and metadata it lacks keeps the stored value.
 */
import type { FeedErrorCode } from '../model/errors.js';
import type { FeedMeta } from '../model/feed.js';
import type { StoredFeed } from '../model/stored.js';
import type { Subscription } from '../model/subscription.js';
import type { FeedUpdate } from '../store/store.js';
import { type RefreshDeps, storeDocument } from './refresh-feed.js';

export interface PushedDocument {
  body: Uint8Array;
  /** The Content-Type the hub sent (the topic's own type). */
  contentType?: string;
}

export type PushOutcome =
  | {
      kind: 'stored';
      feed: StoredFeed;
      newEntries: number;
      updatedEntries: number;
      duplicates: number;
      warnings: string[];
    }
  /** Not a feed or unreadable: nothing stored, and the feed's own state is not touched. */
  | { kind: 'rejected'; feed: StoredFeed; code: FeedErrorCode; message: string };

export type PushDeps = Pick<RefreshDeps, 'store' | 'readDocument' | 'now'>;

/** Read a pushed document into its feed; never throws for the document's content. */
export async function storePushedDocument(
  feed: StoredFeed,
  subscription: Subscription | undefined,
  doc: PushedDocument,
  deps: PushDeps,
): Promise<PushOutcome> {
  const started = deps.now();
  const nowIso = started.toISOString();
  const stored = await storeDocument(feed, subscription, deps, {
    body: doc.body,
    // The topic is the feed's own URL: relative links resolve as they would on a fetch.
    url: feed.url,
    headers: doc.contentType ? { 'content-type': doc.contentType } : {},
    nowIso,
    update: {
      fetch: {
        at: nowIso,
        outcome: 'ok',
        elapsedMs: 0,
        bytes: doc.body.byteLength,
        message: 'pushed by the WebSub hub',
      },
      ...(feed.pendingRedirect ? { pendingRedirect: feed.pendingRedirect } : {}),
    },
    // A push does not move the polling schedule (the safety-net poll stays where it was).
    nextDueAt: () => feed.nextDueAt ?? nowIso,
    meta: (meta) => mergeMeta(feed, meta),
  });
  if (stored.kind === 'unreadable') {
    return { kind: 'rejected', feed, code: stored.code, message: stored.message };
  }
  return {
    kind: 'stored',
    feed,
    newEntries: stored.report.inserted,
    updatedEntries: stored.report.updated,
    duplicates: stored.report.duplicates,
    warnings: stored.warnings,
  };
}

/** The pushed document's metadata where it has some, the stored feed's where it has none. */
function mergeMeta(feed: StoredFeed, meta: FeedMeta): FeedUpdate['meta'] {
  const title = meta.title ?? feed.title;
  const link = meta.link ?? feed.siteLink;
  const self = meta.self ?? feed.selfLink;
  return {
    hubs: meta.hubs.length > 0 ? meta.hubs : feed.hubs,
    ...(title !== undefined ? { title } : {}),
    ...(link !== undefined ? { link } : {}),
    ...(self !== undefined ? { self } : {}),
  };
}

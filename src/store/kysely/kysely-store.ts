/**
 * The Store's queries, written once with Kysely for every dialect (SQLite and PostgreSQL).
 * A dialect module (sqlite/, postgres/) opens the connection, migrates, provides the lock and
 * hands the Kysely instance to createKyselyStore. No dialect-specific SQL here.
 */

import { createHash } from 'node:crypto';
import {
  type Compilable,
  type CompiledQuery,
  type ControlledTransaction,
  type Insertable,
  type Kysely,
  type Selectable,
  sql,
  type Transaction,
  type Updateable,
} from 'kysely';
import { foldText } from '../../lib/text.js';
import { errorMessage, OrreryError } from '../../model/errors.js';
import { bestText, type Entry, summaryText, type Text } from '../../model/feed.js';
import type { ProcessedEntry, StoredFeed } from '../../model/stored.js';
import type { Subscription } from '../../model/subscription.js';
import type {
  EntriesTable,
  FeedsTable,
  FetchesTable,
  StoreDatabase,
} from '../migrations/schema.js';
import type {
  EntryQuery,
  FeedUpdate,
  FeedUpdateReport,
  LockOptions,
  Store,
  StoreCapabilities,
  StoreLock,
  SyncReport,
} from '../store.js';
import {
  compactHints,
  ENTRY_COLUMNS,
  entryFromRow,
  feedFromRow,
  fetchFromRow,
  toIso,
} from './rows.js';

export interface KyselyStoreOptions {
  db: Kysely<StoreDatabase>;
  dialect: Store['dialect'];
  capabilities: StoreCapabilities;
  /** Prefix of error messages, e.g. 'store/sqlite'. */
  stage: string;
  readonly?: boolean;
  /** Fetch records kept per feed (default 20). */
  fetchHistory?: number;
  acquireLock(options: LockOptions): Promise<StoreLock>;
  /**
   * Called first in every applyFeedUpdate transaction that brings entries: a dialect with
   * concurrent writers serializes duplicate detection here (two feeds bringing the same post at
   * the same moment must not both insert it as an original). SQLite has one writer: no-op.
   */
  serializeEntryWrites?(trx: Transaction<StoreDatabase>): Promise<void>;
  /**
   * Group commit (a dialect with one writer, SQLite): feed updates share one transaction,
   * each inside its own savepoint, committed after `maxUpdates` updates or `maxDelayMs`,
   * and before any other call. A crash loses at most that window — as if it had come that
   * much earlier: every update is still all or nothing. Without it, one transaction per update.
   */
  groupCommit?: { maxUpdates: number; maxDelayMs: number };
  /** Called after the Kysely instance is destroyed. */
  onClose?(): Promise<void> | void;
}

type Db = Kysely<StoreDatabase> | Transaction<StoreDatabase>;

const DEFAULT_FETCH_HISTORY = 20;
/** Values per IN (...) list: well under SQLite's and PostgreSQL's limits on bound parameters. */
const IN_CHUNK = 500;

/** An entry others may duplicate: a stored one (id) or a new one of the same update (key). */
interface Original {
  id?: number;
  key?: string;
  firstSeenAt: string;
  /** Tie-break after firstSeenAt: the id, or the position in the update. */
  rank: number;
  /** titleKey of its title. */
  title: string | undefined;
}

/** A title compared case-, space- and form-insensitively; absent or blank → undefined. */
function titleKey(title: string | null | undefined): string | undefined {
  const t = title ? foldText(title) : '';
  return t ? t : undefined;
}

function earlier(a: Original, b: Original): Original {
  if (a.firstSeenAt !== b.firstSeenAt) return a.firstSeenAt < b.firstSeenAt ? a : b;
  return a.rank <= b.rank ? a : b;
}

interface ExistingEntry {
  id: number;
  key: string;
  digest: string;
}

type NewEntryRow = Insertable<EntriesTable>;

function chunks<T>(values: readonly T[], size = IN_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

/**
 * What tells an edited entry from an unchanged one: a hash of everything an update would
 * write, taken from the entry as it arrived (before any deferred cleaning, see
 * FeedUpdate.cleanEntry), so an unchanged entry costs neither cleaning nor serializing.
 * SHA-1 is native and fast; collisions here are accidents, not attacks (a feed can only fool
 * itself). Texts are hashed as they are, not as JSON: escaping them cost more than hashing.
 */
/** An entry's dates in the stored form, worked out once per entry. */
interface EntryDates {
  published: string | null;
  updated: string | null;
}

function entryDigest(pe: ProcessedEntry, dates: EntryDates): string {
  const e = pe.entry;
  const text = (t: Text | undefined) =>
    t ? `${t.type}\u0001${t.base ?? ''}\u0001${t.language ?? ''}\u0001${t.value}` : '\u0002';
  const parts = [
    e.id,
    e.link,
    pe.canonicalLink,
    pe.fingerprint,
    e.title,
    text(e.titleDetail),
    text(e.content[0]),
    text(summaryText(e)),
    JSON.stringify(e.author ?? e.authors[0] ?? null),
    JSON.stringify(e.categories),
    JSON.stringify(e.enclosures),
    dates.published,
    dates.updated,
  ];
  // \u0002 marks an absent value apart from any string; \u0000 separates them.
  return createHash('sha1')
    .update(parts.map((p) => p ?? '\u0002').join('\u0000'), 'utf8')
    .digest('base64');
}

/** Stands in for a parameter when a query is compiled once (see prepared()). */
const SLOT = '\u0000orrery-slot:';

/**
 * A query compiled once and run many times with new parameters: the hot statements of
 * applyFeedUpdate repeat per feed, and building + compiling them with Kysely cost more CPU
 * than SQLite took to run them (measured with --cpu-prof). The query is built with a marker in
 * place of each named value; run() swaps the markers for the values. The SQL comes from the
 * store's own Kysely instance, so it is right for every dialect.
 */
function prepared<N extends string>(
  build: (slot: (name: N) => never) => Compilable<unknown>,
): (db: Db, values: Record<N, unknown>) => Promise<{ rows: unknown[]; changed: number }> {
  let compiled: SlottedQuery<N> | undefined;
  return async (db, values) => {
    compiled ??= compileWithSlots(build);
    const { query, slots } = compiled;
    const parameters = slots.map((n, i) => (n === undefined ? query.parameters[i] : values[n]));
    const result = await db.executeQuery({ ...query, parameters });
    return { rows: result.rows, changed: Number(result.numAffectedRows ?? 0) };
  };
}

interface SlottedQuery<N extends string> {
  query: CompiledQuery;
  /** Per parameter: the name of the slot it stands for, or undefined for a fixed value. */
  slots: (N | undefined)[];
}

/** Compiles a query built with a marker in place of each named value (see prepared()). */
function compileWithSlots<N extends string>(
  build: (slot: (name: N) => never) => Compilable<unknown>,
): SlottedQuery<N> {
  const query = build((name) => `${SLOT}${name}` as never).compile();
  const slots = query.parameters.map((p) =>
    typeof p === 'string' && p.startsWith(SLOT) ? (p.slice(SLOT.length) as N) : undefined,
  );
  return { query, slots };
}

/** Rows per multi-row INSERT (about 21 parameters each). */
const INSERT_CHUNK = 100;

type EntryRow = Insertable<EntriesTable>;

/**
 * Inserts entry rows with one statement per chunk, compiled once per row count (at most
 * INSERT_CHUNK shapes) instead of a Kysely build + compile per call: in a cold fetch's profile,
 * building and compiling the inserts took about half the CPU SQLite took to run them (~270 ms
 * against 525 ms; docs/decisions/store.md). Every row
 * must have the first row's columns (entryColumns() builds them all alike). Returns the new
 * rows' ids and keys.
 */
function createEntryInserter(db: Kysely<StoreDatabase>) {
  interface Shape {
    compiled: CompiledQuery;
    /** For each parameter: the row (offset in the chunk) and column it takes its value from. */
    from: { row: number; column: string }[];
  }
  const shapes = new Map<string, Shape>();
  const shapeFor = (columns: readonly string[], count: number): Shape => {
    const id = `${count}\u0000${columns.join(',')}`;
    let shape = shapes.get(id);
    if (!shape) {
      const { query, slots } = compileWithSlots<string>((slot) =>
        db
          .insertInto('entries')
          .values(
            Array.from(
              { length: count },
              (_, row) =>
                Object.fromEntries(columns.map((c) => [c, slot(`${row}:${c}`)])) as EntryRow,
            ),
          )
          .returning(['id', 'key']),
      );
      const from = slots.map((name) => {
        const [row, column] = (name ?? '').split(':') as [string, string];
        return { row: Number(row), column };
      });
      shape = { compiled: query, from };
      shapes.set(id, shape);
    }
    return shape;
  };
  return async (trx: Db, rows: readonly EntryRow[]): Promise<{ id: number; key: string }[]> => {
    const out: { id: number; key: string }[] = [];
    for (const chunk of chunks(rows, INSERT_CHUNK)) {
      const columns = Object.keys(chunk[0] as EntryRow);
      const { compiled, from } = shapeFor(columns, chunk.length);
      const parameters = from.map((f) => (chunk[f.row] as Record<string, unknown>)[f.column]);
      const result = await trx.executeQuery<{ id: number | bigint; key: string }>({
        ...compiled,
        parameters,
      });
      for (const r of result.rows) out.push({ id: Number(r.id), key: r.key });
    }
    return out;
  };
}

/** Build a Store on an open, migrated Kysely instance. */
export function createKyselyStore(options: KyselyStoreOptions): Store {
  const { db, stage } = options;
  const history = options.fetchHistory ?? DEFAULT_FETCH_HISTORY;
  let closed = false;
  const group = options.groupCommit;

  // With group commit every call runs in turn (one connection; a read must see the updates
  // queued before it, committed), and only feed updates join the open transaction.
  let tail: Promise<unknown> = Promise.resolve();
  // A commit that failed on the timer had no caller to tell: the next call hears of it.
  let commitFailure: unknown;
  function inTurn<T>(fn: () => Promise<T>): Promise<T> {
    if (!group) return fn();
    const guarded = () => {
      if (commitFailure !== undefined) {
        throw new OrreryError(
          'store-commit',
          `${stage}: a group of feed updates could not be committed: ${errorMessage(commitFailure)}`,
          { cause: commitFailure },
        );
      }
      return fn();
    };
    const run = tail.then(guarded, guarded);
    tail = run.catch(() => undefined);
    return run;
  }
  let batch:
    | { trx: ControlledTransaction<StoreDatabase>; updates: number; timer?: NodeJS.Timeout }
    | undefined;
  async function commitBatch(): Promise<void> {
    const open = batch;
    if (!open) return;
    batch = undefined;
    clearTimeout(open.timer);
    await open.trx.commit().execute();
  }
  /** Runs fn after the updates queued before it are committed. */
  function afterCommit<T>(fn: () => Promise<T>): Promise<T> {
    if (!group) return fn();
    return inTurn(async () => {
      await commitBatch();
      return fn();
    });
  }
  /** One feed update, all or nothing: its own transaction, or a savepoint in the open batch. */
  function writeUpdate<T>(fn: (trx: Transaction<StoreDatabase>) => Promise<T>): Promise<T> {
    if (!group) return db.transaction().execute(fn);
    return inTurn(async () => {
      if (!batch) batch = { trx: await db.startTransaction().execute(), updates: 0 };
      const open = batch;
      const sp = await open.trx.savepoint('feed_update').execute();
      let result: T;
      try {
        result = await fn(sp);
      } catch (error) {
        try {
          await sp.rollbackToSavepoint('feed_update').execute();
          await sp.releaseSavepoint('feed_update').execute();
        } catch {
          // The transaction itself is broken: give up the whole batch.
          batch = undefined;
          clearTimeout(open.timer);
          await open.trx
            .rollback()
            .execute()
            .catch(() => undefined);
        }
        throw error;
      }
      await sp.releaseSavepoint('feed_update').execute();
      open.updates++;
      if (open.updates >= group.maxUpdates) await commitBatch();
      else if (!open.timer) {
        open.timer = setTimeout(() => {
          if (batch !== open) return;
          inTurn(commitBatch).catch((error: unknown) => {
            commitFailure ??= error;
          });
        }, group.maxDelayMs);
      }
      return result;
    });
  }

  const insertEntries = createEntryInserter(db);
  const selectFeed = prepared<'id'>((slot) =>
    db.selectFrom('feeds').selectAll().where('id', '=', slot('id')),
  );
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
      .offset(history - 1);
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

  function writable(what: string): void {
    if (options.readonly) {
      throw new OrreryError('store-readonly', `${stage}: ${what} on a store opened read-only`);
    }
  }

  function requireIso(value: string, field: string): string {
    const v = toIso(value);
    if (v === undefined) {
      throw new OrreryError('store-bad-input', `${stage}: ${field} is not a date: ${value}`);
    }
    return v;
  }

  async function syncSubscriptions(
    subscriptions: readonly Subscription[],
    nowInput: string,
  ): Promise<SyncReport> {
    writable('syncSubscriptions');
    const now = requireIso(nowInput, 'now');
    return afterCommit(() =>
      db.transaction().execute(async (trx) => {
        const rows = await trx.selectFrom('feeds').selectAll().execute();
        const byUrl = new Map(rows.map((r) => [r.url, r]));
        // A feed moved by a permanent redirect still answers to the URL the config names.
        const byPrevious = new Map<string, (typeof rows)[number]>();
        for (const r of rows) {
          for (const u of JSON.parse(r.previous_urls) as string[]) {
            if (!byUrl.has(u)) byPrevious.set(u, r);
          }
        }
        const report: SyncReport = { added: 0, updated: 0, deactivated: 0 };
        const matched = new Set<number>();
        for (const sub of subscriptions) {
          const row = byUrl.get(sub.url) ?? byPrevious.get(sub.url);
          const config = {
            name: sub.name ?? null,
            section: sub.section,
            face: sub.face ?? null,
            config_site_link: sub.siteLink ?? null,
          };
          if (!row) {
            const inserted = await trx
              .insertInto('feeds')
              .values({ url: sub.url, ...config, created_at: now })
              .returning('id')
              .executeTakeFirstOrThrow();
            const id = Number(inserted.id);
            matched.add(id);
            // Listed twice in the config: the first listing wins.
            byUrl.set(sub.url, { ...config, id, url: sub.url } as (typeof rows)[number]);
            report.added++;
            continue;
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
        for (const r of rows) {
          if (r.active && !matched.has(Number(r.id))) {
            await trx.updateTable('feeds').set({ active: 0 }).where('id', '=', r.id).execute();
            report.deactivated++;
          }
        }
        return report;
      }),
    );
  }

  async function listFeeds(opts?: { includeInactive?: boolean }): Promise<StoredFeed[]> {
    let q = db.selectFrom('feeds').selectAll();
    if (!opts?.includeInactive) q = q.where('active', '=', 1);
    const rows = await q.orderBy('id').execute();
    return rows.map(feedFromRow);
  }

  async function getFeed(id: number): Promise<StoredFeed | undefined> {
    const row = await db.selectFrom('feeds').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? feedFromRow(row) : undefined;
  }

  /** The feed at `url`, else the feed that moved away from `url` by a permanent redirect. */
  async function getFeedByUrl(url: string): Promise<StoredFeed | undefined> {
    const row = await db.selectFrom('feeds').selectAll().where('url', '=', url).executeTakeFirst();
    if (row) return feedFromRow(row);
    const moved = await db
      .selectFrom('feeds')
      .selectAll()
      .where('previous_urls', '!=', '[]')
      .orderBy('id')
      .execute();
    const hit = moved.find((r) => (JSON.parse(r.previous_urls) as string[]).includes(url));
    return hit ? feedFromRow(hit) : undefined;
  }

  async function dueFeeds(nowInput: string, limit?: number): Promise<StoredFeed[]> {
    const now = requireIso(nowInput, 'now');
    let q = db
      .selectFrom('feeds')
      .selectAll()
      .where('active', '=', 1)
      .where('retired', '=', 0)
      .where((eb) => eb.or([eb('next_due_at', 'is', null), eb('next_due_at', '<=', now)]))
      .orderBy('next_due_at', (ob) => ob.asc().nullsFirst())
      .orderBy('id');
    if (limit !== undefined) q = q.limit(limit);
    return (await q.execute()).map(feedFromRow);
  }

  /** dueFeeds' feeds, id and URL only (a scheduler's view of a large planet). */
  async function dueFeedRefs(nowInput: string, limit?: number) {
    const now = requireIso(nowInput, 'now');
    let q = db
      .selectFrom('feeds')
      .select(['id', 'url'])
      .where('active', '=', 1)
      .where('retired', '=', 0)
      .where((eb) => eb.or([eb('next_due_at', 'is', null), eb('next_due_at', '<=', now)]))
      .orderBy('next_due_at', (ob) => ob.asc().nullsFirst())
      .orderBy('id');
    if (limit !== undefined) q = q.limit(limit);
    return (await q.execute()).map((r) => ({ id: Number(r.id), url: r.url }));
  }

  /**
   * The stored, non-duplicate entries that new entries repeat (same canonical link or same
   * fingerprint), read in one go. The first seen wins: stored ones are older than anything in
   * this update, and within the update the earlier entry wins (remember()).
   */
  async function findOriginals(trx: Db, fresh: readonly ProcessedEntry[]) {
    // Several posts may share a link (link posts pointing at one article): keep them all and
    // match on the title too. One fingerprint is one post: the earliest is enough.
    const byLink = new Map<string, Original[]>();
    const byFingerprint = new Map<string, Original>();
    const seen = new Set<number>();
    const links = [...new Set(fresh.flatMap((pe) => (pe.canonicalLink ? [pe.canonicalLink] : [])))];
    const prints = [...new Set(fresh.map((pe) => pe.fingerprint))];
    const keepPrint = (k: string, o: Original) => {
      const cur = byFingerprint.get(k);
      byFingerprint.set(k, cur ? earlier(cur, o) : o);
    };
    const keepLink = (k: string, o: Original) => {
      const list = byLink.get(k);
      if (list) list.push(o);
      else byLink.set(k, [o]);
    };
    const load = async (column: 'canonical_link' | 'fingerprint', values: string[]) => {
      for (const part of chunks(values)) {
        const rows = await trx
          .selectFrom('entries')
          .select(['id', 'canonical_link', 'fingerprint', 'first_seen_at', 'title'])
          .where(column, 'in', part)
          .where('duplicate_of', 'is', null)
          .execute();
        for (const r of rows) {
          const id = Number(r.id);
          if (seen.has(id)) continue;
          seen.add(id);
          const o: Original = {
            id,
            firstSeenAt: r.first_seen_at,
            rank: id,
            title: titleKey(r.title),
          };
          if (r.canonical_link !== null) keepLink(r.canonical_link, o);
          keepPrint(r.fingerprint, o);
        }
      }
    };
    await load('canonical_link', links);
    await load('fingerprint', prints);
    return {
      find(pe: ProcessedEntry): Original | undefined {
        const title = titleKey(pe.entry.title);
        const candidates = (pe.canonicalLink ? (byLink.get(pe.canonicalLink) ?? []) : []).filter(
          (o) => title === undefined || o.title === undefined || o.title === title,
        );
        const print = byFingerprint.get(pe.fingerprint);
        if (print) candidates.push(print);
        return candidates.reduce<Original | undefined>(
          (a, b) => (a ? earlier(a, b) : b),
          undefined,
        );
      },
      /** A new entry of this update that later ones may repeat (it has no id yet). */
      remember(pe: ProcessedEntry, rank: number) {
        const o: Original = {
          key: pe.key,
          firstSeenAt: '\uffff',
          rank,
          title: titleKey(pe.entry.title),
        };
        if (pe.canonicalLink) keepLink(pe.canonicalLink, o);
        if (!byFingerprint.has(pe.fingerprint)) byFingerprint.set(pe.fingerprint, o);
      },
    };
  }

  /**
   * The stored columns of an entry. `html: false` (a duplicate whose feed defers cleaning)
   * leaves out the HTML: the row records the repeat; the original holds the post.
   */
  function entryColumns(pe: ProcessedEntry, e: Entry, dates: EntryDates, html = true) {
    const summary = summaryText(e);
    const author = e.author ?? e.authors[0];
    const content = html ? bestText(e) : undefined;
    const contentJson = content ? JSON.stringify(content) : null;
    const summaryJson = html && summary ? JSON.stringify(summary) : null;
    // Most feeds give one text (the summary doubles as content): store it once.
    const summaryIsContent = summaryJson !== null && summaryJson === contentJson;
    return {
      guid: e.id ?? null,
      link: e.link ?? null,
      canonical_link: pe.canonicalLink ?? null,
      fingerprint: pe.fingerprint,
      title: e.title ?? null,
      title_detail: html && e.titleDetail ? JSON.stringify(e.titleDetail) : null,
      content: contentJson,
      summary: summaryIsContent ? null : summaryJson,
      summary_is_content: summaryIsContent ? 1 : 0,
      author: author ? JSON.stringify(author) : null,
      categories: JSON.stringify(e.categories),
      enclosures: JSON.stringify(e.enclosures),
      published: dates.published,
      updated: dates.updated,
    };
  }

  async function applyFeedUpdate(update: FeedUpdate): Promise<FeedUpdateReport> {
    writable('applyFeedUpdate');
    const now = requireIso(update.now, 'now');
    const nextDueAt = requireIso(update.nextDueAt, 'nextDueAt');
    const feedId = update.feedId;
    const noFeed = () => new OrreryError('store-no-feed', `${stage}: no feed with id ${feedId}`);
    return writeUpdate(async (trx) => {
      // The feed row is read only when it is needed (entries to add, a move); otherwise the
      // feed update finds out whether the feed exists (a 304 costs 3 statements, not 4).
      let feed: Selectable<FeedsTable> | undefined;
      if ((update.entries && update.entries.length > 0) || update.moveTo !== undefined) {
        feed = (await selectFeed(trx, { id: feedId })).rows[0] as Selectable<FeedsTable>;
        if (!feed) throw noFeed();
      }
      const report: FeedUpdateReport = { inserted: 0, updated: 0, unchanged: 0, duplicates: 0 };
      if (update.entries && update.entries.length > 0) await options.serializeEntryWrites?.(trx);
      // A feed that lists one item twice: the first wins.
      const byKey = new Map<string, ProcessedEntry>();
      for (const pe of update.entries ?? []) if (!byKey.has(pe.key)) byKey.set(pe.key, pe);
      const entries = [...byKey.values()];

      // Batched: a refresh costs a few queries, plus one per entry whose content changed.
      const existing = new Map<string, ExistingEntry>();
      for (const keys of chunks(entries.map((pe) => pe.key))) {
        const rows = await trx
          .selectFrom('entries')
          .select(['id', 'key', 'digest'])
          .where('feed_id', '=', feedId)
          .where('key', 'in', keys)
          .execute();
        for (const r of rows) existing.set(r.key, r);
      }
      const fresh = entries.filter((pe) => !existing.has(pe.key));
      const originals = await findOriginals(trx, fresh);

      const unchangedIds: number[] = [];
      const primaries: NewEntryRow[] = [];
      const repeats: { row: NewEntryRow; original: Original }[] = [];
      // Cleaning deferred by the pipeline happens here, and only for what is written.
      const clean = update.cleanEntry ?? ((e: Entry) => e);
      for (const pe of entries) {
        const dates = {
          published: toIso(pe.published) ?? null,
          updated: toIso(pe.updated) ?? null,
        };
        const digest = entryDigest(pe, dates);
        const old = existing.get(pe.key);
        if (old) {
          if (old.digest === digest) {
            unchangedIds.push(Number(old.id));
            report.unchanged++;
            continue;
          }
          // date and first_seen_at are never touched: an edited post does not jump to the top.
          await trx
            .updateTable('entries')
            .set({ ...entryColumns(pe, clean(pe.entry), dates), digest, last_seen_at: now })
            .where('id', '=', old.id)
            .execute();
          report.updated++;
          continue;
        }
        const candidate = dates.published ?? dates.updated ?? now;
        const date = Date.parse(candidate) > Date.parse(now) ? now : candidate;
        const row = (cols: ReturnType<typeof entryColumns>) => ({
          ...cols,
          digest,
          feed_id: feedId,
          key: pe.key,
          date,
          first_seen_at: now,
          last_seen_at: now,
          duplicate_of: null as number | null,
        });
        const original = originals.find(pe);
        if (original === undefined) {
          originals.remember(pe, primaries.length);
          primaries.push(row(entryColumns(pe, clean(pe.entry), dates)));
          report.inserted++;
        } else {
          // A repeat is never shown: with deferred cleaning its HTML is not cleaned nor kept.
          repeats.push({
            row: row(entryColumns(pe, pe.entry, dates, !update.cleanEntry)),
            original,
          });
          report.duplicates++;
        }
      }
      // New posts first, in multi-row inserts; then their repeats, which may point at them.
      const idOfKey = new Map<string, number>();
      for (const r of await insertEntries(trx, primaries)) idOfKey.set(r.key, r.id);
      await insertEntries(
        trx,
        repeats.map(({ row, original }) => ({
          ...row,
          duplicate_of: original.id ?? idOfKey.get(original.key ?? '') ?? null,
        })),
      );
      for (const ids of chunks(unchangedIds)) {
        await trx
          .updateTable('entries')
          .set({ last_seen_at: now })
          .where('id', 'in', ids)
          .execute();
      }

      const set: Updateable<FeedsTable> = {
        last_fetched_at: now,
        next_due_at: nextDueAt,
        pending_redirect: update.pendingRedirect ? JSON.stringify(update.pendingRedirect) : null,
      };
      const f = update.fetch;
      if (f.status !== undefined) set.last_status = f.status;
      if (f.outcome !== 'error') set.last_success_at = now;
      if (update.validators) {
        set.etag = update.validators.etag ?? null;
        set.last_modified = update.validators.lastModified ?? null;
      }
      if (update.documentDigest !== undefined) set.document_digest = update.documentDigest;
      if (update.scheduleHints) {
        const hints = compactHints(update.scheduleHints);
        set.schedule_hints = hints ? JSON.stringify(hints) : null;
      }
      if (update.meta) {
        set.title = update.meta.title ?? null;
        set.site_link = update.meta.link ?? null;
        set.hubs = JSON.stringify(update.meta.hubs ?? []);
        set.self_link = update.meta.self ?? null;
      }
      if (update.error === null) {
        set.error_code = null;
        set.error_message = null;
        set.consecutive_failures = 0;
        set.failing_since = null;
      } else if (update.error) {
        // consecutive_failures + 1 and failing_since (if not set) are written by updateFeed.
        set.error_code = update.error.code;
        set.error_message = update.error.message;
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
          const previous = JSON.parse(feed.previous_urls) as string[];
          const from = feed.url;
          set.url = update.moveTo;
          set.previous_urls = JSON.stringify([
            ...previous.filter((u) => u !== from && u !== update.moveTo),
            from,
          ]);
          set.pending_redirect = null;
        }
      }
      if (report.inserted + report.duplicates > 0) set.last_new_entry_at = now;
      // Duplicates are not counted, and a stored entry never changes sides: only new
      // originals change the count.
      // Entries are never deleted one by one and never change sides, so adding the new
      // originals keeps the count exact without counting (which read every row of the feed).
      if (report.inserted > 0 && feed) set.entry_count = Number(feed.entry_count) + report.inserted;
      const updated = await updateFeed(trx, set, Boolean(update.error), { id: feedId, now });
      if (updated.changed === 0) throw noFeed();

      await insertFetch(trx, {
        feed_id: feedId,
        at: toIso(f.at) ?? now,
        outcome: f.outcome,
        status: f.status ?? null,
        error_code: f.errorCode ?? null,
        message: f.message ?? null,
        bytes: f.bytes ?? null,
        elapsed_ms: Math.round(f.elapsedMs),
        new_entries: f.newEntries ?? (update.entries ? report.inserted : null),
        redirects: f.redirects && f.redirects.length > 0 ? JSON.stringify(f.redirects) : null,
      });
      await pruneFetches(trx, { feed: feedId });
      return report;
    });
  }

  function entryFilter(query: Omit<EntryQuery, 'limit'>) {
    let q = db.selectFrom('entries').innerJoin('feeds', 'feeds.id', 'entries.feed_id');
    if (!query.includeDuplicates) q = q.where('entries.duplicate_of', 'is', null);
    if (query.section !== undefined) q = q.where('feeds.section', '=', query.section);
    if (query.feedId !== undefined) q = q.where('entries.feed_id', '=', query.feedId);
    const since = query.since === undefined ? undefined : requireIso(query.since, 'since');
    const before = query.before === undefined ? undefined : requireIso(query.before, 'before');
    if (since !== undefined) q = q.where('entries.date', '>=', since);
    if (before !== undefined) q = q.where('entries.date', '<', before);
    return q;
  }

  return {
    dialect: options.dialect,
    capabilities: options.capabilities,
    syncSubscriptions,
    listFeeds: (opts) => afterCommit(() => listFeeds(opts)),
    getFeed: (id) => afterCommit(() => getFeed(id)),
    getFeedByUrl: (url) => afterCommit(() => getFeedByUrl(url)),
    dueFeeds: (now, limit) => afterCommit(() => dueFeeds(now, limit)),
    dueFeedRefs: (now, limit) => afterCommit(() => dueFeedRefs(now, limit)),
    applyFeedUpdate,
    listEntries: (query = {}) => afterCommit(() => listEntries(query)),
    countEntries: (query = {}) => afterCommit(() => countEntries(query)),
    recentFetches: (feedId, limit = history) => afterCommit(() => recentFetches(feedId, limit)),
    acquireLock(lockOptions) {
      return options.acquireLock(lockOptions);
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        // Commits the open group; a failure to do so is the caller's to hear.
        await afterCommit(async () => undefined);
      } finally {
        await db.destroy();
        await options.onClose?.();
      }
    },
  };

  async function listEntries(query: EntryQuery = {}) {
    let q = entryFilter(query)
      .select(ENTRY_COLUMNS)
      .orderBy('entries.date', 'desc')
      .orderBy('entries.id', 'desc');
    if (query.limit !== undefined) q = q.limit(query.limit);
    return (await q.execute()).map(entryFromRow);
  }

  async function countEntries(query: Omit<EntryQuery, 'limit'> = {}) {
    const row = await entryFilter(query)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async function recentFetches(feedId: number, limit: number) {
    const rows = await db
      .selectFrom('fetches')
      .selectAll()
      .where('feed_id', '=', feedId)
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(fetchFromRow);
  }
}

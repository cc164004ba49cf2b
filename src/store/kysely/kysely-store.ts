/**
 * The shared store: one set of Kysely queries for every dialect, in parts by concern
 * (subscriptions.ts, ingest.ts, read-model.ts, retention.ts, websub.ts). A dialect module
 * (sqlite/, postgres/) opens the connection, migrates, and hands over its StoreDialect (native value
 * reading, the few SQL expressions that differ, how originals are found), its Transactor
 * (SQLite: group commit) and its run lock.
 */
import type { Kysely } from 'kysely';
import type { ArchiveSettings } from '../../model/settings.js';
import type { LockOptions, Store, StoreLock } from '../store.js';
import type { StoreContext } from './context.js';
import type { StoreDialect, Transactor } from './dialect.js';
import { createIngest } from './ingest.js';
import { createReadModel } from './read-model.js';
import { createRetention } from './retention.js';
import type { StoreDatabase } from './schema.js';
import { createSubscriptions } from './subscriptions.js';
import { createWebSubSubscriptions } from './websub.js';

export interface KyselyStoreOptions {
  db: Kysely<StoreDatabase>;
  dialect: StoreDialect;
  tx: Transactor;
  readonly?: boolean;
  /** Fetch records kept per feed (default 20). */
  fetchHistory?: number;
  /** Retention applied as entries arrive (default: keep everything). */
  archive?: ArchiveSettings;
  acquireLock(options: LockOptions): Promise<StoreLock>;
  /** Called after the Kysely instance is destroyed. */
  onClose?(): Promise<void> | void;
  /**
   * The user-facing failure behind a driver error (a damaged file, a full disk …; see
   * store-errors.ts), or undefined for anything else, which is thrown as it is.
   */
  describeFailure?(error: unknown): Error | undefined;
}

const DEFAULT_FETCH_HISTORY = 20;

/** A store with what copying it needs beneath the port: its Kysely instance and dialect. */
export interface StoreHandle {
  store: Store;
  db: Kysely<StoreDatabase>;
  dialect: StoreDialect;
  /** The store for messages: a file path, a database URL without password and schema. */
  label: string;
}

/** Build a Store on an open, migrated Kysely instance. */
export function createKyselyStore(options: KyselyStoreOptions): Store {
  const ctx: StoreContext = {
    db: options.db,
    dialect: options.dialect,
    tx: options.tx,
    readonly: options.readonly ?? false,
    history: options.fetchHistory ?? DEFAULT_FETCH_HISTORY,
    archive: options.archive ?? {},
  };
  const subscriptions = createSubscriptions(ctx);
  let closed = false;
  const store: Store = {
    dialect: options.dialect.name,
    capabilities: options.dialect.capabilities,
    ...subscriptions,
    ...createIngest(ctx),
    ...createRetention(ctx),
    ...createReadModel(ctx, subscriptions.listFeeds),
    ...createWebSubSubscriptions(ctx),
    acquireLock: (lockOptions) => options.acquireLock(lockOptions),
    async close() {
      if (closed) return;
      closed = true;
      try {
        // Commits an open group; a failure to do so is the caller's to hear.
        await ctx.tx.flush();
      } finally {
        await ctx.db.destroy();
        await options.onClose?.();
      }
    },
  };
  return options.describeFailure ? withFailures(store, options.describeFailure) : store;
}

/** Every method of `store`, its failures described for the user (see describeFailure). */
function withFailures(store: Store, describe: (error: unknown) => Error | undefined): Store {
  const guarded: Record<string, unknown> = { ...store };
  for (const [name, value] of Object.entries(store)) {
    if (typeof value !== 'function') continue;
    guarded[name] = async (...args: unknown[]) => {
      try {
        return await (value as (...a: unknown[]) => Promise<unknown>)(...args);
      } catch (error) {
        throw describe(error) ?? error;
      }
    };
  }
  return guarded as unknown as Store;
}

/**
 * The embedded store: one SQLite file (better-sqlite3, WAL) behind the Store port, through
 * the shared Kysely queries (kysely/) with SQLite's dialect, group commit and file lock.
 * Opening migrates the file to the latest schema; a file written by a newer Orrery, or one that
 * is not a database, is refused.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { errorMessage, OrreryError } from '../../model/errors.js';
import type { ArchiveSettings } from '../../model/settings.js';
import { plainTransactor } from '../kysely/dialect.js';
import { createKyselyStore, type StoreHandle } from '../kysely/kysely-store.js';
import type { StoreDatabase } from '../kysely/schema.js';
import { prepareSchema } from '../migrations/prepare-schema.js';
import type { LockOptions, Store, StoreLock } from '../store.js';
import { StoreLockedError } from '../store.js';
import { sqliteFailure } from '../store-errors.js';
import { createGroupCommit } from './group-commit.js';
import { sqliteDialect } from './sqlite-dialect.js';
import { acquireSqliteLock } from './sqlite-lock.js';
import { SQLITE_MIGRATIONS } from './sqlite-migrations.js';

export interface SqliteStoreOptions {
  /** The database file (created when missing), or ':memory:'. */
  path: string;
  /** Open without writing: no migration, write methods throw. */
  readonly?: boolean;
  /** How long a statement waits for another process's write lock (default 5000). */
  busyTimeoutMs?: number;
  /** Fetch records kept per feed (default 20). */
  fetchHistory?: number;
  /** Called with the text of every SQL statement run (debugging, query-plan tests). */
  onSql?: (sql: string) => void;
  /** Retention applied as entries arrive (see Store.pruneEntries). */
  archive?: ArchiveSettings;
  /** Told the number of feed updates each group commit made durable. */
  onCommit?: (updates: number) => void;
}

const STAGE = sqliteDialect.stage;

/** Open (creating and migrating as needed) the SQLite store at options.path. */
export async function createSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  return (await openSqliteStore(options)).store;
}

/** createSqliteStore, with the store's Kysely instance and dialect (for copying it). */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<StoreHandle> {
  const file = options.path === ':memory:' ? ':memory:' : resolve(options.path);
  const readonly = options.readonly ?? false;
  const failure = (err: unknown) =>
    sqliteFailure(err, file) ??
    new OrreryError('store-open', `${STAGE}: cannot open ${file}: ${errorMessage(err)}`, {
      cause: err,
    });
  let sqlite: Database.Database;
  try {
    sqlite = new Database(file, {
      readonly,
      fileMustExist: readonly,
      timeout: options.busyTimeoutMs ?? 5000,
      verbose: options.onSql ? (sql: unknown) => options.onSql?.(String(sql)) : undefined,
    });
  } catch (err) {
    if (file !== ':memory:' && !existsSync(dirname(file))) {
      throw new OrreryError(
        'store-open',
        `${STAGE}: cannot open ${file}: its folder ${dirname(file)} does not exist; create it, or set [store] path`,
        { cause: err },
      );
    }
    if (readonly && !existsSync(file)) {
      throw new OrreryError(
        'store-empty',
        `${STAGE}: cannot open ${file}: there is no store yet; run orrery once to create it`,
        { cause: err },
      );
    }
    throw failure(err);
  }
  try {
    if (!readonly) sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    // With WAL, NORMAL loses no committed data on an application crash, and is much faster.
    if (!readonly) sqlite.pragma('synchronous = NORMAL');
    // 4 MB of page cache, not better-sqlite3's 16 MB: a cold 600-feed fetch peaked about 11 MB
    // lower at the same CPU; the OS page cache holds the file anyway (docs/decisions/store.md).
    sqlite.pragma('cache_size = -4000');
    sqlite.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (err) {
    sqlite.close();
    throw failure(err);
  }

  const db = new Kysely<StoreDatabase>({
    dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
  });
  try {
    await prepareSchema(db, {
      stage: STAGE,
      label: file,
      kind: 'a SQLite database',
      readonly,
      migrations: SQLITE_MIGRATIONS,
    });
  } catch (err) {
    await db.destroy();
    throw failure(err);
  }

  let memoryLockHeld = false;
  const store = createKyselyStore({
    db,
    dialect: sqliteDialect,
    // One writer: commit feed updates in groups. A commit is most of a small update's cost
    // (measured: 601 commits took as long as inserting 7,132 entries, docs/decisions/store.md).
    tx: readonly
      ? plainTransactor(db)
      : createGroupCommit(db, {
          maxUpdates: 64,
          maxDelayMs: 250,
          stage: STAGE,
          ...(options.onCommit ? { onCommit: options.onCommit } : {}),
        }),
    readonly,
    fetchHistory: options.fetchHistory,
    ...(options.archive ? { archive: options.archive } : {}),
    describeFailure: (err) => sqliteFailure(err, file),
    async acquireLock(lockOptions: LockOptions): Promise<StoreLock> {
      if (file !== ':memory:') return acquireSqliteLock(file, lockOptions);
      // An in-memory store lives in this process only: a flag is the whole lock.
      const deadline = Date.now() + lockOptions.waitMs;
      while (memoryLockHeld) {
        if (Date.now() >= deadline) throw new StoreLockedError(STAGE, file, { pid: process.pid });
        await new Promise((r) => setTimeout(r, 50));
      }
      memoryLockHeld = true;
      return { release: async () => void (memoryLockHeld = false) };
    },
  });
  return { store, db, dialect: sqliteDialect, label: file };
}

/**
 * Kysely's SQLite driver prepares every query anew, and a run repeats the same few statements
 * thousands of times; better-sqlite3's statements are reusable, so keep them
 * (docs/decisions/store.md, Write-path CPU).
 */
function withStatementCache(sqlite: Database.Database) {
  const cache = new Map<string, Database.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (!statement) {
        // Batched IN lists and multi-row inserts make many shapes: bound the cache.
        if (cache.size >= 500) cache.clear();
        statement = sqlite.prepare(sql);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

/**
 * The embedded store: one SQLite file (better-sqlite3, WAL) behind the Store port, through
 * the same Kysely queries the PostgreSQL store will use. Opening migrates the file to the
 * latest schema; a file written by a newer Orrery, or one that is not a database, is refused.
 */
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { OrreryError } from '../../model/errors.js';
import { createKyselyStore } from '../kysely/kysely-store.js';
import { createMigrations, schemaVersionOf, writeSchemaVersion } from '../migrations/migrations.js';
import type { StoreDatabase } from '../migrations/schema.js';
import type { LockOptions, Store, StoreLock } from '../store.js';
import { StoreLockedError } from '../store.js';
import { acquireSqliteLock } from './sqlite-lock.js';

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
}

const STAGE = 'store/sqlite';
const MIGRATION_TABLE = 'kysely_migration';
const MIGRATIONS = createMigrations({ autoIncrement: 'integer-autoincrement' });

/** Open (creating and migrating as needed) the SQLite store at options.path. */
export async function createSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const file = options.path === ':memory:' ? ':memory:' : resolve(options.path);
  const readonly = options.readonly ?? false;
  let sqlite: Database.Database;
  try {
    sqlite = new Database(file, {
      readonly,
      fileMustExist: readonly,
      timeout: options.busyTimeoutMs ?? 5000,
      verbose: options.onSql ? (sql: unknown) => options.onSql?.(String(sql)) : undefined,
    });
  } catch (err) {
    throw new OrreryError('store-open', `${STAGE}: cannot open ${file}: ${message(err)}`, {
      cause: err,
    });
  }
  try {
    if (!readonly) sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    // With WAL, NORMAL loses no committed data on an application crash, and is much faster.
    if (!readonly) sqlite.pragma('synchronous = NORMAL');
    sqlite.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (err) {
    sqlite.close();
    if ((err as { code?: unknown }).code === 'SQLITE_NOTADB') {
      throw new OrreryError(
        'store-not-a-database',
        `${STAGE}: ${file} is not an Orrery store (not a SQLite database)`,
        { cause: err },
      );
    }
    throw new OrreryError('store-open', `${STAGE}: cannot open ${file}: ${message(err)}`, {
      cause: err,
    });
  }

  const db = new Kysely<StoreDatabase>({ dialect: new SqliteDialect({ database: sqlite }) });
  try {
    await checkSchema(db, file, readonly);
    if (!readonly) await migrate(db, file);
  } catch (err) {
    await db.destroy();
    throw err;
  }

  let memoryLockHeld = false;
  return createKyselyStore({
    db,
    dialect: 'sqlite',
    capabilities: { concurrentWriters: false, skipLocked: false },
    stage: STAGE,
    readonly,
    fetchHistory: options.fetchHistory,
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
}

async function checkSchema(db: Kysely<StoreDatabase>, file: string, readonly: boolean) {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  const names = new Set(tables.map((t) => t.name));
  if (!names.has(MIGRATION_TABLE)) {
    if (names.size > 0) {
      throw new OrreryError(
        'store-foreign-database',
        `${STAGE}: ${file} is a SQLite database but not an Orrery store (it has tables of its own)`,
      );
    }
    if (readonly) {
      throw new OrreryError(
        'store-empty',
        `${STAGE}: ${file} is empty; run orrery once to create it`,
      );
    }
    return;
  }
  const applied = await db
    .selectFrom(MIGRATION_TABLE as 'store_meta')
    .select('name' as 'key')
    .execute();
  const appliedNames = applied.map((r) => (r as unknown as { name: string }).name);
  const unknown = appliedNames.filter((n) => !(n in MIGRATIONS));
  if (unknown.length > 0) {
    const version = Math.max(...appliedNames.map(schemaVersionOf).filter(Number.isFinite));
    throw new OrreryError(
      'store-newer-schema',
      `${STAGE}: ${file} was written by a newer Orrery (schema ${version}); upgrade Orrery`,
    );
  }
  if (readonly && appliedNames.length < Object.keys(MIGRATIONS).length) {
    throw new OrreryError(
      'store-old-schema',
      `${STAGE}: ${file} has an older schema; open it once without read-only to upgrade it`,
    );
  }
}

async function migrate(db: Kysely<StoreDatabase>, file: string): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
    migrationTableName: MIGRATION_TABLE,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new OrreryError(
      'store-migration',
      `${STAGE}: migrating ${file} failed${failed ? ` at ${failed}` : ''}: ${message(error)}`,
      { cause: error },
    );
  }
  if (results && results.length > 0) {
    await writeSchemaVersion(db, Math.max(...Object.keys(MIGRATIONS).map(schemaVersionOf)));
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

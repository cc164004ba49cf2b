/**
 * The scale-out store: PostgreSQL (pg) behind the Store port, through the shared Kysely queries
 * (kysely/) with PostgreSQL's dialect: native types, claims under a unique index instead of a
 * lock around entry writes, one transaction per feed update (several workers write at once),
 * operations redone after a lost connection (reconnect.ts). Tables live in one PostgreSQL schema
 * (namespace), 'public' by default, so several planets can share a database. The run lock is a
 * session-level advisory lock (postgres-lock.ts).
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { errorMessage, OrreryError } from '../../model/errors.js';
import type { ArchiveSettings } from '../../model/settings.js';
import { plainTransactor } from '../kysely/dialect.js';
import { createKyselyStore, type StoreHandle } from '../kysely/kysely-store.js';
import type { StoreDatabase } from '../kysely/schema.js';
import { prepareSchema } from '../migrations/prepare-schema.js';
import type { Store } from '../store.js';
import { postgresFailure } from '../store-errors.js';
import { postgresDialect } from './postgres-dialect.js';
import { describePostgres } from './postgres-label.js';
import { acquireAdvisoryLock, advisoryKey } from './postgres-lock.js';
import { POSTGRES_MIGRATIONS } from './postgres-migrations.js';
import { reconnecting } from './reconnect.js';

export interface PostgresStoreOptions {
  /** e.g. postgres://orrery@db.example/planet */
  connectionString: string;
  /** The PostgreSQL schema holding the tables (created when missing); default 'public'. */
  schema?: string;
  /** No migration; every transaction read-only; write methods throw. */
  readonly?: boolean;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** Fetch records kept per feed (default 20). */
  fetchHistory?: number;
  /** Retention applied as entries arrive (see Store.pruneEntries). */
  archive?: ArchiveSettings;
  /** How long an operation is retried while the server is away (default 60 s). */
  reconnectMs?: number;
}

const STAGE = postgresDialect.stage;

/**
 * CREATE SCHEMA IF NOT EXISTS is not atomic: processes opening a new store at once (workers
 * started together) can both pass the check, and all but one then fail on pg_namespace's
 * unique index. The schema exists either way, which is all the caller asked.
 */
async function createSchema(pool: pg.Pool, schema: string): Promise<void> {
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== '23505' && code !== '42P06') throw error;
  }
}

/** Open (creating the schema and migrating as needed) the PostgreSQL store. */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  return (await openPostgresStore(options)).store;
}

/** createPostgresStore, with the store's Kysely instance and dialect (for copying it). */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<StoreHandle> {
  const schema = options.schema ?? 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new OrreryError('store-bad-input', `${STAGE}: bad schema name ${JSON.stringify(schema)}`);
  }
  const label = describePostgres(options.connectionString, schema);
  const readonly = options.readonly ?? false;
  const sessionOptions = `-c search_path=${schema}${readonly ? ' -c default_transaction_read_only=on' : ''}`;
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
    options: sessionOptions,
  });
  // A connection's error (a server restart) must not crash the process: an idle one is
  // dropped by the pool, one in use fails its query, which is then run again (reconnect.ts).
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<StoreDatabase>({ dialect: new PostgresDialect({ pool }) });
  const retry = reconnecting({ budgetMs: options.reconnectMs });
  try {
    // At open, a server that is away is more likely down or misnamed than restarting: a short
    // wait, then the message that says which.
    await reconnecting({ budgetMs: Math.min(options.reconnectMs ?? 3_000, 3_000) })(async () => {
      if (!readonly) await createSchema(pool, schema);
      await prepareSchema(db, {
        stage: STAGE,
        label,
        kind: 'a PostgreSQL schema',
        readonly,
        migrations: POSTGRES_MIGRATIONS,
        schema,
      });
    });
  } catch (err) {
    await db.destroy();
    throw (
      postgresFailure(err, label) ??
      new OrreryError('store-open', `${STAGE}: cannot open ${label}: ${errorMessage(err)}`, {
        cause: err,
      })
    );
  }

  const lockKey = advisoryKey(`orrery-run-lock:${schema}`);
  const store = createKyselyStore({
    db,
    dialect: postgresDialect,
    tx: plainTransactor(db, retry),
    readonly,
    fetchHistory: options.fetchHistory,
    ...(options.archive ? { archive: options.archive } : {}),
    describeFailure: (err) => postgresFailure(err, label),
    acquireLock: (lockOptions) =>
      retry(() =>
        acquireAdvisoryLock(
          { connectionString: options.connectionString, sessionOptions, db, key: lockKey, label },
          lockOptions,
        ),
      ),
  });
  return { store, db, dialect: postgresDialect, label };
}

/**
 * The scale-out store: PostgreSQL (pg) behind the Store port, through the very same Kysely
 * queries as the SQLite store (kysely/kysely-store.ts) and the same migrations. Tables live in
 * one PostgreSQL schema (namespace), 'public' by default, so several planets can share a
 * database. The run lock is a session-level advisory lock: it dies with the session.
 */
import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { errorMessage, OrreryError } from '../../model/errors.js';
import { createKyselyStore } from '../kysely/kysely-store.js';
import { createMigrations } from '../migrations/migrations.js';
import { prepareSchema } from '../migrations/prepare-schema.js';
import type { StoreDatabase } from '../migrations/schema.js';
import type { LockHolder, LockOptions, Store, StoreLock } from '../store.js';
import { StoreLockedError } from '../store.js';

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
}

const STAGE = 'store/postgres';
const MIGRATIONS = createMigrations({ autoIncrement: 'identity' });
const POLL_MS = 100;
const LOCK_HOLDER_KEY = 'lock_holder';

/** Open (creating the schema and migrating as needed) the PostgreSQL store. */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const schema = options.schema ?? 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new OrreryError('store-bad-input', `${STAGE}: bad schema name ${JSON.stringify(schema)}`);
  }
  const label = describe(options.connectionString, schema);
  const readonly = options.readonly ?? false;
  const sessionOptions = `-c search_path=${schema}${readonly ? ' -c default_transaction_read_only=on' : ''}`;
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
    options: sessionOptions,
  });
  // An idle client's error (server restart) must not crash the process; the next query fails.
  pool.on('error', () => {});
  const db = new Kysely<StoreDatabase>({ dialect: new PostgresDialect({ pool }) });
  try {
    if (!readonly) await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await prepareSchema(db, {
      stage: STAGE,
      label,
      kind: 'a PostgreSQL schema',
      readonly,
      migrations: MIGRATIONS,
      schema,
    });
  } catch (err) {
    await db.destroy();
    if (err instanceof OrreryError) throw err;
    throw new OrreryError('store-open', `${STAGE}: cannot open ${label}: ${errorMessage(err)}`, {
      cause: err,
    });
  }

  const lockKey = advisoryKey(`orrery-run-lock:${schema}`);
  const entriesKey = advisoryKey(`orrery-entries:${schema}`);
  return createKyselyStore({
    db,
    dialect: 'postgres',
    capabilities: { concurrentWriters: true, skipLocked: true },
    stage: STAGE,
    readonly,
    fetchHistory: options.fetchHistory,
    // Duplicate detection reads then inserts: one writer of entries at a time per schema, for
    // the length of its transaction (fetching and parsing still run in parallel).
    async serializeEntryWrites(trx) {
      await sql`SELECT pg_advisory_xact_lock(${entriesKey})`.execute(trx);
    },
    acquireLock: (lockOptions) =>
      acquireAdvisoryLock(
        options.connectionString,
        sessionOptions,
        db,
        lockKey,
        label,
        lockOptions,
      ),
  });
}

/** The connection string without its password, and the schema: for messages. */
function describe(connectionString: string, schema: string): string {
  try {
    const u = new URL(connectionString);
    u.password = '';
    return `${u.href} (schema ${schema})`;
  } catch {
    // Not a URL (key=value form): name the schema only, never echo a possible password.
    return `PostgreSQL schema ${schema}`;
  }
}

/** A signed 48-bit key for pg_advisory_lock, stable for one name. */
function advisoryKey(name: string): number {
  return createHash('sha256').update(name).digest().readIntBE(0, 6);
}

async function acquireAdvisoryLock(
  connectionString: string,
  sessionOptions: string,
  db: Kysely<StoreDatabase>,
  key: number,
  label: string,
  options: LockOptions,
): Promise<StoreLock> {
  const deadline = Date.now() + Math.max(0, options.waitMs);
  // The lock belongs to this session: a client of its own, held until release.
  const client = new pg.Client({ connectionString, options: sessionOptions });
  client.on('error', () => {});
  await client.connect();
  for (;;) {
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [
      key,
    ]);
    if (rows[0]?.ok) break;
    const left = deadline - Date.now();
    if (left <= 0) {
      await client.end();
      throw new StoreLockedError(STAGE, label, await readHolder(db));
    }
    await new Promise((r) => setTimeout(r, Math.min(POLL_MS, left)));
  }
  const token = randomUUID();
  const holder = {
    pid: process.pid,
    owner: options.owner,
    since: new Date().toISOString(),
    host: hostname(),
    token,
  };
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('store_meta').where('key', '=', LOCK_HOLDER_KEY).execute();
    await trx
      .insertInto('store_meta')
      .values({ key: LOCK_HOLDER_KEY, value: JSON.stringify(holder) })
      .execute();
  });
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      // Through the lock's own session: the store's pool may be closed already (a run closes
      // the store, committing its work, before it lets the next one in).
      try {
        await client.query('DELETE FROM store_meta WHERE key = $1 AND value = $2', [
          LOCK_HOLDER_KEY,
          JSON.stringify(holder),
        ]);
        await client.query('SELECT pg_advisory_unlock($1)', [key]);
      } finally {
        await client.end();
      }
    },
  };
}

async function readHolder(db: Kysely<StoreDatabase>): Promise<LockHolder | undefined> {
  const row = await db
    .selectFrom('store_meta')
    .select('value')
    .where('key', '=', LOCK_HOLDER_KEY)
    .executeTakeFirst();
  if (!row) return undefined;
  const h = JSON.parse(row.value) as LockHolder;
  return { pid: h.pid, owner: h.owner, since: h.since, host: h.host };
}

/**
 * Check a store's schema before use and migrate it, for every dialect: refuse a database
 * written by a newer Orrery (migration names this build does not know) or by another
 * application, then run the pending migrations and record the schema version.
 */
import type { Kysely, Migration } from 'kysely';
import { Migrator, sql } from 'kysely';
import { errorMessage, OrreryError } from '../../model/errors.js';
import type { StoreDatabase } from '../kysely/schema.js';
import { schemaVersionOf, writeSchemaVersion } from './migrations.js';

const MIGRATION_TABLE = 'kysely_migration';

export interface PrepareSchemaOptions {
  /** Error prefix, e.g. 'store/sqlite'. */
  stage: string;
  /** What to call the database in messages: a file path, a database/schema name. */
  label: string;
  /** 'a SQLite database', 'a PostgreSQL schema': for the "not an Orrery store" message. */
  kind: string;
  readonly: boolean;
  migrations: Record<string, Migration>;
  /** Only tables in this schema count (PostgreSQL); all tables when absent (SQLite). */
  schema?: string;
}

/** The schema version the migrations bring a store to. */
function latest(migrations: Record<string, Migration>): number {
  return Math.max(...Object.keys(migrations).map(schemaVersionOf));
}

/** Refuse foreign or newer databases, then migrate to the latest schema (unless read-only). */
export async function prepareSchema(
  db: Kysely<StoreDatabase>,
  options: PrepareSchemaOptions,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await prepareOnce(db, options);
    } catch (error) {
      if (attempt >= 3 || !isCatalogRace(error)) throw error;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
}

/**
 * Kysely's migrator looks for its tables by reading the catalog of every schema in the
 * database; another schema created, altered or dropped at that moment (another planet, a job
 * queue, tests side by side) fails that read with "relation/schema … does not exist" before
 * anything is migrated. Tried again, it passes.
 */
function isCatalogRace(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (code === '42P01' || code === '3F000') return true;
  }
  return false;
}

async function prepareOnce(
  db: Kysely<StoreDatabase>,
  options: PrepareSchemaOptions,
): Promise<void> {
  const { stage, label, migrations } = options;
  const names = new Set(await tableNames(db, options.schema));
  if (!names.has(MIGRATION_TABLE)) {
    if (names.size > 0) {
      throw new OrreryError(
        'store-foreign-database',
        `${stage}: ${label} is ${options.kind} but not an Orrery store (it has tables of its own); point the store at another ${options.schema === undefined ? 'file' : 'database or schema'}`,
      );
    }
    if (options.readonly) {
      throw new OrreryError(
        'store-empty',
        `${stage}: ${label} is empty; run orrery once to create it`,
      );
    }
  } else {
    // biome-ignore lint/suspicious/noExplicitAny: Kysely's own table, not in StoreDatabase
    const applied = await (db as Kysely<any>).selectFrom(MIGRATION_TABLE).select('name').execute();
    const appliedNames = applied.map((r) => String(r.name));
    if (appliedNames.some((n) => !(n in migrations))) {
      const version = Math.max(...appliedNames.map(schemaVersionOf).filter(Number.isFinite));
      throw new OrreryError(
        'store-newer-schema',
        `${stage}: ${label} was written by a newer Orrery (schema ${version}); upgrade Orrery (this one knows schema ${latest(migrations)}), or use a backup this version wrote`,
      );
    }
    const current = Object.keys(migrations).every((n) => appliedNames.includes(n));
    if (options.readonly && !current) {
      throw new OrreryError(
        'store-old-schema',
        `${stage}: ${label} has an older schema; open it once without read-only to upgrade it`,
      );
    }
    // Up to date (every run but the first after an upgrade): the migrator would only take its
    // lock and read the same table again: six statements per start.
    if (current) return;
  }
  if (options.readonly) return;

  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: MIGRATION_TABLE,
    // Its own schema named: otherwise Kysely finds another schema's migration tables in the
    // same database (several planets, or tests, side by side) and never creates its own.
    ...(options.schema !== undefined ? { migrationTableSchema: options.schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const why = errorMessage(error);
    throw new OrreryError(
      'store-migration',
      `${stage}: migrating ${label} failed${failed ? ` at ${failed}` : ''}: ${why}`,
      { cause: error },
    );
  }
  if (results && results.length > 0) {
    await writeSchemaVersion(db, latest(migrations));
  }
}

/**
 * The tables of the store: every table (SQLite), or those of its schema (PostgreSQL), read from
 * that schema only: Kysely's introspection reads every schema of the database, and failed
 * ("schema … does not exist") when another one was dropped meanwhile (tests side by side).
 */
async function tableNames(
  db: Kysely<StoreDatabase>,
  schema: string | undefined,
): Promise<string[]> {
  if (schema === undefined) {
    const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
    return tables.map((t) => t.name);
  }
  const { rows } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables where table_schema = ${schema}`.execute(
    db,
  );
  return rows.map((r) => r.name);
}

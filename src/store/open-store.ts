/**
 * Where a store is and how to open it: a SQLite file or a PostgreSQL database (schema). The
 * composition root (cli/context.ts) opens the planet's store through here; `orrery store copy`
 * opens two. The PostgreSQL module (and pg) is loaded only when a PostgreSQL store is opened.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { OrreryError } from '../model/errors.js';
import { type ArchiveSettings, isPostgresUrl } from '../model/settings.js';
import type { StoreHandle } from './kysely/kysely-store.js';
import { describePostgres } from './postgres/postgres-label.js';
import type { Store } from './store.js';

export type { StoreHandle } from './kysely/kysely-store.js';

export type StoreLocation =
  | { kind: 'sqlite'; path: string }
  | { kind: 'postgres'; connectionString: string; schema: string };

/**
 * A store location from what a user writes: a postgres:// URL (its `schema` parameter names
 * the PostgreSQL schema, default public) or a SQLite file path, resolved from `baseDir`.
 */
export function parseStoreLocation(target: string, baseDir: string): StoreLocation {
  const value = target.trim();
  if (!/^postgres(ql)?:/i.test(value)) {
    const path = value.startsWith('file:') ? new URL(value).pathname : value;
    return { kind: 'sqlite', path: path === ':memory:' ? path : resolve(baseDir, path) };
  }
  if (!isPostgresUrl(value)) {
    throw new OrreryError(
      'store-bad-input',
      'store: the PostgreSQL URL cannot be read; write it as postgres://user@host:port/database',
    );
  }
  const url = new URL(value);
  const schema = url.searchParams.get('schema') ?? 'public';
  url.searchParams.delete('schema');
  return { kind: 'postgres', connectionString: url.href, schema };
}

/** The location for messages (a PostgreSQL password is never shown). */
export function describeStoreLocation(location: StoreLocation): string {
  if (location.kind === 'sqlite') return location.path;
  return describePostgres(location.connectionString, location.schema);
}

/** False only for a SQLite file that does not exist yet (a database server is asked on open). */
export function storeMayExist(location: StoreLocation): boolean {
  return location.kind === 'postgres' || location.path === ':memory:' || existsSync(location.path);
}

export interface OpenStoreOptions {
  /** Open without writing: no migration, write methods throw. */
  readonly?: boolean;
  /** Retention applied as entries arrive (see Store.pruneEntries). */
  archive?: ArchiveSettings;
  /**
   * Told the number of feed updates each commit made durable (SQLite commits them in groups;
   * PostgreSQL commits each update on its own and does not call it).
   */
  onCommit?: (updates: number) => void;
}

/** Open the store at `location` (creating and migrating it, unless read-only). */
export async function openStoreAt(
  location: StoreLocation,
  options: OpenStoreOptions = {},
): Promise<Store> {
  return (await openStoreHandle(location, options)).store;
}

/** openStoreAt, with what copying the store needs (store/copy). */
export async function openStoreHandle(
  location: StoreLocation,
  options: OpenStoreOptions = {},
): Promise<StoreHandle> {
  if (location.kind === 'sqlite') {
    const { openSqliteStore } = await import('./sqlite/sqlite-store.js');
    return openSqliteStore({ path: location.path, ...options });
  }
  const { openPostgresStore } = await import('./postgres/postgres-store.js');
  return openPostgresStore({
    connectionString: location.connectionString,
    schema: location.schema,
    ...options,
  });
}

/**
 * The composition root's helpers: load the config, open the store, build the fetcher.
 * Only cli/ reads argv and env; each stage gets its frozen slice of the config.
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { ConfigError } from '../config/config-error.js';
import { readConfigText } from '../config/load.js';
import { type OrreryConfig, parseConfig } from '../config/schema.js';
import { createHttpFetcher } from '../fetch/http-fetcher.js';
import type { Fetcher } from '../model/fetch.js';
import { type FetchSettings, isPostgresUrl } from '../model/settings.js';
import {
  describeStoreLocation,
  openStoreAt,
  parseStoreLocation,
  type StoreLocation,
  storeMayExist,
} from '../store/open-store.js';
import type { Store, StoreLock } from '../store/store.js';
import { CliError, EXIT } from './exit-codes.js';
import type { Reporter } from './reporter.js';

export interface CliDeps {
  reporter: Reporter;
  now: () => Date;
  env: Record<string, string | undefined>;
  cwd: string;
}

export interface GlobalOptions {
  config?: string;
  quiet?: boolean;
  verbose?: boolean;
  allowPrivate?: boolean;
}

const require = createRequire(import.meta.url);
export const VERSION: string = (require('../../package.json') as { version: string }).version;

export async function loadPlanet(options: GlobalOptions, deps: CliDeps): Promise<OrreryConfig> {
  return (await loadPlanetText(options, deps)).config;
}

/** The config and the text it was read from (the commands that edit it need both: one read). */
export async function loadPlanetText(
  options: GlobalOptions,
  deps: CliDeps,
): Promise<{ config: OrreryConfig; text: string }> {
  const file = resolve(deps.cwd, options.config ?? 'planet.toml');
  try {
    const text = await readConfigText(file);
    const config = parseConfig(text, { configPath: file, file, version: VERSION });
    if (options.allowPrivate) config.fetch.allowPrivate = true;
    applyDatabaseUrl(config, deps.env.ORRERY_DATABASE_URL);
    return { config, text };
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
}

/** ORRERY_DATABASE_URL wins over `[store]` (a password need not be in planet.toml). */
function applyDatabaseUrl(config: OrreryConfig, url: string | undefined): void {
  if (url === undefined || url.trim() === '') return;
  if (!isPostgresUrl(url)) {
    throw new CliError(
      'ORRERY_DATABASE_URL must be a postgres:// URL such as postgres://orrery@db.example/planet (unset it to use [store] in planet.toml)',
      EXIT.usage,
    );
  }
  config.store.url = url.trim();
}

/** Where the planet's store is: `[store] url` (or ORRERY_DATABASE_URL), else the SQLite file. */
export function storeLocation(config: OrreryConfig): StoreLocation {
  return config.store.url !== undefined
    ? parseStoreLocation(config.store.url, config.baseDir)
    : { kind: 'sqlite', path: config.store.path };
}

/** The store for messages (a password is never shown). */
export function describeStore(config: OrreryConfig): string {
  return describeStoreLocation(storeLocation(config));
}

/** False only when the planet's store is a SQLite file not created yet. */
export function storeExists(config: OrreryConfig): boolean {
  return storeMayExist(storeLocation(config));
}

/**
 * The PostgreSQL store of the planet, if it uses one, and its job queue's schema: beside the
 * store's schema as `<schema>_queue` (`orrery_queue` for public).
 */
export function postgresLocation(
  config: OrreryConfig,
): { connectionString: string; schema: string; queueSchema: string } | undefined {
  const location = storeLocation(config);
  if (location.kind !== 'postgres') return undefined;
  const { connectionString, schema } = location;
  const queueSchema = schema !== 'public' ? `${schema}_queue` : 'orrery_queue';
  return { connectionString, schema, queueSchema };
}

/** Open the planet's store: SQLite by default, PostgreSQL when a URL names it. */
export async function openStore(
  config: OrreryConfig,
  options: { readonly?: boolean; onCommit?: (updates: number) => void } = {},
): Promise<Store> {
  return openStoreAt(storeLocation(config), { ...options, archive: config.archive });
}

/** Open the store and take its run lock; a second run waits up to `waitMs` then exits 3. */
export async function openLockedStore(
  config: OrreryConfig,
  deps: CliDeps,
  waitMs: number,
): Promise<{ store: Store; close: () => Promise<void> }> {
  // With --verbose, a line when finished feed updates become durable: a feed's line comes when
  // its update is done, its commit (shared by a group of updates) up to 250 ms later.
  const store = await openStore(config, {
    onCommit: (updates) => deps.reporter.debug(`store: committed ${updates} feed updates`),
  });
  let lock: StoreLock;
  try {
    lock = await store.acquireLock({ owner: `orrery (pid ${process.pid})`, waitMs });
  } catch (error) {
    await store.close();
    if (error instanceof Error && (error as { code?: string }).code === 'store-locked') {
      throw new CliError(error.message, EXIT.locked);
    }
    throw error;
  }
  deps.reporter.debug(`store: ${describeStore(config)}`);
  let closing: Promise<void> | undefined;
  return {
    store,
    // Once, whoever asks first (the command's end or a signal): commit, then let others in.
    close: () =>
      (closing ??= (async () => {
        try {
          await store.close();
        } finally {
          await lock.release();
        }
      })()),
  };
}

export function createFetcher(settings: FetchSettings, deps: CliDeps): Fetcher {
  return createHttpFetcher({
    ...settings,
    env: {
      HTTPS_PROXY: deps.env.HTTPS_PROXY ?? deps.env.https_proxy,
      HTTP_PROXY: deps.env.HTTP_PROXY ?? deps.env.http_proxy,
      NO_PROXY: deps.env.NO_PROXY ?? deps.env.no_proxy,
    },
  });
}

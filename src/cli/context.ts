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
import type { FetchSettings } from '../model/settings.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
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
    return { config, text };
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
}

/**
 * Where a PostgreSQL store is, if the planet uses one: ORRERY_DATABASE_URL wins over
 * `[store] url`. A `schema` query parameter (postgres://…/db?schema=planet) names the
 * PostgreSQL schema of the store (default public); the job queue lives beside it in
 * `<schema>_queue` (`orrery_queue` for public).
 */
export function postgresLocation(
  config: OrreryConfig,
  env: Record<string, string | undefined>,
): { connectionString: string; schema?: string; queueSchema: string } | undefined {
  const url = env.ORRERY_DATABASE_URL || (config.store as { url?: string }).url;
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // A key=value connection string: no schema parameter to read.
    return { connectionString: url, queueSchema: 'orrery_queue' };
  }
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  return {
    connectionString: parsed.href,
    ...(schema ? { schema } : {}),
    queueSchema: schema && schema !== 'public' ? `${schema}_queue` : 'orrery_queue',
  };
}

export async function openStore(
  config: OrreryConfig,
  options: { readonly?: boolean; env?: Record<string, string | undefined> } = {},
): Promise<Store> {
  const postgres = postgresLocation(config, options.env ?? {});
  if (postgres) {
    const { createPostgresStore } = await import('../store/postgres/postgres-store.js');
    return createPostgresStore({
      connectionString: postgres.connectionString,
      ...(postgres.schema ? { schema: postgres.schema } : {}),
      ...(options.readonly ? { readonly: true } : {}),
    });
  }
  const { readonly } = options;
  return createSqliteStore({ path: config.store.path, ...(readonly ? { readonly } : {}) });
}

/** Open the store and take its run lock; a second run waits up to `waitMs` then exits 3. */
export async function openLockedStore(
  config: OrreryConfig,
  deps: CliDeps,
  waitMs: number,
): Promise<{ store: Store; close: () => Promise<void> }> {
  const store = await openStore(config, { env: deps.env });
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
  deps.reporter.debug(`store: ${store.dialect === 'postgres' ? 'PostgreSQL' : config.store.path}`);
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

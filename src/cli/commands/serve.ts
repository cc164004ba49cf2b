/** `orrery serve`: the planet as one long-running process (see src/serve/planet-server.ts). */
import { isIP } from 'node:net';
import { errorMessage } from '../../model/errors.js';
import { createLogger, type LogFormat } from '../../serve/logger.js';
import { startPlanetServer } from '../../serve/planet-server.js';
import {
  type CliDeps,
  createFetcher,
  type GlobalOptions,
  loadPlanet,
  openLockedStore,
  VERSION,
} from '../context.js';
import { CliError, EXIT, type ExitCode } from '../exit-codes.js';

export interface ServeOptions extends GlobalOptions {
  host?: string;
  port?: string;
  publicUrl?: string;
  logFormat?: string;
}

function checkOptions(options: ServeOptions): {
  host: string;
  port: number;
  publicUrl?: string;
  format: LogFormat;
} {
  const host = options.host ?? '127.0.0.1';
  if (host !== 'localhost' && isIP(host) === 0) {
    throw new CliError(
      `--host ${host} is not an IP address (e.g. 127.0.0.1, or 0.0.0.0 for every interface)`,
    );
  }
  const port = Number(options.port ?? '8080');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CliError(`--port ${options.port} is not a port number (0-65535)`);
  }
  let publicUrl: string | undefined;
  if (options.publicUrl !== undefined) {
    const url = URL.canParse(options.publicUrl) ? new URL(options.publicUrl) : undefined;
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new CliError(
        `--public-url ${options.publicUrl} is not an http(s) URL such as https://planet.example.org/`,
      );
    }
    publicUrl = url.href;
  }
  const format = options.logFormat ?? 'json';
  if (format !== 'json' && format !== 'pretty') {
    throw new CliError(`--log-format must be json or pretty, not ${format}`);
  }
  return { host, port, format, ...(publicUrl ? { publicUrl } : {}) };
}

/**
 * Runs until SIGTERM or SIGINT, then stops in order (no new requests, live streams ended,
 * in-flight fetches given up to 10 s, the store committed) and exits 0.
 */
export async function runServe(options: ServeOptions, deps: CliDeps): Promise<ExitCode> {
  const { host, port, publicUrl, format } = checkOptions(options);
  const config = await loadPlanet(options, deps);
  const log = createLogger({
    format,
    level: options.verbose ? 'debug' : options.quiet ? 'warn' : 'info',
  });
  const { store, close } = await openLockedStore(config, deps, 0);
  const fetcher = createFetcher(config.fetch, deps);
  const token = deps.env.ORRERY_ADMIN_TOKEN;
  let server: Awaited<ReturnType<typeof startPlanetServer>>;
  try {
    server = await startPlanetServer({
      config,
      loadConfig: () => loadPlanet(options, deps),
      store,
      fetcher,
      host,
      port,
      ...(publicUrl ? { publicUrl } : {}),
      ...(token ? { adminToken: token } : {}),
      log,
      now: deps.now,
      version: VERSION,
    });
  } catch (error) {
    await fetcher.close();
    await close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      throw new CliError(
        `cannot listen on ${host}:${port} (${code}); choose another --port or --host`,
      );
    }
    throw error;
  }
  if (host === '0.0.0.0' || host === '::')
    log.warn('listening on every interface (--host %s)', host);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log.info({ signal }, 'stopping');
  // A second signal while stopping leaves at once (what is committed stays).
  const quit = () => process.exit(EXIT.interrupted);
  process.once('SIGTERM', quit);
  process.once('SIGINT', quit);
  try {
    await server.close();
  } catch (error) {
    log.error({ err: errorMessage(error) }, 'error while stopping');
  } finally {
    await close();
    process.off('SIGTERM', quit);
    process.off('SIGINT', quit);
  }
  log.info('stopped');
  return EXIT.ok;
}

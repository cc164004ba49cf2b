/**
 * Loads only the parts of undici the fetcher uses (Agent, its Pool and Client, the request API) instead of its
 * index, which also loads fetch, WebSocket, EventSource, the cache and the mocks: measured
 * −0.12 s CPU and −9 MB RSS per process start (docs/decisions/fetch.md). These are undici's own
 * files (the package has no "exports" map); when its layout changes, the public entry point is
 * used instead, so an upgrade can cost speed but never correctness. Proxies need the full
 * package (ProxyAgent relies on the API methods the index installs on Dispatcher.prototype).
 */
import { createRequire } from 'node:module';
import type * as Undici from 'undici';

type RequestFn = (
  this: Undici.Dispatcher,
  options: Undici.Dispatcher.RequestOptions,
) => Promise<Undici.Dispatcher.ResponseData>;

export interface UndiciParts {
  Agent: typeof Undici.Agent;
  /** The Agent's per-origin dispatchers (its default factory's; lean-pool.ts makes them). */
  Pool: typeof Undici.Pool;
  Client: typeof Undici.Client;
  /** Dispatcher.prototype.request, called with the dispatcher as `this`. */
  request: RequestFn;
}

const require = createRequire(import.meta.url);

/** The whole package: for proxies (EnvHttpProxyAgent). */
export function loadUndici(): typeof Undici {
  return require('undici') as typeof Undici;
}

/** Agent and request without the rest of undici. */
export function loadUndiciLite(): UndiciParts {
  try {
    const Agent = require('undici/lib/dispatcher/agent.js') as typeof Undici.Agent;
    const request = require('undici/lib/api/api-request.js') as RequestFn;
    const Pool = require('undici/lib/dispatcher/pool.js') as typeof Undici.Pool;
    const Client = require('undici/lib/dispatcher/client.js') as typeof Undici.Client;
    const parts = [Agent, request, Pool, Client];
    if (parts.every((part) => typeof part === 'function')) return { Agent, Pool, Client, request };
  } catch {
    // undici's internal layout changed: fall through to the public entry point below.
  }
  const undici = loadUndici();
  return {
    Agent: undici.Agent,
    Pool: undici.Pool,
    Client: undici.Client,
    request: undici.Dispatcher.prototype.request as unknown as RequestFn,
  };
}

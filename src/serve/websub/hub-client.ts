/**
 * POSTs to WebSub hubs (subscription requests, publish pings): form-encoded, bounded in time,
 * redirects not followed, the answer's body read up to 2 KB for the log. A hub found in a feed is
 * as untrusted as the feed: unless private addresses are allowed, the connection is refused when
 * the hub's name resolves to a loopback or private address (checked on the address the socket
 * uses, as the fetcher does), so a feed cannot make Orrery POST into the local network.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import type { Dispatcher } from 'undici';
import { blockedAddressReason } from '../../fetch/address-guard.js';
import { loadUndiciLite } from '../../fetch/undici-lite.js';
import { errorMessage } from '../../model/errors.js';

export interface HubClientOptions {
  userAgent: string;
  /** Allow hubs on loopback and private addresses (tests, intranets; a configured hub). */
  allowPrivate: boolean;
  /** Whole request deadline (default 10 s). */
  timeoutMs?: number;
}

export type HubAnswer =
  | { ok: true; status: number; body: string }
  | { ok: false; status?: number; message: string };

export interface HubClient {
  post(hub: string, form: Record<string, string | undefined>): Promise<HubAnswer>;
  close(): Promise<void>;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

function publicOnlyLookup(hostname: string, options: LookupOptions, callback: LookupCallback) {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const allowed = addresses.filter((a) => blockedAddressReason(a.address) === undefined);
    const first = allowed[0];
    if (!first) {
      const refused = Object.assign(
        new Error(`refused to connect to ${hostname}: not a public address`),
        { code: 'EBLOCKED' },
      );
      return callback(refused, []);
    }
    if (options.all) callback(null, allowed);
    else callback(null, first.address, first.family);
  });
}

export function createHubClient(options: HubClientOptions): HubClient {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const { Agent, request } = loadUndiciLite();
  const agent: Dispatcher = new Agent({
    connections: 4,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connect: {
      timeout: timeoutMs,
      ...(options.allowPrivate ? {} : { lookup: publicOnlyLookup }),
    },
  });

  function refusal(url: URL): string | undefined {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'not an http(s) URL';
    if (options.allowPrivate) return undefined;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // Literal addresses never reach the lookup hook.
    if (isIP(host)) {
      const reason = blockedAddressReason(host);
      return reason ? `${reason} address` : undefined;
    }
    return /(^|\.)localhost\.?$/i.test(host) ? 'loopback address' : undefined;
  }

  return {
    async post(hub, form) {
      if (!URL.canParse(hub)) return { ok: false, message: `not a URL: ${hub}` };
      const url = new URL(hub);
      const refused = refusal(url);
      if (refused) return { ok: false, message: `refused to POST to ${url.host}: ${refused}` };
      const body = new URLSearchParams();
      for (const [key, value] of Object.entries(form))
        if (value !== undefined) body.set(key, value);
      try {
        const response = await request.call(agent, {
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'user-agent': options.userAgent,
          },
          body: body.toString(),
          signal: AbortSignal.timeout(timeoutMs),
        });
        const text = await readSome(response.body, 2048);
        const status = response.statusCode;
        return status >= 200 && status < 300
          ? { ok: true, status, body: text }
          : {
              ok: false,
              status,
              message: `HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}`,
            };
      } catch (error) {
        return { ok: false, message: errorMessage(error) };
      }
    },
    close: () => agent.close(),
  };
}

/** The first `max` bytes of a body as text; the rest is dropped. */
async function readSome(body: Dispatcher.ResponseData['body'], max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= max) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8').trim();
}

#!/usr/bin/env node
// The floor of a fetch run: the same requests Orrery makes (same concurrency, same per-host
// limit, conditional GETs from the second run on, gzip bodies read and inflated), made by an
// HTTP client alone, with nothing parsed or stored. It shows what any fetcher built on that
// client costs at least, so the bench can tell the cost of the client from the cost of Orrery.
//
//   node bench/farm/bare-client.js --client undici|http --urls urls.txt --state state.json \
//        [--concurrency 64] [--per-host 2]
//
// undici is the client Orrery uses (loaded from node_modules); http is Node's built-in
// node:http. Prints one JSON line with counts.
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import v8 from 'node:v8';
import { gunzipSync } from 'node:zlib';

const args = { client: 'undici', concurrency: 64, perHost: 2, urls: '', state: '' };
for (let i = 2; i < process.argv.length; i += 2) {
  const key = process.argv[i];
  const value = process.argv[i + 1] ?? '';
  if (key === '--client') args.client = value;
  else if (key === '--concurrency') args.concurrency = Number(value);
  else if (key === '--per-host') args.perHost = Number(value);
  else if (key === '--urls') args.urls = value;
  else if (key === '--state') args.state = value;
}

const urls = readFileSync(args.urls, 'utf8').split('\n').filter(Boolean);
/** @type {Record<string, string>} */
let state = {};
try {
  state = JSON.parse(readFileSync(args.state, 'utf8'));
} catch {
  // First (cold) run: no validators yet.
}
/** @param {string} url */
const headersFor = (url) => ({
  'user-agent': 'Orrery/bench (bare client)',
  'accept-encoding': 'gzip',
  ...(state[url] ? { 'if-none-match': state[url] } : {}),
});
/**
 * @param {Buffer} body
 * @param {string | string[] | undefined} encoding
 */
const inflate = (body, encoding) => (encoding === 'gzip' ? gunzipSync(body) : body);

/** @param {string} url */
const originAndPath = (url) => {
  const u = new URL(url);
  return { origin: u.origin, path: `${u.pathname}${u.search}` };
};

/**
 * One GET: resolves with { status, etag, bytes } or { error }.
 * @type {(url: string) => Promise<{ status: number | undefined, etag: string | undefined, bytes: number }>}
 */
let get;
/** @type {() => unknown} */
let close;
if (args.client === 'undici') {
  // Loaded and tuned as Orrery loads it (src/fetch/undici-lite.ts, bin/orrery.js).
  v8.setFlagsFromString('--liftoff-only');
  const require = createRequire(import.meta.url);
  // undici's internal modules have no declarations: the specifiers are cast so tsc does not
  // look for them, and the values are typed as the public API they implement.
  /** @type {typeof import('undici').Agent} */
  const Agent = require(/** @type {string} */ ('undici/lib/dispatcher/agent.js'));
  /** @type {(this: import('undici').Agent, options: import('undici').Dispatcher.RequestOptions) => Promise<import('undici').Dispatcher.ResponseData>} */
  const request = require(/** @type {string} */ ('undici/lib/api/api-request.js'));
  const agent = new Agent({ connections: args.perHost, keepAliveTimeout: 10_000 });
  get = async (url) => {
    const res = await request.call(agent, {
      ...originAndPath(url),
      method: 'GET',
      headers: headersFor(url),
    });
    const body = Buffer.from(await res.body.arrayBuffer());
    const etag = res.headers.etag;
    return {
      status: res.statusCode,
      etag: typeof etag === 'string' ? etag : undefined,
      bytes: inflate(body, res.headers['content-encoding']).byteLength,
    };
  };
  close = () => agent.close();
} else if (args.client === 'http') {
  const agent = new http.Agent({ keepAlive: true, maxSockets: args.perHost });
  get = (url) =>
    new Promise((resolve, reject) => {
      const req = http.get(url, { agent, headers: headersFor(url) }, (res) => {
        /** @type {Buffer[]} */
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode,
            etag: res.headers.etag,
            bytes: inflate(Buffer.concat(chunks), res.headers['content-encoding']).byteLength,
          }),
        );
      });
      req.on('error', reject);
      req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    });
  close = () => agent.destroy();
} else {
  throw new Error(`--client must be undici or http, not ${args.client}`);
}

const started = performance.now();
/** @type {Record<string, number>} */
const counts = {};
let bytes = 0;
let next = 0;
async function worker() {
  while (next < urls.length) {
    const url = /** @type {string} */ (urls[next++]);
    let key;
    try {
      const r = await get(url);
      key = String(r.status);
      bytes += r.bytes;
      if (r.etag) state[url] = r.etag;
    } catch (/** @type {any} */ error) {
      key = error.code ?? 'error';
    }
    counts[key] = (counts[key] ?? 0) + 1;
  }
}
await Promise.all(Array.from({ length: Math.min(args.concurrency, urls.length) }, worker));
await close();
writeFileSync(args.state, JSON.stringify(state));
process.stdout.write(
  `${JSON.stringify({ client: args.client, counts, bytes, ms: Math.round(performance.now() - started) })}\n`,
);

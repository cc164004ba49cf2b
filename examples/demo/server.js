// Tiny loopback static server for the Orrery demo feeds.
//
//   node examples/demo/server.js [port]     (default port 48173)
//
// or, from code:
//
//   import { startDemoServer } from './server.js';
//   const srv = await startDemoServer({ port: 0 });
//   ... fetch(`${srv.url}pythonisito.xml`) ...
//   await srv.close();
//
// Serves only the files listed in ROUTES, from examples/demo/feeds/, with
// ETag (SHA-256 of the content) and Last-Modified (file mtime), answering
// conditional GETs with 304. The James Henstridge RSS feed is reachable
// under two URLs on purpose, so the demo planet can show de-duplication.

import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const FEEDS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'feeds');

export const DEFAULT_PORT = 48173;

const RSS = 'application/rss+xml';
const ATOM = 'application/atom+xml';
const HTML = 'text/html; charset=utf-8';

/**
 * URL path -> [file in feeds/, Content-Type]
 * @type {Record<string, [file: string, contentType: string]>}
 */
export const ROUTES = {
  '/pythonisito.xml': ['pythonisito.xml', RSS],
  '/kylev.atom': ['kylev.atom', ATOM],
  '/grd.html': ['grd.html', HTML],
  '/jamesh-python.rss': ['jamesh-python.rss', RSS],
  // Same document under a second URL (a WordPress-style feed path).
  '/jamesh/feed/': ['jamesh-python.rss', RSS],
};

/** @param {Buffer} body */
function etagOf(body) {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
}

/**
 * Weak comparison of an If-None-Match header against our (strong) ETag.
 * @param {string} header
 * @param {string} etag
 */
function etagMatches(header, etag) {
  /** @param {string} tag */
  const bare = (tag) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || bare(tag) === bare(etag));
}

/**
 * @param {import('node:http').IncomingMessage} req
 * @param {string} etag
 * @param {number} mtimeMs
 */
function notModified(req, etag, mtimeMs) {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) return etagMatches(inm, etag);
  const ims = req.headers['if-modified-since'];
  if (ims !== undefined) {
    const since = Date.parse(ims);
    if (Number.isNaN(since)) return false;
    // HTTP dates have one-second resolution.
    return Math.floor(mtimeMs / 1000) * 1000 <= since;
  }
  return false;
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {string} text
 * @param {Record<string, string>} [extra]
 */
function sendText(res, status, text, extra = {}) {
  const body = `${text}\n`;
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...extra,
  });
  res.end(body);
}

/**
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 */
async function handle(req, res) {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const route = Object.hasOwn(ROUTES, path) ? ROUTES[path] : undefined;
  if (!route) {
    sendText(res, 404, 'Not Found');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendText(res, 405, 'Method Not Allowed', { Allow: 'GET, HEAD' });
    return;
  }
  const [file, contentType] = route;
  const full = join(FEEDS_DIR, file);
  const [body, info] = await Promise.all([fs.readFile(full), fs.stat(full)]);
  const etag = etagOf(body);
  const headers = {
    ETag: etag,
    'Last-Modified': new Date(info.mtimeMs).toUTCString(),
    'Cache-Control': 'no-cache',
  };
  if (notModified(req, etag, info.mtimeMs)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, {
    ...headers,
    'Content-Type': contentType,
    'Content-Length': body.length,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * Start the demo feed server on loopback.
 * @param {{ port?: number, host?: string }} [options]
 * @returns {Promise<{ url: string, port: number, close(): Promise<void> }>}
 */
export async function startDemoServer({ port = 0, host = '127.0.0.1' } = {}) {
  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) sendText(res, 500, 'Internal Server Error');
      else res.destroy(err);
    });
  });
  await new Promise((/** @type {(value?: void) => void} */ resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${actualPort}/`,
    port: actualPort,
    close() {
      return new Promise((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

const runDirectly = process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href;

if (runDirectly) {
  const arg = process.argv[2];
  const port = arg === undefined ? DEFAULT_PORT : Number(arg);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`usage: node examples/demo/server.js [port]  (got ${JSON.stringify(arg)})`);
    process.exit(2);
  }
  const srv = await startDemoServer({ port });
  console.log(`Orrery demo feeds at ${srv.url} (Ctrl-C to stop)`);
  for (const path of Object.keys(ROUTES)) console.log(`  ${srv.url}${path.slice(1)}`);
  const stop = () => {
    srv.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

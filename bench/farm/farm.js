#!/usr/bin/env node
// A loopback feed farm: one node:http handler listening on 127.0.h.1 for h = 0..hosts-1 (all of
// 127/8 is loopback on Linux), serving virtual feeds /f/<id>.xml with bodies from the shared
// corpus and a seeded fault profile. Run it as a child process; it prints one JSON line
// {"ready":true,"port":...} on stdout, serves until stdin closes or SIGTERM, and exits by itself
// after --max-seconds whatever happens.
//
//   node bench/farm/farm.js --hosts 200 --port 18300 --profile mixed --corpus ../shared/corpus/files
//
// Profiles (per feed, decided by a hash of the feed id, so every run sees the same farm):
//   clean: every feed 200 with ETag + Last-Modified (304 on a match), 40% gzip when accepted,
//          latency 0-20 ms.
//   mixed: as clean, plus 6% slow (1-3 s latency), 4% 301 to a new path, 3% 404, 3% 500,
//          1% 410, 1% reset mid-body, 1% trickle (one chunk every 250 ms for ~3 s).
//   hostile: as clean, but about 10% of the feeds attack the fetcher, spread over HOSTILE_KINDS.
// Any hostile kind is also served on demand at /h/<kind>/<id>.xml, whatever the profile.
//   planet: mixed's faults, with the latency of a planet of blogs around the world (a model, not
//          a measurement: see latencyOf): each host a round trip of 30-300 ms, each feed a
//          server time of 0.1-8 s (half under 0.6 s); a 304 costs the round trip and a third of
//          the server time. Slow feeds keep mixed's 1-3 s.
// --hosts beyond 256 listen on 127.(h >> 8).(h & 255).1 (hostAddress): 127.0.h.1 below 256.
import { fstatSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import { constants, createBrotliCompress, gzipSync } from 'node:zlib';

/** @param {string[]} argv */
function parseArgs(argv) {
  const args = { hosts: 200, port: 18300, profile: 'clean', corpus: '', maxSeconds: 1800 };
  for (let i = 2; i < argv.length; i++) {
    const key = argv[i];
    const value = argv[i + 1];
    if (key === '--hosts') args.hosts = Number(value);
    else if (key === '--port') args.port = Number(value);
    else if (key === '--profile') args.profile = value ?? '';
    else if (key === '--corpus') args.corpus = value ?? '';
    else if (key === '--max-seconds') args.maxSeconds = Number(value);
    else continue;
    i++;
  }
  return args;
}

/** 32-bit FNV-1a then a xorshift round: a stable pseudo-random number in [0, 1) per (id, salt). */
/**
 * @param {number | string} id
 * @param {number} salt
 */
export function rand(id, salt) {
  let h = 0x811c9dc5 ^ salt;
  const text = String(id);
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h << 13;
  h ^= h >>> 17;
  h ^= h << 5;
  return (h >>> 0) / 4294967296;
}

/**
 * Servers that attack a fetcher, each bounded only by the client's own limits:
 *   trickle-forever  a byte every 200 ms, forever;   hang  never sends the headers;
 *   endless          a body that never ends, as fast as the client reads;
 *   gzip-bomb        1 GiB of zeros in ~1 MB of gzip; br-bomb  1 GiB of zeros in ~190 KB of brotli;
 *   redirects        a chain of 10,000 permanent redirects;
 *   huge             RSS with 10^6 items, huge-json  JSON Feed with 10^6 items (gzip'd, under the
 *                    default caps once decompressed: they reach the parser);
 *   deep             XML nested 10^6 elements deep (gzip'd);   laughs  billion laughs entities.
 */
export const HOSTILE_KINDS = [
  'trickle-forever',
  'hang',
  'endless',
  'gzip-bomb',
  'br-bomb',
  'redirects',
  'huge',
  'huge-json',
  'deep',
  'laughs',
];

/** How many redirects the `redirects` kind chains before it would serve a feed. */
export const REDIRECT_CHAIN = 10_000;

/**
 * The fault a feed gets under a profile (same answer in the farm and in the bench).
 * @param {number} id
 * @param {string} profile
 * @returns {string}
 */
export function faultOf(id, profile) {
  if (profile === 'hostile') {
    if (rand(id, 7) >= 0.1) return 'ok';
    return /** @type {string} */ (HOSTILE_KINDS[Math.floor(rand(id, 13) * HOSTILE_KINDS.length)]);
  }
  if (profile !== 'mixed' && profile !== 'planet') return 'ok';
  const r = rand(id, 7);
  if (r < 0.06) return 'slow';
  if (r < 0.1) return 'moved';
  if (r < 0.13) return 'missing';
  if (r < 0.16) return 'error';
  if (r < 0.17) return 'gone';
  if (r < 0.18) return 'reset';
  if (r < 0.19) return 'trickle';
  return 'ok';
}

const ENTRIES = 1_000_000;
const RSS_HEAD =
  '<?xml version="1.0"?><rss version="2.0"><channel><title>hostile</title><link>http://hostile.test/</link>';
const RSS_TAIL = '</channel></rss>';
const LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE rss [
<!ENTITY lol "lol">
${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('\n')}
]>
${RSS_HEAD}<description>&lol9;</description><item><title>&lol9;</title><description>&lol9;</description></item>${RSS_TAIL}`;

/** Bodies of the hostile kinds, built on first use (a few hundred ms each) and kept. */
function hostileBodies() {
  /** @type {Map<string, Promise<Buffer>>} */
  const cache = new Map();
  /** @type {Record<string, () => Promise<Buffer>>} */
  const build = {
    // gzip members concatenated: one document to a decoder, 1 GiB once inflated.
    'gzip-bomb': async () => {
      const member = gzipSync(Buffer.alloc(10 << 20), { level: 9 });
      return Buffer.concat(Array.from({ length: 103 }, () => member));
    },
    'br-bomb': () => brotliZeros(1 << 30),
    huge: async () => gzipSync(`${RSS_HEAD}${'<item/>'.repeat(ENTRIES)}${RSS_TAIL}`),
    'huge-json': async () => {
      const items = Array.from({ length: ENTRIES }, (_, i) => `{"id":"${i}"}`).join(',');
      return gzipSync(
        `{"version":"https://jsonfeed.org/version/1.1","title":"hostile","items":[${items}]}`,
      );
    },
    deep: async () =>
      gzipSync(`${RSS_HEAD}${'<x>'.repeat(ENTRIES)}${'</x>'.repeat(ENTRIES)}${RSS_TAIL}`),
  };
  return (/** @type {string} */ kind) => {
    if (!cache.has(kind)) cache.set(kind, /** @type {() => Promise<Buffer>} */ (build[kind])());
    return /** @type {Promise<Buffer>} */ (cache.get(kind));
  };
}

/**
 * `bytes` zeros compressed with brotli, streamed (never held in memory whole).
 * @param {number} bytes
 * @returns {Promise<Buffer>}
 */
function brotliZeros(bytes) {
  return new Promise((resolvePromise, reject) => {
    const br = createBrotliCompress({
      params: { [constants.BROTLI_PARAM_QUALITY]: 1, [constants.BROTLI_PARAM_LGWIN]: 24 },
    });
    /** @type {Buffer[]} */
    const parts = [];
    br.on('data', (d) => parts.push(d));
    br.on('error', reject);
    br.on('end', () => resolvePromise(Buffer.concat(parts)));
    const chunk = Buffer.alloc(1 << 20);
    let left = bytes / chunk.length;
    const write = () => {
      while (left > 0) {
        left--;
        if (!br.write(chunk)) return void br.once('drain', write);
      }
      br.end();
    };
    write();
  });
}

/** The loopback address of host h: 127.0.h.1 for h < 256, then 127.(h >> 8).(h & 255).1. */
/** @param {number} h */
export function hostAddress(h) {
  return `127.${h >> 8}.${h & 255}.1`;
}

/** The host index an address of hostAddress() stands for. */
/** @param {string | undefined} address */
function hostIndex(address) {
  const m = /(\d+)\.(\d+)\.\d+$/.exec(address ?? '');
  return m ? Number(m[1]) * 256 + Number(m[2]) : 0;
}

/**
 * The milliseconds a request waits before its answer: mixed's slow feeds take 1-3 s; under
 * 'planet' every host has its round trip and every feed its server time (a 304, a third of it);
 * otherwise 0-20 ms.
 * @param {number} id
 * @param {number} host
 * @param {string} profile
 * @param {boolean} notModified
 */
export function latencyOf(id, host, profile, notModified) {
  const fault = faultOf(id, profile);
  if (fault === 'slow') return 1000 + Math.floor(rand(id, 3) * 2000);
  if (profile !== 'planet') return Math.floor(rand(id, 5) * 20);
  const rtt = 30 + rand(host, 17) * 270;
  const r = rand(id, 13);
  // Half the servers answer within 0.6 s, a quarter take 0.6-2 s, a fifth 2-4 s, 5 % 4-8 s.
  const server =
    r < 0.5
      ? 100 + r * 1000
      : r < 0.75
        ? 600 + (r - 0.5) * 5600
        : r < 0.95
          ? 2000 + (r - 0.75) * 10_000
          : 4000 + (r - 0.95) * 80_000;
  return Math.round(rtt + (notModified ? server / 3 : server));
}

function main() {
  const args = parseArgs(process.argv);
  const corpusDir = resolve(
    args.corpus || join(import.meta.dirname, '../../../shared/corpus/files'),
  );
  const names = readdirSync(corpusDir)
    .filter((n) => /\.(xml|json)$/.test(n))
    .sort();
  const bodies = names.map((n) => readFileSync(join(corpusDir, n)));
  const types = names.map((n) =>
    n.endsWith('.json')
      ? 'application/feed+json'
      : n.includes('atom')
        ? 'application/atom+xml'
        : 'application/rss+xml',
  );
  // Compressed once up front: gzipping lazily would stall the farm during the first (cold) run.
  const gz = new Map(bodies.map((body, file) => [file, gzipSync(body)]));
  /** @type {{ connections: number, requests: number, byStatus: Record<string, number>, inFlight: number, maxInFlight: number }} */
  const stats = { connections: 0, requests: 0, byStatus: {}, inFlight: 0, maxInFlight: 0 };
  const lastModified = new Date('2026-11-01T00:00:00Z').toUTCString();
  /** @type {Set<NodeJS.Timeout>} */
  const timers = new Set();
  /** @param {number} ms @param {() => void} fn */
  const later = (ms, fn) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
    return t;
  };

  /** @param {string | number} status */
  const count = (status) => {
    stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
  };
  const bodyOf = hostileBodies();

  /**
   * Serves one hostile kind; every loop stops when the client goes away.
   * @param {string} kind
   * @param {number} id
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   */
  const serveHostile = (kind, id, req, res) => {
    count(kind);
    const rss = { 'content-type': 'application/rss+xml' };
    if (kind === 'hang') return;
    if (kind === 'trickle-forever') {
      res.writeHead(200, rss);
      const tick = () => {
        if (res.destroyed) return;
        res.write(' ');
        later(200, tick);
      };
      res.write(RSS_HEAD);
      tick();
      return;
    }
    if (kind === 'endless') {
      res.writeHead(200, rss);
      const chunk = Buffer.from('<item><title>again</title></item>'.repeat(2000));
      const pump = () => {
        while (!res.destroyed) if (!res.write(chunk)) return void res.once('drain', pump);
      };
      res.write(RSS_HEAD);
      pump();
      return;
    }
    if (kind === 'redirects') {
      const step = Number(/^\/r\/\d+\/(\d+)$/.exec(req.url ?? '')?.[1] ?? 0);
      const next = step >= REDIRECT_CHAIN ? `/moved/${id}.xml` : `/r/${id}/${step + 1}`;
      res.writeHead(301, { location: next }).end();
      return;
    }
    if (kind === 'laughs') {
      res.writeHead(200, rss).end(LAUGHS);
      return;
    }
    const encoding = kind === 'br-bomb' ? 'br' : 'gzip';
    const type = kind === 'huge-json' ? 'application/feed+json' : rss['content-type'];
    bodyOf(kind).then(
      (body) => {
        if (res.destroyed) return;
        res.writeHead(200, {
          'content-type': type,
          'content-encoding': encoding,
          'content-length': String(body.length),
        });
        res.end(body);
      },
      (error) => res.destroy(error),
    );
  };

  /**
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   */
  const handler = (req, res) => {
    stats.requests++;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    let closed = false;
    res.on('close', () => {
      if (!closed) stats.inFlight--;
      closed = true;
    });
    const url = req.url ?? '/';
    if (url === '/__stats') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
      return;
    }
    const asked = /^\/h\/([a-z-]+)\/(\d+)\.xml$/.exec(url) ?? /^\/(r)\/(\d+)\/\d+$/.exec(url);
    if (asked) {
      const kind = asked[1] === 'r' ? 'redirects' : (asked[1] ?? '');
      if (HOSTILE_KINDS.includes(kind)) return serveHostile(kind, Number(asked[2]), req, res);
    }
    const m = /^\/(f|moved)\/(\d+)\.xml$/.exec(url);
    if (!m) {
      count(404);
      res.writeHead(404).end('no such feed');
      return;
    }
    const id = Number(m[2]);
    const fault = faultOf(id, args.profile);
    if (HOSTILE_KINDS.includes(fault) && !(fault === 'redirects' && m[1] === 'moved')) {
      return serveHostile(fault, id, req, res);
    }
    const file = id % bodies.length;
    const body = /** @type {Buffer} */ (bodies[file]);
    const etag = `"f${id}-${file}"`;
    const latency = latencyOf(
      id,
      hostIndex(req.socket.localAddress),
      args.profile,
      req.headers['if-none-match'] === etag,
    );
    later(latency, () => {
      if (res.destroyed) return;
      if (fault === 'moved' && m[1] === 'f') {
        count(301);
        res.writeHead(301, { location: `/moved/${id}.xml` }).end();
        return;
      }
      /** @type {Record<string, number>} */
      const statuses = { missing: 404, error: 500, gone: 410 };
      const failWith = statuses[fault];
      if (failWith) {
        count(failWith);
        res.writeHead(failWith).end(`status ${failWith}`);
        return;
      }
      if (req.headers['if-none-match'] === etag) {
        count(304);
        res.writeHead(304, { etag, 'last-modified': lastModified }).end();
        return;
      }
      const headers = { 'content-type': types[file], etag, 'last-modified': lastModified };
      if (fault === 'reset') {
        count('reset');
        res.writeHead(200, { ...headers, 'content-length': String(body.length) });
        res.write(body.subarray(0, Math.min(200, body.length >> 1)), () => req.socket.destroy());
        return;
      }
      if (fault === 'trickle') {
        count('trickle');
        res.writeHead(200, headers);
        const step = Math.ceil(body.length / 12);
        let offset = 0;
        const tick = () => {
          if (res.destroyed) return;
          if (offset >= body.length) return void res.end();
          res.write(body.subarray(offset, offset + step));
          offset += step;
          later(250, tick);
        };
        tick();
        return;
      }
      count(200);
      const wantsGzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
      if (wantsGzip && rand(id, 11) < 0.4) {
        const zipped = /** @type {Buffer} */ (gz.get(file));
        res.writeHead(200, {
          ...headers,
          'content-encoding': 'gzip',
          'content-length': String(zipped.length),
        });
        res.end(zipped);
        return;
      }
      res.writeHead(200, { ...headers, 'content-length': String(body.length) });
      res.end(body);
    });
  };

  /** @type {import('node:http').Server[]} */
  const servers = [];
  let listening = 0;
  /** @param {number} code */
  const shutdown = (code) => {
    for (const t of timers) clearTimeout(t);
    for (const s of servers) {
      s.closeAllConnections?.();
      s.close();
    }
    // Give sockets a moment, then leave no matter what.
    setTimeout(() => process.exit(code), 200).unref();
  };
  // The hostile profile's bodies are built before the farm says it is ready, so that no first
  // request waits for one (huge-json takes seconds to build).
  const warm =
    args.profile === 'hostile'
      ? Promise.all(['gzip-bomb', 'br-bomb', 'huge', 'huge-json', 'deep'].map(bodyOf))
      : Promise.resolve();
  for (let h = 0; h < args.hosts; h++) {
    const server = createServer({ keepAliveTimeout: 30_000 }, handler);
    server.on('connection', () => stats.connections++);
    server.on('error', (error) => {
      process.stderr.write(`farm: ${hostAddress(h)}:${args.port}: ${error.message}\n`);
      shutdown(1);
    });
    server.listen(args.port, hostAddress(h), () => {
      if (++listening === args.hosts) {
        void warm.then(() =>
          process.stdout.write(
            `${JSON.stringify({ ready: true, port: args.port, hosts: args.hosts, files: names.length })}\n`,
          ),
        );
      }
    });
    servers.push(server);
  }
  // Only a pipe from a parent tells us when to stop: a terminal or a device such as /dev/zero
  // would be read forever (reading /dev/zero spins a core).
  if (fstatSync(0).isFIFO() || fstatSync(0).isSocket()) {
    process.stdin.on('end', () => shutdown(0));
    process.stdin.on('error', () => shutdown(0));
    process.stdin.resume();
  }
  process.on('SIGTERM', () => shutdown(0));
  process.on('SIGINT', () => shutdown(0));
  setTimeout(() => {
    process.stderr.write(`farm: --max-seconds ${args.maxSeconds} reached, exiting\n`);
    shutdown(2);
  }, args.maxSeconds * 1000).unref();
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) main();

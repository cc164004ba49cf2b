/**
 * A small loopback feed farm for the worker tests: one node:http server per host on 127.0.h.1,
 * feeds /f/<id>.xml (three posts each, ETag and 304), a latency per request, and what the
 * servers saw: requests per feed and the most requests in flight at once per host (the
 * per-host limit, observed from the server's side).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { FetchSettings } from '../../model/settings.js';

/** Fetch settings for the tests: short timeouts, loopback allowed, two per host. */
export const SETTINGS: FetchSettings = {
  concurrency: 4,
  perHostLimit: 2,
  connectTimeoutMs: 1_000,
  headersTimeoutMs: 2_000,
  bodyTimeoutMs: 2_000,
  maxBodyBytes: 1 << 20,
  maxDecompressedBytes: 4 << 20,
  maxRedirects: 5,
  userAgent: 'Orrery/test',
  allowPrivate: true,
  intervalMinutes: 60,
  maxIntervalMinutes: 1440,
};

export interface TestFarm {
  /** Feed URLs, `count` of them spread round-robin over the hosts. */
  urls: string[];
  hosts: string[];
  /** Requests per feed path, e.g. '/f/3.xml' → 2. */
  requests: Map<string, number>;
  maxInFlightByHost: Map<string, number>;
  readonly inFlight: number;
  latencyMs: number;
  close(): Promise<void>;
}

export function feedXml(id: number): string {
  const items = [0, 1, 2]
    .map(
      (i) =>
        `<item><guid>feed${id}-post${i}</guid><title>Post ${i} of feed ${id}</title>` +
        `<link>http://blog${id}.test/${i}</link>` +
        `<pubDate>${new Date(Date.UTC(2026, 10, 20 - i * 3, 12)).toUTCString()}</pubDate>` +
        `<description>Text ${i} of feed ${id}.</description></item>`,
    )
    .join('');
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Feed ${id}</title><link>http://blog${id}.test/</link>${items}</channel></rss>`;
}

export async function startTestFarm(options: {
  hosts: number;
  feeds: number;
  latencyMs: number;
  /** Feeds that answer 429 Too Many Requests with Retry-After: 3600. */
  throttled?: readonly number[];
}): Promise<TestFarm> {
  const requests = new Map<string, number>();
  const maxInFlightByHost = new Map<string, number>();
  let inFlight = 0;
  const servers: { server: Server; sockets: Set<Socket> }[] = [];
  const hosts: string[] = [];
  const farm: TestFarm = {
    urls: [],
    hosts,
    requests,
    maxInFlightByHost,
    get inFlight() {
      return inFlight;
    },
    latencyMs: options.latencyMs,
    close: async () => {
      await Promise.all(
        servers.map(
          ({ server, sockets }) =>
            new Promise<void>((resolve) => {
              for (const socket of sockets) socket.destroy();
              server.close(() => resolve());
            }),
        ),
      );
    },
  };
  for (let h = 0; h < options.hosts; h++) {
    const address = `127.0.${h + 1}.1`;
    let hostInFlight = 0;
    let host = '';
    const sockets = new Set<Socket>();
    const server = createServer((req, res) => {
      const path = req.url ?? '/';
      requests.set(path, (requests.get(path) ?? 0) + 1);
      inFlight++;
      hostInFlight++;
      maxInFlightByHost.set(host, Math.max(maxInFlightByHost.get(host) ?? 0, hostInFlight));
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        inFlight--;
        hostInFlight--;
      };
      res.on('close', finish);
      const id = Number(/^\/f\/(\d+)\.xml$/.exec(path)?.[1] ?? Number.NaN);
      const timer = setTimeout(() => {
        if (Number.isNaN(id)) return void res.writeHead(404).end();
        if (options.throttled?.includes(id)) {
          return void res.writeHead(429, { 'retry-after': '3600' }).end('slow down');
        }
        const etag = `"feed${id}"`;
        if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
        res.writeHead(200, { 'content-type': 'application/rss+xml', etag }).end(feedXml(id));
      }, farm.latencyMs);
      res.on('close', () => clearTimeout(timer));
    });
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, address, resolve));
    host = `${address}:${(server.address() as AddressInfo).port}`;
    hosts.push(host);
    servers.push({ server, sockets });
  }
  for (let id = 1; id <= options.feeds; id++) {
    farm.urls.push(`http://${hosts[(id - 1) % hosts.length]}/f/${id}.xml`);
  }
  return farm;
}

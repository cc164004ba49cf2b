import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createNetServer, connect as netConnect, type Socket } from 'node:net';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cacheNotBefore,
  createHttpFetcher,
  type HttpFetcherOptions,
  parseRetryAfter,
} from './http-fetcher.js';
import { expectKind, TEST_FETCHER_OPTIONS } from './testdata/fetcher-options.js';
import { RSS, startServer, type TestServer } from './testdata/serve.js';

const base: HttpFetcherOptions = TEST_FETCHER_OPTIONS;

const zeros = Buffer.alloc(8 * 1024 * 1024); // 8 MiB of zeros: compresses to a few KiB.
const GZIP_BOMB = gzipSync(zeros);
const DEFLATE_BOMB = deflateSync(zeros);
const RAW_DEFLATE_BOMB = deflateRawSync(zeros);
const BR_BOMB = brotliCompressSync(zeros);

let server: TestServer;
let redirectTarget: TestServer;
const fetcher = createHttpFetcher(base);

beforeAll(async () => {
  redirectTarget = await startServer({
    '/feed': (_req, res) => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(RSS),
  });
  server = await startServer({
    '/feed': (req, res) => {
      if (req.headers['if-none-match'] === '"v1"') {
        res.writeHead(304, { etag: '"v1"', 'cache-control': 'max-age=600' }).end();
        return;
      }
      res
        .writeHead(200, {
          'content-type': 'application/rss+xml',
          etag: '"v1"',
          'last-modified': 'Sat, 21 Nov 2026 10:00:00 GMT',
          'cache-control': 'public, max-age=300',
        })
        .end(RSS);
    },
    '/lm-only': (req, res) => {
      if (req.headers['if-modified-since'] === 'Sat, 21 Nov 2026 10:00:00 GMT') {
        res.writeHead(304).end();
        return;
      }
      res.writeHead(200, { 'last-modified': 'Sat, 21 Nov 2026 10:00:00 GMT' }).end(RSS);
    },
    '/r301': (_req, res) => res.writeHead(301, { location: '/feed' }).end(),
    '/r308': (_req, res) => res.writeHead(308, { location: '/r301' }).end(),
    '/r302': (_req, res) => res.writeHead(302, { location: '/feed' }).end(),
    '/r307': (_req, res) => res.writeHead(307, { location: '/r302' }).end(),
    '/r301-302': (_req, res) => res.writeHead(301, { location: '/r302' }).end(),
    '/relative/a': (_req, res) => res.writeHead(301, { location: '../feed' }).end(),
    '/cross-host': (_req, res) =>
      res.writeHead(301, { location: redirectTarget.url('/feed') }).end(),
    '/loop-a': (_req, res) => res.writeHead(302, { location: '/loop-b' }).end(),
    '/loop-b': (_req, res) => res.writeHead(302, { location: '/loop-a' }).end(),
    '/self': (_req, res) => res.writeHead(301, { location: '/self' }).end(),
    '/no-location': (_req, res) => res.writeHead(302).end(),
    '/chain': (req, res) => {
      const n = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('n') ?? 0);
      res.writeHead(302, { location: n >= 20 ? '/feed' : `/chain?n=${n + 1}` }).end();
    },
    '/gone': (_req, res) => res.writeHead(410).end('gone'),
    '/missing': (_req, res) => res.writeHead(404).end('no'),
    '/broken': (_req, res) => res.writeHead(500).end('oops'),
    '/busy-seconds': (_req, res) => res.writeHead(429, { 'retry-after': '120' }).end(),
    '/busy-date': (_req, res) =>
      res.writeHead(503, { 'retry-after': 'Wed, 21 Oct 2099 07:28:00 GMT' }).end(),
    '/trickle': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      let sent = 0;
      // One byte every 50 ms: never idle long enough for an idle timeout, bounded at 400 bytes.
      const timer = setInterval(() => {
        if (sent++ >= 400 || res.destroyed) {
          clearInterval(timer);
          res.end();
          return;
        }
        res.write('x');
      }, 50);
      res.on('close', () => clearInterval(timer));
    },
    '/no-headers': (_req, res) => {
      // Never answers; the socket is destroyed when the test server closes.
      const timer = setTimeout(() => res.end(), 10_000);
      res.on('close', () => clearTimeout(timer));
    },
    '/big-declared': (_req, res) =>
      res.writeHead(200, { 'content-length': String(1024 * 1024) }).end(Buffer.alloc(1024 * 1024)),
    '/big-chunked': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      for (let i = 0; i < 32; i++) res.write(Buffer.alloc(16 * 1024, 0x20));
      res.end();
    },
    '/gzip': (_req, res) =>
      res
        .writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': 'gzip' })
        .end(gzipSync(RSS)),
    '/deflate': (_req, res) =>
      res.writeHead(200, { 'content-encoding': 'deflate' }).end(deflateSync(RSS)),
    '/raw-deflate': (_req, res) =>
      res.writeHead(200, { 'content-encoding': 'deflate' }).end(deflateRawSync(RSS)),
    '/br': (_req, res) =>
      res.writeHead(200, { 'content-encoding': 'br' }).end(brotliCompressSync(RSS)),
    '/gzip-bomb': (_req, res) => res.writeHead(200, { 'content-encoding': 'gzip' }).end(GZIP_BOMB),
    '/deflate-bomb': (_req, res) =>
      res.writeHead(200, { 'content-encoding': 'deflate' }).end(DEFLATE_BOMB),
    '/raw-deflate-bomb': (_req, res) =>
      res.writeHead(200, { 'content-encoding': 'deflate' }).end(RAW_DEFLATE_BOMB),
    '/br-bomb': (_req, res) => res.writeHead(200, { 'content-encoding': 'br' }).end(BR_BOMB),
    '/corrupt-gzip': (_req, res) =>
      res.writeHead(200, { 'content-encoding': 'gzip' }).end(Buffer.from('not gzip at all')),
    '/text-plain': (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(RSS),
    '/png': (_req, res) =>
      res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(100)),
    '/reset': (req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-length': '10000' });
      res.write(RSS.slice(0, 40), () => req.socket.destroy());
    },
    '/reset-chunked': (req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.write(RSS.slice(0, 40), () => req.socket.resetAndDestroy());
    },
    '/ua': (req, res) => res.writeHead(200).end(String(req.headers['user-agent'])),
    '/slow': (_req, res) => {
      const timer = setTimeout(() => res.writeHead(200).end(RSS), 30);
      res.on('close', () => clearTimeout(timer));
    },
  });
});

afterAll(async () => {
  await fetcher.close();
  await server.close();
  await redirectTarget.close();
});

describe('conditional GET', () => {
  it('returns the body, validators and Cache-Control hint, then 304 with the validators', async () => {
    const first = expectKind(await fetcher.fetch(server.url('/feed')), 'ok');
    expect(Buffer.from(first.body).toString()).toBe(RSS);
    expect(first.validators).toEqual({
      etag: '"v1"',
      lastModified: 'Sat, 21 Nov 2026 10:00:00 GMT',
    });
    expect(first.headers['content-type']).toBe('application/rss+xml');
    expect(Date.parse(first.notBefore ?? '') - Date.now()).toBeGreaterThan(200_000);
    const second = expectKind(
      await fetcher.fetch(server.url('/feed'), first.validators),
      'not-modified',
    );
    expect(second.status).toBe(304);
    expect(second.validators.etag).toBe('"v1"');
    // The 304 did not repeat Last-Modified: the one we sent is kept.
    expect(second.validators.lastModified).toBe('Sat, 21 Nov 2026 10:00:00 GMT');
    expect(second.notBefore).toBeDefined();
    const sent = server.requests.at(-1);
    expect(sent?.headers['if-none-match']).toBe('"v1"');
    expect(sent?.headers['if-modified-since']).toBe('Sat, 21 Nov 2026 10:00:00 GMT');
  });

  it('uses Last-Modified alone when there is no ETag', async () => {
    const first = expectKind(await fetcher.fetch(server.url('/lm-only')), 'ok');
    expect(first.validators).toEqual({ lastModified: 'Sat, 21 Nov 2026 10:00:00 GMT' });
    expectKind(await fetcher.fetch(server.url('/lm-only'), first.validators), 'not-modified');
  });

  it('sends the configured User-Agent and asks for compression', async () => {
    const outcome = expectKind(await fetcher.fetch(server.url('/ua')), 'ok');
    expect(Buffer.from(outcome.body).toString()).toBe('Orrery-test/1');
    expect(server.requests.at(-1)?.headers['accept-encoding']).toContain('gzip');
  });
});

describe('redirects', () => {
  it('reports a chain of 308 and 301 as permanent', async () => {
    const outcome = expectKind(await fetcher.fetch(server.url('/r308')), 'ok');
    expect(outcome.finalUrl).toBe(server.url('/feed'));
    expect(outcome.permanentRedirect).toBe(server.url('/feed'));
    expect(outcome.redirects.map((hop) => hop.status)).toEqual([308, 301]);
    expect(outcome.redirects[0]).toEqual({
      from: server.url('/r308'),
      to: server.url('/r301'),
      status: 308,
    });
  });

  it.each([
    ['/r302', [302]],
    ['/r307', [307, 302]],
    ['/r301-302', [301, 302]],
  ])('does not report %s as permanent', async (path, statuses) => {
    const outcome = expectKind(await fetcher.fetch(server.url(path)), 'ok');
    expect(outcome.finalUrl).toBe(server.url('/feed'));
    expect(outcome.permanentRedirect).toBeUndefined();
    expect(outcome.redirects.map((hop) => hop.status)).toEqual(statuses);
  });

  it('resolves a relative Location against the current URL', async () => {
    const outcome = expectKind(await fetcher.fetch(server.url('/relative/a')), 'ok');
    expect(outcome.finalUrl).toBe(server.url('/feed'));
  });

  it('follows a redirect to another host and keeps the permanent flag', async () => {
    const outcome = expectKind(await fetcher.fetch(server.url('/cross-host')), 'ok');
    expect(outcome.permanentRedirect).toBe(redirectTarget.url('/feed'));
  });

  it('passes validators through the redirect to a 304', async () => {
    const outcome = await fetcher.fetch(server.url('/r301'), { etag: '"v1"' });
    const result = expectKind(outcome, 'not-modified');
    expect(result.permanentRedirect).toBe(server.url('/feed'));
  });

  it.each(['/loop-a', '/self'])('detects the loop %s', async (path) => {
    const outcome = expectKind(await fetcher.fetch(server.url(path)), 'error');
    expect(outcome.code).toBe('redirect-loop');
  });

  it('stops after maxRedirects hops', async () => {
    const outcome = expectKind(await fetcher.fetch(server.url('/chain?n=0')), 'error');
    expect(outcome.code).toBe('too-many-redirects');
    expect(outcome.redirects).toHaveLength(6);
  });

  it('reports a redirect without Location', async () => {
    const outcome = expectKind(await fetcher.fetch(server.url('/no-location')), 'error');
    expect(outcome).toMatchObject({ code: 'http-status', status: 302 });
  });
});

describe('statuses', () => {
  it('classifies 410 as gone, 404 and 500 as http-status', async () => {
    expect(expectKind(await fetcher.fetch(server.url('/gone')), 'error')).toMatchObject({
      code: 'gone',
      status: 410,
    });
    expect(expectKind(await fetcher.fetch(server.url('/missing')), 'error')).toMatchObject({
      code: 'http-status',
      status: 404,
    });
    const broken = expectKind(await fetcher.fetch(server.url('/broken')), 'error');
    expect(broken).toMatchObject({ code: 'http-status', status: 500 });
    expect(broken.message).toContain('500');
  });

  it('honours Retry-After in seconds on 429', async () => {
    const before = Date.now();
    const outcome = expectKind(await fetcher.fetch(server.url('/busy-seconds')), 'error');
    expect(outcome.status).toBe(429);
    const at = Date.parse(outcome.retryAfter ?? '');
    expect(at - before).toBeGreaterThanOrEqual(119_000);
    expect(at - before).toBeLessThanOrEqual(121_000 + 60_000);
  });

  it('honours Retry-After as an HTTP-date on 503', async () => {
    const outcome = expectKind(await fetcher.fetch(server.url('/busy-date')), 'error');
    expect(outcome.status).toBe(503);
    expect(outcome.retryAfter).toBe('2099-10-21T07:28:00.000Z');
  });
});

describe('limits', () => {
  it('cuts off a server that trickles one byte at a time with the whole-body deadline', async () => {
    const strict = createHttpFetcher({ ...base, bodyTimeoutMs: 400 });
    try {
      const outcome = expectKind(await strict.fetch(server.url('/trickle')), 'error');
      expect(outcome.code).toBe('timeout');
      expect(outcome.message).toContain('did not arrive within 400 ms');
    } finally {
      await strict.close();
    }
  });

  it('times out waiting for headers', async () => {
    const strict = createHttpFetcher({ ...base, headersTimeoutMs: 300 });
    try {
      const outcome = expectKind(await strict.fetch(server.url('/no-headers')), 'error');
      expect(outcome.code).toBe('timeout');
      expect(outcome.message).toContain('headers');
    } finally {
      await strict.close();
    }
  });

  it('refuses a body whose Content-Length exceeds the cap', async () => {
    const outcome = expectKind(await fetcher.fetch(server.url('/big-declared')), 'error');
    expect(outcome.code).toBe('too-large');
  });

  it('cuts off a chunked body once it passes the cap', async () => {
    const outcome = expectKind(await fetcher.fetch(server.url('/big-chunked')), 'error');
    expect(outcome.code).toBe('too-large');
  });

  it.each(['/gzip', '/deflate', '/raw-deflate', '/br'])('decompresses %s', async (path) => {
    const outcome = expectKind(await fetcher.fetch(server.url(path)), 'ok');
    expect(Buffer.from(outcome.body).toString()).toBe(RSS);
  });

  it.each(['/gzip-bomb', '/deflate-bomb', '/raw-deflate-bomb', '/br-bomb'])(
    'stops the decompression bomb %s at the decompressed cap',
    async (path) => {
      const outcome = expectKind(await fetcher.fetch(server.url(path)), 'error');
      expect(outcome.code).toBe('too-large');
      expect(outcome.message).toContain('decompressed');
    },
  );

  it('reports a corrupt compressed body', async () => {
    const outcome = expectKind(await fetcher.fetch(server.url('/corrupt-gzip')), 'error');
    expect(outcome.code).toBe('parse');
  });

  it('keeps a feed served with the wrong Content-Type (the parser sniffs)', async () => {
    const outcome = expectKind(await fetcher.fetch(server.url('/text-plain')), 'ok');
    expect(Buffer.from(outcome.body).toString()).toBe(RSS);
  });

  it('refuses an image without reading it', async () => {
    const outcome = expectKind(await fetcher.fetch(server.url('/png')), 'error');
    expect(outcome.code).toBe('not-a-feed');
  });

  it.each(['/reset', '/reset-chunked'])('reports a connection cut mid-body (%s)', async (path) => {
    const outcome = expectKind(await fetcher.fetch(server.url(path)), 'error');
    expect(outcome.code).toBe('connect');
  });

  it('aborts when the caller signal fires', async () => {
    const controller = new AbortController();
    const pending = fetcher.fetch(server.url('/no-headers'), undefined, controller.signal);
    setTimeout(() => controller.abort(new DOMException('feed budget spent', 'TimeoutError')), 50);
    const outcome = expectKind(await pending, 'error');
    expect(outcome.code).toBe('timeout');
  });
});

describe('connection errors', () => {
  it('classifies a refused connection', async () => {
    const probe = createNetServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const outcome = expectKind(await fetcher.fetch(`http://127.0.0.1:${port}/feed`), 'error');
    expect(outcome.code).toBe('connect');
  });

  it('classifies an unknown host as dns', async () => {
    const outcome = expectKind(await fetcher.fetch('http://no-such-host.invalid/feed'), 'error');
    expect(outcome.code).toBe('dns');
  });

  it.each(['ftp://example.com/feed', 'not a url', 'file:///etc/passwd', 'javascript:alert(1)'])(
    'refuses %s as bad-url',
    async (url) => {
      const outcome = expectKind(await fetcher.fetch(url), 'error');
      expect(outcome.code).toBe('bad-url');
    },
  );
});

describe('SSRF guard (allowPrivate off)', () => {
  const guarded = createHttpFetcher({ ...base, allowPrivate: false });
  afterAll(() => guarded.close());

  it('refuses 127.0.0.1 itself before any request', async () => {
    const count = server.requests.length;
    const outcome = expectKind(await guarded.fetch(server.url('/feed')), 'error');
    expect(outcome.code).toBe('blocked-address');
    expect(server.requests.length).toBe(count);
  });

  it.each([
    'http://localhost/feed',
    'http://[::1]/feed',
    'http://[::ffff:127.0.0.1]/feed',
    'http://10.1.2.3/feed',
    'http://169.254.169.254/latest/meta-data',
    'http://0x7f.1/feed',
    'http://2130706433/feed',
  ])('refuses %s', async (url) => {
    const outcome = expectKind(await guarded.fetch(url), 'error');
    expect(outcome.code).toBe('blocked-address');
  });

  it('refuses a name that resolves to loopback at connect time (lookup hook)', async () => {
    // /etc/hosts maps this machine's name (or at least "localhost.localdomain"-like names) to
    // loopback; use the hostname only when it resolves there, else localhost6 / ip6-localhost.
    const { lookup } = await import('node:dns/promises');
    const { hostname } = await import('node:os');
    const candidates = [hostname(), 'ip6-localhost', 'localhost6'];
    let name: string | undefined;
    for (const candidate of candidates) {
      const found = await lookup(candidate).catch(() => undefined);
      if (found && /^(127\.|::1$)/.test(found.address)) {
        name = candidate;
        break;
      }
    }
    if (!name) return; // No loopback name besides "localhost" here; the literal cases still ran.
    const outcome = expectKind(await guarded.fetch(`http://${name}:${server.port}/feed`), 'error');
    expect(outcome.code).toBe('blocked-address');
  });
});

describe('per-host limit', () => {
  it('never has more than perHostLimit requests in flight on one host (200 feeds)', async () => {
    const farm = await startServer({
      '/slow': (_req, res) => {
        const timer = setTimeout(() => res.writeHead(200).end(RSS), 5);
        res.on('close', () => clearTimeout(timer));
      },
    });
    const limited = createHttpFetcher({ ...base, perHostLimit: 2 });
    try {
      const outcomes = await Promise.all(
        Array.from({ length: 200 }, (_, i) => limited.fetch(farm.url(`/slow?feed=${i}`))),
      );
      expect(outcomes.every((o) => o.kind === 'ok')).toBe(true);
      expect(farm.requests.length).toBe(200);
      expect(farm.maxInFlight).toBeLessThanOrEqual(2);
      expect(farm.maxInFlight).toBeGreaterThanOrEqual(1);
    } finally {
      await limited.close();
      await farm.close();
    }
  });
});

describe('proxy', () => {
  it('tunnels through HTTP_PROXY and bypasses it for NO_PROXY hosts', async () => {
    const tunnels: string[] = [];
    const proxy = createHttpServer((_req, res) => res.writeHead(405).end());
    const open = new Set<Socket>();
    proxy.on('connect', (req, clientSocket: Socket, head: Buffer) => {
      tunnels.push(req.url ?? '');
      const [host = '', port = '80'] = (req.url ?? '').split(':');
      const upstream = netConnect(Number(port), host, () => {
        clientSocket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(clientSocket);
        clientSocket.pipe(upstream);
      });
      open.add(upstream).add(clientSocket);
      upstream.on('error', () => clientSocket.destroy());
      clientSocket.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const viaProxy = createHttpFetcher({ ...base, env: { HTTP_PROXY: proxyUrl } });
    const bypass = createHttpFetcher({
      ...base,
      env: { HTTP_PROXY: proxyUrl, NO_PROXY: 'example.org, 127.0.0.1' },
    });
    try {
      expectKind(await viaProxy.fetch(server.url('/feed')), 'ok');
      expect(tunnels).toEqual([`127.0.0.1:${server.port}`]);
      expectKind(await bypass.fetch(server.url('/feed')), 'ok');
      expect(tunnels).toHaveLength(1);
    } finally {
      await viaProxy.close();
      await bypass.close();
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });
});

describe('helpers', () => {
  it('reads Cache-Control max-age minus Age, else Expires against the server Date', () => {
    const now = Date.parse('2026-11-22T00:00:00Z');
    expect(cacheNotBefore({ 'cache-control': 'max-age=600', age: '100' }, now)).toBe(
      '2026-11-22T00:08:20.000Z',
    );
    expect(cacheNotBefore({ 'cache-control': 'no-cache, max-age=600' }, now)).toBeUndefined();
    expect(
      cacheNotBefore(
        { expires: 'Sun, 22 Nov 2026 01:00:00 GMT', date: 'Sun, 22 Nov 2026 00:30:00 GMT' },
        now,
      ),
    ).toBe('2026-11-22T00:30:00.000Z');
    expect(cacheNotBefore({ expires: '0' }, now)).toBeUndefined();
  });

  it('parses Retry-After', () => {
    const now = Date.parse('2026-11-22T00:00:00Z');
    expect(parseRetryAfter('30', now)).toBe('2026-11-22T00:00:30.000Z');
    expect(parseRetryAfter('Sun, 22 Nov 2026 02:00:00 GMT', now)).toBe('2026-11-22T02:00:00.000Z');
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('SSRF guard on every hop (narrowed policy: 127.0.0.1 allowed, the rest of 127/8 refused)', () => {
  const policy = (address: string) =>
    address === '127.0.0.1' || address === '::ffff:127.0.0.1' ? undefined : 'test-blocked';
  let inner: TestServer;
  let outer: TestServer;
  const guarded = createHttpFetcher({ ...base, allowPrivate: false, addressPolicy: policy });
  beforeAll(async () => {
    inner = await startServer(
      { '/secret': (_req, res) => res.writeHead(200).end('secret') },
      '127.0.0.2',
    );
    outer = await startServer({
      '/to-literal': (_req, res) => res.writeHead(302, { location: inner.url('/secret') }).end(),
      '/to-name': (_req, res) =>
        res.writeHead(302, { location: `http://localhost:${inner.port}/secret` }).end(),
      '/feed': (_req, res) => res.writeHead(200).end(RSS),
    });
  });
  afterAll(async () => {
    await guarded.close();
    await inner.close();
    await outer.close();
  });

  it('allows what the policy allows', async () => {
    expectKind(await guarded.fetch(outer.url('/feed')), 'ok');
  });

  it('refuses a redirect to a refused literal address without contacting it', async () => {
    const outcome = expectKind(await guarded.fetch(outer.url('/to-literal')), 'error');
    expect(outcome.code).toBe('blocked-address');
    expect(outcome.redirects).toHaveLength(1);
    expect(inner.requests).toHaveLength(0);
  });

  it('refuses a redirect to localhost by name', async () => {
    const outcome = expectKind(await guarded.fetch(outer.url('/to-name')), 'error');
    expect(outcome.code).toBe('blocked-address');
    expect(inner.requests).toHaveLength(0);
  });
});

describe('TLS', () => {
  it('classifies a self-signed certificate as tls', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { createServer } = await import('node:https');
    const dir = mkdtempSync(join(tmpdir(), 'orrery-tls-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore', timeout: 30_000 },
      );
    } catch {
      rmSync(dir, { recursive: true, force: true });
      return; // No openssl here: the classification table is still covered by classify.test.ts.
    }
    const server = createServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (_req, res) => res.writeHead(200).end(RSS),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const outcome = expectKind(await fetcher.fetch(`https://127.0.0.1:${port}/feed`), 'error');
      expect(outcome.code).toBe('tls');
      expect(outcome.message).toMatch(/self.signed|certificate/i);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('validators with control characters', () => {
  it('are not sent, and the fetch still works', async () => {
    const outcome = await fetcher.fetch(server.url('/feed'), { etag: '"v1"\r\nX-Evil: 1' });
    expectKind(outcome, 'ok');
    expect(server.requests.at(-1)?.headers['if-none-match']).toBeUndefined();
    expect(server.requests.at(-1)?.headers['x-evil']).toBeUndefined();
  });
});

describe('DNS cache', () => {
  it('answers concurrent and repeated lookups of one name with one lookup, failures included', async () => {
    const { createDnsCache } = await import('./http-fetcher.js');
    const calls: string[] = [];
    const lookup = createDnsCache(60_000, 60_000, (host, options, callback) => {
      calls.push(`${host}/${options.family ?? 0}`);
      setTimeout(() => {
        if (host.endsWith('.invalid')) {
          const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${host}`);
          error.code = 'ENOTFOUND';
          callback(error, []);
        } else callback(null, [{ address: '192.0.2.1', family: 4 }]);
      }, 5);
    });
    const ask = (host: string, family?: number) =>
      new Promise<{ error: string | undefined; n: number }>((resolve) =>
        lookup(host, { family }, (error, addresses) =>
          resolve({ error: error?.code, n: addresses.length }),
        ),
      );
    const [a, b] = await Promise.all([ask('example.org'), ask('example.org')]);
    expect(a).toEqual({ error: undefined, n: 1 });
    expect(b).toEqual(a);
    expect(await ask('example.org')).toEqual(a);
    expect(calls).toEqual(['example.org/0']);
    const missing = await ask('no-such-host.invalid');
    expect(missing).toEqual({ error: 'ENOTFOUND', n: 0 });
    const again = await ask('no-such-host.invalid');
    expect(again).toEqual(missing);
    expect(calls).toEqual(['example.org/0', 'no-such-host.invalid/0']);
    await ask('example.org', 6);
    expect(calls).toHaveLength(3);
  });

  it('asks again once an answer has expired', async () => {
    const { createDnsCache } = await import('./http-fetcher.js');
    let calls = 0;
    const lookup = createDnsCache(0, 0, (_host, _options, callback) => {
      calls++;
      callback(null, [{ address: '192.0.2.1', family: 4 }]);
    });
    const ask = () => new Promise<void>((resolve) => lookup('example.org', {}, () => resolve()));
    await ask();
    await new Promise((r) => setTimeout(r, 2));
    await ask();
    expect(calls).toBe(2);
  });
});

describe('a kept-alive connection the server closes as it is reused', () => {
  it('sends the GET again on a new connection, once', async () => {
    const served = new WeakMap<object, number>();
    const sockets = new Set<object>();
    const flaky = await startServer({
      '/feed': (req, res) => {
        sockets.add(req.socket);
        const n = (served.get(req.socket) ?? 0) + 1;
        served.set(req.socket, n);
        // The second request on a connection: the server's idle timeout won the race.
        if (n > 1) req.socket.destroy();
        else res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(RSS);
      },
    });
    const client = createHttpFetcher({ ...base, perHostLimit: 1 });
    try {
      expectKind(await client.fetch(flaky.url('/feed')), 'ok');
      const again = expectKind(await client.fetch(flaky.url('/feed')), 'ok');
      expect(Buffer.from(again.body).toString()).toBe(RSS);
      // The reused connection, then a new one.
      expect(flaky.requests).toHaveLength(3);
      expect(sockets.size).toBe(2);
    } finally {
      await client.close();
      await flaky.close();
    }
  });

  it('does not try a third time: a server that always drops the connection fails the feed', async () => {
    const dropping = await startServer({ '/feed': (req) => req.socket.destroy() });
    try {
      const outcome = expectKind(await fetcher.fetch(dropping.url('/feed')), 'error');
      expect(outcome.code).toBe('connect');
      expect(dropping.requests).toHaveLength(2);
    } finally {
      await dropping.close();
    }
  });
});

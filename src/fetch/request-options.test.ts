/**
 * A feed's own request settings (planet.toml [[feeds]] user_agent, timeout, headers) as the
 * server sees them, over real loopback servers: what arrives, what a redirect to another origin
 * loses, and that no header value ever shows in an outcome.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpFetcher, type HttpFetcherOptions } from './http-fetcher.js';
import { expectKind, TEST_FETCHER_OPTIONS } from './testdata/fetcher-options.js';
import { RSS, startServer, type TestServer } from './testdata/serve.js';

const SECRET = 'Bearer s3cr3t-7f1e';
const base: HttpFetcherOptions = {
  ...TEST_FETCHER_OPTIONS,
  headers: { 'x-planet': 'run-wide', accept: 'application/rss+xml' },
};

let origin: TestServer;
let other: TestServer;
const fetcher = createHttpFetcher(base);

/** Answers after `ms` (the server side of a slow feed). */
const slowAnswer = (ms: number) => (_req: unknown, res: import('node:http').ServerResponse) => {
  const timer = setTimeout(() => res.writeHead(200).end(RSS), ms);
  res.on('close', () => clearTimeout(timer));
};

beforeAll(async () => {
  other = await startServer({ '/feed': (_req, res) => res.writeHead(200).end(RSS) }, '127.0.0.2');
  origin = await startServer({
    '/feed': (_req, res) => res.writeHead(200).end(RSS),
    '/here': (_req, res) => res.writeHead(301, { location: '/feed' }).end(),
    '/away': (_req, res) => res.writeHead(301, { location: other.url('/feed') }).end(),
    '/away-and-back': (_req, res) => res.writeHead(302, { location: other.url('/bounce') }).end(),
    '/private': (req, res) => {
      if (req.headers.authorization !== SECRET) res.writeHead(401).end('who are you?');
      else res.writeHead(200).end(RSS);
    },
    // Well past the tight fetcher's timeouts: undici checks them on a ~0.5 s tick.
    '/slow-headers': slowAnswer(2500),
    '/slow-body': (_req, res) => {
      res.writeHead(200);
      const timer = setInterval(() => res.write(' '), 100);
      res.on('close', () => clearInterval(timer));
    },
  });
  other.requests.length = 0;
});

afterAll(async () => {
  await fetcher.close();
  await origin.close();
  await other.close();
});

describe("a feed's own request settings, from the server's side", () => {
  it('sends the feed User-Agent instead of the run one, and only for that feed', async () => {
    expectKind(await fetcher.fetch(origin.url('/feed'), undefined, undefined, {}), 'ok');
    expect(origin.requests.at(-1)?.headers['user-agent']).toBe('Orrery-test/1');
    expectKind(
      await fetcher.fetch(origin.url('/feed'), undefined, undefined, {
        userAgent: 'PickyServer/2 (+https://planet.example/)',
      }),
      'ok',
    );
    expect(origin.requests.at(-1)?.headers['user-agent']).toBe(
      'PickyServer/2 (+https://planet.example/)',
    );
  });

  it('sends the run headers and the feed headers, the feed winning per name', async () => {
    const outcome = await fetcher.fetch(origin.url('/private'), undefined, undefined, {
      headers: { authorization: SECRET, 'x-planet': 'this-feed' },
    });
    expectKind(outcome, 'ok');
    const sent = origin.requests.at(-1)?.headers;
    expect(sent?.authorization).toBe(SECRET);
    expect(sent?.['x-planet']).toBe('this-feed');
    // An extra header may replace Accept; the fetcher's own headers stay its own.
    expect(sent?.accept).toBe('application/rss+xml');
    expect(sent?.['accept-encoding']).toContain('gzip');
  });

  it('without the feed headers, the private feed is refused (the header is what opens it)', async () => {
    const outcome = expectKind(await fetcher.fetch(origin.url('/private')), 'error');
    expect(outcome.status).toBe(401);
  });

  it('keeps Authorization and Cookie on a redirect within the origin', async () => {
    const outcome = await fetcher.fetch(origin.url('/here'), undefined, undefined, {
      headers: { authorization: SECRET, cookie: 'session=abc' },
    });
    expectKind(outcome, 'ok');
    const sent = origin.requests.at(-1);
    expect(sent?.url).toBe('/feed');
    expect(sent?.headers.authorization).toBe(SECRET);
    expect(sent?.headers.cookie).toBe('session=abc');
  });

  it('drops Authorization and Cookie on a redirect to another origin, keeps the rest', async () => {
    other.requests.length = 0;
    const outcome = await fetcher.fetch(origin.url('/away'), undefined, undefined, {
      headers: { authorization: SECRET, cookie: 'session=abc', 'x-feed': 'kept' },
      userAgent: 'PickyServer/2',
    });
    expectKind(outcome, 'ok');
    expect(origin.requests.at(-1)?.headers.authorization).toBe(SECRET);
    const sent = other.requests.at(-1)?.headers;
    expect(sent).toBeDefined();
    expect(sent?.authorization).toBeUndefined();
    expect(sent?.cookie).toBeUndefined();
    expect(sent?.['x-feed']).toBe('kept');
    expect(sent?.['x-planet']).toBe('run-wide');
    expect(sent?.['user-agent']).toBe('PickyServer/2');
  });

  it('never sends URL credentials to another origin either', async () => {
    other.requests.length = 0;
    const withUser = origin.url('/away').replace('http://', 'http://ada:pw@');
    expectKind(await fetcher.fetch(withUser), 'ok');
    expect(origin.requests.at(-1)?.headers.authorization).toMatch(/^Basic /);
    expect(other.requests.at(-1)?.headers.authorization).toBeUndefined();
  });

  it('a longer feed timeout lets a slow server answer after the run timeouts have passed', async () => {
    const tight = createHttpFetcher({ ...base, headersTimeoutMs: 400, bodyTimeoutMs: 400 });
    try {
      const short = expectKind(await tight.fetch(origin.url('/slow-headers')), 'error');
      expect(short.code).toBe('timeout');
      const outcome = await tight.fetch(origin.url('/slow-headers'), undefined, undefined, {
        timeoutMs: 5000,
      });
      expectKind(outcome, 'ok');
    } finally {
      await tight.close();
    }
  });

  it('a shorter feed timeout bounds the whole fetch, and the message names it', async () => {
    const outcome = expectKind(
      await fetcher.fetch(origin.url('/slow-body'), undefined, undefined, { timeoutMs: 500 }),
      'error',
    );
    expect(outcome.code).toBe('timeout');
    expect(outcome.message).toContain("feed's timeout of 500 ms");
  });

  it('never puts a header value in an outcome, whatever happens', async () => {
    const headers = { authorization: SECRET, cookie: 'session=abc' };
    const outcomes = await Promise.all(
      ['/private', '/away', '/missing', '/slow-body'].map((path) =>
        fetcher.fetch(origin.url(path), undefined, undefined, { headers, timeoutMs: 400 }),
      ),
    );
    const text = JSON.stringify(outcomes.map((o) => ({ ...o, body: undefined })));
    expect(text).not.toContain('s3cr3t');
    expect(text).not.toContain('session=abc');
  });
});

describe('admitting a big body', () => {
  it('asks before inflating one over 1 MB, not for a small one nor a 304', async () => {
    let asked = 0;
    const bomb = gzipSync(Buffer.alloc(8 << 20));
    const zipped = await startServer({
      '/bomb': (_req, res) => res.writeHead(200, { 'content-encoding': 'gzip' }).end(bomb),
      '/big': (_req, res) => res.writeHead(200).end(Buffer.alloc(2 << 20, 0x20)),
      '/feed': (req, res) => {
        if (req.headers['if-none-match'] === '"v1"') res.writeHead(304, { etag: '"v1"' }).end();
        else res.writeHead(200, { 'content-encoding': 'gzip', etag: '"v1"' }).end(gzipSync(RSS));
      },
    });
    try {
      const refused = await fetcher.fetch(zipped.url('/bomb'), undefined, undefined, {
        admit: async () => {
          asked++;
          return false;
        },
      });
      // A timeout, not too-large: the bomb was never inflated.
      expect(expectKind(refused, 'error').code).toBe('timeout');
      const admit = async () => {
        asked++;
        return true;
      };
      const ok = expectKind(
        await fetcher.fetch(zipped.url('/feed'), undefined, undefined, { admit }),
        'ok',
      );
      expect(Buffer.from(ok.body).toString()).toBe(RSS);
      expectKind(
        await fetcher.fetch(zipped.url('/feed'), ok.validators, undefined, { admit }),
        'not-modified',
      );
      expect(asked).toBe(1);
      const roomy = createHttpFetcher({
        ...base,
        maxBodyBytes: 4 << 20,
        maxDecompressedBytes: 4 << 20,
      });
      try {
        const big = await roomy.fetch(zipped.url('/big'), undefined, undefined, { admit });
        expect(expectKind(big, 'ok').body.byteLength).toBe(2 << 20);
        expect(asked).toBe(2);
      } finally {
        await roomy.close();
      }
    } finally {
      await zipped.close();
    }
  });
});

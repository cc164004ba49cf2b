import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpFetcher } from '../fetch/http-fetcher.js';
import { RSS, startServer, type TestServer } from '../fetch/testdata/serve.js';
import { runQueue } from './run-queue.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Job {
  host: string;
  id: number;
  ms: number;
}

function jobs(host: string, count: number, ms: number, from = 0): Job[] {
  return Array.from({ length: count }, (_, i) => ({ host, id: from + i, ms }));
}

describe('runQueue', () => {
  it('keeps global and per-host limits and returns results in item order', async () => {
    const items = [...jobs('a', 20, 3), ...jobs('b', 20, 3, 20), ...jobs('c', 5, 3, 40)];
    let active = 0;
    let maxActive = 0;
    const perHost = new Map<string, number>();
    let maxPerHost = 0;
    const settledOrder: number[] = [];
    const results = await runQueue(
      items,
      async (job) => {
        active++;
        maxActive = Math.max(maxActive, active);
        const n = (perHost.get(job.host) ?? 0) + 1;
        perHost.set(job.host, n);
        maxPerHost = Math.max(maxPerHost, n);
        await tick(job.ms);
        perHost.set(job.host, (perHost.get(job.host) ?? 1) - 1);
        active--;
        return job.id * 10;
      },
      {
        concurrency: 5,
        perHostLimit: 2,
        hostOf: (job) => job.host,
        onSettled: (job) => settledOrder.push(job.id),
      },
    );
    expect(results).toEqual(items.map((job) => job.id * 10));
    expect(maxActive).toBeLessThanOrEqual(5);
    expect(maxPerHost).toBeLessThanOrEqual(2);
    expect(settledOrder).toHaveLength(items.length);
  });

  it('does not let one slow host occupy every slot', async () => {
    const slow = jobs('slow', 30, 40);
    const fast = jobs('fast', 10, 1, 100);
    const finished: string[] = [];
    await runQueue(
      [...slow, ...fast],
      async (job) => {
        await tick(job.ms);
        finished.push(job.host);
        return job.id;
      },
      { concurrency: 4, perHostLimit: 2, hostOf: (job) => job.host },
    );
    // Every fast item is done before the slow host has got through a quarter of its queue.
    const lastFast = finished.lastIndexOf('fast');
    const slowBeforeLastFast = finished.slice(0, lastFast).filter((h) => h === 'slow').length;
    expect(slowBeforeLastFast).toBeLessThan(8);
  });

  it('aborts an item whose budget is spent', async () => {
    const results = await runQueue(
      [1, 2],
      (n, signal) =>
        new Promise<string>((resolve) => {
          if (n === 1) return resolve('quick');
          signal.addEventListener('abort', () =>
            resolve(`aborted: ${(signal.reason as DOMException).name}`),
          );
        }),
      { concurrency: 2, perHostLimit: 2, hostOf: () => 'h', perItemTimeoutMs: 50 },
    );
    expect(results).toEqual(['quick', 'aborted: TimeoutError']);
  });

  it('abandons a worker that ignores its signal when onTimeout is given (hard budget)', async () => {
    const never = new Promise<string>(() => undefined);
    const results = await runQueue(
      ['stuck', 'fine'],
      (name) => (name === 'stuck' ? never : Promise.resolve('ok')),
      {
        concurrency: 1,
        perHostLimit: 1,
        hostOf: () => 'h',
        perItemTimeoutMs: 30,
        graceMs: 20,
        onTimeout: (name) => `${name}: timed out`,
      },
    );
    expect(results).toEqual(['stuck: timed out', 'ok']);
  });

  it('rejects when a worker throws, after the running ones settle, and starts nothing new', async () => {
    const started: number[] = [];
    let runningSettled = false;
    const run = runQueue(
      [1, 2, 3, 4, 5, 6],
      async (n, signal) => {
        started.push(n);
        if (n === 1) {
          await tick(5);
          throw new Error('store/sqlite: disk gone');
        }
        await new Promise((resolve) => signal.addEventListener('abort', resolve));
        runningSettled = true;
        return n;
      },
      { concurrency: 2, perHostLimit: 2, hostOf: () => 'h' },
    );
    await expect(run).rejects.toThrow('store/sqlite: disk gone');
    expect(started).toEqual([1, 2]);
    expect(runningSettled).toBe(true);
  });

  it('stops on the run signal: running items abort, the rest are skipped', async () => {
    const controller = new AbortController();
    const run = runQueue(
      [1, 2, 3, 4],
      (n, signal) =>
        new Promise<string>((resolve) => {
          if (n === 1) setTimeout(() => controller.abort(new Error('interrupted')), 10);
          signal.addEventListener('abort', () => resolve(`${n} aborted`));
        }),
      {
        concurrency: 2,
        perHostLimit: 2,
        hostOf: () => 'h',
        signal: controller.signal,
        onSkipped: (n) => `${n} skipped`,
      },
    );
    expect(await run).toEqual(['1 aborted', '2 aborted', '3 skipped', '4 skipped']);
  });

  it('rejects on an aborted run without onSkipped, and resolves an empty list', async () => {
    await expect(
      runQueue([1], async (n) => n, {
        concurrency: 1,
        perHostLimit: 1,
        hostOf: () => 'h',
        signal: AbortSignal.abort(new Error('stop')),
      }),
    ).rejects.toThrow('stop');
    expect(
      await runQueue([], async (n: number) => n, {
        concurrency: 1,
        perHostLimit: 1,
        hostOf: () => 'h',
      }),
    ).toEqual([]);
  });
});

describe('runQueue with the HTTP fetcher', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({
      '/feed': (_req, res) => {
        const timer = setTimeout(() => res.writeHead(200).end(RSS), 3);
        res.on('close', () => clearTimeout(timer));
      },
    });
  });
  afterAll(() => server.close());

  it('200 feeds on one host under a per-host limit of 2: never more than 2 in flight at the server', async () => {
    // The fetcher itself would allow 16 connections: the run queue's limit is what holds.
    const fetcher = createHttpFetcher({
      connectTimeoutMs: 2000,
      headersTimeoutMs: 2000,
      bodyTimeoutMs: 2000,
      maxBodyBytes: 1 << 20,
      maxDecompressedBytes: 1 << 22,
      maxRedirects: 5,
      perHostLimit: 16,
      userAgent: 'Orrery-test',
      allowPrivate: true,
    });
    try {
      const urls = Array.from({ length: 200 }, (_, i) => server.url(`/feed?n=${i}`));
      const outcomes = await runQueue(
        urls,
        (url, signal) => fetcher.fetch(url, undefined, signal),
        {
          concurrency: 50,
          perHostLimit: 2,
          hostOf: (url) => new URL(url).host,
          perItemTimeoutMs: 10_000,
        },
      );
      expect(outcomes.filter((o) => o.kind === 'ok')).toHaveLength(200);
      expect(server.requests).toHaveLength(200);
      expect(server.maxInFlight).toBeLessThanOrEqual(2);
      expect(server.maxInFlight).toBe(2);
    } finally {
      await fetcher.close();
    }
  });
});

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { leanPoolFactory, SmallQueue, slimPoolQueue } from './lean-pool.js';
import { loadUndiciLite } from './undici-lite.js';

describe('SmallQueue', () => {
  it('gives items back first in, first out, then null', () => {
    const q = new SmallQueue<number>();
    expect(q.isEmpty()).toBe(true);
    expect(q.shift()).toBeNull();
    q.push(1);
    q.push(2);
    expect(q.shift()).toBe(1);
    q.push(3);
    expect(q.isEmpty()).toBe(false);
    expect([q.shift(), q.shift(), q.shift()]).toEqual([2, 3, null]);
    expect(q.isEmpty()).toBe(true);
  });
});

describe('leanPoolFactory', () => {
  const { Agent, Pool, Client, request } = loadUndiciLite();

  it("replaces the installed undici's pool queue (else an upgrade changed its layout)", async () => {
    const pool = new Pool('http://127.0.0.1:9', { connections: 2 });
    expect(slimPoolQueue(pool)).toBe(true);
    expect(slimPoolQueue(pool)).toBe(false);
    await pool.close();
  });

  it('serves more requests at once than a host has connections, in order of arrival', async () => {
    let open = 0;
    let most = 0;
    const server = createServer((req, res) => {
      open++;
      most = Math.max(most, open);
      setTimeout(() => {
        open--;
        res.end(req.url);
      }, 20);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const agent = new Agent({ connections: 2, factory: leanPoolFactory(Pool, Client) });
    try {
      const bodies = await Promise.all(
        Array.from({ length: 9 }, async (_, i) => {
          const res = await request.call(agent, {
            origin: `http://127.0.0.1:${port}`,
            path: `/${i}`,
            method: 'GET',
          });
          return res.body.text();
        }),
      );
      expect(bodies).toEqual(Array.from({ length: 9 }, (_, i) => `/${i}`));
      expect(most).toBe(2);
    } finally {
      await agent.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

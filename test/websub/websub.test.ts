/**
 * WebSub both ways, end to end on loopback against the spec-following test hub (hub.ts):
 * the subscriber discovers the hub from the feed's Link header, subscribes with a secret,
 * answers verification only for its pending request, stores signed fat pings (partial feeds add
 * entries), drops badly signed ones with a 2xx, refuses oversized ones, renews leases, and falls
 * back to polling on denial, expiry or a hub that never verifies; the publisher's feeds announce
 * the hub and `serve` and `run` ping it after a publish.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlanetServerOptions } from '../../src/serve/planet-server.js';
import {
  atomDocument,
  eventually,
  type FeedFarm,
  freePort,
  planetToml,
  startFeedFarm,
  startTestPlanet,
  type TestPlanet,
} from '../../src/serve/testdata/test-planet.js';
import { createHubClient } from '../../src/serve/websub/hub-client.js';
import { runCli, withTempDir } from '../helpers.js';
import { startTestHub, type TestHub } from './hub.js';

let farm: FeedFarm | undefined;
let hub: TestHub | undefined;
let planet: TestPlanet | undefined;

afterEach(async () => {
  await planet?.close();
  await farm?.close();
  await hub?.close();
  planet = farm = hub = undefined;
});

const ITEM = { id: 'p1', title: 'Polled post', date: '2026-11-20T10:00:00Z' };

/** A farm feed that names the hub in its Link header, and a planet serving it with a public URL. */
async function pushedPlanet(
  hubOptions: Parameters<typeof startTestHub>[0] = {},
  server: Partial<PlanetServerOptions> = {},
) {
  hub = await startTestHub(hubOptions);
  farm = await startFeedFarm();
  const topic = `${farm.base}/blog.xml`;
  farm.feeds.set('/blog.xml', {
    path: '/blog.xml',
    title: 'Pushed Blog',
    items: [{ ...ITEM }],
    headers: { link: `<${hub.url}>; rel="hub", <${topic}>; rel="self"` },
  });
  planet = await startTestPlanet({
    feeds: [topic],
    publicUrl: true,
    server: { ...server, timings: { verifyTimeoutMs: 1500, ...server.timings } },
  });
  const feed = await eventually(() => planet?.store.getFeedByUrl(topic));
  return { topic, feed, hub, farm, planet };
}

/** Both sides agree the subscription holds: ours is active and the hub lists it. */
async function subscribed(planet: TestPlanet, hub: TestHub, feedId: number) {
  await eventually(() => websubState(planet, feedId));
  return eventually(() => [...hub.subscriptions.values()][0]);
}

const websubState = async (p: TestPlanet, feedId: number) => {
  const pushed = await p.server.subscriber?.pushedFeedIds();
  return pushed?.has(feedId) ? 'active' : undefined;
};

describe('WebSub subscriber', () => {
  it('subscribes through the Link header, verifies, and stores a signed fat ping as new entries', async () => {
    const { topic, feed, hub, planet } = await pushedPlanet();
    const sub = await eventually(() =>
      [...hub.subscriptions.values()].find((s) => s.topic === topic),
    );
    expect(sub.callback.startsWith(planet.server.url)).toBe(true);
    expect(sub.secret).toMatch(/^[0-9a-f]{64}$/);
    await eventually(() => websubState(planet, feed.id));

    // A partial feed: only the new entry. It adds, and removes none.
    const partial = atomDocument({
      path: '/blog.xml',
      title: 'Pushed Blog',
      items: [{ id: 'w1', title: 'Pushed post', date: '2026-11-22T09:00:00Z' }],
    });
    expect(await hub.distribute(topic, partial, 'application/atom+xml')).toEqual([204]);
    const titles = (await planet.store.listEntries({ feedId: feed.id })).map((e) => e.title).sort();
    expect(titles).toEqual(['Polled post', 'Pushed post']);
    await eventually(async () =>
      (await (await fetch(planet.server.url)).text()).includes('Pushed post'),
    );
    const metrics = await (await fetch(new URL('/metrics', planet.server.url))).text();
    expect(metrics).toMatch(/orrery_websub_subscriptions\{state="active"\} 1/);
    expect(metrics).toMatch(/orrery_entries_stored_total\{via="push"\} 1/);
  });

  it('polls a pushed feed only daily, as a safety net', async () => {
    const { feed, planet } = await pushedPlanet();
    await eventually(() => websubState(planet, feed.id));
    planet.server.loop.refresh(feed.url);
    await eventually(async () => {
      const now = await planet.store.getFeed(feed.id);
      return now?.nextDueAt && Date.parse(now.nextDueAt) - Date.now() > 23 * 3600_000;
    });
  });

  it('acknowledges and drops content with a wrong or missing signature', async () => {
    const { topic, feed, hub, planet } = await pushedPlanet();
    await subscribed(planet, hub, feed.id);
    const forged = atomDocument({
      path: '/blog.xml',
      title: 'x',
      items: [{ id: 'f1', title: 'Forged post', date: '2026-11-22T09:00:00Z' }],
    });
    expect(
      await hub.distribute(topic, forged, 'application/atom+xml', { secret: 'not-the-secret' }),
    ).toEqual([202]);
    const sub = await subscribed(planet, hub, feed.id);
    const unsigned = await fetch(sub.callback, {
      method: 'POST',
      headers: { 'content-type': 'application/atom+xml' },
      body: forged,
    });
    expect(unsigned.status).toBe(202);
    expect((await planet.store.listEntries({ feedId: feed.id })).map((e) => e.title)).toEqual([
      'Polled post',
    ]);
    const metrics = await (await fetch(new URL('/metrics', planet.server.url))).text();
    expect(metrics).toMatch(/orrery_rejected_requests_total\{reason="websub-signature"\} 2/);
  });

  it('refuses an oversized push with 413 and stores nothing', async () => {
    const { feed, hub, planet } = await pushedPlanet();
    const sub = await subscribed(planet, hub, feed.id);
    const huge = 'x'.repeat(6 * 1024 * 1024);
    const res = await fetch(sub.callback, {
      method: 'POST',
      headers: { 'content-type': 'application/atom+xml' },
      body: huge,
    });
    expect(res.status).toBe(413);
    expect(await planet.store.countEntries({ feedId: feed.id })).toBe(1);
    expect((await fetch(new URL('/healthz', planet.server.url))).status).toBe(200);
  });

  it('answers verification only for a pending request of that topic and mode; 404 otherwise', async () => {
    const { topic, feed, hub, planet } = await pushedPlanet();
    const sub = await subscribed(planet, hub, feed.id);
    const verify = (callback: string, params: Record<string, string>) => {
      const url = new URL(callback);
      for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
      return fetch(url);
    };
    const unknown = new URL('websub/not-a-subscription', planet.server.url).href;
    expect(
      (await verify(unknown, { 'hub.mode': 'subscribe', 'hub.topic': topic, 'hub.challenge': 'c' }))
        .status,
    ).toBe(404);
    // Active, nothing pending: a replayed verification is not answered.
    expect(
      (
        await verify(sub.callback, {
          'hub.mode': 'subscribe',
          'hub.topic': topic,
          'hub.challenge': 'c',
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await verify(sub.callback, {
          'hub.mode': 'unsubscribe',
          'hub.topic': topic,
          'hub.challenge': 'c',
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await verify(sub.callback, {
          'hub.mode': 'subscribe',
          'hub.topic': `${topic}?other`,
          'hub.challenge': 'c',
        })
      ).status,
    ).toBe(404);
    expect((await verify(sub.callback, { 'hub.topic': topic })).status).toBe(400);
    const post = await fetch(unknown, { method: 'POST', body: 'x' });
    expect(post.status).toBe(404);
    expect(await websubState(planet, feed.id)).toBe('active');
  });

  it('renews before the lease ends', async () => {
    const { topic, feed, hub, planet } = await pushedPlanet({ leaseSeconds: 2 });
    await eventually(() => websubState(planet, feed.id));
    await eventually(
      () => hub.requests.filter((r) => r.topic === topic && r.mode === 'subscribe').length >= 3,
    );
    expect(await websubState(planet, feed.id)).toBe('active');
    expect(hub.failedVerifications).toEqual([]);
  });

  it('falls back to polling when the hub denies the subscription', async () => {
    const { feed, farm, planet } = await pushedPlanet({ deny: () => true });
    await eventually(async () => planet.logs.some((l) => l.includes('"msg":"websub: denied"')));
    expect(await websubState(planet, feed.id)).toBeUndefined();
    // Still polled as before: its next fetch is at the ordinary interval, not a day away.
    const stored = await planet.store.getFeed(feed.id);
    expect(Date.parse(stored?.nextDueAt ?? '') - Date.now()).toBeLessThan(3600_000 + 60_000);
    expect(farm.requests.length).toBeGreaterThan(0);
  });

  it('gives up on a hub that never verifies (the feed stays polled)', async () => {
    const { feed, hub, planet } = await pushedPlanet({ verify: false });
    await eventually(() => hub.requests.length > 0);
    await eventually(() => planet.logs.some((l) => l.includes('"msg":"websub: failed"')));
    expect(await websubState(planet, feed.id)).toBeUndefined();
  });

  it('polls the feed at once when its lease expires unrenewed', async () => {
    const { feed, hub, farm, planet } = await pushedPlanet({ leaseSeconds: 1 });
    await eventually(() => websubState(planet, feed.id));
    hub.options.verify = false; // renewals are never verified: the lease runs out
    const before = farm.requests.length;
    await eventually(() => planet.logs.some((l) => l.includes('"msg":"websub: expired"')));
    expect(await websubState(planet, feed.id)).toBeUndefined();
    await eventually(() => farm.requests.length > before);
  });

  it('keeps serving while a hub answers slowly, then gives the request up', async () => {
    const hubs = createHubClient({ userAgent: 'test', allowPrivate: true, timeoutMs: 500 });
    const { feed, planet } = await pushedPlanet({ slowMs: 3000 }, { hubClient: hubs });
    const res = await fetch(planet.server.url);
    expect(res.status).toBe(200);
    await eventually(() => planet.logs.some((l) => l.includes('"msg":"websub: failed"')));
    expect(await websubState(planet, feed.id)).toBeUndefined();
  });

  it('subscribes to nothing without --public-url, and says so', async () => {
    hub = await startTestHub();
    farm = await startFeedFarm();
    farm.feeds.set('/blog.xml', {
      path: '/blog.xml',
      title: 'B',
      items: [ITEM],
      headers: { link: `<${hub.url}>; rel="hub"` },
    });
    planet = await startTestPlanet({ feeds: [`${farm.base}/blog.xml`] });
    await eventually(() => farm?.requests.length);
    expect(planet.logs.some((l) => l.includes('no --public-url'))).toBe(true);
    expect(hub.requests).toEqual([]);
    expect((await fetch(new URL('/websub/anything', planet.server.url))).status).toBe(404);
  });
});

describe('WebSub subscriptions in the store', () => {
  /** Two passes of the (restarted) server done, and its requests to hubs settled. */
  async function settled(p: TestPlanet) {
    const first = await eventually(() => p.server.loop.lastPassAt);
    await eventually(() => (p.server.loop.lastPassAt ?? first) > first && p.server.loop.lastPassAt);
    await p.server.subscriber?.settle();
  }

  /**
   * A hub, a farm feed whose server names it in its Link header (`link` says how), and a planet
   * folder kept between starts; `start` opens `orrery serve` on it (the planet is closed by the
   * test or by afterEach).
   */
  async function restartable(
    link: (hubUrl: string, topic: string) => string,
    test: (t: {
      hub: TestHub;
      farm: FeedFarm;
      topic: string;
      start: (options?: { publicUrl?: boolean; port?: number }) => Promise<TestPlanet>;
      stop: () => Promise<void>;
    }) => Promise<void>,
  ) {
    const h = await startTestHub();
    const f = await startFeedFarm();
    hub = h;
    farm = f;
    const topic = `${f.base}/blog.xml`;
    f.feeds.set('/blog.xml', {
      path: '/blog.xml',
      title: 'Pushed Blog',
      items: [{ ...ITEM }],
      headers: { link: link(h.url, topic) },
    });
    await withTempDir(async (dir) => {
      const port = await freePort();
      await test({
        hub: h,
        farm: f,
        topic,
        start: async (o = { publicUrl: true }) => {
          planet = await startTestPlanet({
            feeds: [topic],
            dir,
            ...(o.publicUrl ? { publicUrl: true, port: o.port ?? port } : {}),
          });
          return planet;
        },
        stop: async () => {
          await planet?.close();
          planet = undefined;
        },
      });
    });
  }

  it('survive a restart: no new request while the lease holds, pushes checked with the stored secret', async () => {
    await restartable(
      (hubUrl, topic) => `<${hubUrl}>; rel="hub", <${topic}>; rel="self"`,
      async ({ hub, farm, topic, start, stop }) => {
        let p = await start();
        const feed = await eventually(() => p.store.getFeedByUrl(topic));
        const atHub = await subscribed(p, hub, feed.id);
        const stored = await p.store.getFeedWebSubSubscription(feed.id);
        expect(stored).toMatchObject({
          state: 'active',
          hub: hub.url,
          topic,
          callback: atHub.callback,
          secret: atHub.secret,
          leaseSeconds: 864_000,
        });
        await stop();
        const fetched = farm.requests.length;

        p = await start();
        await settled(p);
        expect(hub.requests.filter((r) => r.mode === 'subscribe')).toHaveLength(1);
        expect(await p.store.getFeedWebSubSubscription(feed.id)).toEqual(stored);
        expect(await websubState(p, feed.id)).toBe('active');
        // Pushed, so polled daily: the restart did not fetch it either.
        expect(farm.requests.length).toBe(fetched);

        // The hub signs with the secret it was given before the restart.
        const partial = atomDocument({
          path: '/blog.xml',
          title: 'Pushed Blog',
          items: [{ id: 'after', title: 'Pushed after the restart', date: '2026-11-23T09:00:00Z' }],
        });
        expect(await hub.distribute(topic, partial, 'application/atom+xml')).toEqual([204]);
        expect(
          await hub.distribute(topic, partial, 'application/atom+xml', { secret: 'guessed' }),
        ).toEqual([202]);
        const titles = (await p.store.listEntries({ feedId: feed.id })).map((e) => e.title);
        expect(titles.sort()).toEqual(['Polled post', 'Pushed after the restart']);
        const metrics = await (await fetch(new URL('/metrics', p.server.url))).text();
        expect(metrics).toMatch(/orrery_websub_subscriptions\{state="active"\} 1/);
        expect(metrics).toMatch(/orrery_rejected_requests_total\{reason="websub-signature"\} 1/);
        // The secret is the key of the pushes: it is never written to the log.
        expect(p.logs.join('')).not.toContain(atHub.secret as string);
        await stop();
      },
    );
  });

  it('asks again at start for a lease that ended while the server was stopped, and polls the feed', async () => {
    await restartable(
      (hubUrl) => `<${hubUrl}>; rel="hub"`,
      async ({ hub, farm, topic, start, stop }) => {
        let p = await start();
        const feed = await eventually(() => p.store.getFeedByUrl(topic));
        await subscribed(p, hub, feed.id);
        const stored = await p.store.getFeedWebSubSubscription(feed.id);
        // Stopped for longer than the lease.
        await p.store.putWebSubSubscription({
          ...stored!,
          expiresAt: new Date(Date.now() - 60_000).toISOString(),
        });
        await stop();
        const fetched = farm.requests.length;

        p = await start();
        await eventually(() => hub.requests.filter((r) => r.mode === 'subscribe').length === 2);
        await eventually(() => websubState(p, feed.id));
        const renewed = await p.store.getFeedWebSubSubscription(feed.id);
        expect(renewed?.id).not.toBe(stored?.id);
        expect(renewed).toMatchObject({ state: 'active', failures: 0 });
        expect(p.logs.some((l) => l.includes('lease ended while orrery serve was stopped'))).toBe(
          true,
        );
        await eventually(() => farm.requests.length > fetched);
        await stop();
      },
    );
  });

  it('unsubscribes a feed removed from planet.toml, and keeps the record as unsubscribed', async () => {
    await restartable(
      (hubUrl) => `<${hubUrl}>; rel="hub"`,
      async ({ hub, topic, start, stop }) => {
        const p = await start();
        const feed = await eventually(() => p.store.getFeedByUrl(topic));
        await subscribed(p, hub, feed.id);
        await writeFile(p.configPath, planetToml([]));
        await eventually(() => hub.requests.find((r) => r.mode === 'unsubscribe'));
        await eventually(async () => {
          const sub = await p.store.getFeedWebSubSubscription(feed.id);
          return sub?.state === 'unsubscribed' && !sub.pending;
        });
        expect(hub.subscriptions.size).toBe(0);
        expect(await websubState(p, feed.id)).toBeUndefined();
        await stop();
      },
    );
  });

  it('subscribes again after a restart under another public URL (callbacks live under it)', async () => {
    await restartable(
      (hubUrl) => `<${hubUrl}>; rel="hub"`,
      async ({ hub, topic, start, stop }) => {
        let p = await start();
        const feed = await eventually(() => p.store.getFeedByUrl(topic));
        await subscribed(p, hub, feed.id);
        const port = p.server.port;
        await stop();
        let other = await freePort();
        for (let i = 0; other === port && i < 10; i++) other = await freePort();
        p = await start({ publicUrl: true, port: other });
        const second = await eventually(() => hub.requests[1]);
        expect(second.callback.startsWith(p.server.url)).toBe(true);
        await eventually(async () => {
          const sub = await p.store.getFeedWebSubSubscription(feed.id);
          return sub?.state === 'active' && sub.callback === second.callback;
        });
        await stop();
      },
    );
  });

  it('subscribes after a restart to a hub named only in the Link header, without fetching first', async () => {
    // The document names no hub: only its server's Link header does, with another self.
    await restartable(
      (hubUrl, topic) => `<${hubUrl}>; rel="hub", <${topic}?canonical>; rel="self"`,
      async ({ hub, farm, topic, start, stop }) => {
        // First without --public-url: fetched, nothing subscribed.
        let p = await start({});
        const feed = await eventually(async () => {
          const stored = await p.store.getFeedByUrl(topic);
          return stored?.lastSuccessAt ? stored : undefined;
        });
        await eventually(async () => (await p.store.getFeed(feed.id))?.hubs.length);
        await stop();
        expect(hub.requests).toEqual([]);
        const fetched = farm.requests.length;

        p = await start();
        expect(await p.store.getFeed(feed.id)).toMatchObject({
          hubs: [hub.url],
          selfLink: `${topic}?canonical`,
        });
        const request = await eventually(() => hub.requests[0]);
        expect(request).toMatchObject({ mode: 'subscribe', topic: `${topic}?canonical` });
        await eventually(() => websubState(p, feed.id));
        expect(farm.requests.length).toBe(fetched);
        await stop();
      },
    );
  });
});

describe('WebSub publisher', () => {
  it('announces the hub in the feeds and pings it after a publish that changed them', async () => {
    hub = await startTestHub();
    farm = await startFeedFarm();
    farm.feeds.set('/blog.xml', { path: '/blog.xml', title: 'B', items: [ITEM] });
    planet = await startTestPlanet({
      feeds: [`${farm.base}/blog.xml`],
      extraToml: `[websub]\nhub = "${hub.url}"\n`,
    });
    const current = hub;
    const feeds = ['atom.xml', 'rss.xml', 'feed.json'].map(
      (f) => `https://planet.example.org/${f}`,
    );
    await eventually(() => feeds.every((f) => current.publishes.includes(f)));
    const atom = await (await fetch(new URL('/atom.xml', planet.server.url))).text();
    expect(atom).toContain(`<link rel="hub" href="${hub.url}"/>`);
    expect(atom).toContain(
      '<link rel="self" type="application/atom+xml" href="https://planet.example.org/atom.xml"/>',
    );
  });

  it('is pinged by orrery run too', async () => {
    hub = await startTestHub();
    farm = await startFeedFarm();
    farm.feeds.set('/blog.xml', { path: '/blog.xml', title: 'B', items: [ITEM] });
    const current = hub;
    const base = farm.base;
    await withTempDir(async (dir) => {
      await writeFile(
        join(dir, 'planet.toml'),
        planetToml([`${base}/blog.xml`], `[websub]\nhub = "${current.url}"\n`),
      );
      const run = await runCli(['run'], { cwd: dir });
      expect(run.code, run.stderr).toBe(0);
      expect(current.publishes).toContain('https://planet.example.org/atom.xml');
      expect(await readFile(join(dir, 'public', 'rss.xml'), 'utf8')).toContain(
        `<atom:link rel="hub" href="${current.url}"/>`,
      );
      // Nothing changed: no build, no ping.
      const pings = current.publishes.length;
      expect((await runCli(['run', '--all'], { cwd: dir })).code).toBe(0);
      expect(current.publishes.length).toBe(pings);
    });
  });
});

/**
 * The live river in Debian's Chromium against a running `orrery serve`: a post that arrives by
 * polling and one pushed by the WebSub test hub both appear at the top of the open page without a
 * reload; a page that lost its stream catches up through Last-Event-ID; posts new since the
 * reader's last visit are marked; without JavaScript the page still shows the river.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  atomDocument,
  eventually,
  type FeedFarm,
  startFeedFarm,
  startTestPlanet,
  type TestPlanet,
} from '../../src/serve/testdata/test-planet.js';
import { startTestHub, type TestHub } from '../websub/hub.js';
import { hasChromium, launchChromium } from './chromium.js';

describe.skipIf(!hasChromium)(
  'the live river in Chromium (skipped without /usr/bin/chromium)',
  () => {
    let farm: FeedFarm;
    let hub: TestHub;
    let planet: TestPlanet;
    let browser: Browser;
    let topic: string;
    let feedId: number;

    beforeAll(async () => {
      hub = await startTestHub();
      farm = await startFeedFarm();
      topic = `${farm.base}/blog.xml`;
      farm.feeds.set('/blog.xml', {
        path: '/blog.xml',
        title: 'Live Blog',
        items: [{ id: 'old1', title: 'An older post', date: '2026-11-20T10:00:00Z' }],
        headers: { link: `<${hub.url}>; rel="hub", <${topic}>; rel="self"` },
      });
      planet = await startTestPlanet({ feeds: [topic], publicUrl: true });
      feedId = (await eventually(() => planet.store.getFeedByUrl(topic))).id;
      await eventually(async () =>
        (await (await fetch(planet.server.url)).text()).includes('An older post'),
      );
      await eventually(async () => (await planet.server.subscriber?.pushedFeedIds())?.has(feedId));
      await eventually(() => hub.subscriptions.size > 0);
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser?.close();
      await planet?.close();
      await farm?.close();
      await hub?.close();
    });

    async function openRiver(context = browser): Promise<Page> {
      const page = await context.newPage();
      // Entry links point at blog.example.org: answered here so the test stays on loopback.
      await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) =>
        route.fulfill({ status: 200, body: '' }),
      );
      const clients = planet.server.live.clientCount;
      await page.goto(planet.server.url);
      await eventually(() => planet.server.live.clientCount > clients);
      return page;
    }

    const liveTitles = (page: Page) =>
      page.locator('.live-new article.entry-live .entry-name').allTextContents();

    it('shows a polled post and a pushed post at the top without a reload', async () => {
      const page = await openRiver();
      await page.evaluate(() => {
        (window as unknown as { marker: number }).marker = 42;
      });

      farm.feeds
        .get('/blog.xml')
        ?.items.unshift({ id: 'poll1', title: 'Fresh by polling', date: '2026-11-22T08:00:00Z' });
      planet.server.loop.refresh(topic);
      await page
        .locator('.live-new .entry-name', { hasText: 'Fresh by polling' })
        .waitFor({ timeout: 20_000 });

      const pushed = atomDocument({
        path: '/blog.xml',
        title: 'Live Blog',
        items: [{ id: 'push1', title: 'Fresh by push', date: '2026-11-22T09:00:00Z' }],
      });
      expect(await hub.distribute(topic, pushed, 'application/atom+xml')).toEqual([204]);
      await page
        .locator('.live-new .entry-name', { hasText: 'Fresh by push' })
        .waitFor({ timeout: 20_000 });

      expect(await liveTitles(page)).toEqual(['Fresh by push', 'Fresh by polling']);
      expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
      // The live list sits above the first day of the river, each post marked as new.
      const firstEntry = await page
        .locator('main article.entry')
        .first()
        .locator('.entry-name')
        .textContent();
      expect(firstEntry).toBe('Fresh by push');
      expect(await page.locator('.live-new .entry-mark').count()).toBe(2);
      await page.close();
    });

    it('catches up after its stream was cut, through Last-Event-ID', async () => {
      const page = await openRiver();
      await planet.server.closeLiveStreams();
      expect(planet.server.live.clientCount).toBe(0);
      // Sent while no page listens: only the reconnection's Last-Event-ID can bring it.
      const pushed = atomDocument({
        path: '/blog.xml',
        title: 'Live Blog',
        items: [{ id: 'push2', title: 'Sent while cut off', date: '2026-11-22T10:00:00Z' }],
      });
      expect(await hub.distribute(topic, pushed, 'application/atom+xml')).toEqual([204]);
      await page
        .locator('.live-new .entry-name', { hasText: 'Sent while cut off' })
        .waitFor({ timeout: 20_000 });
      expect(planet.server.live.clientCount).toBe(1);
      await page.close();
    });

    it('marks the posts that are new since the last visit', async () => {
      const context = await browser.newContext();
      const first = await openRiver(context as unknown as Browser);
      await first.close();
      const pushed = atomDocument({
        path: '/blog.xml',
        title: 'Live Blog',
        items: [{ id: 'push3', title: 'Between two visits', date: '2026-11-22T11:00:00Z' }],
      });
      await hub.distribute(topic, pushed, 'application/atom+xml');
      await eventually(async () =>
        (await (await fetch(planet.server.url)).text()).includes('Between two visits'),
      );
      const again = await openRiver(context as unknown as Browser);
      const unseen = await again.locator('article.entry-unseen .entry-name').allTextContents();
      expect(unseen).toEqual(['Between two visits']);
      expect(await again.locator('article.entry:not(.entry-unseen)').count()).toBeGreaterThan(2);
      await context.close();
    });

    it('shows the river without JavaScript', async () => {
      const context = await browser.newContext({ javaScriptEnabled: false });
      const page = await context.newPage();
      const response = await page.goto(planet.server.url);
      expect(response?.status()).toBe(200);
      const titles = await page.locator('main article.entry .entry-name').allTextContents();
      expect(titles).toContain('An older post');
      expect(titles).toContain('Fresh by push');
      expect(await page.locator('.live-new').count()).toBe(0);
      await context.close();
    });
  },
);

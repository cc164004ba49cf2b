/**
 * The demo planet in a real browser: built by the real CLI over loopback HTTP (as `npm run
 * demo` does), served from a loopback server under a base path, checked in Debian's Chromium.
 * Screenshots go to test-artifacts/demo-*.png.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, withDemoPlanet, withTempDir } from '../helpers.js';
import { hasChromium, launchChromium } from './chromium.js';
import { type StaticServer, serveStatic } from './static-server.js';

const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');

describe.skipIf(!hasChromium)(
  'the demo planet in Chromium (skipped without /usr/bin/chromium)',
  () => {
    let site: StaticServer;
    let browser: Browser;
    let finish: () => void;
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    // Settles once the temp dir is removed: afterAll waits for it, or the folder is left behind.
    let removed: Promise<void> = Promise.resolve();

    beforeAll(async () => {
      await mkdir(ARTIFACTS, { recursive: true });
      const ready = new Promise<string>((resolve, reject) => {
        // The temp dir lives until afterAll resolves `done`.
        removed = withTempDir(async (dir) => {
          await withDemoPlanet(dir, async () => {
            const run = await runCli(['run'], { cwd: dir });
            if (run.code !== 0) throw new Error(`orrery run failed: ${run.stderr}`);
          });
          resolve(join(dir, 'public'));
          await done;
        }).catch(reject);
      });
      site = await serveStatic(await ready, '/demo/');
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser?.close();
      await site?.close();
      finish();
      await removed;
    });

    async function open(
      path: string,
      options: Parameters<Browser['newPage']>[0] = {},
    ): Promise<Page> {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, ...options });
      // The posts link to the blogs' real sites: answer those here so the test stays on loopback.
      await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) =>
        route.fulfill({ status: 200, contentType: 'text/html', body: '<title>original</title>' }),
      );
      const response = await page.goto(new URL(path, site.url).href);
      expect(response?.status()).toBe(200);
      return page;
    }

    it('shows every post once, under days and both sections', async () => {
      const page = await open('index.html');
      await page.screenshot({ path: join(ARTIFACTS, 'demo-front.png'), fullPage: false });
      const links = await page
        .locator('.entry-title a')
        .evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
      expect(links).toHaveLength(40);
      expect(new Set(links).size).toBe(40);
      expect(await page.locator('h2.day-title').count()).toBeGreaterThan(10);
      const text = (await page.locator('main').textContent()) ?? '';
      expect(text).toContain('Planet Python');
      expect(text).toContain('PSF GSoC students');
      expect(await page.getByText('Watching iView with Rygel', { exact: true }).count()).toBe(1);
      await page.close();
    });

    it("follows a post's link to its original", async () => {
      const page = await open('index.html');
      const link = page.locator('.entry-title a', { hasText: 'Watching iView with Rygel' });
      await link.click();
      await page.waitForLoadState();
      expect(page.url()).toBe(
        'http://blogs.gnome.org/jamesh/2009/07/06/watching-iview-with-rygel/',
      );
      await page.close();
    });

    it('renders dark mode and fits a 375-pixel phone', async () => {
      const page = await open('index.html', {
        viewport: { width: 375, height: 800 },
        isMobile: true,
      });
      const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const light = await background();
      await page.emulateMedia({ colorScheme: 'dark' });
      expect(await background()).not.toBe(light);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(ARTIFACTS, 'demo-phone-dark.png'), fullPage: false });
      await page.close();
    });

    it('lists the demo’s feeds as quiet: their posts are from 2008-2012 (fault 1)', async () => {
      const page = await open('health/index.html');
      const quiet = page.locator('section[aria-labelledby="quiet"]');
      expect(await quiet.locator('.feed').count()).toBeGreaterThan(0);
      expect(await quiet.textContent()).not.toContain('Every feed has posted recently.');
      expect(await quiet.textContent()).toMatch(/Newest post dated \w+ \d\d, 20(0\d|1[0-2])/);
      await page.close();
    });

    it('finds a word from a post with the static search', async () => {
      const page = await open('search/index.html');
      await page.locator('#search input').fill('Rygel');
      const result = page.locator('.pagefind-ui__result-link').first();
      await result.waitFor({ timeout: 20_000 });
      expect(await result.getAttribute('href')).toContain('/demo/archive/2009/07/06/');
      await page.screenshot({ path: join(ARTIFACTS, 'demo-search.png'), fullPage: false });
      await page.close();
    });
  },
);

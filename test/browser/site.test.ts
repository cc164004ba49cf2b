/**
 * The built site in a real browser: Debian's Chromium driven by playwright-core, the site
 * served from a loopback server under a base path. Screenshots go to test-artifacts/.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSite } from '../../src/render/build-site.js';
import { createMemorySource } from '../../src/render/memory-source.js';
import { FIXTURE_NOW, fixtureData, fixtureSite } from '../../src/render/testdata/planet-fixture.js';
import { CHROMIUM, hasChromium, launchChromium } from './chromium.js';
import { type StaticServer, serveStatic } from './static-server.js';

const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');
if (!hasChromium) {
  console.warn(`browser tests skipped: ${CHROMIUM} is missing (apt-get install chromium)`);
}

describe.skipIf(!hasChromium)(
  'the site in Chromium (skipped when /usr/bin/chromium is missing)',
  () => {
    let dir: string;
    let server: StaticServer;
    let browser: Browser;
    const data = fixtureData();

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'orrery-browser-'));
      await mkdir(ARTIFACTS, { recursive: true });
      const out = join(dir, 'public');
      // Ids far apart, so the search index comes in two parts and the page merges them; a
      // Hebrew post, to see the direction of its text; then a rebuild, which keeps everything.
      for (const e of data.entries.slice(0, 6)) e.id += 10_000;
      const wireless = data.entries.find((e) => e.title === 'Wireless network')!;
      wireless.title = 'רשת אלחוטית';
      wireless.titleDetail = { value: wireless.title, type: 'text/plain', language: 'he' };
      wireless.content = {
        value: '<p>היום נוזוקו למדה על רשתות אלחוטיות.</p>',
        type: 'text/html',
        language: 'he',
      };
      const source = createMemorySource(data);
      const first = await buildSite({ source, site: fixtureSite(out), now: FIXTURE_NOW });
      expect(first.searchPartsBuilt).toBe(2);
      const rebuilt = await buildSite({ source, site: fixtureSite(out), now: FIXTURE_NOW });
      expect(rebuilt.written).toEqual([]);
      // Served below a path, not at the root: every link must be relative.
      server = await serveStatic(out, '/planet/');
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    async function open(
      path: string,
      options: Parameters<Browser['newPage']>[0] = {},
    ): Promise<Page> {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, ...options });
      // Entry images point at example.com: answer them locally so the test never leaves the machine.
      await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) =>
        route.fulfill({ status: 404, body: '' }),
      );
      const response = await page.goto(new URL(path, server.url).href);
      expect(response?.status()).toBe(200);
      return page;
    }

    it('shows the river: days, sections, each post once', async () => {
      const page = await open('index.html');
      await page.screenshot({ path: join(ARTIFACTS, 'front-light.png'), fullPage: true });
      expect(await page.locator('h1').first().textContent()).toBe('Planet Python');
      const days = await page.locator('h2.day-title').allTextContents();
      expect(days.map((d) => d.trim()).slice(0, 4)).toEqual([
        '06 Feb 2012',
        '05 Feb 2012',
        '04 Feb 2012',
        '03 Feb 2012',
      ]);
      // Under the first day: the section name, then "Author: Title" headings.
      const firstDay = page.locator('section.day').first();
      expect((await firstDay.locator('h3.section-title').allTextContents())[0]).toBe(
        'Planet Python',
      );
      const titles = await page.locator('.entry-title').allTextContents();
      expect(titles).toContain('Tarek Ziade: Scaling Crypto work in Python');
      expect(new Set(titles).size).toBe(titles.length);
      const ids = await page
        .locator('article.entry')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-entry-id')));
      expect(new Set(ids).size).toBe(ids.length);
      // The stored duplicate is never shown; another post sharing its link, with its own
      // title, is another post (the store's decision).
      const body = await page.locator('main').textContent();
      expect(body).not.toContain('duplicate copy');
      expect(titles.filter((t) => t.includes('This Thursday: a talk on'))).toHaveLength(1);
      // The GSoC section appears on its own day with its own heading.
      expect(await page.locator('h3.section-title', { hasText: 'GSoC' }).count()).toBeGreaterThan(
        0,
      );
      // Entry titles link to the originals.
      const tarek = data.entries.find((e) => e.title === 'Scaling Crypto work in Python')!;
      expect(
        await page.locator('.entry-title a', { hasText: 'Scaling Crypto' }).getAttribute('href'),
      ).toBe(tarek.link);
      await page.close();
    });

    it('has headings in order, landmarks and alt text', async () => {
      for (const path of ['index.html', 'archive/2012/02/05/index.html', 'health/index.html']) {
        const page = await open(path);
        const levels = await page
          .locator('h1, h2, h3, h4, h5, h6')
          .evaluateAll((els) =>
            els.filter((e) => !e.closest('.content')).map((e) => Number(e.tagName[1])),
          );
        expect(levels[0]).toBe(1);
        for (let i = 1; i < levels.length; i++) {
          expect(levels[i]! - levels[i - 1]!, `${path}: heading level jump`).toBeLessThanOrEqual(1);
        }
        expect(await page.locator('main').count()).toBe(1);
        expect(await page.locator('header.site-header nav').count()).toBe(1);
        expect(await page.locator('footer.site-footer').count()).toBe(1);
        expect(await page.locator('img:not([alt])').count()).toBe(0);
        await page.close();
      }
    });

    it('every internal link of the front page resolves under the base path', async () => {
      const page = await open('index.html');
      const hrefs = await page
        .locator('a[href]')
        .evaluateAll((els) => els.map((a) => (a as HTMLAnchorElement).href));
      const internal = [...new Set(hrefs.map((h) => h.split('#')[0]!))].filter((h) =>
        h.startsWith(server.url),
      );
      expect(internal.length).toBeGreaterThan(10);
      for (const href of internal) {
        const r = await page.request.get(href);
        expect(r.status(), href).toBe(200);
      }
      await page.close();
    });

    it('collapses long posts behind "read more" and expands them without JavaScript', async () => {
      const page = await open('index.html', { javaScriptEnabled: false });
      const entry = page.locator('article.entry-long', { hasText: 'Working with subprocess' });
      const content = entry.locator('.content');
      const collapsed = (await content.boundingBox())!.height;
      await entry.locator('summary').click();
      const expanded = (await content.boundingBox())!.height;
      expect(expanded).toBeGreaterThan(collapsed + 100);
      await page.close();
    });

    it('renders dark mode from prefers-color-scheme', async () => {
      const page = await open('index.html');
      const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const text = () => page.evaluate(() => getComputedStyle(document.body).color);
      const light = { bg: await bg(), text: await text() };
      await page.emulateMedia({ colorScheme: 'dark' });
      const dark = { bg: await bg(), text: await text() };
      expect(dark.bg).not.toBe(light.bg);
      expect(dark.text).not.toBe(light.text);
      await page.screenshot({ path: join(ARTIFACTS, 'front-dark.png'), fullPage: false });
      await page.close();
    });

    it('keeps text contrast at WCAG AA (4.5:1) in light and dark mode', async () => {
      const page = await open('health/index.html');
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        for (const selector of [
          'body',
          '.page-intro p',
          '.site-nav a',
          '.status-failing',
          '.feed-details',
          '.feed-error',
          '.site-footer a',
        ]) {
          const ratio = await page
            .locator(selector)
            .first()
            .evaluate((el) => {
              const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
              const lum = ([r = 0, g = 0, b = 0]: number[]) => {
                const f = (v: number) => {
                  const x = v / 255;
                  return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
                };
                return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
              };
              let bg: string | undefined;
              for (let n: Element | null = el; n && !bg; n = n.parentElement) {
                const c = getComputedStyle(n).backgroundColor;
                if (c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') bg = c;
              }
              const a = lum(rgb(getComputedStyle(el).color));
              const b = lum(rgb(bg ?? 'rgb(255, 255, 255)'));
              return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
            });
          expect(ratio, `${scheme} ${selector}`).toBeGreaterThanOrEqual(4.5);
        }
      }
      await page.close();
    });

    it('fits a 375-pixel phone without horizontal scrolling', async () => {
      for (const path of [
        'index.html',
        'archive/2012/02/06/index.html',
        'about/index.html',
        'health/index.html',
      ]) {
        const page = await open(path, { viewport: { width: 375, height: 800 }, isMobile: true });
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        expect(overflow, path).toBeLessThanOrEqual(0);
        const name = path.replace(/\/index\.html$|\.html$/, '').replace(/\//g, '-');
        await page.screenshot({ path: join(ARTIFACTS, `phone-${name}.png`), fullPage: false });
        await page.close();
      }
    });

    it('finds a word from a post with the static search', async () => {
      const page = await open('search/index.html');
      await page.locator('#search input').fill('PowerHose');
      const result = page.locator('.pagefind-ui__result-link', { hasText: 'Scaling Crypto' });
      await result.waitFor({ timeout: 20_000 });
      const href = await result.getAttribute('href');
      expect(href).toContain('/planet/archive/2012/02/06/');
      await page.screenshot({ path: join(ARTIFACTS, 'search.png'), fullPage: false });
      // The result opens the archive page that holds the post.
      await result.click();
      await page.waitForLoadState();
      expect(await page.locator('.entry-title', { hasText: 'Scaling Crypto' }).count()).toBe(1);
      await page.close();
    });

    it('finds posts in the older search part too', async () => {
      const page = await open('search/index.html');
      await page.locator('#search input').fill('Xhosa');
      const result = page.locator('.pagefind-ui__result-link').first();
      await result.waitFor({ timeout: 20_000 });
      expect(await result.getAttribute('href')).toMatch(
        /^\/planet\/archive\/2012\/01\/31\/index\.html#e\d+$/,
      );
      expect(await result.textContent()).toBe('Benedict Stein: Xhosa in Debian');
      await page.close();
    });

    it('opens with the results of the query in its address (fault 7)', async () => {
      const page = await open('search/index.html?q=PowerHose');
      const result = page.locator('.pagefind-ui__result-link', { hasText: 'Scaling Crypto' });
      await result.waitFor({ timeout: 20_000 });
      expect(await result.getAttribute('href')).toContain('/planet/archive/2012/02/06/');
      expect(await page.locator('#search input').inputValue()).toBe('PowerHose');
      // Typing keeps the address in step, so the search can be linked.
      await page.locator('#search input').fill('Xhosa');
      await page.waitForFunction(() => window.location.search === '?q=Xhosa');
      await page.close();
    });

    it('runs under its Content-Security-Policy: nothing blocked, search included', async () => {
      const violations: string[] = [];
      for (const path of [
        'index.html',
        'archive/2012/02/06/index.html',
        'search/index.html?q=gevent',
      ]) {
        const page = await browser.newPage();
        await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) =>
          route.fulfill({ status: 404, body: '' }),
        );
        page.on('console', (m) => {
          if (/Content.Security.Policy|Refused to/i.test(m.text()))
            violations.push(`${path}: ${m.text()}`);
        });
        await page.addInitScript(() => {
          document.addEventListener('securitypolicyviolation', (e) => {
            console.error(`Refused to: ${e.violatedDirective} ${e.blockedURI}`);
          });
        });
        await page.goto(new URL(path, server.url).href);
        if (path.startsWith('search')) {
          await page.locator('.pagefind-ui__result-link').first().waitFor({ timeout: 20_000 });
        }
        expect(await page.locator('meta[http-equiv="Content-Security-Policy"]').count()).toBe(1);
        await page.close();
      }
      expect(violations).toEqual([]);
    });

    it('sets the page language, and the direction of a post in another script (fault 8)', async () => {
      const page = await open('archive/2012/01/23/index.html');
      expect(await page.locator('html').getAttribute('lang')).toBe('en');
      const title = page.locator('.entry-name', { hasText: 'רשת' });
      expect(await title.getAttribute('lang')).toBe('he');
      expect(await title.evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
      const content = page.locator('.content[lang="he"]');
      expect(await content.evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
      // An English post on the same site stays left to right.
      const home = await open('index.html');
      const english = home.locator('.entry-name', { hasText: 'Scaling Crypto' });
      expect(await english.evaluate((el) => getComputedStyle(el).direction)).toBe('ltr');
      await home.close();
      await page.close();
    });

    it('shows subscriptions and the health report', async () => {
      const about = await open('about/index.html');
      expect(await about.locator('.feed').count()).toBe(15);
      expect(await about.locator('.feed', { hasText: 'Old Blog' }).count()).toBe(0);
      await about.screenshot({ path: join(ARTIFACTS, 'about.png'), fullPage: true });
      await about.close();
      const health = await open('health/index.html');
      const failing = health.locator('section[aria-labelledby="failing"] .feed');
      expect(await failing.count()).toBe(1);
      expect(await failing.textContent()).toContain('Mike C. Fletcher');
      expect(await failing.textContent()).toContain('timeout');
      expect(await health.locator('section[aria-labelledby="moved"] .feed').count()).toBe(2);
      expect(await health.locator('section[aria-labelledby="quiet"]').textContent()).toContain(
        'Lightning Fast Shop',
      );
      expect(await health.locator('section[aria-labelledby="undated"]').textContent()).toContain(
        'Undated Notes',
      );
      await health.screenshot({ path: join(ARTIFACTS, 'health.png'), fullPage: true });
      await health.close();
    });
  },
);

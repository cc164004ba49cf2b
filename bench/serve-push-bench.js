#!/usr/bin/env node
// Push-to-visible: the time from a WebSub hub's content distribution POST to the new entry in the
// DOM of a river page open in Chromium, through `orrery serve` (a child process of the built
// CLI) and the test hub (test/websub/hub.js, in this process). On the demo planet and on the
// 600-feed farm planet; the coalesced rebuilds the pushes cause run meanwhile, as they would.
// Also reports what a rebuild costs inside serve (its 'site published' log lines).
//
//   npm run build && node bench/serve-push-bench.js [--pushes 40] [--gap-ms 250] [--planets demo,farm]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startTestHub } from '../test/websub/hub.js';
import {
  atom,
  demoPlanet,
  farmPlanetToml,
  hubbedFeed,
  metric,
  percentile,
  published,
  runOrrery,
  sleep,
  startFarm,
  startServe,
} from './serve/common.js';

const args = {
  pushes: 40,
  gapMs: 250,
  planets: ['demo', 'farm'],
  port: 18_900 + Math.floor(Math.random() * 300),
};
for (let i = 2; i < process.argv.length; i += 2) {
  const key = process.argv[i];
  const value = process.argv[i + 1] ?? '';
  if (key === '--pushes') args.pushes = Number(value);
  else if (key === '--gap-ms') args.gapMs = Number(value);
  else if (key === '--planets') args.planets = value.split(',');
}

/** @param {string} url */
const feedToml = (url) =>
  `\n[[feeds]]\nurl = "${url}"\nname = "Bench Blog"\nsection = "${'python'}"\n`;

/**
 * @template T
 * @param {() => Promise<T>} check
 * @param {number} ms
 * @param {string} what
 */
async function waitFor(check, ms, what) {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/**
 * Pushes one new entry at a time and times it into the open page.
 * @param {string} name
 * @param {string} dir
 * @param {string} topic
 * @param {import('../test/websub/hub.js').TestHub} hub
 * @param {{ items: import('./serve/common.js').FeedItem[] }} feed
 * @param {import('playwright-core').Browser} browser
 */
async function measure(name, dir, topic, hub, feed, browser) {
  const serveArgs = ['--port', String(args.port), '--public-url', `http://127.0.0.1:${args.port}/`];
  // The previous planet's subscription (its callback is gone) is not this one's.
  hub.subscriptions.clear();
  const serve = await startServe(dir, serveArgs);
  try {
    await published(serve);
    await waitFor(
      async () => {
        const text = await (await fetch(`${serve.url}metrics`)).text();
        return (
          metric(text, 'orrery_websub_subscriptions{state="active"}') === 1 &&
          hub.subscriptions.size > 0
        );
      },
      120_000,
      'the WebSub subscription',
    );
    const page = await browser.newPage();
    await page.route(
      /^https?:\/\/(?!127\.0\.0\.1)/,
      (/** @type {import('playwright-core').Route} */ route) =>
        route.fulfill({ status: 200, body: '' }),
    );
    await page.addInitScript(() => {
      /** @type {Window & typeof globalThis & { __seen: Record<string, number> }} */ (
        window
      ).__seen = {};
      new MutationObserver((records) => {
        for (const r of records) {
          for (const node of r.addedNodes) {
            const title = /** @type {Element} */ (node).querySelector?.('.entry-name')?.textContent;
            if (title)
              /** @type {Window & typeof globalThis & { __seen: Record<string, number> }} */ (
                window
              ).__seen[title] = Date.now();
          }
        }
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto(`${serve.url}index.html`);
    await waitFor(
      async () =>
        metric(await (await fetch(`${serve.url}metrics`)).text(), 'orrery_sse_clients') === 1,
      30_000,
      'the live stream',
    );
    /** @type {number[]} */
    const latencies = [];
    for (let i = 0; i < args.pushes; i++) {
      const title = `Pushed ${name} ${i}`;
      const item = { id: `${name}-${i}-${Date.now()}`, title, date: new Date().toISOString() };
      feed.items.unshift(item);
      const sent = Date.now();
      const statuses = await hub.distribute(topic, atom(topic, [item]), 'application/atom+xml');
      if (statuses[0] !== 204) throw new Error(`push answered ${statuses}`);
      const seen = await page.waitForFunction(
        (/** @type {string} */ t) =>
          /** @type {Window & typeof globalThis & { __seen: Record<string, number> }} */ (window)
            .__seen[t],
        title,
        { timeout: 30_000 },
      );
      latencies.push(/** @type {number} */ (await seen.jsonValue()) - sent);
      await sleep(args.gapMs);
    }
    await page.close();
    const builds = serve.logs.filter((l) => l.msg === 'site published').map((l) => l.ms);
    return { name, latencies, builds, serve };
  } finally {
    const code = await serve.stop();
    if (code !== 0) console.error(`${name}: orrery serve exited ${code}`);
  }
}

/** @param {NonNullable<Awaited<ReturnType<typeof measure>>>} result */
function report({ name, latencies, builds, serve }) {
  const errors = serve.logs.filter((l) => (l.level ?? 0) >= 50);
  console.log(`\n${name}: ${latencies.length} pushes, ${args.gapMs} ms apart`);
  console.log(
    `  push-to-visible ms: p50 ${percentile(latencies, 50)}, p90 ${percentile(latencies, 90)}, p99 ${percentile(latencies, 99)}, max ${Math.max(...latencies)}`,
  );
  console.log(
    `  rebuilds during the run: ${builds.length}, ms each: first ${builds[0]}, then median ${percentile(builds.slice(1), 50)} (max ${Math.max(...builds.slice(1))})`,
  );
  console.log(`  error lines in the log: ${errors.length}`);
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const hub = await startTestHub();
const feed = await hubbedFeed(hub.url);
try {
  if (args.planets.includes('demo')) {
    const dir = mkdtempSync(join(tmpdir(), 'orrery-push-bench-'));
    const demo = await demoPlanet(dir, feedToml(feed.topic));
    try {
      const run = await runOrrery(['run'], dir);
      if (run.code !== 0) throw new Error(run.out);
      report(await measure('demo', dir, feed.topic, hub, feed, browser));
    } finally {
      await demo.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (args.planets.includes('farm')) {
    const dir = mkdtempSync(join(tmpdir(), 'orrery-push-bench-'));
    const farm = await startFarm({ port: args.port + 1000 });
    try {
      writeFileSync(
        join(dir, 'planet.toml'),
        farmPlanetToml(farm, 600, feedToml(feed.topic).replace('section = "python"\n', '')),
      );
      const started = Date.now();
      const run = await runOrrery(['run'], dir);
      if (run.code !== 0) throw new Error(run.out);
      console.log(
        `\nfarm planet: cold orrery run (600 feeds + 1) took ${((Date.now() - started) / 1000).toFixed(1)} s wall`,
      );
      report(await measure('farm-600', dir, feed.topic, hub, feed, browser));
    } finally {
      await farm.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(
    '\n(targets: demo p50 <= 300 ms, p99 <= 1 s; 600-feed p50 <= 1 s. 2-core machine shared with other work.)',
  );
} finally {
  await browser.close();
  await feed.close();
  await hub.close();
}

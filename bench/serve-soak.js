#!/usr/bin/env node
// Soak: `orrery serve` for a bounded time on the 600-feed farm (mixed faults: slow, moved, 404,
// 500, 410, resets, trickles) polled every minute, plus 40 feeds whose content changes every 30 s,
// plus one feed pushed by the WebSub test hub every 5 s, with 50 live-river (SSE) clients open
// all along. Samples the server's RSS, V8 heap and CPU; at the end compares the heap after the
// first minute with the heap at the end, and lists every error line of the log. Not part of
// `npm run bench` (it takes its full duration):
//
//   npm run build && node bench/serve-soak.js [--minutes 10]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestHub } from '../test/websub/hub.js';
import {
  atom,
  cpuSeconds,
  farmPlanetToml,
  hubbedFeed,
  metric,
  percentile,
  rssMb,
  sleep,
  startFarm,
  startServe,
} from './serve/common.js';

const args = { minutes: 10, clients: 50, port: 19_300 + Math.floor(Math.random() * 300) };
for (let i = 2; i < process.argv.length; i += 2) {
  const key = process.argv[i]?.replace(/^--/, '');
  if (key && key in args)
    args[/** @type {keyof typeof args} */ (key)] = Number(process.argv[i + 1]);
}
const CHURN_FEEDS = 40;
const CHURN_MS = 30_000;

/** Feeds whose newest item changes every CHURN_MS (ETag per period: 304 in between). */
async function startChurn() {
  const server = createServer((req, res) => {
    const id = /^\/c\/(\d+)\.xml$/.exec(req.url ?? '')?.[1];
    if (id === undefined) return void res.writeHead(404).end();
    const period = Math.floor(Date.now() / CHURN_MS);
    const etag = `"c${id}-${period}"`;
    if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
    const items = Array.from({ length: 10 }, (_, k) => ({
      id: `c${id}-${period - k}`,
      title: `Churn ${id} at ${period - k}`,
      date: new Date((period - k) * CHURN_MS).toISOString(),
    }));
    res.writeHead(200, { 'content-type': 'application/atom+xml', etag });
    res.end(atom(`urn:churn:${id}`, items));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', () => r(undefined)));
  const base = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`;
  return {
    url: (/** @type {number} */ i) => `${base}/c/${i}.xml`,
    close: () => new Promise((r) => server.close(r)),
  };
}

/**
 * A live page: an SSE stream read until the end, counting the entries events.
 * @param {string} url
 * @param {{ events: number, errors: string[] }} counts
 */
function openClient(url, counts) {
  const controller = new AbortController();
  const done = (async () => {
    const res = await fetch(`${url}live/events?after=0`, { signal: controller.signal });
    const decoder = new TextDecoder();
    for await (const chunk of /** @type {ReadableStream<Uint8Array>} */ (res.body)) {
      const text = decoder.decode(chunk, { stream: true });
      counts.events += text.split('event: entries').length - 1;
    }
  })().catch((error) => {
    if (error.name !== 'AbortError') counts.errors.push(String(error));
  });
  return { close: () => controller.abort(), done };
}

const dir = mkdtempSync(join(tmpdir(), 'orrery-soak-'));
const farm = await startFarm({
  port: args.port,
  profile: 'mixed',
  maxSeconds: args.minutes * 60 + 600,
});
const churn = await startChurn();
const hub = await startTestHub();
const pushed = await hubbedFeed(hub.url);
const churnToml = Array.from(
  { length: CHURN_FEEDS },
  (_, i) => `[[feeds]]\nurl = "${churn.url(i)}"\nname = "Churn ${i}"\n`,
).join('\n');
writeFileSync(
  join(dir, 'planet.toml'),
  farmPlanetToml(
    farm,
    600,
    `${churnToml}\n[[feeds]]\nurl = "${pushed.topic}"\nname = "Pushed"\n`,
    'interval = 1\n',
  ),
);
const servePort = args.port + 1000;
const serve = await startServe(dir, [
  '--port',
  String(servePort),
  '--public-url',
  `http://127.0.0.1:${servePort}/`,
]);
/** @type {{ events: number, errors: string[] }} */
const counts = { events: 0, errors: [] };
const clients = Array.from({ length: args.clients }, () => openClient(serve.url, counts));
const started = Date.now();
const end = started + args.minutes * 60_000;
/** @typedef {{ t: number, rss: number, heap: number, cpu: number, sse: number }} Sample */
/** @type {Sample[]} */
const samples = [];
let pushes = 0;
let lastPush = 0;
try {
  while (Date.now() < end) {
    await sleep(5_000);
    const t = (Date.now() - started) / 1000;
    const text = await (await fetch(`${serve.url}metrics`)).text();
    samples.push({
      t,
      rss: rssMb(serve.pid),
      heap: metric(text, 'orrery_nodejs_heap_size_used_bytes') / 2 ** 20,
      cpu: cpuSeconds(serve.pid),
      sse: metric(text, 'orrery_sse_clients'),
    });
    if (hub.subscriptions.size > 0 && Date.now() - lastPush >= 5_000) {
      lastPush = Date.now();
      const item = {
        id: `push-${pushes}`,
        title: `Pushed ${pushes}`,
        date: new Date().toISOString(),
      };
      pushes++;
      await hub.distribute(pushed.topic, atom(pushed.topic, [item]), 'application/atom+xml');
    }
    if (samples.length % 12 === 0) {
      const s = /** @type {Sample} */ (samples[samples.length - 1]);
      console.log(
        `${Math.round(t)} s: RSS ${s.rss.toFixed(0)} MB, heap ${s.heap.toFixed(1)} MB, CPU ${s.cpu.toFixed(1)} s, SSE ${s.sse}, events ${counts.events}`,
      );
    }
  }
} finally {
  for (const c of clients) c.close();
  await Promise.all(clients.map((c) => c.done));
  const stopAt = Date.now();
  const code = await serve.stop();
  const stopMs = Date.now() - stopAt;
  await hub.close();
  await pushed.close();
  await churn.close();
  await farm.stop();

  /** @param {number} from @param {number} to */
  const window = (from, to) => samples.filter((s) => s.t >= from && s.t <= to);
  const early = window(45, 75);
  const last = window(args.minutes * 60 - 30, Number.POSITIVE_INFINITY);
  /** @param {Sample[]} xs @param {keyof Sample} k */
  const min = (xs, k) => Math.min(...xs.map((s) => s[k]));
  /** @param {Sample[]} xs @param {keyof Sample} k */
  const mean = (xs, k) => xs.reduce((a, s) => a + s[k], 0) / xs.length;
  const text = await Promise.resolve(serve.logs);
  const errors = text.filter((l) => (l.level ?? 0) >= 50);
  const warns = new Map();
  for (const l of text.filter((x) => x.level === 40)) warns.set(l.msg, (warns.get(l.msg) ?? 0) + 1);
  console.log(
    `\nsoak: ${args.minutes} min, ${args.clients} SSE clients, 600 farm feeds (mixed) + ${CHURN_FEEDS} changing + 1 pushed`,
  );
  console.log(`  RSS max ${Math.max(...samples.map((s) => s.rss)).toFixed(0)} MB (target <= 250)`);
  console.log(
    `  heap used at ~1 min: min ${min(early, 'heap').toFixed(1)} / mean ${mean(early, 'heap').toFixed(1)} MB; at the end: min ${min(last, 'heap').toFixed(1)} / mean ${mean(last, 'heap').toFixed(1)} MB; ratio of minima ${(min(last, 'heap') / min(early, 'heap')).toFixed(2)}, of means ${(mean(last, 'heap') / mean(early, 'heap')).toFixed(2)} (target <= 1.2)`,
  );
  console.log(
    `  server CPU ${samples[samples.length - 1]?.cpu.toFixed(1)} s over ${args.minutes * 60} s; SSE clients p50 ${percentile(
      samples.map((s) => s.sse),
      50,
    )}`,
  );
  console.log(
    `  live events received by the clients: ${counts.events}; client errors: ${counts.errors.length}`,
  );
  console.log(
    `  pushes sent: ${pushes}; publishes: ${text.filter((l) => l.msg === 'site published').length}; passes: ${text.filter((l) => l.msg === 'pass done').length}`,
  );
  console.log(`  stop: exit ${code} after ${stopMs} ms`);
  console.log(`  error lines: ${errors.length}`);
  for (const e of errors.slice(0, 20)) console.log(`    ${JSON.stringify(e)}`);
  console.log(`  warnings by message: ${JSON.stringify(Object.fromEntries(warns))}`);
  console.log('  (2-core machine shared with other work)');
  rmSync(dir, { recursive: true, force: true });
}

#!/usr/bin/env node
// Fetch-only runner for the bench: the compiled createHttpFetcher + runQueue over a list of URLs,
// validators kept in a JSON file between runs (standing in for the store, so a second run is
// all conditional GETs). Prints one JSON line with counts and this process's resource usage.
//
//   node bench/farm/direct-run.js --build <dir with fetch/ and schedule/> --urls urls.txt \
//        --state state.json [--concurrency 64] [--per-host 2]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = { concurrency: 64, perHost: 2, build: '', urls: '', state: '' };
for (let i = 2; i < process.argv.length; i += 2) {
  const key = process.argv[i];
  const value = process.argv[i + 1] ?? '';
  if (key === '--concurrency') args.concurrency = Number(value);
  else if (key === '--per-host') args.perHost = Number(value);
  else if (key === '--build') args.build = value;
  else if (key === '--urls') args.urls = value;
  else if (key === '--state') args.state = value;
}

/** @type {typeof import('../../src/fetch/http-fetcher.js')} */
const { createHttpFetcher } = await import(
  pathToFileURL(join(args.build, 'fetch/http-fetcher.js')).href
);
/** @type {typeof import('../../src/schedule/run-queue.js')} */
const { runQueue } = await import(pathToFileURL(join(args.build, 'schedule/run-queue.js')).href);

const urls = readFileSync(args.urls, 'utf8').split('\n').filter(Boolean);
/** @type {Record<string, import('../../src/model/fetch.js').FetchValidators>} */
let state = {};
try {
  state = JSON.parse(readFileSync(args.state, 'utf8'));
} catch {
  // First (cold) run: no validators yet.
}

const fetcher = createHttpFetcher({
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 15_000,
  bodyTimeoutMs: 30_000,
  maxBodyBytes: 5 * 1024 * 1024,
  maxDecompressedBytes: 20 * 1024 * 1024,
  maxRedirects: 5,
  perHostLimit: args.perHost,
  userAgent: 'Orrery/bench (feed aggregator)',
  allowPrivate: true,
});
const started = performance.now();
/** @type {Record<string, number>} */
const counts = {};
let bytes = 0;
// Keep only what the next run needs: bodies are dropped as soon as they are counted, as the
// pipeline does after parsing.
const outcomes = await runQueue(
  urls,
  async (url, signal) => {
    const outcome = await fetcher.fetch(url, state[url], signal);
    if (outcome.kind === 'ok') bytes += outcome.body.byteLength;
    return outcome.kind === 'error'
      ? { kind: 'error', code: outcome.code }
      : { kind: outcome.kind, validators: outcome.validators };
  },
  {
    concurrency: args.concurrency,
    perHostLimit: args.perHost,
    hostOf: (url) => new URL(url).host,
    perItemTimeoutMs: 60_000,
  },
);
await fetcher.close();
/** @type {Record<string, import('../../src/model/fetch.js').FetchValidators>} */
const next = {};
outcomes.forEach((outcome, i) => {
  const key = outcome.kind === 'error' ? `error:${outcome.code}` : outcome.kind;
  counts[key] = (counts[key] ?? 0) + 1;
  if (outcome.kind !== 'error' && outcome.validators) {
    next[/** @type {string} */ (urls[i])] = outcome.validators;
  }
});
writeFileSync(args.state, JSON.stringify(next));
const usage = process.resourceUsage();
process.stdout.write(
  `${JSON.stringify({
    feeds: urls.length,
    wallMs: Math.round(performance.now() - started),
    counts,
    bytes,
    userMs: Math.round(usage.userCPUTime / 1000),
    systemMs: Math.round(usage.systemCPUTime / 1000),
    maxRssKb: usage.maxRSS,
  })}\n`,
);

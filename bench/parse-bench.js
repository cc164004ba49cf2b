#!/usr/bin/env node
// Parse throughput: Orrery (compiled, ../dist) against the other npm feed parsers, on the real-world
// feed documents in bench/corpus/ (copied from ../shared/corpus, see MANIFEST.tsv), in one run.
// Prints files/s, MB/s (median pass; best pass in parentheses) and each parser's ratio to Orrery. Orrery is given bytes (it decodes them);
// the others are given the UTF-8 string, which is what their APIs take.
//   node bench/parse-bench.js [--seconds 3] [--only orrery,feedsmith]
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const corpusDir = join(here, 'corpus');
const args = process.argv.slice(2);
const seconds = Number(args[args.indexOf('--seconds') + 1]) || 3;
const only = args.includes('--only')
  ? (args[args.indexOf('--only') + 1] ?? '').split(',')
  : undefined;

const { parse } = await import('../dist/index.js');

const files = readdirSync(corpusDir)
  .filter((f) => /\.(xml|rss|atom|rdf|json)$/i.test(f))
  .sort()
  .map((name) => {
    const bytes = new Uint8Array(readFileSync(join(corpusDir, name)));
    return { name, bytes, text: Buffer.from(bytes).toString('utf8') };
  });
const totalBytes = files.reduce((n, f) => n + f.bytes.length, 0);

/**
 * A parser under test: `run` parses one corpus file (or resolves once it has).
 * @typedef {{ name: string, run: (f: CorpusFile) => unknown }} Parser
 * @typedef {{ name: string, bytes: Uint8Array, text: string }} CorpusFile
 */

async function loadCompetitors() {
  /** @type {Parser[]} */
  const list = [];
  try {
    const feedsmith = await import('feedsmith');
    list.push({ name: 'feedsmith', run: (f) => feedsmith.parseFeed(f.text) });
  } catch (/** @type {any} */ err) {
    console.log(`feedsmith unavailable: ${err.message}`);
  }
  try {
    const { parseFeed } = await import('@rowanmanning/feed-parser');
    list.push({ name: '@rowanmanning/feed-parser', run: (f) => parseFeed(f.text) });
  } catch (/** @type {any} */ err) {
    console.log(`@rowanmanning/feed-parser unavailable: ${err.message}`);
  }
  try {
    const { default: RssParser } = await import('rss-parser');
    const parser = new RssParser();
    list.push({ name: 'rss-parser', run: (f) => parser.parseString(f.text) });
  } catch (/** @type {any} */ err) {
    console.log(`rss-parser unavailable: ${err.message}`);
  }
  try {
    const { default: FeedParser } = await import('feedparser');
    list.push({
      name: 'feedparser',
      run: (f) =>
        new Promise((resolve, reject) => {
          const fp = new FeedParser({});
          /** @type {unknown[]} */
          const items = [];
          fp.on('error', reject);
          fp.on('readable', () => {
            for (let item = fp.read(); item; item = fp.read()) items.push(item);
          });
          fp.on('end', () => resolve(items));
          Readable.from([f.text]).pipe(fp);
        }),
    });
  } catch (/** @type {any} */ err) {
    console.log(`feedparser unavailable: ${err.message}`);
  }
  return list;
}

/**
 * One pass over the corpus; returns seconds taken and documents the parser refused.
 * @param {Parser['run']} run
 */
async function pass(run) {
  let failures = 0;
  const start = performance.now();
  for (const f of files) {
    try {
      const r = /** @type {{ then?: unknown } | undefined} */ (run(f));
      if (r && typeof r.then === 'function') await r;
    } catch {
      // a parser refusing a document is counted, not fatal: the corpus has hard cases
      failures++;
    }
  }
  return { seconds: (performance.now() - start) / 1000, failures };
}

/** @param {number[]} xs */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const parsers = [
  {
    name: 'orrery (sanitize:false)',
    run: (/** @type {CorpusFile} */ f) =>
      parse(f.bytes, { url: `https://example.org/${f.name}`, sanitize: false }),
  },
  {
    name: 'orrery (default, sanitized)',
    run: (/** @type {CorpusFile} */ f) => parse(f.bytes, { url: `https://example.org/${f.name}` }),
  },
  ...(await loadCompetitors()),
].filter((p) => !only || only.some((o) => p.name.includes(o)));

console.log(
  `parse-bench: ${files.length} files, ${(totalBytes / 1e6).toFixed(2)} MB, ~${seconds}s per parser, node ${process.version}`,
);
// Parsers take turns pass by pass (so a burst of load from other processes hits them all),
// after a warm-up pass each; the median pass time is reported (best pass in parentheses).
const times = parsers.map(() => /** @type {number[]} */ ([]));
const failures = parsers.map(() => 0);
for (const p of parsers) await pass(p.run);
const deadline = performance.now() + seconds * 1000 * parsers.length;
for (let round = 0; round < 3 || performance.now() < deadline; round++) {
  for (const [i, p] of parsers.entries()) {
    globalThis.gc?.();
    const r = await pass(p.run);
    times[i]?.push(r.seconds);
    failures[i] = r.failures;
  }
}
const results = parsers.map((p, i) => {
  const passTimes = times[i] ?? [];
  const med = /** @type {number} */ (median(passTimes));
  const best = Math.min(...passTimes);
  return {
    name: p.name,
    filesPerSec: files.length / med,
    mbPerSec: totalBytes / 1e6 / med,
    bestMbPerSec: totalBytes / 1e6 / best,
    passes: passTimes.length,
    failures: failures[i],
  };
});
const base = results.find((r) => r.name.startsWith('orrery (default'));
/** @param {unknown} s @param {number} n */
const pad = (s, n) => String(s).padEnd(n);
/** @param {unknown} s @param {number} n */
const padl = (s, n) => String(s).padStart(n);
console.log(
  `${pad('parser', 30)}${padl('files/s', 10)}${padl('MB/s', 9)}${padl('(best)', 9)}${padl('× orrery', 10)}${padl('failed', 8)}${padl('passes', 8)}`,
);
for (const r of results) {
  const ratio = base ? (r.mbPerSec / base.mbPerSec).toFixed(2) : '-';
  console.log(
    `${pad(r.name, 30)}${padl(r.filesPerSec.toFixed(0), 10)}${padl(r.mbPerSec.toFixed(2), 9)}${padl(`(${r.bestMbPerSec.toFixed(2)})`, 9)}${padl(ratio, 10)}${padl(r.failures, 8)}${padl(r.passes, 8)}`,
  );
}
const fs = results.find((r) => r.name === 'feedsmith');
const raw = results.find((r) => r.name.startsWith('orrery (sanitize:false'));
if (fs && raw && base) {
  console.log(
    `targets: sanitize:false ${(raw.mbPerSec / fs.mbPerSec).toFixed(2)}x feedsmith (want ≥ 1.0); default ${(base.mbPerSec / fs.mbPerSec).toFixed(2)}x feedsmith (want ≥ 0.5)`,
  );
}

#!/usr/bin/env node
// A/B of two builds of the parser and the sanitizer over the shared corpus, in one process with
// the passes interleaved (A B, B A, A B, …): a shared machine's load drifts by ±25 % over
// minutes and hits both alike, so the per-pass ratio B/A is the figure to read, not the MB/s.
// A build is a tsc output folder (`npm run build` writes dist/). For an older commit:
//   git worktree add /tmp/ab-base <rev> && ln -s "$PWD/node_modules" /tmp/ab-base/node_modules
//   (cd /tmp/ab-base && npx tsc -p tsconfig.build.json --outDir /tmp/ab-base/dist)
//   node bench/ab.js /tmp/ab-base/dist dist [--passes 10] [--compare]
// --compare also checks that both builds parse every corpus file to the same JSON (with
// sanitize true, 'defer' and false) and exits 1 when one differs.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const CORPUS = resolve(dirname(fileURLToPath(import.meta.url)), '../../shared/corpus/files');
const args = process.argv.slice(2);
/** @param {string} name */
const flag = (name) => args.indexOf(name);
const passes = flag('--passes') >= 0 ? Number(args[flag('--passes') + 1]) : 10;
const [dirA, dirB] = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--passes');
if (!dirA || !dirB) {
  console.error('usage: node bench/ab.js <build A> <build B> [--passes N] [--compare]');
  process.exit(2);
}
/**
 * The parser and sanitizer of a build (typed as this checkout's).
 * @typedef {typeof import('../src/parse/index.js') & typeof import('../src/sanitize/index.js')
 *   & typeof import('../src/model/feed.js')} Build
 */
/** @type {(dir: string) => Promise<Build>} */
const load = async (dir) => ({
  ...(await import(pathToFileURL(resolve(dir, 'parse/index.js')).href)),
  ...(await import(pathToFileURL(resolve(dir, 'sanitize/index.js')).href)),
  ...(await import(pathToFileURL(resolve(dir, 'model/feed.js')).href)),
});
const [A, B] = [await load(dirA), await load(dirB)];

const files = readdirSync(CORPUS)
  .sort()
  .map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(CORPUS, name))) }));
/**
 * @param {{ name: string }} file
 * @param {boolean | 'defer'} sanitize
 */
const options = (file, sanitize) => ({ url: `https://example.org/${file.name}`, sanitize });

// The HTML the sanitizer gets: every entry's HTML content, summary and title, as parsed by A.
/** @type {string[]} */
const html = [];
for (const file of files) {
  for (const entry of A.parse(file.bytes, options(file, false)).entries) {
    for (const t of [...entry.content, A.summaryText(entry), entry.titleDetail]) {
      if (t && /html/.test(t.type) && t.value.includes('<')) html.push(t.value);
    }
  }
}
const base = 'http://example.com/x/';
/** @type {Record<string, [bytes: number, run: (m: Build) => void]>} */
const cases = {
  'parse (defer)': [files.reduce((n, f) => n + f.bytes.length, 0), (m) => {
    for (const f of files) m.parse(f.bytes, options(f, 'defer'));
  }],
  sanitizeHtml: [Buffer.byteLength(html.join('')), (m) => {
    for (const s of html) m.sanitizeHtml(s, { baseUrl: base });
  }],
  resolveHtmlUrls: [Buffer.byteLength(html.join('')), (m) => {
    for (const s of html) m.resolveHtmlUrls(s, base);
  }],
  htmlToText: [Buffer.byteLength(html.join('')), (m) => {
    for (const s of html) m.htmlToText(s);
  }],
}; // biome-ignore format: one line per case

/** @param {() => void} fn */
const cpuMs = (fn) => {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};
/** @param {number[]} xs */
const median = (xs) => /** @type {number} */ ([...xs].sort((x, y) => x - y)[xs.length >> 1]);
/** @param {number[]} xs */
const range = (xs) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;
console.log(`${files.length} files, ${html.length} HTML texts, ${passes} passes per build`);
for (const [name, [bytes, run]] of Object.entries(cases)) {
  run(A);
  run(B); // warm-up
  /** @type {number[]} */
  const a = [];
  /** @type {number[]} */
  const b = [];
  for (let i = 0; i < passes; i++) {
    // Alternate who goes first, so neither always runs in the other's garbage.
    if (i % 2 === 0) {
      a.push(cpuMs(() => run(A)));
      b.push(cpuMs(() => run(B)));
    } else {
      b.push(cpuMs(() => run(B)));
      a.push(cpuMs(() => run(A)));
    }
  }
  const ratios = b.map((ms, i) => ms / /** @type {number} */ (a[i]));
  /** @param {number} ms */
  const rate = (ms) => (bytes / 1e3 / ms).toFixed(1);
  console.log(
    `${name.padEnd(16)} A ${rate(median(a))} MB/s, B ${rate(median(b))} MB/s of CPU (medians); ` +
      `B/A CPU per pass: median ${median(ratios).toFixed(2)}, range ${range(ratios)}`,
  );
}

if (flag('--compare') >= 0) {
  let differ = 0;
  for (const file of files) {
    for (const sanitize of /** @type {const} */ ([true, 'defer', false])) {
      const x = JSON.stringify(A.parse(file.bytes, options(file, sanitize)));
      const y = JSON.stringify(B.parse(file.bytes, options(file, sanitize)));
      if (x === y) continue;
      differ++;
      let i = 0;
      while (x[i] === y[i]) i++;
      console.log(`DIFF ${file.name} sanitize=${sanitize} at ${i}:`);
      console.log(
        `  A ${x.slice(Math.max(0, i - 80), i + 80)}\n  B ${y.slice(Math.max(0, i - 80), i + 80)}`,
      );
    }
  }
  console.log(`compare: ${files.length * 3} parses, ${differ} differ`);
  process.exitCode = differ === 0 ? 0 : 1;
}

#!/usr/bin/env node
// In-process A/B timing of two parser builds over the shared corpus (docs/decisions/parse.md 14).
// Each build is src/parse/index.ts bundled on its own, e.g.
//   npx esbuild src/parse/index.ts --bundle --platform=node --format=esm --packages=external --outfile=/tmp/pb/new.mjs
// (the output directory needs a node_modules symlink to the repository's). Then
//   node src/parse/testdata/ab-bench.mjs /tmp/pb/base.mjs /tmp/pb/new.mjs [passes]
// The builds take turns pass by pass, `parse(bytes, { sanitize: 'defer' })` as the pipeline calls
// it, after two warm-up passes each; prints MB/s per pass (wall clock, and per CPU second of the
// process, which a busy machine disturbs less) with the range per build, and the ratio of each
// build to the first within each round (neighbours in time share the machine's load).
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [, , ...args] = process.argv;
const passes = Number(args.find((a) => /^\d+$/.test(a))) || 8;
const paths = args.filter((a) => !/^\d+$/.test(a));
const dir = '/work/shared/corpus/files';
const files = readdirSync(dir)
  .sort()
  .map((n) => ({ name: n, bytes: new Uint8Array(readFileSync(join(dir, n))) }));
const mb = files.reduce((n, f) => n + f.bytes.length, 0) / 1e6;
const builds = [];
for (const p of paths) {
  const mod = await import(pathToFileURL(resolve(p)).href);
  builds.push({ name: p, parse: mod.parse, rates: [], cpuRates: [] });
}
const opts = (f) => ({ url: `https://example.org/${f.name}`, sanitize: 'defer' });
const pass = (b) => {
  const t = performance.now();
  const c = process.cpuUsage();
  for (const f of files) b.parse(f.bytes, opts(f));
  const cpu = process.cpuUsage(c);
  b.cpuRates.push(mb / ((cpu.user + cpu.system) / 1e6));
  return mb / ((performance.now() - t) / 1000);
};
for (const b of builds) for (let i = 0; i < 2; i++) pass(b);
for (const b of builds) b.cpuRates.length = 0;
for (let i = 0; i < passes; i++) {
  // alternate which build goes first, so neither always follows the other's garbage
  const order = i % 2 === 0 ? builds : [...builds].reverse();
  for (const b of order) b.rates.push(pass(b));
}
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const range = (xs) => `${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}`;
console.log(`${files.length} files, ${mb.toFixed(2)} MB, ${passes} passes`);
for (const b of builds) {
  const ratios = b.rates.map((r, i) => r / builds[0].rates[i]);
  const cpuRatios = b.cpuRates.map((r, i) => r / builds[0].cpuRates[i]);
  console.log(
    `${b.name}: wall median ${median(b.rates).toFixed(1)} MB/s (${range(b.rates)}), CPU median ${median(b.cpuRates).toFixed(1)} (${range(b.cpuRates)}); ratio to first: wall ${median(ratios).toFixed(3)}, CPU ${median(cpuRatios).toFixed(3)} (${range(cpuRatios)})`,
  );
  console.log(`  wall per pass: ${b.rates.map((x) => x.toFixed(1)).join(' ')}`);
}

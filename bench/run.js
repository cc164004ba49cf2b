#!/usr/bin/env node
// npm run bench: runs every bench/*-bench.js in its own process (so peak memory is its own)
// and prints their reports one after another. `npm run bench -- parse` runs only matching ones;
// `--fuzz` also runs the long parser fuzz (bench/fuzz.js, minutes), which is not a benchmark.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const fuzz = process.argv.includes('--fuzz');
const filters = process.argv.slice(2).filter((a) => a !== '--fuzz');
const benches = readdirSync(here)
  .filter((f) => f.endsWith('-bench.js'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (benches.length === 0) {
  console.error(`no bench matches ${filters.join(' ')}; have: ${readdirSync(here).join(' ')}`);
  process.exit(2);
}
let failed = 0;
for (const bench of benches) {
  console.log(`\n=== ${bench}`);
  const result = spawnSync(process.execPath, ['--expose-gc', join(here, bench)], {
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    failed++;
    console.error(`${bench} exited with ${result.status ?? result.signal}`);
  }
}
if (fuzz) {
  console.log('\n=== fuzz.js');
  const result = spawnSync(process.execPath, [join(here, 'fuzz.js')], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);

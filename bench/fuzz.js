#!/usr/bin/env node
// The long parser fuzz: src/parse/fuzz.test.ts (the CI one, 400 mutants) run with many more
// mutants of the corpus and conformance documents, sanitizing on. Checks, for every mutant: no
// internal error, under 2 s of CPU, sanitized HTML harmless and idempotent, no script URL.
//   node bench/fuzz.js [--docs 50000] [--seed N]      (or: node bench/run.js --fuzz)
// A failure prints the seed and the mutant's index; rerun with that --seed to reproduce it.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
/** @param {string} name @param {string} dflt */
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const docs = Number(opt('--docs', '50000'));
const seed = Number(opt('--seed', String(Math.floor(Math.random() * 2 ** 31))));
console.log(`fuzzing the parser: ${docs} mutants, seed ${seed}`);
const t0 = process.hrtime.bigint();
const run = spawnSync(
  process.execPath,
  [join(root, 'node_modules/vitest/vitest.mjs'), 'run', 'src/parse/fuzz.test.ts'],
  {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      ORRERY_FUZZ_DOCS: String(docs),
      ORRERY_FUZZ_SEED: String(seed),
      // the test's own timeout, for the long run
      ORRERY_FUZZ_TIMEOUT_MS: String(Math.max(60_000, docs * 50)),
    },
  },
);
console.log(`${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(0)} s wall`);
process.exit(run.status ?? 1);

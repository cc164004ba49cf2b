#!/usr/bin/env node
// One-off equivalence check of two parser builds (see ab-bench.mjs for building them):
// JSON.stringify(parse()) of every corpus file with sanitize: true and 'defer' must be identical.
//   node src/parse/testdata/ab-compare.mjs /tmp/pb/base.mjs /tmp/pb/new.mjs
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [a, b] = await Promise.all(
  process.argv.slice(2, 4).map((p) => import(pathToFileURL(resolve(p)).href)),
);
const dir = '/work/shared/corpus/files';
let cases = 0;
let diffs = 0;
for (const name of readdirSync(dir).sort()) {
  const bytes = new Uint8Array(readFileSync(join(dir, name)));
  for (const sanitize of [true, 'defer', false]) {
    const opts = { url: `https://example.org/${name}`, sanitize };
    cases++;
    const x = JSON.stringify(a.parse(bytes, opts));
    const y = JSON.stringify(b.parse(bytes, opts));
    if (x !== y) {
      diffs++;
      let i = 0;
      while (x[i] === y[i]) i++;
      console.log(`DIFF ${name} sanitize=${sanitize} at ${i}:\n  ${x.slice(i - 80, i + 80)}\n  ${y.slice(i - 80, i + 80)}`);
    }
  }
}
console.log(`${cases} cases, ${diffs} differ`);
process.exit(diffs === 0 ? 0 : 1);

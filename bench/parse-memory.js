#!/usr/bin/env node
// Peak memory of parsing one large document: an RSS 2.0 feed of SIZE MB built from the items of
// the real feeds in ../shared/corpus (repeated, each with its own guid), parsed by the compiled
// parser (../dist) in a child process per case, so each peak is its own. Prints the child's peak
// RSS over its RSS before it read the document (parser loaded), per MB of input: the memory one
// document costs, its own bytes included. The child runs with the V8 flag bin/orrery.js sets
// (--heap-growing-percent=30), as `orrery run` parses.
//   npm run build && node bench/parse-memory.js [--mb 29] [--sanitize defer,true]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
/** @param {string} name @param {string} dflt */
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);

if (args[0] === '--child') {
  // child: read the document, settle, parse once, report
  const [, file = '', sanitize] = args;
  const { parse } = await import(join(here, '../dist/index.js'));
  parse(new TextEncoder().encode('<rss><channel><item><title>warm</title></item></channel></rss>'));
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  const bytes = new Uint8Array(readFileSync(file));
  const t0 = process.cpuUsage();
  const r = parse(bytes, { sanitize: sanitize === 'defer' ? 'defer' : sanitize === 'true' });
  const cpu = process.cpuUsage(t0);
  const peak = process.resourceUsage().maxRSS * 1024;
  console.log(
    JSON.stringify({
      before,
      peak,
      entries: r.entries.length,
      dropped: r.entriesDropped ?? 0,
      cpu: (cpu.user + cpu.system) / 1e6,
    }),
  );
  process.exit(0);
}

const mb = Number(opt('--mb', '29'));
const modes = (opt('--sanitize', 'defer,true') ?? '').split(',');
const corpus = resolve(here, '../../shared/corpus/files');
/** @type {string[]} */
const items = [];
for (const name of readdirSync(corpus).sort()) {
  const text = readFileSync(join(corpus, name), 'utf8');
  if (!/<rss[\s>]/.test(text)) continue;
  for (const m of text.matchAll(/<item[\s>][\s\S]*?<\/item>/g)) {
    // keep items that stand alone (no namespace prefixes the new document would not declare)
    if (!/<\/?(?!content:encoded|dc:creator)[a-zA-Z]+:/.test(m[0])) items.push(m[0]);
  }
}
const head =
  '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" ' +
  'xmlns:content="http://purl.org/rss/1.0/modules/content/" ' +
  'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>big</title>' +
  '<link>https://example.org/</link>\n';
const parts = [head];
let size = head.length;
for (let i = 0; size < mb * 1024 * 1024; i++) {
  const item = /** @type {string} */ (items[i % items.length]).replace(
    /<guid[\s\S]*?<\/guid>/g,
    '',
  );
  const withGuid = item.replace(/<\/item>$/, `<guid isPermaLink="false">big-${i}</guid></item>\n`);
  parts.push(withGuid);
  size += Buffer.byteLength(withGuid);
}
parts.push('</channel></rss>\n');
const dir = mkdtempSync(join(tmpdir(), 'orrery-parse-memory-'));
const file = join(dir, 'big.xml');
writeFileSync(file, parts.join(''));
const inputMb = readFileSync(file).length / 1024 / 1024;
console.log(
  `document: ${inputMb.toFixed(1)} MB, ${parts.length - 2} items from ${items.length} corpus items`,
);
try {
  for (const sanitize of modes) {
    const out = execFileSync(
      process.execPath,
      [
        '--expose-gc',
        '--heap-growing-percent=30',
        fileURLToPath(import.meta.url),
        '--child',
        file,
        sanitize,
      ],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
    );
    const r = JSON.parse(out.trim().split('\n').pop() ?? '');
    const growth = (r.peak - r.before) / 1024 / 1024;
    console.log(
      `sanitize ${sanitize}: peak ${(r.peak / 1024 / 1024).toFixed(0)} MB, ` +
        `${(r.before / 1024 / 1024).toFixed(0)} MB before reading the document; growth ` +
        `${growth.toFixed(0)} MB = ${(growth / inputMb).toFixed(1)} MB per MB of input; ` +
        `${r.entries} entries, ${r.dropped} dropped; ${r.cpu.toFixed(1)} s CPU`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

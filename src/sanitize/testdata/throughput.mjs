// CPU-time throughput of the sanitizer vs feedsmith on the shared corpus (best of 6 runs, so
// that a loaded machine disturbs the figures less than wall-clock time would).
// Node 20 cannot run TypeScript, so compile first:
//   npx tsc --outDir /tmp/sanjs --rootDir src --module nodenext --moduleResolution nodenext \
//     --target es2022 --lib es2023 --types node --skipLibCheck --strict \
//     src/sanitize/index.ts src/sanitize/testdata/corpus-html.ts
//   ln -sfn "$PWD/node_modules" /tmp/sanjs/node_modules; echo '{"type":"module"}' > /tmp/sanjs/package.json
//   cp src/sanitize/testdata/throughput.mjs /tmp/sanjs/ && node /tmp/sanjs/throughput.mjs
import { readdirSync, readFileSync } from 'node:fs';
import { parseFeed } from 'feedsmith';
import { parseFragment } from 'parse5';
import { htmlToText, resolveHtmlUrls, sanitizeHtml } from './sanitize/index.js';
import { loadCorpusHtml } from './sanitize/testdata/corpus-html.js';
// The corpus folder: first argument, else the shared one beside /work/main.
const DIR = process.argv[2] ?? '/work/shared/corpus/files';
const feeds = readdirSync(DIR).sort().map((f) => readFileSync(`${DIR}/${f}`, 'utf8'));
const feedBytes = feeds.reduce((n, s) => n + Buffer.byteLength(s), 0);
const { items } = loadCorpusHtml(DIR);
const htmlBytes = items.reduce((n, s) => n + Buffer.byteLength(s), 0);
const cases = {
  feedsmith: () => { for (const f of feeds) { try { parseFeed(f); } catch { /* not a feed */ } } },
  sanitizeHtml: () => { for (const s of items) sanitizeHtml(s, { baseUrl: 'http://example.com/x/' }); },
  'parse5 parseFragment only': () => { for (const s of items) if (s.includes('<')) parseFragment(s); },
  resolveHtmlUrls: () => { for (const s of items) resolveHtmlUrls(s, 'http://example.com/x/'); },
  htmlToText: () => { for (const s of items) htmlToText(s); },
};
const cpu = (fn) => { const t = process.cpuUsage(); fn(); const d = process.cpuUsage(t); return (d.user + d.system) / 1000; };
const best = {};
for (let r = 0; r < 6; r++) for (const [k, fn] of Object.entries(cases)) best[k] = Math.min(best[k] ?? Infinity, cpu(fn));
console.log(`corpus: ${(feedBytes / 1e6).toFixed(2)} MB feeds, ${items.length} HTML payloads = ${(htmlBytes / 1e6).toFixed(2)} MB`);
for (const [k, ms] of Object.entries(best)) {
  const bytes = k === 'feedsmith' ? feedBytes : htmlBytes;
  console.log(`${k.padEnd(28)} ${ms.toFixed(0).padStart(6)} ms CPU (best of 6)  ${(bytes / 1e3 / ms).toFixed(1).padStart(5)} MB/s  ${(ms * 1000 / (bytes / 1024)).toFixed(1).padStart(6)} us/KB  ${(ms / best.feedsmith).toFixed(2)}x feedsmith time`);
}

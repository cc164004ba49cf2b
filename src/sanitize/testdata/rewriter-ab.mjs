// A/B of the sanitize:false path (issue 13): build A's parse/resolve-urls-fast.js against build B's
// sanitize resolveHtmlUrls on the corpus' HTML texts, and parse(…, { sanitize: false }) of both, passes
// interleaved as in bench/ab.js (CPU ms per pass, B/A per pair). Builds as in bench/ab.js's header:
//   node src/sanitize/testdata/rewriter-ab.mjs <A dist> <B dist> ../shared/corpus/files
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
const [dirA, dirB, corpus] = process.argv.slice(2);
const imp = (d, f) => import(pathToFileURL(resolve(d, f)).href);
const A = { ...(await imp(dirA, 'parse/index.js')), ...(await imp(dirA, 'parse/resolve-urls-fast.js')), ...(await imp(dirA, 'model/feed.js')) };
const B = { ...(await imp(dirB, 'parse/index.js')), ...(await imp(dirB, 'sanitize/index.js')) };
const files = readdirSync(corpus).sort().map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(corpus, name))) }));
const html = [];
for (const f of files) for (const e of A.parse(f.bytes, { url: `https://example.org/${f.name}`, sanitize: 'defer' }).entries)
  for (const t of [...e.content, A.summaryText(e), e.titleDetail]) if (t && /html/.test(t.type) && t.value.includes('<')) html.push(t.value);
const base = 'http://example.com/x/';
const cases = {
  'rewriter': [(m) => { for (const s of html) m(s, base); }, A.resolveUrlsFast, B.resolveHtmlUrls],
  'parse (false)': [(m) => { for (const f of files) m(f.bytes, { url: `https://example.org/${f.name}`, sanitize: false }); }, A.parse, B.parse],
};
const cpu = (fn) => { const s = process.cpuUsage(); fn(); const u = process.cpuUsage(s); return (u.user + u.system) / 1000; };
const med = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
console.log(`${files.length} files, ${html.length} HTML texts (${(Buffer.byteLength(html.join(''))/1e6).toFixed(2)} MB)`);
for (const [name, [run, a, b]] of Object.entries(cases)) {
  run(a); run(b);
  const ra = [], rb = [];
  for (let i = 0; i < 10; i++) {
    if (i % 2 === 0) { ra.push(cpu(() => run(a))); rb.push(cpu(() => run(b))); }
    else { rb.push(cpu(() => run(b))); ra.push(cpu(() => run(a))); }
  }
  const r = rb.map((x, i) => x / ra[i]);
  console.log(`${name.padEnd(14)} A median ${med(ra).toFixed(0)} ms, B median ${med(rb).toFixed(0)} ms CPU per pass; B/A median ${med(r).toFixed(2)}, range ${Math.min(...r).toFixed(2)}–${Math.max(...r).toFixed(2)}`);
}

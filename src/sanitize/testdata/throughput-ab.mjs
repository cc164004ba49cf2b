// A/B CPU time of two builds of the sanitizer on the shared corpus payloads, in one process with
// the passes interleaved (AB, BA, AB, ...), so that the load of a shared machine, which drifts
// by ±25 % over minutes, hits both alike; the per-pair ratio B/A is the figure to read.
// Build each version with throughput.mjs's tsc command ,
// --outDir /tmp/a/js for the old one (`git archive <commit> src | tar -x -C /tmp/a`, compiled
// there, with a {"type":"module"} package.json beside src) and /tmp/b/js for the new one; link
// node_modules into both js folders. Then:
//   node src/sanitize/testdata/throughput-ab.mjs /tmp/a/js /tmp/b/js [pairs=10] [corpus dir]
const [A, B] = [process.argv[2], process.argv[3]];
const pairs = Number(process.argv[4] ?? 10);
const a = await import(`${A}/sanitize/index.js`);
const b = await import(`${B}/sanitize/index.js`);
const { loadCorpusHtml } = await import(`${A}/sanitize/testdata/corpus-html.js`);
const { items } = loadCorpusHtml(process.argv[5] ?? '/work/shared/corpus/files');
const bytes = items.reduce((n, s) => n + Buffer.byteLength(s), 0);
const cpu = (fn) => { const t = process.cpuUsage(); fn(); const d = process.cpuUsage(t); return (d.user + d.system) / 1000; };
const cases = {
  sanitizeHtml: (m) => () => { for (const s of items) m.sanitizeHtml(s, { baseUrl: 'http://example.com/x/' }); },
  resolveHtmlUrls: (m) => () => { for (const s of items) m.resolveHtmlUrls(s, 'http://example.com/x/'); },
  htmlToText: (m) => () => { for (const s of items) m.htmlToText(s); },
};
const med = (x) => [...x].sort((p, q) => p - q)[x.length >> 1];
console.log(`${items.length} payloads, ${(bytes / 1e6).toFixed(2)} MB`);
for (const [k, mk] of Object.entries(cases)) {
  const fa = mk(a), fb = mk(b); fa(); fb(); // warm-up
  const ta = [], tb = [], r = [];
  for (let i = 0; i < pairs; i++) {
    let x, y;
    if (i % 2 === 0) { x = cpu(fa); y = cpu(fb); } else { y = cpu(fb); x = cpu(fa); }
    ta.push(x); tb.push(y); r.push(y / x);
  }
  const mb = (ms) => (bytes / 1e3 / ms).toFixed(1);
  console.log(`${k.padEnd(16)} A ${Math.min(...ta).toFixed(0)}-${med(ta).toFixed(0)} ms (best-median, ${mb(med(ta))} MB/s)  B ${Math.min(...tb).toFixed(0)}-${med(tb).toFixed(0)} ms (${mb(med(tb))} MB/s)  B/A per pair: median ${med(r).toFixed(2)}, range ${Math.min(...r).toFixed(2)}-${Math.max(...r).toFixed(2)}`);
}

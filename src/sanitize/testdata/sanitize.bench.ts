// Throughput of the sanitizer over the real feed corpus' HTML payloads, next to feedsmith
// parsing the whole corpus (the parse benchmark's reference, which does no sanitizing).
// Run: npx vitest bench --run src/sanitize/testdata/sanitize.bench.ts
// (CPU-time figures in docs/decisions/sanitize.md come from testdata/throughput.mjs.)
// biome-ignore lint/style/noRestrictedImports: test-only, reads the shared corpus
import { readdirSync, readFileSync } from 'node:fs';
import { parseFeed } from 'feedsmith';
import { parseFragment } from 'parse5';
import { bench, describe } from 'vitest';
import { htmlToText, resolveHtmlUrls, sanitizeHtml } from '../index.js';
import { CORPUS_DIR, loadCorpusHtml } from './corpus-html.js';

const DIR = CORPUS_DIR;
const feeds = readdirSync(DIR)
  .sort()
  .map((f) => readFileSync(`${DIR}/${f}`, 'utf8'));
const { items, feedBytes } = loadCorpusHtml();
const htmlBytes = items.reduce((n, s) => n + Buffer.byteLength(s), 0);
const withMarkup = items.filter((s) => s.includes('<')).length;
console.log(
  `corpus: ${items.length} HTML payloads (${withMarkup} with markup), ${(htmlBytes / 1e6).toFixed(2)} MB of HTML in ${(feedBytes / 1e6).toFixed(2)} MB of feeds`,
);

const options = { iterations: 6, time: 0, warmupIterations: 1 };
describe('sanitize corpus', () => {
  bench(
    'feedsmith parseFeed, whole corpus (reference)',
    () => {
      for (const f of feeds) {
        try {
          parseFeed(f);
        } catch {
          // Some corpus files are not feeds feedsmith accepts; the time still counts.
        }
      }
    },
    options,
  );
  bench(
    'sanitizeHtml, all payloads',
    () => {
      for (const s of items) sanitizeHtml(s, { baseUrl: 'http://example.com/feed/' });
    },
    options,
  );
  bench(
    'parse5 parseFragment only (the pre-fast-path floor)',
    () => {
      for (const s of items) if (s.includes('<')) parseFragment(s, { scriptingEnabled: false });
    },
    options,
  );
  bench(
    'resolveHtmlUrls, all payloads',
    () => {
      for (const s of items) resolveHtmlUrls(s, 'http://example.com/feed/');
    },
    options,
  );
  bench(
    'htmlToText, all payloads',
    () => {
      for (const s of items) htmlToText(s);
    },
    options,
  );
});

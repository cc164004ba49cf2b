// Throughput of the sanitizer over the real feed corpus' HTML payloads.
// Run: npx vitest bench --run src/sanitize/testdata/sanitize.bench.ts
import { parseFragment } from 'parse5';
import { bench, describe } from 'vitest';
import { htmlToText, resolveHtmlUrls, sanitizeHtml } from '../index.js';
import { loadCorpusHtml } from './corpus-html.js';

const { items, feedBytes } = loadCorpusHtml();
const htmlBytes = items.reduce((n, s) => n + Buffer.byteLength(s), 0);
const withMarkup = items.filter((s) => s.includes('<')).length;
console.log(
  `corpus: ${items.length} HTML payloads (${withMarkup} with markup), ${(htmlBytes / 1e6).toFixed(2)} MB of HTML in ${(feedBytes / 1e6).toFixed(2)} MB of feeds`,
);

const options = { iterations: 8, time: 0, warmupIterations: 2 };
describe('sanitize corpus', () => {
  bench(
    'sanitizeHtml',
    () => {
      for (const s of items) sanitizeHtml(s, { baseUrl: 'http://example.com/feed/' });
    },
    options,
  );
  bench(
    'parse5 parseFragment only (reference)',
    () => {
      for (const s of items) parseFragment(s, { scriptingEnabled: false });
    },
    options,
  );
  bench(
    'resolveHtmlUrls',
    () => {
      for (const s of items) resolveHtmlUrls(s, 'http://example.com/feed/');
    },
    options,
  );
  bench(
    'htmlToText',
    () => {
      for (const s of items) htmlToText(s);
    },
    options,
  );
});

// Throughput of the sanitizer over the real feed corpus' HTML payloads.
// Run: npx vitest bench --run src/sanitize/testdata/sanitize.bench.ts
import { bench, describe } from 'vitest';
import { htmlToText, resolveHtmlUrls, sanitizeHtml } from '../index.js';
import { loadCorpusHtml } from './corpus-html.js';

const { items, feedBytes } = loadCorpusHtml();
const htmlBytes = items.reduce((n, s) => n + Buffer.byteLength(s), 0);
const withMarkup = items.filter((s) => s.includes('<')).length;
console.log(
  `corpus: ${items.length} HTML payloads (${withMarkup} with markup), ${(htmlBytes / 1e6).toFixed(2)} MB of HTML in ${(feedBytes / 1e6).toFixed(2)} MB of feeds`,
);

describe('sanitize corpus', () => {
  bench('sanitizeHtml (all payloads)', () => {
    for (const s of items) sanitizeHtml(s, { baseUrl: 'http://example.com/feed/' });
  });
  bench('resolveHtmlUrls (all payloads)', () => {
    for (const s of items) resolveHtmlUrls(s, 'http://example.com/feed/');
  });
  bench('htmlToText (all payloads)', () => {
    for (const s of items) htmlToText(s);
  });
});

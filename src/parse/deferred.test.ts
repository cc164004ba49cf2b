/**
 * parse(…, { sanitize: 'defer' }) + sanitizeDeferred() must be parse(…, { sanitize: true }),
 * entry for entry, on every corpus document and every conformance case: the pipeline stores
 * entries cleaned the deferred way, and nothing may differ from what parse() promises.
 */
import { describe, expect, it } from 'vitest';
import { sanitizeDeferred } from './deferred.js';
import { parse } from './index.js';
import {
  type ConformanceVector,
  corpusDocuments,
  HAS_CONFORMANCE,
  HAS_CORPUS,
  readCase,
  readJsonl,
} from './testdata/shared-documents.js';

function documents(): {
  name: string;
  bytes: Buffer;
  url: string;
  headers: Record<string, string>;
}[] {
  const corpus = corpusDocuments().map((d) => ({
    ...d,
    url: `https://example.org/${d.name}`,
    headers: {},
  }));
  if (!HAS_CONFORMANCE) return corpus;
  const vectors = readJsonl<ConformanceVector>('vectors.jsonl').map((v) => ({
    name: v.case,
    bytes: readCase(v),
    url: v.url ?? `http://127.0.0.1/${v.case}`,
    headers: v.http ?? {},
  }));
  return [...corpus, ...vectors];
}

describe.skipIf(!HAS_CORPUS)('sanitizeDeferred', () => {
  it('gives the entries parse() sanitizes, on the corpus and the conformance cases', () => {
    const docs = documents();
    expect(docs.length).toBeGreaterThan(1000);
    let entries = 0;
    let cleaned = 0;
    for (const doc of docs) {
      const options = { url: doc.url, headers: doc.headers };
      const eager = parse(doc.bytes, options);
      const deferred = parse(doc.bytes, { ...options, sanitize: 'defer' });
      expect(deferred.entries.length, doc.name).toBe(eager.entries.length);
      deferred.entries.forEach((raw, i) => {
        const done = sanitizeDeferred(raw);
        if (JSON.stringify(done) !== JSON.stringify(raw)) cleaned++;
        expect(done, `${doc.name} entry ${i}`).toEqual(eager.entries[i]);
        entries++;
      });
    }
    // The comparison must have had work to do: many entries change when cleaned.
    expect(entries).toBeGreaterThan(5000);
    expect(cleaned).toBeGreaterThan(500);
  });

  it('leaves the raw entry unchanged and cleans a script away', () => {
    const rss = Buffer.from(
      '<rss version="2.0"><channel><item><title>T</title><description>&lt;p&gt;hi&lt;script&gt;alert(1)&lt;/script&gt;&lt;a href="/x"&gt;x&lt;/a&gt;</description></item></channel></rss>',
    );
    const [raw] = parse(rss, { url: 'https://blog.example/feed', sanitize: 'defer' }).entries;
    expect(raw?.summary).toContain('<script>');
    const done = sanitizeDeferred(raw!);
    expect(raw?.summary).toContain('<script>');
    expect(done.summary).toBe('<p>hi<a href="https://blog.example/x">x</a></p>');
    expect(done.summaryDetail?.value).toBe(done.summary);
  });
});

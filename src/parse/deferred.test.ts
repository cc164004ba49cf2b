/**
 * parse(…, { sanitize: 'defer' }) + sanitizeDeferred() must be parse(…, { sanitize: true }),
 * entry for entry, on every corpus document and every conformance case: the pipeline stores
 * entries cleaned the deferred way, and nothing may differ from what parse() promises.
 */
// biome-ignore lint/style/noRestrictedImports: the test reads the shared corpus and conformance files; parse itself stays pure
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sanitizeDeferred } from './deferred.js';
import { parse } from './index.js';

const shared = resolve(import.meta.dirname, '../../../shared');
const corpus = join(shared, 'corpus/files');
const conformance = join(shared, 'conformance');

function documents(): {
  name: string;
  bytes: Buffer;
  url: string;
  headers: Record<string, string>;
}[] {
  const out = [];
  if (existsSync(corpus)) {
    for (const name of readdirSync(corpus).sort()) {
      out.push({
        name,
        bytes: readFileSync(join(corpus, name)),
        url: `https://example.org/${name}`,
        headers: {},
      });
    }
  }
  if (existsSync(join(conformance, 'vectors.jsonl'))) {
    for (const line of readFileSync(join(conformance, 'vectors.jsonl'), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const v = JSON.parse(line) as { case: string; url?: string; http?: Record<string, string> };
      const file = join(conformance, 'cases', v.case);
      if (!existsSync(file)) continue;
      out.push({
        name: v.case,
        bytes: readFileSync(file),
        url: v.url ?? `http://127.0.0.1/${v.case}`,
        headers: Object.fromEntries(
          Object.entries(v.http ?? {}).map(([k, x]) => [k.toLowerCase(), x]),
        ),
      });
    }
  }
  return out;
}

describe.skipIf(!existsSync(corpus))('sanitizeDeferred', () => {
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
        if (done !== raw && JSON.stringify(done) !== JSON.stringify(raw)) cleaned++;
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

/**
 * Every document of the shared corpus (../shared/corpus, beside the repo) parses without
 * throwing, and every real-world one yields its entries: as many as a plain count of its
 * <item>/<entry> elements (or JSON Feed items) says it has.
 */
// biome-ignore lint/style/noRestrictedImports: the test reads the shared corpus; parse itself stays pure
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from './index.js';

const here = dirname(fileURLToPath(import.meta.url));
const corpusDir = resolve(here, '../../../shared/corpus');
const available = existsSync(join(corpusDir, 'manifest.tsv'));

interface Row {
  file: string;
  format: string;
  kind: string;
}

function manifest(): Row[] {
  const [head, ...lines] = readFileSync(join(corpusDir, 'manifest.tsv'), 'utf8').trim().split('\n');
  const cols = head!.split('\t');
  return lines.map((l) => {
    const f = l.split('\t');
    return {
      file: f[cols.indexOf('file')]!,
      format: f[cols.indexOf('format')]!,
      kind: f[cols.indexOf('kind')]!,
    };
  });
}

/** An independent count of entries: elements named item/entry outside CDATA and comments. */
function countEntries(bytes: Buffer, format: string): number {
  const text = bytes.toString('latin1');
  if (format === 'json') {
    const doc = JSON.parse(bytes.toString('utf8')) as { items?: unknown[] };
    return doc.items?.length ?? 0;
  }
  const stripped = text.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '').replace(/<!--[\s\S]*?-->/g, '');
  const tag = format.startsWith('atom') ? 'entry' : 'item';
  // open tags only: a stray self-closed <item /> is not an entry
  const re = new RegExp(`<(?:[A-Za-z0-9_-]+:)?${tag}(?:\\s[^>]*[^/>])?\\s*>`, 'g');
  return (stripped.match(re) ?? []).length;
}

describe.skipIf(!available)('corpus (../shared/corpus)', () => {
  // each file is parsed once; both checks read the results
  const parsed = (available ? manifest() : []).map((r) => {
    const bytes = readFileSync(join(corpusDir, 'files', r.file));
    return {
      ...r,
      bytes,
      result: parse(new Uint8Array(bytes), { url: `https://example.org/${r.file}` }),
    };
  });

  it('parses every file without throwing or internal errors', () => {
    expect(parsed.length).toBeGreaterThan(400);
    const failures = parsed
      .map((p) => ({
        file: p.file,
        internal: p.result.warnings.find((w) => w.startsWith('parse: internal error')),
      }))
      .filter((p) => p.internal !== undefined)
      .map((p) => `${p.file}: ${p.internal}`);
    expect(failures).toEqual([]);
  });

  it('yields the entries of every real-world feed', () => {
    const failures: string[] = [];
    let entries = 0;
    for (const p of parsed.filter((x) => x.kind === 'real')) {
      const want = countEntries(p.bytes, p.format);
      entries += p.result.entries.length;
      if (p.result.entries.length !== want)
        failures.push(
          `${p.file} (${p.format}): ${p.result.entries.length} entries, expected ${want}`,
        );
    }
    expect(failures).toEqual([]);
    expect(entries).toBeGreaterThan(1000);
  });
});

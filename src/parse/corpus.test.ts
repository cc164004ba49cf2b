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
  const rows = available ? manifest() : [];

  it('parses every file without throwing or internal errors', () => {
    const failures: string[] = [];
    for (const r of rows) {
      const bytes = readFileSync(join(corpusDir, 'files', r.file));
      const result = parse(new Uint8Array(bytes), { url: `https://example.org/${r.file}` });
      const internal = result.warnings.find((w) => w.startsWith('parse: internal error'));
      if (internal) failures.push(`${r.file}: ${internal}`);
    }
    expect(failures).toEqual([]);
  });

  it('yields the entries of every real-world feed', () => {
    const failures: string[] = [];
    let entries = 0;
    for (const r of rows.filter((x) => x.kind === 'real')) {
      const bytes = readFileSync(join(corpusDir, 'files', r.file));
      const result = parse(new Uint8Array(bytes), { url: `https://example.org/${r.file}` });
      const want = countEntries(bytes, r.format);
      entries += result.entries.length;
      if (result.entries.length !== want)
        failures.push(
          `${r.file} (${r.format}): ${result.entries.length} entries, expected ${want}`,
        );
    }
    expect(failures).toEqual([]);
    expect(entries).toBeGreaterThan(1000);
  });
});

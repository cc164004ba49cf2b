// Test-only: the HTML payloads (content, summaries, descriptions) of the shared real-world feed
// corpus, for measuring the sanitizer on what feeds actually carry.
// biome-ignore lint/style/noRestrictedImports: test-only, reads the shared corpus
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeXML } from 'entities';

/** The shared corpus, beside the repository (../shared from the repo root). */
export const CORPUS_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../shared/corpus/files',
);
const ELEMENT_RE =
  /<(description|content:encoded|content|summary|subtitle|tagline|title)(\s[^>]*)?>([\s\S]*?)<\/\1>/g;

export interface CorpusHtml {
  /** HTML strings, as a parser would hand them to the sanitizer. */
  items: string[];
  /** Bytes of all feed documents they came from. */
  feedBytes: number;
}

export function loadCorpusHtml(dir: string = CORPUS_DIR): CorpusHtml {
  const items: string[] = [];
  let feedBytes = 0;
  if (!existsSync(dir)) return { items, feedBytes };
  for (const name of readdirSync(dir).sort()) {
    const text = readFileSync(`${dir}/${name}`, 'utf8');
    feedBytes += Buffer.byteLength(text);
    if (name.endsWith('.json')) {
      try {
        const feed = JSON.parse(text) as { items?: { content_html?: unknown; summary?: unknown }[] };
        for (const item of Array.isArray(feed.items) ? feed.items : []) {
          if (typeof item?.content_html === 'string') items.push(item.content_html);
          if (typeof item?.summary === 'string') items.push(item.summary);
        }
      } catch {
        // Some corpus files are deliberately broken JSON; they carry no HTML to measure.
      }
      continue;
    }
    for (const m of text.matchAll(ELEMENT_RE)) {
      const attrs = m[2] ?? '';
      const body = m[3] ?? '';
      if (/type=["']xhtml["']/.test(attrs)) {
        items.push(body);
        continue;
      }
      items.push(
        body
          .split(/(<!\[CDATA\[[\s\S]*?\]\]>)/)
          .map((p) => (p.startsWith('<![CDATA[') ? p.slice(9, -3) : decodeXML(p)))
          .join(''),
      );
    }
  }
  return { items, feedBytes };
}

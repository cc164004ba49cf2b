// The shared conformance vectors for the sanitizer (cases/wellformed/sanitize/*), run against
// sanitizeHtml/htmlToText directly, before the parser exists. Each case's payload is pulled out
// of its feed document by a test-only regex reader (testdata/extract-case.ts). Cases that only
// the parser can satisfy, and deliberate differences from feedparser, are listed with reasons.
// biome-ignore lint/style/noRestrictedImports: test-only, reads the shared conformance files
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { htmlToText, sanitizeHtml } from './index.js';
import { extractCase } from './testdata/extract-case.js';
import { normalizeHtml } from './testdata/normalize-html.js';

// The shared folder sits beside the repository (../shared from the repo root).
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/conformance');
const available = existsSync(`${ROOT}/vectors.jsonl`);

interface Assert {
  path: string;
  eq?: unknown;
  html?: string;
}
interface Vector {
  case: string;
  desc: string;
  asserts: Assert[];
}

/** Deliberate differences from feedparser, each with its reason (see docs/decisions/sanitize.md). */
const KNOWN_DIFFERENCES: Record<string, string> = {
  // feedparser's sgmllib tokenizer does not see `<script\n\n\n>` as a script start tag and keeps
  // its body as text; an HTML5 parser (and every browser) sees a script and drops all of it.
  'entry_summary_crazy.xml': 'HTML5 tokenization of <script\\n> differs from sgmllib',
  'entry_title_crazy.xml': 'HTML5 tokenization of <script\\n> differs from sgmllib',
  'feed_copyright_crazy.xml': 'HTML5 tokenization of <script\\n> differs from sgmllib',
  'item_content_encoded_crazy.xml': 'HTML5 tokenization of <script\\n> differs from sgmllib',
  'item_fullitem_crazy.xml': 'HTML5 tokenization of <script\\n> differs from sgmllib',
  // `<!-- -- nonwhitespace >` does not close a comment in HTML5: a browser shows "sa".
  'xml_malicious_comment.xml': 'HTML5 comment rules: the comment runs to the end',
};

function loadVectors(): Vector[] {
  if (!available) return [];
  return readFileSync(`${ROOT}/vectors.jsonl`, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Vector)
    .filter((v) => v.case.startsWith('wellformed/sanitize/'));
}

type Outcome = { status: 'pass' } | { status: 'fail' | 'skip'; reason: string };

function runVector(v: Vector): Outcome {
  const source = readFileSync(`${ROOT}/cases/${v.case}`, 'utf8');
  const asserts = v.asserts.filter((a) => a.path !== 'wellFormed');
  if (asserts.length === 0) return { status: 'skip', reason: 'parser-only (wellFormed)' };
  for (const a of asserts) {
    const extracted = extractCase(source, a.path);
    if (!extracted) return { status: 'skip', reason: `parser-only path ${a.path}` };
    if (a.html !== undefined) {
      const got = normalizeHtml(sanitizeHtml(extracted.html));
      const want = normalizeHtml(a.html);
      if (got !== want) return { status: 'fail', reason: `html: got ${got} want ${want}` };
    } else if (a.eq !== undefined) {
      const got = extracted.plainText ? htmlToText(extracted.html) : sanitizeHtml(extracted.html);
      if (got !== a.eq)
        return {
          status: 'fail',
          reason: `eq: got ${JSON.stringify(got)} want ${JSON.stringify(a.eq)}`,
        };
    }
  }
  return { status: 'pass' };
}

const vectors = loadVectors();

describe.skipIf(!available)('conformance: wellformed/sanitize', () => {
  it('covers the 428 sanitizer vectors', () => {
    expect(vectors.length).toBe(428);
  });

  it('reports the pass rate', () => {
    const counts = { pass: 0, fail: 0, skip: 0 };
    for (const v of vectors) counts[runVector(v).status]++;
    console.log(`sanitize conformance: ${JSON.stringify(counts)} of ${vectors.length}`);
    expect(counts.pass).toBeGreaterThanOrEqual(
      vectors.length - Object.keys(KNOWN_DIFFERENCES).length,
    );
  });

  it.each(vectors.map((v) => [v.case.slice('wellformed/sanitize/'.length), v] as const))(
    '%s',
    (name, v) => {
      const outcome = runVector(v);
      const known = KNOWN_DIFFERENCES[name];
      if (known !== undefined) {
        // A known difference that starts passing must leave the list.
        expect(outcome.status, `${name} is listed as a known difference: ${known}`).toBe('fail');
        return;
      }
      if (outcome.status === 'skip') return;
      expect(outcome.status === 'pass' ? 'pass' : outcome.reason).toBe('pass');
    },
  );
});

// The shared conformance vectors for the sanitizer (cases/wellformed/sanitize/*), run against
// sanitizeHtml/htmlToText directly, before the parser exists. Each case's payload is pulled out
// of its feed document by a test-only regex reader (testdata/extract-case.ts). Deliberate
// deviations from feedparser are listed with their reasons in testdata/deliberate-deviations.json.
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

/**
 * Deliberate deviations from feedparser, each with its reason (docs/decisions/sanitize.md),
 * keyed by the vector's case path. The parser's conformance suite reads the same file.
 */
const DELIBERATE_DEVIATIONS: Record<string, string> = JSON.parse(
  readFileSync(new URL('./testdata/deliberate-deviations.json', import.meta.url), 'utf8'),
);

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
    const counts = { pass: 0, deviation: 0, fail: 0, skip: 0 };
    for (const v of vectors) {
      const { status } = runVector(v);
      counts[status === 'fail' && DELIBERATE_DEVIATIONS[v.case] ? 'deviation' : status]++;
    }
    console.log(`sanitize conformance: ${JSON.stringify(counts)} of ${vectors.length}`);
    expect(counts.fail).toBe(0);
  });

  it('lists only sanitizer vectors as deliberate deviations', () => {
    const cases = new Set(vectors.map((v) => v.case));
    expect(Object.keys(DELIBERATE_DEVIATIONS).filter((c) => !cases.has(c))).toEqual([]);
  });

  it.each(vectors.map((v) => [v.case.slice('wellformed/sanitize/'.length), v] as const))(
    '%s',
    (name, v) => {
      const outcome = runVector(v);
      const deviation = DELIBERATE_DEVIATIONS[v.case];
      if (deviation !== undefined) {
        // A deviation that starts passing must leave the list.
        expect(outcome.status, `${name} is listed as a deliberate deviation: ${deviation}`).toBe(
          'fail',
        );
        return;
      }
      if (outcome.status === 'skip') return;
      expect(outcome.status === 'pass' ? 'pass' : outcome.reason).toBe('pass');
    },
  );
});

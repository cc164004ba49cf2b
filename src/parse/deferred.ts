/**
 * The second half of parse(…, { sanitize: 'defer' }): clean an entry's text constructs as
 * parse() would have. Deferring lets the pipeline sanitize only the entries the store will
 * write (new or changed), not every entry of every feed that answered 200.
 * Equivalence with parse(…, { sanitize: true }) is tested over the corpus and the
 * conformance cases (deferred.test.ts).
 */
import type { Entry, Text } from '../model/feed.js';
import { cleanHtml } from './common.js';

function clean(t: Text): Text {
  // parse() cleans every text construct that is not plain text (see readText).
  if (t.type === 'text/plain') return t;
  const value = cleanHtml(t.value, { sanitize: true, ...(t.base ? { base: t.base } : {}) });
  return value === t.value ? t : { ...t, value };
}

/** The entry with its HTML sanitized; the input is not changed. */
export function sanitizeDeferred(entry: Entry): Entry {
  const out: Entry = { ...entry, content: entry.content.map(clean) };
  if (entry.titleDetail) out.titleDetail = clean(entry.titleDetail);
  if (entry.summaryDetail) {
    out.summaryDetail = clean(entry.summaryDetail);
    // `summary` is the summary construct's value (RSS, Atom, JSON Feed and h-feed alike).
    if (entry.summary === entry.summaryDetail.value) out.summary = out.summaryDetail.value;
  }
  return out;
}

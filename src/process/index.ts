/**
 * process/ — the pure stage between parse/ and store/.
 *
 * Contract: processEntries(parseResult, { feedUrl, now, filters }) → ProcessedEntry[]; no I/O,
 * no clock, same input → same output. Each entry gets
 * - key: its identity within its feed — 'id:' + guid, else 'link:' + canonical link, else
 *   'hash:' + sha256(title, text);
 * - canonicalLink: lib/url canonicalizeUrl of its link (http/https, slash, tracking folded);
 * - fingerprint: sha256 of normalized title + text (markup/whitespace/case-insensitive); posts
 *   with little text use title + link instead, so different empty posts never collide;
 * - published/updated: clamped to now when in the future, absent when absent.
 * Entries the feed's filters reject are dropped. The store finds duplicates across feeds by
 * canonicalLink and fingerprint (store.ts, applyFeedUpdate).
 */
export type { ProcessContext } from './process-entries.js';
export { processEntries } from './process-entries.js';

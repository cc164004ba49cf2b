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
 * Entries the feed's filters reject are dropped.
 *
 * The ingest policy that every store applies is here too, pure: planIngest (ingest-policy.ts:
 * unchanged/updated/new, river dates, deferred cleaning, retention at arrival), which post a
 * new entry repeats (post-identity.ts) and the entry digest (entry-digest.ts).
 */
export { entryDigest, type StoredDates } from './entry-digest.js';
export {
  type IngestCounts,
  type IngestInput,
  type IngestPlan,
  isoDate,
  type PlannedEntry,
  planIngest,
  retentionFloor,
  riverDate,
} from './ingest-policy.js';
export {
  claimKeys,
  earlier,
  firstRepeated,
  type Holder,
  holdersByKey,
  lookupKeys,
  type PostIdentity,
  repeats,
  titleKey,
} from './post-identity.js';
export type { ProcessContext } from './process-entries.js';
export { processEntries } from './process-entries.js';

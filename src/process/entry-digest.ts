/**
 * What tells an edited entry from an unchanged one: a hash of everything a store writes of it,
 * taken from the entry as it arrived (before any deferred cleaning), so an unchanged entry
 * costs neither cleaning nor serializing. The site builder also compares it to tell which
 * entries changed since its last publish. SHA-1 is native and fast; collisions here are
 * accidents, not attacks (a feed can only fool itself). Texts are hashed as they are, not as
 * JSON: escaping them cost more than hashing.
 */
import { createHash } from 'node:crypto';
import { summaryText, type Text } from '../model/feed.js';
import type { ProcessedEntry } from '../model/stored.js';

/** An entry's dates in the stored form (see isoDate), null when absent. */
export interface StoredDates {
  published: string | null;
  updated: string | null;
}

const text = (t: Text | undefined) =>
  t ? `${t.type}\u0001${t.base ?? ''}\u0001${t.language ?? ''}\u0001${t.value}` : '\u0002';

/** The digest of an entry as the feed brought it (stable across stores and runs). */
export function entryDigest(pe: ProcessedEntry, dates: StoredDates): string {
  const e = pe.entry;
  const parts = [
    e.id,
    e.link,
    pe.canonicalLink,
    pe.fingerprint,
    e.title,
    text(e.titleDetail),
    text(e.content[0]),
    text(summaryText(e)),
    JSON.stringify(e.author ?? e.authors[0] ?? null),
    JSON.stringify(e.categories),
    JSON.stringify(e.enclosures),
    dates.published,
    dates.updated,
  ];
  // \u0002 marks an absent value apart from any string; \u0000 separates them.
  return createHash('sha1')
    .update(parts.map((p) => p ?? '\u0002').join('\u0000'), 'utf8')
    .digest('base64');
}

/**
 * Which stored entry a new one repeats ("the same post reached twice"), as keys.
 *
 * A new entry repeats an original (a stored entry that is not itself a duplicate) when they
 * share the fingerprint, or the canonical link *and* a compatible title: equal (case-, space-
 * and form-insensitively), or absent on one side. A shared link alone is not enough: link
 * posts ("Python 3.13 is out", "What I like in 3.13") often carry the article they point at as
 * their link, and hiding one would lose a different post.
 *
 * The rule is expressed as claim keys, so that a store can index it (PostgreSQL keeps the keys
 * in a table under a unique index; SQLite derives them from the rows it reads):
 * - an original holds `f:<fingerprint>`, `l:<link>`, and `t:<link>\n<title>` or `u:<link>`;
 * - a new entry repeats whoever holds one of its lookup keys: `f:<fingerprint>`, and
 *   `t:<link>\n<title>` + `u:<link>` when it has a title, `l:<link>` when it has none.
 * Among several holders the first seen wins (firstSeenAt, then id).
 */
import { createHash } from 'node:crypto';
import { foldText } from '../lib/text.js';

/** What identifies a post across feeds. */
export interface PostIdentity {
  canonicalLink?: string | null;
  fingerprint: string;
  title?: string | null;
}

/** A stored original, as far as choosing between originals goes. */
export interface Holder {
  id: number;
  /** ISO 8601 */
  firstSeenAt: string;
}

/** Keys longer than this are hashed: PostgreSQL's btree refuses index entries over ~2.7 KB. */
const MAX_KEY_CHARS = 400;

function key(kind: string, value: string): string {
  const k = `${kind}:${value}`;
  return k.length <= MAX_KEY_CHARS
    ? k
    : `h:${createHash('sha1').update(k, 'utf8').digest('base64')}`;
}

/** A title compared case-, space- and form-insensitively; absent or blank → undefined. */
export function titleKey(title: string | null | undefined): string | undefined {
  const t = title ? foldText(title) : '';
  return t ? t : undefined;
}

/** The keys an original holds (see the module comment). */
export function claimKeys(post: PostIdentity): string[] {
  const keys = [key('f', post.fingerprint)];
  const link = post.canonicalLink;
  if (link) {
    const title = titleKey(post.title);
    keys.push(key('l', link), title === undefined ? key('u', link) : key('t', `${link}\n${title}`));
  }
  return keys;
}

/** The keys whose holder a new entry repeats (see the module comment). */
export function lookupKeys(post: PostIdentity): string[] {
  const keys = [key('f', post.fingerprint)];
  const link = post.canonicalLink;
  if (link) {
    const title = titleKey(post.title);
    if (title === undefined) keys.push(key('l', link));
    else keys.push(key('t', `${link}\n${title}`), key('u', link));
  }
  return keys;
}

/** The first seen of two originals: firstSeenAt, then id. */
export function earlier<H extends Holder>(a: H, b: H): H {
  if (a.firstSeenAt !== b.firstSeenAt) return a.firstSeenAt < b.firstSeenAt ? a : b;
  return a.id <= b.id ? a : b;
}

/** True when `post`, arriving now, repeats the original `original` (the rule above). */
export function repeats(post: PostIdentity, original: PostIdentity): boolean {
  const held = new Set(claimKeys(original));
  return lookupKeys(post).some((k) => held.has(k));
}

/**
 * After a race (two writers stored the same post at once and a claim went to the other): the
 * first seen of the originals `post` repeats, or undefined when it repeats none of them.
 */
export function firstRepeated<H extends Holder & PostIdentity>(
  post: PostIdentity,
  candidates: readonly H[],
): H | undefined {
  let best: H | undefined;
  for (const c of candidates) if (repeats(post, c)) best = best ? earlier(best, c) : c;
  return best;
}

/**
 * Indexes stored originals by the keys they hold, keeping the first seen for each key: what a
 * store without a claims table (SQLite) builds from the rows it read.
 */
export function holdersByKey<H extends Holder & PostIdentity>(
  originals: Iterable<H>,
): Map<string, H> {
  const byKey = new Map<string, H>();
  for (const o of originals) {
    for (const k of claimKeys(o)) {
      const cur = byKey.get(k);
      byKey.set(k, cur ? earlier(cur, o) : o);
    }
  }
  return byKey;
}

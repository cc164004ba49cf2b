/**
 * process/: the pure step between parse and store. For each parsed entry it computes the
 * identity key within its feed, the canonical link and the content fingerprint used to find
 * the same post elsewhere, fixes dates from the future, and applies the feed's filters.
 * No I/O, no clock: `now` comes in.
 */
import { createHash } from 'node:crypto';
import { foldText } from '../lib/text.js';
import { canonicalizeUrl } from '../lib/url.js';
import { bestText, type Entry, type ParseResult, type Text } from '../model/feed.js';
import type { ProcessedEntry } from '../model/stored.js';
import type { EntryFilters } from '../model/subscription.js';

export interface ProcessContext {
  /** The feed's URL: the base for relative links the parser left. */
  feedUrl: string;
  /** ISO 8601: dates after it are clamped to it. */
  now: string;
  filters?: EntryFilters;
}

/** Below this many characters of text, a fingerprint also includes the link (see fingerprint). */
const MIN_TEXT_FOR_CONTENT_FINGERPRINT = 40;

/** Identity keys, fingerprints, fixed dates and filters for every entry of one parsed feed. */
export function processEntries(result: ParseResult, context: ProcessContext): ProcessedEntry[] {
  const filter = compileFilters(context.filters);
  const nowMs = Date.parse(context.now);
  const keys = new Set<string>();
  const out: ProcessedEntry[] = [];
  for (const entry of result.entries) {
    const link = entryLink(entry, context.feedUrl);
    const canonicalLink = link === undefined ? undefined : canonicalizeUrl(link);
    const text = plainText(bestText(entry));
    const title = foldText(entry.title ?? '');
    if (!filter(entry, text)) continue;
    let key = identityKey(entry, canonicalLink ?? link, title, text);
    // Some feeds give every item the same guid: later items fall back to their link or hash,
    // so that they are not all merged into the first one.
    if (keys.has(key) && key.startsWith('id:'))
      key = identityKey({ ...entry, id: undefined }, canonicalLink ?? link, title, text);
    if (keys.has(key)) continue;
    keys.add(key);
    const processed: ProcessedEntry = {
      key,
      fingerprint: fingerprint(title, text, canonicalLink ?? link, context.feedUrl, key),
      entry,
    };
    if (canonicalLink !== undefined) processed.canonicalLink = canonicalLink;
    const published = fixDate(entry.published, context.now, nowMs);
    const updated = fixDate(entry.updated, context.now, nowMs);
    if (published !== undefined) processed.published = published;
    if (updated !== undefined) processed.updated = updated;
    out.push(processed);
  }
  return out;
}

function sha256(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

/** The entry's web page: its link, else its alternate link, else a guid that is a permalink. */
function entryLink(entry: Entry, feedUrl: string): string | undefined {
  const candidates = [
    entry.link,
    entry.links.find((l) => l.rel === 'alternate')?.href,
    entry.guidIsLink !== false && entry.id && /^https?:\/\//i.test(entry.id) ? entry.id : undefined,
  ];
  for (const c of candidates) {
    if (!c || c.trim() === '') continue;
    try {
      return new URL(c.trim(), feedUrl).href;
    } catch {
      // An unusable link is as good as none: try the next candidate.
    }
  }
  return undefined;
}

function identityKey(entry: Entry, link: string | undefined, title: string, text: string): string {
  const id = entry.id?.trim();
  if (id) return `id:${id}`;
  if (link) return `link:${link}`;
  return `hash:${sha256(`${title}\n${text}`)}`;
}

/**
 * The same post under another id or link has the same title and text, whatever the markup and
 * whitespace. An entry with little or no text (a photo, a link post) is fingerprinted by title
 * and link instead, so two different untitled or empty posts never look alike; one with neither
 * text nor link by its feed and key, so it matches nothing else.
 */
function fingerprint(
  title: string,
  text: string,
  link: string | undefined,
  feedUrl: string,
  key: string,
): string {
  if (text.length >= MIN_TEXT_FOR_CONTENT_FINGERPRINT) return sha256(`text\n${title}\n${text}`);
  if (link !== undefined) return sha256(`link\n${title}\n${text}\n${link}`);
  return sha256(`key\n${feedUrl}\n${key}\n${title}\n${text}`);
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  rsquo: '’',
  lsquo: '‘',
  rdquo: '”',
  ldquo: '“',
};

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, name: string) => {
    if (name[0] === '#') {
      const code =
        name[1] === 'x' || name[1] === 'X'
          ? Number.parseInt(name.slice(2), 16)
          : Number.parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    return ENTITIES[name.toLowerCase()] ?? m;
  });
}

/** The words of a text construct: markup dropped, entities decoded, case and spacing folded. */
function plainText(t: Text | undefined): string {
  if (!t) return '';
  const html = t.type === 'text/html' || t.type === 'application/xhtml+xml' || t.type === 'html';
  let s = t.value;
  if (html) {
    s = s
      .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
      .replace(/<!--[\s\S]*?-->/g, ' ')
      .replace(/<[^>]*>/g, ' ');
    s = decodeEntities(s);
  }
  return foldText(s);
}

/** A date after now is a feed's mistake (or a time-zone slip): the post is clamped to now. */
function fixDate(value: string | undefined, now: string, nowMs: number): string | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (Number.isNaN(t)) return undefined;
  return t > nowMs ? now : value;
}

type EntryPredicate = (entry: Entry, text: string) => boolean;

function compileRegexes(sources: readonly string[] | undefined): RegExp[] {
  const out: RegExp[] = [];
  for (const source of sources ?? []) {
    try {
      out.push(new RegExp(source, 'iu'));
    } catch {
      // config/ reports a bad expression when it loads the config; here it is skipped.
    }
  }
  return out;
}

/** An entry is kept when it matches an include (if any), no exclude, and an allowed category. */
function compileFilters(filters: EntryFilters | undefined): EntryPredicate {
  if (!filters) return () => true;
  const include = compileRegexes(filters.include);
  const exclude = compileRegexes(filters.exclude);
  const categories = new Set((filters.categories ?? []).map((c) => c.trim().toLowerCase()));
  if (include.length === 0 && exclude.length === 0 && categories.size === 0) return () => true;
  return (entry, text) => {
    if (categories.size > 0) {
      const has = entry.categories.some(
        (c) =>
          categories.has(c.term.trim().toLowerCase()) ||
          (c.label !== undefined && categories.has(c.label.trim().toLowerCase())),
      );
      if (!has) return false;
    }
    if (include.length === 0 && exclude.length === 0) return true;
    const haystack = [
      entry.title ?? '',
      ...entry.categories.map((c) => c.label ?? c.term),
      text,
    ].join('\n');
    if (include.length > 0 && !include.some((r) => r.test(haystack))) return false;
    return !exclude.some((r) => r.test(haystack));
  };
}

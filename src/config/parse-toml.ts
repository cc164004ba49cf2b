/**
 * planet.toml → its TOML value, with a large [[feeds]] list read in parts. smol-toml keeps a
 * bookkeeping record (three null-prototype tables) per table it has seen until the document
 * ends, which made the parse of a large planet a worker's peak (docs/decisions/config.md).
 * The feeds are read PART_FEEDS at a time and
 * the records of each part are dropped with it. Any layout this does not expect — a multi-line
 * string, another table among the feeds, a part that is not only feeds — and any error is read
 * again whole, so the value and every error are smol-toml's own.
 */
import { parse, type TomlTable, type TomlValue } from 'smol-toml';

/** [[feeds]] tables per part. */
const PART_FEEDS = 2000;
/** Parts only pay from this many feeds on. */
const MIN_FEEDS = 2 * PART_FEEDS;
/** A `[[feeds]]` header line (a comment may follow). */
const FEEDS_HEADER = /^[ \t]*\[\[[ \t]*feeds[ \t]*\]\][ \t]*(#.*)?\r?$/;
/** Any table header line: what may sit between two [[feeds]] is a feed's own subtable. */
const HEADER = /^[ \t]*\[/;
const FEED_SUBTABLE = /^[ \t]*\[\[?[ \t]*feeds[ \t]*\.[^\]]*\]\]?[ \t]*(#.*)?\r?$/;

/** The document's TOML value, as smol-toml's parse gives it; throws smol-toml's errors. */
export function parseToml(source: string): TomlTable {
  return parseInParts(source) ?? parse(source);
}

/** The value read in parts, or undefined when the document is small or not laid out for it. */
export function parseInParts(source: string): TomlTable | undefined {
  // A multi-line string may hold lines that look like headers.
  if (source.includes('"""') || source.includes("'''")) return undefined;
  const starts: number[] = [];
  let lineStart = 0;
  while (lineStart < source.length) {
    const end = source.indexOf('\n', lineStart);
    const lineEnd = end === -1 ? source.length : end;
    // Only lines that begin with `[` can be headers: most lines are skipped at one character.
    const first = source.charCodeAt(lineStart);
    if (first === 0x5b || first === 0x20 || first === 0x09) {
      const line = source.slice(lineStart, lineEnd);
      if (FEEDS_HEADER.test(line)) starts.push(lineStart);
      else if (starts.length > 0 && HEADER.test(line) && !FEED_SUBTABLE.test(line)) {
        // Another table after the feeds began: the parts would not be feeds only.
        return undefined;
      }
    }
    lineStart = lineEnd + 1;
  }
  if (starts.length < MIN_FEEDS) return undefined;
  try {
    const head = parse(source.slice(0, starts[0]));
    if (Object.hasOwn(head, 'feeds')) return undefined;
    const feeds: TomlValue[] = [];
    for (let i = 0; i < starts.length; i += PART_FEEDS) {
      const part = parse(source.slice(starts[i], starts[i + PART_FEEDS] ?? source.length));
      const keys = Object.keys(part);
      if (keys.length !== 1 || !Array.isArray(part.feeds)) return undefined;
      for (const feed of part.feeds) feeds.push(feed);
    }
    head.feeds = feeds;
    return head;
  } catch {
    // A syntax error: the whole document is read again, so that the error (its line and
    // column) is the one smol-toml gives for the file.
    return undefined;
  }
}

/**
 * The normalized feed model: the contract between the parser and every later stage.
 * Mirrors ../shared/design/feed-model.md (itself modelled on Python's feedparser, camelCased).
 * Rule: absent means absent — optional fields are left out, never '' or null; lists are always present.
 */

/** What the parser returns for one document. */
export interface ParseResult {
  /** 'rss20', 'rss10', 'rss090', 'rss091u', 'rss091n', 'rss092', 'rss093', 'rss094', 'atom10',
   *  'atom03', 'json1', 'json11', 'hfeed'; '' when unknown. */
  version: string;
  /** false when the document was not well-formed (the parser recovered anyway). */
  wellFormed: boolean;
  /** Human-readable notes on everything the parser had to recover from. */
  warnings: string[];
  /** The character encoding the document was decoded with, lower case (e.g. 'utf-8'). */
  encoding: string;
  feed: FeedMeta;
  entries: Entry[];
  /** Entries past the per-document limit, not returned (absent when none were dropped). */
  entriesDropped?: number;
}

export interface FeedMeta {
  title?: string;
  titleDetail?: Text;
  link?: string;
  links: Link[];
  subtitle?: string;
  subtitleDetail?: Text;
  id?: string;
  updated?: string;
  published?: string;
  language?: string;
  author?: Person;
  authors: Person[];
  contributors: Person[];
  rights?: string;
  rightsDetail?: Text;
  generator?: { name: string; uri?: string; version?: string };
  image?: {
    url?: string;
    title?: string;
    link?: string;
    width?: number;
    height?: number;
    description?: string;
  };
  icon?: string;
  logo?: string;
  categories: Category[];
  /** minutes */
  ttl?: number;
  /** WebSub hubs (<link rel="hub">) */
  hubs: string[];
  self?: string;
  docs?: string;
  cloud?: {
    domain?: string;
    port?: number;
    path?: string;
    registerProcedure?: string;
    protocol?: string;
  };
  /** RSS <skipHours>: hours (0-23, UTC) in which the feed asks not to be fetched. */
  skipHours?: number[];
  /** RSS <skipDays>: day names ('Monday' ...) on which the feed asks not to be fetched. */
  skipDays?: string[];
}

export interface Entry {
  /** RSS <guid>, Atom <id>; never invented by the parser. */
  id?: string;
  guidIsLink?: boolean;
  title?: string;
  titleDetail?: Text;
  link?: string;
  links: Link[];
  summary?: string;
  summaryDetail?: Text;
  content: Text[];
  published?: string;
  updated?: string;
  created?: string;
  expired?: string;
  author?: Person;
  authors: Person[];
  contributors: Person[];
  publisher?: Person;
  categories: Category[];
  enclosures: Enclosure[];
  comments?: string;
  rights?: string;
  source?: { title?: string; link?: string; id?: string; url?: string; updated?: string };
}

/** A text construct. value is sanitized HTML when type is text/html or application/xhtml+xml. */
export interface Text {
  value: string;
  type: string;
  language?: string;
  base?: string;
}

export interface Link {
  href: string;
  rel: string;
  type?: string;
  title?: string;
  length?: number;
  hreflang?: string;
}
export interface Person {
  name?: string;
  email?: string;
  uri?: string;
}
export interface Category {
  term: string;
  scheme?: string;
  label?: string;
}
export interface Enclosure {
  url: string;
  type?: string;
  length?: number;
}

export interface ParseOptions {
  /** The document's own URL: the base for relative links. */
  url?: string;
  /** HTTP response headers, lower-case names (content-type, content-location, content-language). */
  headers?: Record<string, string>;
  /**
   * Sanitize HTML (default true). false hands back the markup as given, URLs still resolved.
   * 'defer' hands back the HTML of text constructs untouched (not even URLs resolved) for
   * sanitizeDeferred() to clean later — only what will be kept needs the work. Deferred
   * output is unsafe until then.
   */
  sanitize?: boolean | 'defer';
}

/** An entry's summary as a text construct (RSS may give only the string, taken as HTML). */
export function summaryText(entry: Entry): Text | undefined {
  return (
    entry.summaryDetail ??
    (entry.summary !== undefined ? { value: entry.summary, type: 'text/html' } : undefined)
  );
}

/** An entry's best text: its first content, else its summary. */
export function bestText(entry: Entry): Text | undefined {
  return entry.content[0] ?? summaryText(entry);
}

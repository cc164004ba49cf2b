/**
 * parse: bytes + URL + HTTP headers → ParseResult (src/model/feed.ts). Synchronous, pure, never
 * throws: what could not be read is a warning and wellFormed:false, never an exception.
 *
 *   decode.ts   bytes → text (HTTP charset, BOM, XML declaration, HTML meta, detection)
 *   xml-reader  text → element tree, recovering from ill-formed XML
 *   entry-stream  entries read as their elements close, so the tree never holds them all
 *   rss / atom / json-feed / hfeed   format adapters → the one model
 *   dates.ts    every date form feeds use → ISO 8601 UTC
 *
 * Untrusted input is bounded (LIMITS): bytes read, nesting depth, entries per feed (those past
 * the limit are counted in entriesDropped), DTD entities.
 */
import { errorMessage } from '../model/errors.js';
import type { Entry, FeedMeta, ParseOptions, ParseResult, Person } from '../model/feed.js';
import { atomContext, readAtom } from './atom.js';
import { type Context, safeBase } from './common.js';
import { decodeDocument, parseContentType } from './decode.js';
import { entryStream } from './entry-stream.js';
import { readHfeed } from './hfeed.js';
import { jsonFeedVersion, jsonFeedVersionValid, readJsonFeed } from './json-feed.js';
import { ATOM03_NS, RSS090_NS } from './namespaces.js';
import { emptyFeed, entrySink, type FeedBody, readRss } from './rss.js';
import { attr, readXml, type XmlElement } from './xml-reader.js';

export type { ParseOptions, ParseResult } from '../model/feed.js';
export { parseDate } from './dates.js';

/** Bounds on untrusted input. Beyond them the parser truncates and warns. */
export const LIMITS = {
  /** bytes of a document read; the rest is ignored */
  maxBytes: 32 * 1024 * 1024,
  /** entries kept per feed */
  maxEntries: 10_000,
  /** element nesting depth; deeper elements are flattened */
  maxDepth: 256,
} as const;

const XML_TYPES = /(^|\/|\+)xml$|\/xml-external-parsed-entity$|^application\/xml-dtd$/;
const FEEDISH_TYPES =
  /^(application\/(json|feed\+json|x-json|octet-stream|rdf\+xml|x-netcdf|x-rss\+xml)|text\/(html|json)|application\/xhtml\+xml)$/;

function header(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const v = headers[name];
  if (v !== undefined) return v;
  for (const k of Object.keys(headers)) if (k.toLowerCase() === name) return headers[k];
  return undefined;
}

function rssVersion(root: XmlElement, doctype: string): string {
  const v = attr(root, 'version')?.trim();
  if (v === undefined || v === '') return 'rss';
  if (v.startsWith('2')) return 'rss20';
  if (v === '0.91') return /netscape/i.test(doctype) ? 'rss091n' : 'rss091u';
  if (v === '0.92') return 'rss092';
  if (v === '0.93') return 'rss093';
  if (v === '0.94') return 'rss094';
  if (v === '0.90') return 'rss090';
  return 'rss';
}

/** Find the feed element: the root, or (when garbage wraps it) the first feed-like descendant. */
function findFeedRoot(root: XmlElement): XmlElement | undefined {
  const isFeed = (el: XmlElement): boolean =>
    el.local === 'rss' || el.local === 'rdf' || el.local === 'feed' || el.local === 'channel';
  if (isFeed(root) || (root.local === 'entry' && root.ns !== '')) return root;
  const queue: XmlElement[] = [root];
  for (let i = 0; i < queue.length && i < 10_000; i++) {
    for (const k of queue[i]?.children ?? []) {
      if (typeof k === 'string') continue;
      if (isFeed(k)) return k;
      queue.push(k);
    }
  }
  return undefined;
}

/** Where to cut at most `max` bytes without splitting a UTF-8 sequence (harmless for others). */
function utf8Boundary(bytes: Uint8Array, max: number): number {
  let cut = max;
  // step back over continuation bytes (10xxxxxx) to the start of the last sequence
  while (cut > max - 4 && cut > 0 && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut--;
  return cut;
}

/** Drop keys whose value is undefined: absent means absent. */
function prune<T extends object>(o: T): T {
  for (const k of Object.keys(o))
    if ((o as Record<string, unknown>)[k] === undefined) delete (o as Record<string, unknown>)[k];
  return o;
}

/** Schemes that run code when a renderer puts them in href/src. */
const UNSAFE_URL = /^\s*(?:(?:javascript|vbscript|livescript)\s*:|data\s*:\s*text\/html)/i;

/**
 * Links, enclosures, images and people's URIs end up in href/src attributes of the rendered
 * site: drop those with a code-running scheme (the sanitizer only sees HTML fields).
 */
function dropUnsafeUrls(body: FeedBody, warnings: string[]): void {
  let dropped = 0;
  const ok = (u: string | undefined): boolean => {
    // browsers ignore tabs, newlines and controls inside a scheme: 'java\tscript:' runs
    if (u === undefined || !UNSAFE_URL.test(u.replace(/[\u0000-\u0020]/g, ''))) return true;
    dropped++;
    return false;
  };
  const person = (p: Person | undefined): void => {
    if (p?.uri !== undefined && !ok(p.uri)) delete p.uri;
  };
  const f = body.feed;
  if (!ok(f.link)) delete f.link;
  f.links = f.links.filter((l) => ok(l.href));
  if (!ok(f.icon)) delete f.icon;
  if (!ok(f.logo)) delete f.logo;
  if (f.image && !ok(f.image.url)) delete f.image.url;
  if (f.image && !ok(f.image.link)) delete f.image.link;
  f.authors.forEach(person);
  f.contributors.forEach(person);
  for (const e of body.entries) {
    if (!ok(e.link)) delete e.link;
    e.links = e.links.filter((l) => ok(l.href));
    e.enclosures = e.enclosures.filter((x) => ok(x.url));
    if (!ok(e.comments)) delete e.comments;
    if (e.source && !ok(e.source.link)) delete e.source.link;
    e.authors.forEach(person);
    e.contributors.forEach(person);
    person(e.publisher);
  }
  if (dropped > 0)
    warnings.push(`${dropped} link(s) with a script URL (javascript: and the like) dropped`);
}

function finish(
  body: FeedBody,
  version: string,
  wellFormed: boolean,
  warnings: string[],
  encoding: string,
): ParseResult {
  dropUnsafeUrls(body, warnings);
  prune(body.feed);
  for (const e of body.entries) prune(e);
  const result: ParseResult = {
    version,
    wellFormed,
    warnings,
    encoding,
    feed: body.feed,
    entries: body.entries,
  };
  if (body.dropped) result.entriesDropped = body.dropped;
  return result;
}

function looksLikeHtml(text: string): boolean {
  return /^\s*(<!--[\s\S]*?-->\s*)*(<!doctype\s+html|<html[\s>])/i.test(text.slice(0, 4096));
}

/** Parse one feed document. Never throws. */
export function parse(bytes: Uint8Array, options: ParseOptions = {}): ParseResult {
  try {
    return parseDocument(bytes, options);
  } catch (err) {
    // A bug, not bad input: report it as a warning so one feed cannot stop a run.
    const message = errorMessage(err);
    return {
      version: '',
      wellFormed: false,
      warnings: [`parse: internal error: ${message}`],
      encoding: 'utf-8',
      feed: emptyFeed(),
      entries: [],
    };
  }
}

function parseDocument(input: Uint8Array, options: ParseOptions): ParseResult {
  const warnings: string[] = [];
  let wellFormed = true;
  let bytes = input;
  if (bytes.length > LIMITS.maxBytes) {
    warnings.push(`document larger than ${LIMITS.maxBytes} bytes; the rest was ignored`);
    wellFormed = false;
    bytes = bytes.subarray(0, utf8Boundary(bytes, LIMITS.maxBytes));
  }
  const contentType = header(options.headers, 'content-type');
  const location = header(options.headers, 'content-location');
  const language = header(options.headers, 'content-language')?.split(',')[0]?.trim();
  let base = options.url;
  if (location) {
    // Content-Location is the base when it is a safe, well-formed URL (as an xml:base must be)
    const safe = safeBase(location, base);
    if (safe !== undefined) base = safe;
    else warnings.push(`Content-Location ignored (unsafe or malformed): ${location.slice(0, 80)}`);
  }
  const ctx: Context = {
    sanitize: options.sanitize === 'defer' ? 'defer' : options.sanitize !== false,
    atom: false,
    warnings,
  };
  if (base !== undefined) ctx.base = base;
  if (language) ctx.lang = language;

  const { mediaType, charset } = parseContentType(contentType);
  if (mediaType !== '' && !XML_TYPES.test(mediaType) && !FEEDISH_TYPES.test(mediaType)) {
    warnings.push(`served as ${mediaType}, not as a feed type`);
    wellFormed = false;
  }

  const textXml =
    charset === undefined && mediaType.startsWith('text/') && XML_TYPES.test(mediaType);
  const decoded = decodeDocument(bytes, charset, textXml);
  if (decoded.problems.length > 0) {
    warnings.push(...decoded.problems);
    wellFormed = false;
  }
  const text = decoded.text;
  const first = text.trimStart().charAt(0);

  if (first === '{' || first === '[') {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      // not JSON after all: fall through to the XML reader, which will say what it found
      warnings.push(`invalid JSON: ${errorMessage(err)}`);
      wellFormed = false;
    }
    if (doc !== undefined) {
      const version = jsonFeedVersion(doc);
      if (version === undefined) {
        warnings.push('JSON document is not a JSON Feed');
        return finish({ feed: emptyFeed(), entries: [] }, '', false, warnings, decoded.encoding);
      }
      if (!jsonFeedVersionValid(doc)) {
        warnings.push('JSON Feed without a valid version URL; read as ' + version);
        wellFormed = false;
      }
      const body = readJsonFeed(doc as Record<string, unknown>, ctx, LIMITS.maxEntries);
      return finish(body, version, wellFormed, warnings, decoded.encoding);
    }
  }

  if (mediaType === 'text/html' || mediaType === 'application/xhtml+xml' || looksLikeHtml(text)) {
    const body = readHfeed(text, ctx, LIMITS.maxEntries);
    if (body) return finish(body, 'hfeed', wellFormed, warnings, decoded.encoding);
  }

  const sink = entrySink(LIMITS.maxEntries);
  const doc = readXml(text, { maxDepth: LIMITS.maxDepth, onClose: entryStream(ctx, sink) });
  if (doc.errors.length > 0) {
    wellFormed = false;
    warnings.push(...doc.errors.map((e) => `ill-formed XML: ${e}`));
  }
  const root = doc.root ? findFeedRoot(doc.root) : undefined;
  if (!root) {
    if (doc.root?.local === 'html') {
      const body = readHfeed(text, ctx, LIMITS.maxEntries);
      if (body) return finish(body, 'hfeed', wellFormed, warnings, decoded.encoding);
    }
    warnings.push(
      doc.root
        ? `not a feed: root element <${doc.root.qname}>`
        : 'not a feed: no XML element found',
    );
    return finish({ feed: emptyFeed(), entries: [] }, '', false, warnings, decoded.encoding);
  }
  if (root !== doc.root) {
    warnings.push(`feed element <${root.qname}> found inside <${doc.root?.qname}>`);
    wellFormed = false;
  }
  let version: string;
  let body: FeedBody;
  switch (root.local) {
    case 'rss':
      version = rssVersion(root, doc.doctype);
      body = readRss(root, ctx, sink);
      break;
    case 'rdf': {
      const channel = root.children.find(
        (k): k is XmlElement => typeof k !== 'string' && k.local === 'channel',
      );
      version = channel?.ns === RSS090_NS || root.nsDecl?.[''] === RSS090_NS ? 'rss090' : 'rss10';
      body = readRss(root, ctx, sink);
      break;
    }
    case 'channel':
      version = 'cdf';
      body = readRss(root, ctx, sink);
      break;
    default: {
      const v03 = root.ns === ATOM03_NS || attr(root, 'version')?.trim() === '0.3';
      version = v03 ? 'atom03' : root.ns === '' ? 'atom' : 'atom10';
      body = readAtom(root, atomContext(ctx, root), sink);
    }
  }
  if (body.feed.language === undefined) {
    const lang = attr(root, 'lang', 'xml')?.trim();
    if (lang) body.feed.language = lang.replace(/_/g, '-');
    else if (language) body.feed.language = language;
  }
  return finish(body, version, wellFormed, warnings, decoded.encoding);
}

export type { Entry, FeedMeta };

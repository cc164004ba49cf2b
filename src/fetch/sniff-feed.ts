/**
 * A cheap "is this a feed?" test on the first bytes: the XML root element (rss, feed, rdf:RDF)
 * or a JSON object carrying a jsonfeed.org version. Not a parser: fetch/ never parses feeds.
 */

export type SniffedFormat = 'rss' | 'atom' | 'rdf' | 'json';

const HEAD_BYTES = 4096;
const JSON_BYTES = 256 * 1024;
/** Prolog before the root element: spaces, the XML declaration, PIs, comments, a doctype. */
const PROLOG = /^(?:\s+|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE(?:[^[>]|\[[\s\S]*?\])*>)*/i;

function decodeHead(bytes: Uint8Array, limit: number): string {
  const head = bytes.subarray(0, limit);
  if (head[0] === 0xff && head[1] === 0xfe) return new TextDecoder('utf-16le').decode(head);
  if (head[0] === 0xfe && head[1] === 0xff) return new TextDecoder('utf-16be').decode(head);
  // UTF-16 without a BOM: '<' followed or preceded by a NUL byte.
  if (head[0] === 0x3c && head[1] === 0) return new TextDecoder('utf-16le').decode(head);
  if (head[0] === 0 && head[1] === 0x3c) return new TextDecoder('utf-16be').decode(head);
  // latin1 keeps every byte one character: enough for ASCII markup whatever the encoding.
  return new TextDecoder('latin1').decode(head).replace(/^\u00ef\u00bb\u00bf/, '');
}

/** The feed format the bytes look like, or undefined when they do not look like a feed. */
export function sniffFeed(bytes: Uint8Array): SniffedFormat | undefined {
  const head = decodeHead(bytes, HEAD_BYTES).replace(/^\ufeff/, '');
  const start = head.trimStart();
  if (start.startsWith('{')) {
    const text = bytes.length <= HEAD_BYTES ? head : decodeHead(bytes, JSON_BYTES);
    return /"version"\s*:\s*"https?:\/\/jsonfeed\.org\/version\//.test(text) ? 'json' : undefined;
  }
  const rest = head.slice(PROLOG.exec(head)?.[0].length ?? 0);
  const name = /^<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)/.exec(rest);
  const local = name?.[2];
  if (local === 'rss') return 'rss';
  if (local === 'feed') return 'atom';
  if (local === 'RDF') return 'rdf';
  return undefined;
}

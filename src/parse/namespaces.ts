/**
 * Known namespaces and the canonical prefix the adapters match on, whatever prefix a feed used.
 * The core RSS namespaces map to '' so that <title> reads the same in RSS 0.90, 1.0 and 2.0.
 */
const KNOWN: Record<string, string> = {
  'http://www.w3.org/2005/atom': 'atom',
  'http://purl.org/atom/ns#': 'atom',
  'http://purl.org/atom/ns': 'atom',
  'http://purl.org/rss/1.0/': '',
  'http://purl.org/rss/1.0': '',
  'http://my.netscape.com/rdf/simple/0.9/': '',
  'http://my.netscape.com/publish/formats/rss-0.91.dtd': '',
  'http://backend.userland.com/rss2': '',
  'http://backend.userland.com/rss': '',
  'http://blogs.law.harvard.edu/tech/rss': '',
  'http://purl.org/net/rss1.1#': '',
  'http://www.w3.org/1999/02/22-rdf-syntax-ns#': 'rdf',
  'http://www.w3.org/2000/01/rdf-schema#': 'rdfs',
  'http://purl.org/dc/elements/1.1/': 'dc',
  'http://purl.org/dc/elements/1.0/': 'dc',
  'http://purl.org/dc/terms/': 'dcterms',
  'http://purl.org/rss/1.0/modules/content/': 'content',
  'http://purl.org/rss/1.0/modules/slash/': 'slash',
  'http://wellformedweb.org/commentapi/': 'wfw',
  'http://purl.org/rss/1.0/modules/syndication/': 'sy',
  'http://purl.org/rss/1.0/modules/admin/': 'admin',
  'http://webns.net/mvcb/': 'admin',
  'http://purl.org/rss/1.0/modules/taxonomy/': 'taxo',
  'http://purl.org/rss/1.0/modules/image/': 'image',
  'http://www.itunes.com/dtds/podcast-1.0.dtd': 'itunes',
  'http://example.com/dtds/podcast-1.0.dtd': 'itunes',
  'https://podcastindex.org/namespace/1.0': 'podcast',
  'http://search.yahoo.com/mrss/': 'media',
  'http://search.yahoo.com/mrss': 'media',
  'http://www.w3.org/1999/xhtml': 'xhtml',
  'http://rssnamespace.org/feedburner/ext/1.0': 'feedburner',
  'http://www.w3.org/xml/1998/namespace': 'xml',
  'http://podlove.org/simple-chapters': 'psc',
  'http://purl.org/syndication/thread/1.0': 'thr',
  'http://www.georss.org/georss': 'georss',
  'http://web.resource.org/cc/': 'cc',
  'http://creativecommons.org/ns#': 'cc',
  'http://backend.userland.com/creativecommonsrssmodule': 'creativecommons',
  'http://www.w3.org/1998/math/mathml': 'mathml',
  'http://www.w3.org/2000/svg': 'svg',
  'http://www.w3.org/1999/xlink': 'xlink',
  'http://www.microsoft.com/schemas/rss/core/2005': 'cf',
};

const cache = new Map<string, string>();

/** The canonical prefix for a namespace URI; unknown namespaces keep the prefix written. */
export function canonicalPrefix(uri: string, written: string): string {
  let c = cache.get(uri);
  if (c === undefined) {
    const k = KNOWN[uri.trim().toLowerCase()];
    c = k ?? '\u0000';
    if (cache.size < 1000) cache.set(uri, c);
  }
  return c === '\u0000' ? written.toLowerCase() : c;
}

export const ATOM03_NS = 'http://purl.org/atom/ns#';
export const RSS090_NS = 'http://my.netscape.com/rdf/simple/0.9/';

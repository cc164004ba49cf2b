/**
 * Entries read as their elements close (xml-reader's onClose) and then taken out of the tree,
 * so the tree of a large feed never holds the elements of every entry at once: the items of an
 * RSS channel (or beside an RSS 1.0 channel) and the entries of an Atom feed, when the feed
 * element is the document's root. Anything else (items swallowed by an unclosed element, a
 * feed wrapped in garbage, an element left open at the end) stays in the tree, and the
 * adapters read it there into the same sink.
 */
import { atomContext, atomName, takeEntry } from './atom.js';
import { type Context, child, enter } from './common.js';
import { type EntrySink, takeItem } from './rss.js';
import type { XmlElement } from './xml-reader.js';

/** The onClose handler that reads entries into `sink` (`outer`: the document's context). */
export function entryStream(outer: Context, sink: EntrySink): (el: XmlElement) => boolean {
  let parentSeen: XmlElement | undefined;
  let parentCtx: Context | undefined;
  /** The context entries take from their parent, made once per parent. */
  const ctxOf = (parent: XmlElement, make: () => Context | undefined): Context | undefined => {
    if (parent !== parentSeen) {
      parentSeen = parent;
      parentCtx = make();
    }
    return parentCtx;
  };
  return (el) => {
    const parent = el.parent;
    if (parent === null) return false;
    let ctx: Context | undefined;
    if (el.key === 'item') {
      ctx = ctxOf(parent, () => rssItemContext(parent, outer));
      if (ctx !== undefined) takeItem(sink, el, ctx);
    } else if (parent.parent === null && parent.local === 'feed' && atomName(el) === 'entry') {
      ctx = ctxOf(parent, () => enter(atomContext(outer, parent), parent));
      if (ctx !== undefined) takeEntry(sink, el, ctx);
    }
    return ctx !== undefined;
  };
}

/**
 * The context readRss gives the items of `parent`, or undefined when readRss would not read them
 * there: items of the first channel of an <rss> or <rdf:RDF> root, or beside an RSS 1.0 channel.
 */
function rssItemContext(parent: XmlElement, outer: Context): Context | undefined {
  if (parent.parent === null) return parent.local === 'rdf' ? enter(outer, parent) : undefined;
  const root = parent.parent;
  if (root.parent !== null || (root.local !== 'rss' && root.local !== 'rdf')) return undefined;
  if (child(root, 'channel') !== parent) return undefined;
  return enter(enter(outer, root), parent);
}

/**
 * Atom 1.0 (RFC 4287) and Atom 0.3 → the model. Text constructs keep their type, xml:base and
 * xml:lang apply at every level, atom:source is kept, link rel=hub/self give WebSub hubs.
 * Elements are matched by local name in the Atom namespace or in none (feeds that forgot it).
 * Of a repeated element the first value wins, as in feedparser; dates are the exception: the
 * last readable one wins (feedparser overwrites them).
 */
import type { Entry, FeedMeta, Person } from '../model/feed.js';
import {
  addCategory,
  bestAlternate,
  type Context,
  enter,
  plainText,
  readDate,
  readLink,
  readPerson,
  readText,
  resolveUrl,
  text,
} from './common.js';
import { ATOM03_NS } from './namespaces.js';
import { type EntrySink, emptyEntry, emptyFeed, type FeedBody, finishEntries } from './rss.js';
import { attr, type XmlElement } from './xml-reader.js';

/** The local name of an Atom element, or '' for elements of other namespaces. */
export function atomName(el: XmlElement): string {
  const k = el.key;
  if (k.startsWith('atom:')) return k.slice(5);
  return k.includes(':') ? '' : k;
}

function addPerson(list: Person[], p: Person): void {
  if (Object.keys(p).length > 0) list.push(p);
}

function readCategory(el: XmlElement): Entry['categories'][number] | undefined {
  const term = attr(el, 'term') ?? text(el);
  if (term === undefined || term.trim() === '') return undefined;
  const c: Entry['categories'][number] = { term: term.trim() };
  const scheme = attr(el, 'scheme');
  if (scheme) c.scheme = scheme;
  const label = attr(el, 'label');
  if (label) c.label = label;
  return c;
}

function readGenerator(el: XmlElement, ctx: Context): NonNullable<FeedMeta['generator']> {
  const g: NonNullable<FeedMeta['generator']> = { name: text(el) };
  const uri = attr(el, 'uri') ?? attr(el, 'url');
  if (uri) g.uri = resolveUrl(uri, enter(ctx, el).base);
  const version = attr(el, 'version');
  if (version) g.version = version;
  return g;
}

/** Feed-level elements shared by <feed> and <source>. Returns true if handled. */
function readFeedElement(feed: FeedMeta, k: XmlElement, ctx: Context, name: string): boolean {
  switch (name) {
    case 'title':
      if (feed.titleDetail === undefined) {
        feed.titleDetail = readText(k, ctx, 'text/plain');
        feed.title = plainText(feed.titleDetail);
      }
      return true;
    case 'subtitle':
    case 'tagline':
    case 'info':
      if (feed.subtitleDetail === undefined && name !== 'info') {
        feed.subtitleDetail = readText(k, ctx, 'text/plain');
        feed.subtitle = feed.subtitleDetail.value;
      }
      return true;
    case 'rights':
    case 'copyright':
      if (feed.rightsDetail === undefined) {
        feed.rightsDetail = readText(k, ctx, 'text/plain');
        feed.rights = feed.rightsDetail.value;
      }
      return true;
    case 'id':
      feed.id ??= resolveUrl(text(k), enter(ctx, k).base);
      return true;
    case 'updated':
    case 'modified':
      feed.updated = readDate(k, ctx) ?? feed.updated;
      return true;
    case 'published':
    case 'issued':
      feed.published = readDate(k, ctx) ?? feed.published;
      return true;
    case 'link': {
      const l = readLink(k, ctx);
      feed.links.push(l);
      if (l.rel === 'hub') feed.hubs.push(l.href);
      else if (l.rel === 'self') feed.self ??= l.href;
      return true;
    }
    case 'author':
      addPerson(feed.authors, readPerson(k, ctx));
      return true;
    case 'contributor':
      addPerson(feed.contributors, readPerson(k, ctx));
      return true;
    case 'generator':
      feed.generator ??= readGenerator(k, ctx);
      return true;
    case 'icon':
      feed.icon ??= resolveUrl(text(k), enter(ctx, k).base);
      return true;
    case 'logo':
      feed.logo ??= resolveUrl(text(k), enter(ctx, k).base);
      return true;
    case 'category': {
      const c = readCategory(k);
      if (c) addCategory(feed.categories, c);
      return true;
    }
  }
  return false;
}

function readEntry(el: XmlElement, outer: Context): Entry {
  const ctx = enter(outer, el);
  const entry = emptyEntry();
  for (const k of el.children) {
    if (typeof k === 'string') continue;
    const name = atomName(k);
    switch (name) {
      case 'id':
        entry.id ??= resolveUrl(text(k), enter(ctx, k).base);
        break;
      case 'title':
        if (entry.titleDetail === undefined) {
          entry.titleDetail = readText(k, ctx, 'text/plain');
          entry.title = plainText(entry.titleDetail);
        }
        break;
      case 'link': {
        const l = readLink(k, ctx);
        entry.links.push(l);
        if (l.rel === 'enclosure' && l.href !== '') {
          const enc: Entry['enclosures'][number] = { url: l.href };
          if (l.type) enc.type = l.type;
          if (l.length !== undefined) enc.length = l.length;
          entry.enclosures.push(enc);
        }
        break;
      }
      case 'summary': {
        // a summary replaces a summary copied from <content>, never one the feed gave
        const t = readText(k, ctx, 'text/plain');
        if (entry.summaryDetail === undefined || entry.content.length > 0) {
          entry.summaryDetail = t;
          entry.summary = t.value;
        }
        break;
      }
      case 'content': {
        const t = readText(k, ctx, 'text/plain');
        entry.content.push(t);
        if (entry.summaryDetail === undefined) {
          entry.summaryDetail = t;
          entry.summary = t.value;
        }
        break;
      }
      case 'published':
      case 'issued':
        entry.published = readDate(k, ctx) ?? entry.published;
        break;
      case 'updated':
      case 'modified':
        entry.updated = readDate(k, ctx) ?? entry.updated;
        break;
      case 'created':
        entry.created = readDate(k, ctx) ?? entry.created;
        break;
      case 'author':
        addPerson(entry.authors, readPerson(k, ctx));
        break;
      case 'contributor':
        addPerson(entry.contributors, readPerson(k, ctx));
        break;
      case 'category': {
        const c = readCategory(k);
        if (c) addCategory(entry.categories, c);
        break;
      }
      case 'rights':
      case 'copyright':
        entry.rights ??= readText(k, ctx, 'text/plain').value;
        break;
      case 'source': {
        const sctx = enter(ctx, k);
        const src = emptyFeed();
        for (const s of k.children) {
          if (typeof s !== 'string') readFeedElement(src, s, sctx, atomName(s));
        }
        const source: NonNullable<Entry['source']> = {};
        if (src.title !== undefined) source.title = src.title;
        const link = bestAlternate(src.links);
        if (link !== undefined) source.link = link;
        if (src.id !== undefined) source.id = src.id;
        if (src.self !== undefined) source.url = src.self;
        if (src.updated !== undefined) source.updated = src.updated;
        entry.source ??= source;
        break;
      }
      default:
        if (k.key === 'dc:creator') {
          const v = text(k);
          if (v !== '' && entry.authors.length === 0) entry.authors.push({ name: v });
        } else if (k.key === 'feedburner:origlink') {
          const v = text(k);
          if (v !== '') {
            const url = resolveUrl(v, enter(ctx, k).base);
            entry.links.unshift({ href: url, rel: 'alternate', type: 'text/html' });
          }
        }
    }
  }
  if (entry.authors.length > 0) entry.author = entry.authors[0];
  entry.link = bestAlternate(entry.links);
  if (entry.link === undefined) delete entry.link;
  return entry;
}

function strayEntries(el: XmlElement, out: XmlElement[] = [], depth = 0): XmlElement[] {
  if (depth > 32) return out;
  for (const k of el.children) {
    if (typeof k === 'string') continue;
    if (atomName(k) === 'entry') out.push(k);
    else if (k.children.length > 1) strayEntries(k, out, depth + 1);
  }
  return out;
}

/** The context of an Atom document: Atom 0.3 and 1.0 read some text constructs apart. */
export function atomContext(outer: Context, root: XmlElement): Context {
  const v03 = root.ns === ATOM03_NS || attr(root, 'version')?.trim() === '0.3';
  return { ...outer, atom: v03 ? 'atom03' : 'atom10' };
}

/** Read an entry, and the entries nested in it by a missing </entry>, into the sink. */
export function takeEntry(sink: EntrySink, el: XmlElement, ctx: Context): void {
  const stack: XmlElement[] = [el];
  for (let e = stack.pop(); e; e = stack.pop()) {
    if (sink.entries.length >= sink.max) sink.dropped++;
    else sink.entries.push(readEntry(e, ctx));
    // entries never nest: one inside another is the next entry after a missing </entry>
    for (let j = e.children.length - 1; j >= 0; j--) {
      const c = e.children[j];
      if (
        c !== undefined &&
        typeof c !== 'string' &&
        atomName(c) === 'entry' &&
        c.children.length > 0
      )
        stack.push(c);
    }
  }
}

/**
 * Read an Atom feed (`outer` from atomContext). The sink may already hold the entries read while
 * the document was read (entry-stream.ts); the entries still in the tree join them.
 */
export function readAtom(root: XmlElement, outer: Context, sink: EntrySink): FeedBody {
  const ctx = enter(outer, root);
  const feed = emptyFeed();
  if (atomName(root) === 'entry') {
    // a bare <entry> document
    sink.entries.push(readEntry(root, ctx));
    return { feed, entries: sink.entries };
  }
  for (const k of root.children) {
    if (typeof k === 'string') continue;
    const name = atomName(k);
    // some Atom 0.3 feeds wrote <item> for <entry>
    if (name === 'entry' || name === 'item') {
      takeEntry(sink, k, ctx);
      continue;
    }
    if (readFeedElement(feed, k, ctx, name)) {
      // an unclosed element swallows the entries after it
      if (k.children.length > 1) for (const e of strayEntries(k)) takeEntry(sink, e, ctx);
      continue;
    }
    if (k.key === 'itunes:image' || k.key === 'media:thumbnail') {
      const href = attr(k, 'href') ?? attr(k, 'url');
      if (href && !feed.image) feed.image = { url: resolveUrl(href, enter(ctx, k).base) };
    }
  }
  if (feed.authors.length > 0) feed.author = feed.authors[0];
  const link = bestAlternate(feed.links);
  if (link !== undefined) feed.link = link;
  if (feed.logo !== undefined && !feed.image) feed.image = { url: feed.logo };
  return finishEntries(feed, sink, outer);
}

/**
 * RSS 0.90-2.0, RSS 1.0 (RDF) and CDF → the model. One adapter: the formats share their element
 * names once namespaces are mapped (namespaces.ts), and feeds mix them freely. Extensions: dc,
 * dcterms, content, slash, wfw, sy, admin, itunes, media, feedburner, atom:link (WebSub).
 * Of an element repeated in one item or channel the first value wins, as in feedparser; dates
 * are the exception: the last readable one wins (feedparser overwrites them).
 */
import type { Category, Entry, FeedMeta, Person, Text } from '../model/feed.js';
import {
  addCategory,
  bestAlternate,
  type Context,
  child,
  enter,
  parsePersonString,
  plainText,
  readDate,
  readLink,
  readText,
  resolveUrl,
  text,
  toInt,
} from './common.js';
import { parseDate } from './dates.js';
import { attr, type XmlElement } from './xml-reader.js';

export interface FeedBody {
  feed: FeedMeta;
  entries: Entry[];
  /** entries past the per-document limit, not read */
  dropped?: number;
}

export function emptyFeed(): FeedMeta {
  return { links: [], authors: [], contributors: [], categories: [], hubs: [] };
}

export function emptyEntry(): Entry {
  return {
    links: [],
    content: [],
    authors: [],
    contributors: [],
    categories: [],
    enclosures: [],
  };
}

/** Summary-like elements: the first is the summary, a second one (if no content yet) is content. */
function addSummary(entry: Entry, t: Text): void {
  if (entry.summaryDetail === undefined) {
    entry.summaryDetail = t;
    entry.summary = t.value;
  } else if (entry.content.length === 0) entry.content.push(t);
}

function addContent(entry: Entry, t: Text): void {
  entry.content.push(t);
  if (entry.summaryDetail === undefined) {
    entry.summaryDetail = t;
    entry.summary = t.value;
  }
}

function addPerson(list: Person[], p: Person | undefined): void {
  if (!p) return;
  if (list.some((x) => x.name === p.name && x.email === p.email)) return;
  list.push(p);
}

const SY_PERIOD_MINUTES: Record<string, number> = {
  hourly: 60,
  daily: 1440,
  weekly: 10080,
  monthly: 43200,
  yearly: 525600,
};

/** <item> elements nested (by a missing end tag) inside a non-item element. */
function strayItems(el: XmlElement, out: XmlElement[] = [], depth = 0): XmlElement[] {
  if (depth > 32) return out;
  for (const k of el.children) {
    if (typeof k === 'string') continue;
    if (k.key === 'item') out.push(k);
    else if (k.children.length > 1) strayItems(k, out, depth + 1);
  }
  return out;
}

/** Where a document's entries go as they are read: at most `max`, the rest only counted. */
export interface EntrySink {
  entries: Entry[];
  dropped: number;
  max: number;
}

export function entrySink(max: number): EntrySink {
  return { entries: [], dropped: 0, max };
}

/** Read an item, and the items nested in it by a missing </item>, into the sink. */
export function takeItem(sink: EntrySink, el: XmlElement, ctx: Context): void {
  if (sink.entries.length >= sink.max) sink.dropped++;
  else sink.entries.push(readItem(el, ctx));
  // items never nest: one inside another is the next item after a missing </item>
  for (const k of el.children) {
    if (typeof k !== 'string' && k.key === 'item' && k.children.length > 0) takeItem(sink, k, ctx);
  }
}

/**
 * Read a channel (and, for RSS 1.0, the items beside it). The sink may already hold the items
 * read while the document was read (entry-stream.ts); the items still in the tree join them.
 */
export function readRss(root: XmlElement, outer: Context, sink: EntrySink): FeedBody {
  const rootCtx = enter(outer, root);
  const feed = emptyFeed();
  const channel = child(root, 'channel') ?? (root.local === 'channel' ? root : undefined);
  const chCtx = channel ? enter(rootCtx, channel) : rootCtx;
  const take = (el: XmlElement, ctx: Context): void => takeItem(sink, el, ctx);
  let syPeriod: number | undefined;
  let syFrequency: number | undefined;
  if (channel) {
    for (const k of channel.children) {
      if (typeof k === 'string') continue;
      switch (k.key) {
        case 'item':
          take(k, chCtx);
          break;
        case 'items':
          // RSS 1.0 <items><rdf:Seq> just lists the items; they follow the channel
          break;
        default: {
          // an unclosed element (<itunes:category>, <image>) swallows the items after it
          if (k.children.length > 1) for (const it of strayItems(k)) take(it, chCtx);
          const r = readChannelElement(feed, k, chCtx);
          if (r === 'sy:updateperiod') syPeriod = SY_PERIOD_MINUTES[text(k).toLowerCase()];
          else if (r === 'sy:updatefrequency') syFrequency = toInt(text(k));
        }
      }
    }
  }
  for (const k of root.children) {
    if (typeof k === 'string' || k === channel) continue;
    if (k.key === 'item') take(k, rootCtx);
    else if (k.key === 'image' && !feed.image) readImage(feed, k, rootCtx);
  }
  if (feed.ttl === undefined && syPeriod !== undefined) {
    feed.ttl = Math.round(syPeriod / Math.max(1, syFrequency ?? 1));
  }
  if (channel?.local === 'channel' && channel.key === 'channel' && root.local === 'channel') {
    // CDF: <CHANNEL HREF="..." LASTMOD="...">
    readCdfAttributes(feed, channel, chCtx);
  }
  feed.link ??= bestAlternate(feed.links);
  return finishEntries(feed, sink, outer);
}

/** The body of a feed whose entries are in the sink, with a warning for those dropped. */
export function finishEntries(feed: FeedMeta, sink: EntrySink, ctx: Context): FeedBody {
  const { entries, dropped, max } = sink;
  if (dropped === 0) return { feed, entries };
  ctx.warnings.push(`feed has more than ${max} entries; ${dropped} dropped`);
  return { feed, entries, dropped };
}

function readCdfAttributes(feed: FeedMeta, el: XmlElement, ctx: Context): void {
  const href = attr(el, 'href');
  if (href !== undefined) {
    const url = resolveUrl(href, ctx.base);
    feed.links.push({ href: url, rel: 'alternate', type: 'text/html' });
    feed.link ??= url;
  }
  const lastmod = attr(el, 'lastmod');
  if (lastmod !== undefined) {
    const d = parseDate(lastmod);
    if (d) feed.updated = d;
  }
}

function readImage(feed: FeedMeta, el: XmlElement, outer: Context): void {
  const ctx = enter(outer, el);
  const image: NonNullable<FeedMeta['image']> = {};
  const about = attr(el, 'about', 'rdf') ?? attr(el, 'resource', 'rdf');
  for (const k of el.children) {
    if (typeof k === 'string') continue;
    const v = text(k);
    switch (k.local) {
      case 'url':
        image.url = resolveUrl(v, enter(ctx, k).base);
        break;
      case 'title':
        image.title = v;
        break;
      case 'link':
        image.link = resolveUrl(v, enter(ctx, k).base);
        break;
      case 'width': {
        const n = toInt(v);
        if (n !== undefined) image.width = n;
        break;
      }
      case 'height': {
        const n = toInt(v);
        if (n !== undefined) image.height = n;
        break;
      }
      case 'description':
        image.description = v;
        break;
    }
  }
  if (image.url === undefined && about !== undefined) image.url = resolveUrl(about, ctx.base);
  if (Object.keys(image).length > 0) feed.image = image;
}

const ITUNES_SCHEME = 'http://www.itunes.com/';

/** An itunes:category and the subcategories nested in it, each one a category of its own. */
function readItunesCategories(list: Category[], el: XmlElement, depth = 0): void {
  const t = attr(el, 'text');
  if (t !== undefined) addCategory(list, { term: t.trim(), scheme: ITUNES_SCHEME });
  if (depth > 8) return;
  for (const k of el.children)
    if (typeof k !== 'string' && k.key === 'itunes:category')
      readItunesCategories(list, k, depth + 1);
}

/** Comma-separated keywords as categories: iTunes' carry its scheme, Media RSS's none. */
function keywords(list: Category[], v: string, scheme?: string): void {
  for (const term of v.split(','))
    addCategory(list, scheme ? { term: term.trim(), scheme } : { term: term.trim() });
}

const MEDIA_CATEGORY_SCHEME = 'http://search.yahoo.com/mrss/category_schema';

/** A media:category, with Media RSS 2.0's default scheme when it names none. */
function mediaCategory(el: XmlElement): Category {
  // "If this attribute is not included, the default scheme is
  // 'http://search.yahoo.com/mrss/category_schema'."
  const c: Category = {
    term: text(el),
    scheme: attr(el, 'scheme')?.trim() || MEDIA_CATEGORY_SCHEME,
  };
  const label = attr(el, 'label');
  if (label) c.label = label;
  return c;
}

/** One child of <channel>; returns the key for the caller's bookkeeping. */
function readChannelElement(feed: FeedMeta, k: XmlElement, ctx: Context): string {
  switch (k.key) {
    case 'title':
    case 'dc:title':
      if (feed.titleDetail === undefined) {
        feed.titleDetail = readText(k, ctx, 'text/plain');
        feed.title = plainText(feed.titleDetail);
      }
      break;
    case 'link': {
      const rel = attr(k, 'rel')?.trim();
      if (rel && rel !== 'alternate') {
        // an Atom-style <link rel="hub|self"> that forgot its namespace
        const l = readLink(k, ctx);
        if (l.rel === 'hub') feed.hubs.push(l.href);
        else if (l.rel === 'self') feed.self ??= l.href;
        feed.links.push(l);
        break;
      }
      const kctx = enter(ctx, k);
      const href = attr(k, 'href') ?? text(k);
      if (href === '') break;
      const url = resolveUrl(href, kctx.base);
      if (!feed.links.some((l) => l.rel === 'alternate' && l.href === url))
        feed.links.push({ href: url, rel: 'alternate', type: 'text/html' });
      feed.link ??= url;
      break;
    }
    case 'atom:link': {
      const l = readLink(k, ctx);
      if (l.rel === 'hub') feed.hubs.push(l.href);
      else if (l.rel === 'self') feed.self ??= l.href;
      feed.links.push(l);
      break;
    }
    case 'description':
    case 'tagline':
    case 'subtitle':
    case 'dc:description':
    case 'itunes:subtitle':
    case 'abstract':
      if (feed.subtitleDetail === undefined) {
        feed.subtitleDetail = readText(k, ctx, 'text/html');
        feed.subtitle = feed.subtitleDetail.value;
      }
      break;
    case 'itunes:summary':
      if (feed.subtitleDetail === undefined) {
        feed.subtitleDetail = readText(k, ctx, 'text/plain');
        feed.subtitle = feed.subtitleDetail.value;
      }
      break;
    case 'language':
    case 'dc:language': {
      const v = text(k);
      if (v !== '') feed.language ??= v;
      break;
    }
    case 'copyright':
    case 'dc:rights':
    case 'rights':
    case 'creativecommons:license':
      if (feed.rightsDetail === undefined) {
        feed.rightsDetail = readText(k, ctx, 'text/plain');
        feed.rights = feed.rightsDetail.value;
      }
      break;
    case 'managingeditor':
    case 'dc:creator':
    case 'dc:author':
    case 'author':
    case 'itunes:author':
      addPerson(feed.authors, parsePersonString(text(k)));
      feed.author ??= feed.authors[0];
      break;
    case 'itunes:owner': {
      // the owner is a contact, not an author; use it only when nothing else names one
      break;
    }
    case 'dc:contributor':
      addPerson(feed.contributors, parsePersonString(text(k)));
      break;
    case 'pubdate':
    case 'dcterms:issued':
      feed.published = readDate(k, ctx) ?? feed.published;
      break;
    case 'lastbuilddate':
    case 'dc:date':
    case 'dcterms:modified':
    case 'atom:updated':
      feed.updated = readDate(k, ctx) ?? feed.updated;
      break;
    case 'generator': {
      const v = text(k);
      if (v !== '') feed.generator ??= { name: v };
      break;
    }
    case 'admin:generatoragent': {
      const r = attr(k, 'resource', 'rdf');
      if (r !== undefined && !feed.generator)
        feed.generator = { name: r, uri: resolveUrl(r, ctx.base) };
      break;
    }
    case 'docs': {
      const v = text(k);
      if (v !== '') feed.docs ??= resolveUrl(v, enter(ctx, k).base);
      break;
    }
    case 'ttl': {
      const n = toInt(text(k));
      if (n !== undefined && n >= 0) feed.ttl ??= n;
      break;
    }
    case 'image':
      if (!feed.image) readImage(feed, k, ctx);
      break;
    case 'itunes:image': {
      const href = attr(k, 'href') ?? attr(k, 'url') ?? text(k);
      if (href) {
        const url = resolveUrl(href, enter(ctx, k).base);
        feed.image = { ...feed.image, url: feed.image?.url ?? url };
      }
      break;
    }
    case 'itunes:link': {
      const href = attr(k, 'href');
      if (attr(k, 'rel') === 'image' && href) {
        feed.image = {
          ...feed.image,
          url: feed.image?.url ?? resolveUrl(href, enter(ctx, k).base),
        };
      }
      break;
    }
    case 'cloud': {
      const cloud: NonNullable<FeedMeta['cloud']> = {};
      const domain = attr(k, 'domain');
      if (domain !== undefined) cloud.domain = domain;
      const port = toInt(attr(k, 'port'));
      if (port !== undefined) cloud.port = port;
      const path = attr(k, 'path');
      if (path !== undefined) cloud.path = path;
      const rp = attr(k, 'registerprocedure');
      if (rp !== undefined) cloud.registerProcedure = rp;
      const protocol = attr(k, 'protocol');
      if (protocol !== undefined) cloud.protocol = protocol;
      feed.cloud ??= cloud;
      break;
    }
    case 'category':
    case 'dc:subject': {
      const term = text(k);
      const domain = attr(k, 'domain');
      addCategory(feed.categories, domain ? { term, scheme: domain } : { term });
      break;
    }
    case 'itunes:category':
      readItunesCategories(feed.categories, k);
      break;
    case 'media:category':
      addCategory(feed.categories, mediaCategory(k));
      break;
    case 'media:keywords':
      keywords(feed.categories, text(k));
      break;
    case 'itunes:keywords':
      keywords(feed.categories, text(k), ITUNES_SCHEME);
      break;
    case 'skiphours': {
      const hours: number[] = [];
      for (const h of k.children) {
        if (typeof h === 'string' || h.local !== 'hour') continue;
        const n = toInt(text(h));
        if (n !== undefined && n >= 0 && n <= 24 && !hours.includes(n % 24)) hours.push(n % 24);
      }
      feed.skipHours = hours;
      break;
    }
    case 'skipdays': {
      const days: string[] = [];
      for (const d of k.children) {
        if (typeof d === 'string' || d.local !== 'day') continue;
        const v = text(d);
        const name = v.charAt(0).toUpperCase() + v.slice(1).toLowerCase();
        if (/^(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day$/.test(name) && !days.includes(name))
          days.push(name);
      }
      feed.skipDays = days;
      break;
    }
    case 'atom:id':
      feed.id ??= text(k);
      break;
    case 'atom:icon':
    case 'icon':
      feed.icon ??= resolveUrl(text(k), enter(ctx, k).base);
      break;
    case 'atom:logo':
      feed.logo ??= resolveUrl(text(k), enter(ctx, k).base);
      break;
  }
  return k.key;
}

function readEnclosure(
  entry: Entry,
  url: string,
  type: string | undefined,
  length: number | undefined,
): void {
  if (url === '' || entry.enclosures.some((e) => e.url === url)) return;
  const enc: Entry['enclosures'][number] = { url };
  if (type) enc.type = type;
  if (length !== undefined) enc.length = length;
  entry.enclosures.push(enc);
}

function readMedia(entry: Entry, el: XmlElement, ctx: Context): void {
  for (const k of el.children) {
    if (typeof k === 'string') continue;
    switch (k.key) {
      case 'media:content': {
        const url = attr(k, 'url');
        if (url)
          readEnclosure(
            entry,
            resolveUrl(url, enter(ctx, k).base),
            attr(k, 'type'),
            toInt(attr(k, 'filesize')),
          );
        readMedia(entry, k, ctx);
        break;
      }
      case 'media:thumbnail': {
        const url = attr(k, 'url');
        if (url) {
          const href = resolveUrl(url, enter(ctx, k).base);
          if (!entry.links.some((l) => l.rel === 'thumbnail' && l.href === href))
            entry.links.push({ href, rel: 'thumbnail' });
        }
        break;
      }
      case 'media:title':
        if (entry.titleDetail === undefined) {
          entry.titleDetail = readText(
            k,
            ctx,
            attr(k, 'type') === 'html' ? 'text/html' : 'text/plain',
          );
          entry.title = plainText(entry.titleDetail);
        }
        break;
      case 'media:description':
        if (entry.summaryDetail === undefined)
          addSummary(
            entry,
            readText(k, ctx, attr(k, 'type') === 'html' ? 'text/html' : 'text/plain'),
          );
        break;
      case 'media:category':
        addCategory(entry.categories, mediaCategory(k));
        break;
      case 'media:keywords':
        keywords(entry.categories, text(k));
        break;
      case 'media:group':
        readMedia(entry, k, ctx);
        break;
    }
  }
}

function readItem(el: XmlElement, outer: Context): Entry {
  const ctx = enter(outer, el);
  const entry = emptyEntry();
  let guidIsPermalink = false;
  let guidSeen = false;
  let hasLink = false;
  let origLink: string | undefined;
  let media = false;
  const about = attr(el, 'about', 'rdf');
  // CDF: <ITEM HREF="..." LASTMOD="...">
  const cdfHref = attr(el, 'href');
  if (cdfHref !== undefined) {
    hasLink = true;
    entry.link = resolveUrl(cdfHref, ctx.base);
    entry.links.push({ href: entry.link, rel: 'alternate', type: 'text/html' });
  }
  const cdfLastmod = attr(el, 'lastmod');
  if (cdfLastmod !== undefined) entry.updated = parseDate(cdfLastmod);
  for (const k of el.children) {
    if (typeof k === 'string') continue;
    switch (k.key) {
      case 'title':
      case 'dc:title':
        if (entry.titleDetail === undefined) {
          entry.titleDetail = readText(k, ctx, 'text/plain');
          entry.title = plainText(entry.titleDetail);
        }
        break;
      case 'link': {
        const rel = attr(k, 'rel')?.trim();
        if (rel && rel !== 'alternate') {
          const l = readLink(k, ctx);
          if (l.rel === 'enclosure') readEnclosure(entry, l.href, l.type, l.length);
          entry.links.push(l);
          break;
        }
        const href = attr(k, 'href') ?? text(k);
        if (href === '') break;
        const url = resolveUrl(href, enter(ctx, k).base);
        hasLink = true;
        if (!entry.links.some((l) => l.rel === 'alternate' && l.href === url))
          entry.links.push({ href: url, rel: 'alternate', type: 'text/html' });
        entry.link ??= url;
        break;
      }
      case 'atom:link': {
        const l = readLink(k, ctx);
        if (l.rel === 'enclosure') readEnclosure(entry, l.href, l.type, l.length);
        entry.links.push(l);
        break;
      }
      case 'feedburner:origlink': {
        const v = text(k);
        if (v !== '') origLink = resolveUrl(v, enter(ctx, k).base);
        break;
      }
      case 'guid': {
        const v = text(k);
        if (v === '') break;
        entry.id ??= v;
        guidSeen = true;
        const pl = attr(k, 'ispermalink')?.trim().toLowerCase();
        guidIsPermalink = pl !== 'false';
        break;
      }
      case 'atom:id':
        entry.id ??= text(k);
        break;
      case 'description':
      case 'summary':
      case 'dc:description':
      case 'abstract':
        addSummary(entry, readText(k, ctx, 'text/html'));
        break;
      case 'itunes:summary':
      case 'atom:summary':
        if (entry.summaryDetail === undefined) addSummary(entry, readText(k, ctx, 'text/plain'));
        break;
      case 'content:encoded':
      case 'fullitem':
        addContent(entry, readText(k, ctx, 'text/html'));
        break;
      case 'xhtml:body':
      case 'body': {
        const t = readText(k, ctx, 'application/xhtml+xml');
        t.type = 'application/xhtml+xml';
        addContent(entry, t);
        break;
      }
      case 'atom:content':
        addContent(entry, readText(k, { ...ctx, atom: 'atom10' }, 'text/plain'));
        break;
      case 'pubdate':
      case 'dcterms:issued':
      case 'atom:published':
        entry.published = readDate(k, ctx) ?? entry.published;
        break;
      case 'dc:date':
      case 'dcterms:modified':
      case 'atom:updated':
      case 'lastbuilddate':
        entry.updated = readDate(k, ctx) ?? entry.updated;
        break;
      case 'dcterms:created':
        entry.created = readDate(k, ctx) ?? entry.created;
        break;
      case 'expirationdate':
      case 'dcterms:valid':
        entry.expired = readDate(k, ctx) ?? entry.expired;
        break;
      case 'author':
      case 'dc:creator':
      case 'dc:author':
      case 'itunes:author':
        addPerson(entry.authors, parsePersonString(text(k)));
        break;
      case 'atom:author':
        addPerson(entry.authors, parsePersonString(text(child(k, 'atom:name', 'name') ?? k)));
        break;
      case 'dc:contributor':
        addPerson(entry.contributors, parsePersonString(text(k)));
        break;
      case 'dc:publisher':
        entry.publisher ??= parsePersonString(text(k));
        break;
      case 'category':
      case 'dc:subject': {
        const term = text(k);
        const domain = attr(k, 'domain');
        addCategory(entry.categories, domain ? { term, scheme: domain } : { term });
        break;
      }
      case 'itunes:category':
        readItunesCategories(entry.categories, k);
        break;
      case 'itunes:keywords':
        keywords(entry.categories, text(k), ITUNES_SCHEME);
        break;
      case 'enclosure': {
        const url = attr(k, 'url') ?? attr(k, 'href');
        if (!url) break;
        const href = resolveUrl(url, enter(ctx, k).base);
        const type = attr(k, 'type');
        const length = toInt(attr(k, 'length'));
        readEnclosure(entry, href, type, length);
        const link: Entry['links'][number] = { href, rel: 'enclosure' };
        if (type) link.type = type;
        if (length !== undefined) link.length = length;
        entry.links.push(link);
        break;
      }
      case 'comments': {
        const v = text(k);
        if (v !== '') entry.comments ??= resolveUrl(v, enter(ctx, k).base);
        break;
      }
      case 'wfw:commentrss':
      case 'wfw:comment': {
        const v = text(k);
        if (v !== '') entry.links.push({ href: resolveUrl(v, enter(ctx, k).base), rel: 'replies' });
        break;
      }
      case 'source': {
        const src: NonNullable<Entry['source']> = {};
        const t = text(k);
        if (t !== '') src.title = t;
        const url = attr(k, 'url');
        if (url) src.url = resolveUrl(url, enter(ctx, k).base);
        entry.source ??= src;
        break;
      }
      case 'copyright':
      case 'dc:rights':
        entry.rights ??= text(k);
        break;
      case 'media:content':
      case 'media:thumbnail':
      case 'media:title':
      case 'media:description':
      case 'media:category':
      case 'media:keywords':
      case 'media:group':
        media = true;
        break;
    }
  }
  if (media) readMedia(entry, el, ctx);
  if (entry.authors.length > 0) entry.author = entry.authors[0];
  if (guidSeen) {
    // isPermaLink defaults to true, but many feeds leave it out on guids like "post-42":
    // only a guid that is a URL (absolute, or a path) can stand in for the link
    const urlish = entry.id !== undefined && /^(?:[a-zA-Z][a-zA-Z0-9+.-]*:\/\/|\/)/.test(entry.id);
    entry.guidIsLink = guidIsPermalink && !hasLink && urlish;
    if (entry.guidIsLink && entry.id !== undefined) {
      const url = resolveUrl(entry.id, ctx.base);
      entry.link = url;
      entry.links.push({ href: url, rel: 'alternate', type: 'text/html' });
    }
  }
  // RSS 1.0 §5.5: rdf:about is the item's URI, its id unless a guid or atom:id names one
  if (about !== undefined && about.trim() !== '') entry.id ??= about.trim();
  if (about !== undefined && entry.link === undefined && /^https?:/i.test(about)) {
    entry.link = resolveUrl(about, ctx.base);
  }
  if (origLink !== undefined) {
    // feedburner rewrites links to its tracker; origLink is the post's real address
    if (!entry.links.some((l) => l.href === origLink))
      entry.links.unshift({ href: origLink, rel: 'alternate', type: 'text/html' });
    entry.link = origLink;
  }
  entry.link ??= bestAlternate(entry.links);
  return entry;
}

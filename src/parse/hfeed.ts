/**
 * HTML pages as feeds: microformats2 h-feed / h-entry, and the older hAtom (hfeed / hentry),
 * which microformats-parser reads through its backward-compatible mode.
 */

import type { mf2 } from 'microformats-parser';
import { errorMessage } from '../model/errors.js';
import type { Entry, Person } from '../model/feed.js';
import { addCategory, type Context, cleanHtml, dateOrWarn, resolveUrl } from './common.js';
import { lazyPackage } from './lazy-package.js';
import { emptyEntry, emptyFeed, type FeedBody } from './rss.js';

// Loaded by the first HTML page (~370 KB with its own parse5): feeds rarely are one.
const microformats = lazyPackage<typeof import('microformats-parser')>('microformats-parser');

type Mf = ReturnType<typeof mf2>['items'][number];
type Prop = Mf['properties'][string][number];

function isMf(p: Prop | undefined): p is Mf {
  return typeof p === 'object' && p !== null && 'properties' in p;
}

/** The plain string of a property value. */
function str(p: Prop | undefined): string | undefined {
  if (p === undefined) return undefined;
  if (typeof p === 'string') return p.trim() || undefined;
  if (isMf(p)) {
    const v = p.value;
    return typeof v === 'string' ? v.trim() || undefined : str(p.properties.name?.[0]);
  }
  if ('html' in p) return p.value.trim() || undefined;
  return p.value?.trim() || undefined;
}

function first(mf: Mf, name: string): Prop | undefined {
  return mf.properties[name]?.[0];
}

function hasType(mf: Mf, type: string): boolean {
  return mf.type?.includes(type) ?? false;
}

function person(p: Prop, ctx: Context): Person | undefined {
  if (typeof p === 'string') return p.trim() ? { name: p.trim() } : undefined;
  if (!isMf(p)) {
    const name = str(p);
    return name ? { name } : undefined;
  }
  const out: Person = {};
  const name = str(first(p, 'name')) ?? (typeof p.value === 'string' ? p.value.trim() : undefined);
  if (name) out.name = name;
  const url = str(first(p, 'url'));
  if (url) out.uri = resolveUrl(url, ctx.base);
  const email = str(first(p, 'email'));
  if (email) out.email = email.replace(/^mailto:/, '');
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * h-feed texts carry no base URL, so sanitizeDeferred could not resolve their links later:
 * they are cleaned now (sanitizing again later changes nothing).
 */
function eager(ctx: Context): Context {
  return ctx.sanitize === 'defer' ? { ...ctx, sanitize: true } : ctx;
}

function readHentry(mf: Mf, ctx: Context): Entry {
  const e = emptyEntry();
  const url = str(first(mf, 'url'));
  if (url) {
    e.link = resolveUrl(url, ctx.base);
    e.links.push({ href: e.link, rel: 'alternate', type: 'text/html' });
  }
  const uid = str(first(mf, 'uid'));
  if (uid) e.id = uid;
  const content = first(mf, 'content');
  if (content !== undefined) {
    const html = typeof content === 'object' && 'html' in content ? content.html : undefined;
    if (html !== undefined)
      e.content.push({ value: cleanHtml(html, eager(ctx)), type: 'text/html' });
    else {
      const s = str(content);
      if (s) e.content.push({ value: s, type: 'text/plain' });
    }
  }
  const name = str(first(mf, 'name'));
  // mf2's implied name is the whole text of the entry when it has no p-name: a note, not a title
  const contentText = str(content);
  if (name && name !== contentText && name.length < 300) {
    e.title = name;
    e.titleDetail = { value: name, type: 'text/plain' };
  }
  const summary = first(mf, 'summary');
  if (summary !== undefined) {
    const html = typeof summary === 'object' && 'html' in summary ? summary.html : undefined;
    e.summaryDetail =
      html !== undefined
        ? { value: cleanHtml(html, eager(ctx)), type: 'text/html' }
        : { value: str(summary) ?? '', type: 'text/plain' };
  } else if (e.content[0]) e.summaryDetail = e.content[0];
  if (e.summaryDetail) e.summary = e.summaryDetail.value;
  const published = dateOrWarn(str(first(mf, 'published')), ctx);
  if (published) e.published = published;
  const updated = dateOrWarn(str(first(mf, 'updated')), ctx);
  if (updated) e.updated = updated;
  for (const a of mf.properties.author ?? []) {
    const p = person(a, ctx);
    if (p) e.authors.push(p);
  }
  if (e.authors[0]) e.author = e.authors[0];
  for (const c of mf.properties.category ?? []) {
    const term = str(c);
    if (term) addCategory(e.categories, { term });
  }
  return e;
}

/** Read an HTML page's h-feed (or bare h-entries); undefined when it has none. */
export function readHfeed(html: string, ctx: Context, maxEntries: number): FeedBody | undefined {
  const hasBase = ctx.base !== undefined && /^https?:/i.test(ctx.base);
  const body = readWithBase(html, ctx, maxEntries, hasBase);
  // microformats-parser needs an absolute base; without the page's URL, relative URLs stay relative
  return body && !hasBase ? unbase(body) : body;
}

const SENTINEL_BASE = 'http://orrery-no-base.invalid/';

function unbase<T>(v: T): T {
  return JSON.parse(JSON.stringify(v).replaceAll(SENTINEL_BASE, '/')) as T;
}

function readWithBase(
  html: string,
  ctx: Context,
  maxEntries: number,
  hasBase: boolean,
): FeedBody | undefined {
  let doc: ReturnType<typeof mf2>;
  try {
    doc = microformats().mf2(html, {
      baseUrl: hasBase ? (ctx.base ?? SENTINEL_BASE) : SENTINEL_BASE,
    });
  } catch (err) {
    // microformats-parser rejects some inputs (e.g. an unusable base URL): not an h-feed then
    ctx.warnings.push(`h-feed: ${errorMessage(err)}`);
    return undefined;
  }
  const all: Mf[] = [];
  const walk = (items: Mf[]): void => {
    for (const it of items) {
      all.push(it);
      if (it.children) walk(it.children);
    }
  };
  walk(doc.items);
  const hfeed = all.find((m) => hasType(m, 'h-feed'));
  const entriesMf = hfeed
    ? [...(hfeed.children ?? []), ...((hfeed.properties.entry ?? []).filter(isMf) as Mf[])].filter(
        (m) => hasType(m, 'h-entry'),
      )
    : all.filter((m) => hasType(m, 'h-entry'));
  if (!hfeed && entriesMf.length === 0) return undefined;
  const feed = emptyFeed();
  if (hfeed) {
    const name = str(first(hfeed, 'name'));
    if (name) {
      feed.title = name;
      feed.titleDetail = { value: name, type: 'text/plain' };
    }
    const summary = str(first(hfeed, 'summary'));
    if (summary) {
      feed.subtitle = summary;
      feed.subtitleDetail = { value: summary, type: 'text/plain' };
    }
    for (const a of hfeed.properties.author ?? []) {
      const p = person(a, ctx);
      if (p) feed.authors.push(p);
    }
    const photo = str(first(hfeed, 'photo')) ?? str(first(hfeed, 'logo'));
    if (photo) feed.logo = resolveUrl(photo, ctx.base);
  }
  if (!feed.title) {
    const t = /<title[^>]*>([^<]*)<\/title>/i.exec(html)?.[1]?.trim();
    if (t) {
      feed.title = t;
      feed.titleDetail = { value: t, type: 'text/plain' };
    }
  }
  if (feed.authors[0]) feed.author = feed.authors[0];
  if (ctx.base) {
    feed.link = ctx.base;
    feed.links.push({ href: ctx.base, rel: 'alternate', type: 'text/html' });
  }
  for (const hub of doc.rels.hub ?? []) feed.hubs.push(hub);
  const self = doc.rels.self?.[0];
  if (self) feed.self = self;
  const entries: Entry[] = [];
  let dropped = 0;
  for (const m of entriesMf) {
    if (entries.length >= maxEntries) {
      dropped = entriesMf.length - maxEntries;
      ctx.warnings.push(`feed has more than ${maxEntries} entries; ${dropped} dropped`);
      break;
    }
    const e = readHentry(m, ctx);
    if (!e.author && feed.author) {
      e.author = feed.author;
      e.authors.push(feed.author);
    }
    entries.push(e);
  }
  return dropped > 0 ? { feed, entries, dropped } : { feed, entries };
}

/** JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1) → the model. */
import type { Entry, Person, Text } from '../model/feed.js';
import { addCategory, type Context, cleanHtml, dateOrWarn, resolveUrl } from './common.js';
import { emptyEntry, emptyFeed, type FeedBody } from './rss.js';

type Json = Record<string, unknown>;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

function obj(v: unknown): Json | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function person(v: unknown, ctx: Context): Person | undefined {
  const o = obj(v);
  if (!o) return undefined;
  const p: Person = {};
  const name = str(o.name);
  if (name) p.name = name;
  const url = str(o.url);
  if (url) {
    if (url.startsWith('mailto:')) p.email = url.slice(7);
    else p.uri = resolveUrl(url, ctx.base);
  }
  return Object.keys(p).length > 0 ? p : undefined;
}

function people(o: Json, ctx: Context): Person[] {
  const list = arr(o.authors).map((a) => person(a, ctx));
  if (list.length === 0) list.push(person(o.author, ctx));
  return list.filter((p): p is Person => p !== undefined);
}

function text(value: string, type: string, ctx: Context): Text {
  const t: Text = { value: type === 'text/html' ? cleanHtml(value, ctx) : value, type };
  if (ctx.lang !== undefined) t.language = ctx.lang;
  if (ctx.base !== undefined) t.base = ctx.base;
  return t;
}

/** The version string of a JSON Feed ('json1', 'json11'), or undefined when it is not one. */
export function jsonFeedVersion(doc: unknown): string | undefined {
  const o = obj(doc);
  const v = str(o?.version);
  if (v !== undefined) {
    if (/jsonfeed\.org\/version\/1\.1/.test(v)) return 'json11';
    if (/jsonfeed\.org\/version\/1/.test(v)) return 'json1';
  }
  // Generators that write version "1.1" or none at all: a JSON object with an items list and a
  // title or home page is read as a JSON Feed (the caller notes the bad version)
  if (o && Array.isArray(o.items) && (str(o.title) || str(o.home_page_url))) {
    return v !== undefined && /^1\.1/.test(v) ? 'json11' : 'json1';
  }
  return undefined;
}

/** Whether the version member is the one the spec requires. */
export function jsonFeedVersionValid(doc: unknown): boolean {
  return /^https?:\/\/jsonfeed\.org\/version\/1(\.1)?$/.test(str(obj(doc)?.version) ?? '');
}

export function readJsonFeed(doc: Json, outer: Context, maxEntries: number): FeedBody {
  const feed = emptyFeed();
  const ctx: Context = { ...outer };
  const lang = str(doc.language);
  if (lang) {
    feed.language = lang;
    ctx.lang = lang;
  }
  const title = str(doc.title);
  if (title !== undefined) {
    feed.title = title;
    feed.titleDetail = text(title, 'text/plain', ctx);
  }
  const home = str(doc.home_page_url);
  if (home) {
    feed.link = resolveUrl(home, ctx.base);
    feed.links.push({ href: feed.link, rel: 'alternate', type: 'text/html' });
  }
  const self = str(doc.feed_url);
  if (self) {
    feed.self = resolveUrl(self, ctx.base);
    feed.links.push({ href: feed.self, rel: 'self', type: 'application/feed+json' });
  }
  const description = str(doc.description);
  if (description !== undefined) {
    feed.subtitle = description;
    feed.subtitleDetail = text(description, 'text/plain', ctx);
  }
  const icon = str(doc.icon);
  if (icon) {
    feed.logo = resolveUrl(icon, ctx.base);
    feed.image = { url: feed.logo };
  }
  const favicon = str(doc.favicon);
  if (favicon) feed.icon = resolveUrl(favicon, ctx.base);
  feed.authors = people(doc, ctx);
  if (feed.authors.length > 0) feed.author = feed.authors[0];
  for (const h of arr(doc.hubs)) {
    const url = str(obj(h)?.url);
    if (url) feed.hubs.push(resolveUrl(url, ctx.base));
  }
  const entries: Entry[] = [];
  const items = arr(doc.items);
  let dropped = 0;
  for (const raw of items) {
    if (entries.length >= maxEntries) {
      dropped = items.length - maxEntries;
      outer.warnings.push(`feed has more than ${maxEntries} entries; ${dropped} dropped`);
      break;
    }
    const it = obj(raw);
    if (!it) continue;
    const e = emptyEntry();
    const ictx: Context = { ...ctx };
    const ilang = str(it.language);
    if (ilang) ictx.lang = ilang;
    const id = it.id;
    if (typeof id === 'string' || typeof id === 'number') e.id = String(id);
    const url = str(it.url);
    if (url) {
      e.link = resolveUrl(url, ictx.base);
      e.links.push({ href: e.link, rel: 'alternate', type: 'text/html' });
    }
    const ext = str(it.external_url);
    if (ext) e.links.push({ href: resolveUrl(ext, ictx.base), rel: 'related' });
    const t = str(it.title);
    if (t !== undefined) {
      e.title = t;
      e.titleDetail = text(t, 'text/plain', ictx);
    }
    const html = str(it.content_html);
    const plain = str(it.content_text);
    if (html !== undefined) e.content.push(text(html, 'text/html', ictx));
    if (plain !== undefined) e.content.push(text(plain, 'text/plain', ictx));
    const summary = str(it.summary);
    if (summary !== undefined) e.summaryDetail = text(summary, 'text/plain', ictx);
    else if (e.content[0]) e.summaryDetail = e.content[0];
    if (e.summaryDetail) e.summary = e.summaryDetail.value;
    const published = dateOrWarn(str(it.date_published), ictx);
    if (published) e.published = published;
    const updated = dateOrWarn(str(it.date_modified), ictx);
    if (updated) e.updated = updated;
    e.authors = people(it, ictx);
    if (e.authors.length > 0) e.author = e.authors[0];
    for (const tag of arr(it.tags))
      if (typeof tag === 'string') addCategory(e.categories, { term: tag });
    const image = str(it.image) ?? str(it.banner_image);
    if (image) e.links.push({ href: resolveUrl(image, ictx.base), rel: 'thumbnail' });
    for (const a of arr(it.attachments)) {
      const ao = obj(a);
      const aurl = str(ao?.url);
      if (!ao || !aurl) continue;
      const enc: Entry['enclosures'][number] = { url: resolveUrl(aurl, ictx.base) };
      const type = str(ao.mime_type);
      if (type) enc.type = type;
      if (typeof ao.size_in_bytes === 'number' && Number.isSafeInteger(ao.size_in_bytes))
        enc.length = ao.size_in_bytes;
      e.enclosures.push(enc);
    }
    entries.push(e);
  }
  return dropped > 0 ? { feed, entries, dropped } : { feed, entries };
}

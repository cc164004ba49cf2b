/**
 * What every XML format adapter shares: the xml:base / xml:lang context, URL resolution,
 * text constructs (text, html, xhtml, escaped, base64), people, links and categories.
 */
import { group } from '../lib/regex.js';
import { resolveUrl } from '../lib/url.js';
import type { Category, Link, Person, Text } from '../model/feed.js';
import { URI_SCHEMES } from '../sanitize/allowlists.js';
import { htmlToText, resolveHtmlUrls, sanitizeHtml } from '../sanitize/index.js';
import { parseDate } from './dates.js';
import { htmlEntity } from './entities.js';
import { attr, hasElementChildren, innerXml, textContent, type XmlElement } from './xml-reader.js';

export interface Context {
  /** xml:base in force (absolute), or the document URL */
  base?: string;
  /** xml:lang in force */
  lang?: string;
  sanitize: boolean | 'defer';
  /** Atom documents take text constructs literally; RSS text that looks like HTML is HTML */
  atom: false | 'atom10' | 'atom03';
  warnings: string[];
}

/** The one URL resolver (lib/url.ts): absolute URLs as written, IRIs kept as IRIs. */
export { resolveUrl };

/** A URL's scheme (RFC 3986 §3.1): present only on an absolute URL. */
const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

/**
 * A base URL (xml:base, Content-Location) resolved against the base in force, or undefined when
 * it must not become a base (RFC 3986 §5.1 and XML Base give no rule for a bad one; feedparser
 * keeps the enclosing base, and so do we): a scheme that runs code or is unknown, or a URL that
 * does not parse (`http://[::1`, a port that is not a number). A relative base with nothing
 * to resolve it against stays relative, as the links under it will.
 */
export function safeBase(href: string, base: string | undefined): string | undefined {
  const url = resolveUrl(href, base);
  const scheme = SCHEME.exec(url)?.[1];
  if (scheme === undefined) return base === undefined || !SCHEME.test(base) ? url : undefined;
  // feedparser's acceptable schemes, as for URLs in HTML: a `javascript:` or `data:` base would
  // make every relative link under it code or content of the feed's choosing
  if (!URI_SCHEMES.has(scheme.toLowerCase())) return undefined;
  return URL.canParse(url) ? url : undefined;
}

/** The context inside an element: its xml:base (or CDF's plain BASE) and xml:lang applied. */
export function enter(ctx: Context, el: XmlElement): Context {
  if (el.attrs.length === 0) return ctx;
  const b = attr(el, 'base', 'xml') ?? attr(el, 'base', '');
  const l = attr(el, 'lang', 'xml');
  if (b === undefined && l === undefined) return ctx;
  const next: Context = { ...ctx };
  if (b !== undefined) {
    const safe = safeBase(b, ctx.base);
    if (safe !== undefined) next.base = safe;
    else ctx.warnings.push(`xml:base ignored (unsafe or malformed): ${b.slice(0, 80)}`);
  }
  if (l !== undefined) {
    const lang = l.trim().replace(/_/g, '-');
    if (lang === '') delete next.lang;
    else next.lang = lang;
  }
  return next;
}

/** Children by canonical key ('title', 'dc:creator', 'atom:link'). */
export function children(el: XmlElement, ...keys: string[]): XmlElement[] {
  const out: XmlElement[] = [];
  for (const k of el.children) if (typeof k !== 'string' && keys.includes(k.key)) out.push(k);
  return out;
}

export function child(el: XmlElement, ...keys: string[]): XmlElement | undefined {
  for (const k of el.children) if (typeof k !== 'string' && keys.includes(k.key)) return k;
  return undefined;
}

export function text(el: XmlElement): string {
  return textContent(el).trim();
}

/** A date as ISO 8601 UTC; an unreadable one is a warning (naming `where`) and undefined. */
export function dateOrWarn(raw: string | undefined, ctx: Context, where = ''): string | undefined {
  if (raw === undefined) return undefined;
  const d = parseDate(raw);
  if (d === undefined) ctx.warnings.push(`unreadable date${where}: ${raw.slice(0, 60)}`);
  return d;
}

/** A date element's text as ISO 8601 UTC (dateOrWarn). */
export function readDate(el: XmlElement, ctx: Context): string | undefined {
  const raw = text(el);
  return raw === '' ? undefined : dateOrWarn(raw, ctx, ` in <${el.qname}>`);
}

/** Element names lookslikehtml accepts (feedparser's acceptable elements). */
const HTML_ELEMENTS = new Set(
  (
    'a abbr acronym address area article aside audio b big blockquote br button canvas caption ' +
    'center cite code col colgroup command datagrid datalist dd del details dfn dialog dir div dl ' +
    'dt em event-source fieldset figcaption figure footer font form header h1 h2 h3 h4 h5 h6 hr i ' +
    'img input ins keygen kbd label legend li m map menu meter multicol nav nextid ol output ' +
    'optgroup option p pre progress q s samp section select small sound source spacer span strike ' +
    'strong sub sup table tbody td textarea time tfoot th thead tr tt u ul var video noscript'
  ).split(' '),
);

/** feedparser's heuristic: plain text in RSS that has closing tags or entities is HTML. */
export function looksLikeHtml(s: string): boolean {
  if (!/<\/\w+>/.test(s) && !/&#?\w+;/.test(s)) return false;
  for (const m of s.matchAll(/<\/?(\w+)/g))
    if (!HTML_ELEMENTS.has(group(m, 1).toLowerCase())) return false;
  for (const m of s.matchAll(/&(\w+);/g)) if (htmlEntity(group(m, 1)) === undefined) return false;
  return true;
}

const TYPE_KEYWORDS: Record<string, string> = {
  text: 'text/plain',
  // Media RSS says type="plain"
  plain: 'text/plain',
  html: 'text/html',
  xhtml: 'application/xhtml+xml',
};

export function isHtmlType(type: string): boolean {
  return type === 'text/html' || type === 'application/xhtml+xml';
}

function isXmlType(type: string): boolean {
  return type.endsWith('/xml') || type.endsWith('+xml') || type.startsWith('text/');
}

function decodeBase64(s: string): string {
  const clean = s.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/=_-]*$/.test(clean)) return s;
  return Buffer.from(clean, 'base64').toString('utf8');
}

/** The sole <div> child of an element (whitespace aside), as Atom wraps xhtml content. */
function xhtmlWrapper(el: XmlElement): XmlElement | undefined {
  let div: XmlElement | undefined;
  for (const k of el.children) {
    if (typeof k === 'string') {
      if (k.trim() !== '') return undefined;
    } else if (div !== undefined || k.local !== 'div') return undefined;
    else div = k;
  }
  return div;
}

/** Make HTML safe (or, with sanitize off, only resolve its URLs; deferred, leave it). */
export function cleanHtml(html: string, ctx: Pick<Context, 'sanitize' | 'base'>): string {
  // Plain text cannot carry markup or URLs: the HTML parser would hand it back unchanged.
  if (!/[<&>\u00a0]/.test(html)) return html;
  if (ctx.sanitize === 'defer') return html;
  if (ctx.sanitize) return sanitizeHtml(html, ctx.base ? { baseUrl: ctx.base } : {});
  // The markup stays byte for byte as given; only relative URLs change.
  return ctx.base ? resolveHtmlUrls(html, ctx.base) : html;
}

/**
 * Read a text construct: Atom's type="text|html|xhtml" or a MIME type, Atom 0.3's mode
 * (xml|escaped|base64), RSS's escaped or naked HTML.
 */
export function readText(el: XmlElement, outer: Context, defaultType: string): Text {
  const ctx = enter(outer, el);
  const rawType = attr(el, 'type', '') ?? attr(el, 'type', 'atom');
  const mode = attr(el, 'mode', '')?.trim().toLowerCase();
  let type = defaultType;
  if (rawType !== undefined && rawType.trim() !== '') {
    const t = rawType.trim().toLowerCase();
    type = TYPE_KEYWORDS[t] ?? t;
  }
  const wrapper = xhtmlWrapper(el);
  let value: string;
  if (mode === 'base64' || (ctx.atom && !mode && !isXmlType(type) && !isHtmlType(type))) {
    value = decodeBase64(text(el));
  } else if (
    wrapper !== undefined &&
    (rawType?.trim().toLowerCase() === 'xhtml' ||
      (ctx.atom === 'atom10' && type === 'application/xhtml+xml'))
  ) {
    // Atom 1.0 xhtml: the wrapping <div> is not part of the content
    value = innerXml(wrapper).trim();
  } else if (wrapper !== undefined && type === 'text/html' && !hasElementChildren(wrapper)) {
    // escaped HTML inside a needless xhtml:div
    value = text(wrapper);
  } else if (hasElementChildren(el) && mode !== 'escaped') {
    value = innerXml(el).trim();
    if (type === 'text/plain') type = ctx.atom ? 'application/xhtml+xml' : 'text/html';
  } else {
    value = text(el);
  }
  if (!ctx.atom && type === 'text/plain' && looksLikeHtml(value)) type = 'text/html';
  // HTML is cleaned; so is anything else but plain text (application/xml, an unknown or mistyped
  // type): a renderer that ignores the type must still never receive a script
  if (isHtmlType(type) || (type !== 'text/plain' && (ctx.sanitize || mode === 'base64'))) {
    value = cleanHtml(value, ctx);
  }
  const out: Text = { value, type };
  if (ctx.lang !== undefined) out.language = ctx.lang;
  if (ctx.base !== undefined) out.base = ctx.base;
  return out;
}

/** The plain-text form of a text construct (titles). */
export function plainText(t: Text): string {
  return isHtmlType(t.type) ? htmlToText(t.value).trim() : t.value;
}

const EMAIL =
  /(([a-zA-Z0-9_\-.+]+)@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|(([a-zA-Z0-9-]+\.)+))([a-zA-Z]{2,}|[0-9]{1,3})(\]?))(\?subject=\S+)?/;

/** An RSS-style person string: 'me@example.com (Name)', 'Name <me@example.com>', 'Name'. */
export function parsePersonString(s: string): Person | undefined {
  const v = s.trim();
  if (v === '') return undefined;
  const m = EMAIL.exec(v);
  const p: Person = {};
  if (m) {
    p.email = group(m, 1).replace(/^mailto:/, '');
    const name = (v.slice(0, m.index) + v.slice(m.index + m[0].length))
      .replace(/mailto:/g, '')
      .replace(/[()<>]/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    if (name !== '') p.name = name;
  } else p.name = v;
  return p;
}

/** An Atom person construct (name, email, uri/url/homepage). */
export function readPerson(el: XmlElement, outer: Context): Person {
  const ctx = enter(outer, el);
  const p: Person = {};
  let hasChildElements = false;
  for (const k of el.children) {
    if (typeof k === 'string') continue;
    hasChildElements = true;
    const v = text(k);
    switch (k.local) {
      case 'name':
        p.name = v;
        break;
      case 'email':
        p.email = v;
        break;
      case 'uri':
      case 'url':
      case 'homepage':
        p.uri = resolveUrl(v, enter(ctx, k).base);
        break;
    }
  }
  if (!hasChildElements) return parsePersonString(text(el)) ?? {};
  return p;
}

/** An Atom <link> (also RSS atom:link). href falls back to the element text, as Atom 0.3 feeds do. */
export function readLink(el: XmlElement, outer: Context): Link {
  const ctx = enter(outer, el);
  const rel = attr(el, 'rel')?.trim() || 'alternate';
  const href = attr(el, 'href') ?? text(el);
  const link: Link = { href: resolveUrl(href, ctx.base), rel };
  let type = attr(el, 'type')?.trim();
  if (!type && rel === 'self') type = 'application/atom+xml';
  if (type) link.type = type;
  const title = attr(el, 'title');
  if (title !== undefined) link.title = title;
  const length = toInt(attr(el, 'length'));
  if (length !== undefined) link.length = length;
  const hreflang = attr(el, 'hreflang');
  if (hreflang !== undefined) link.hreflang = hreflang;
  return link;
}

/** The best rel=alternate link: an HTML one first, else any alternate. */
export function bestAlternate(links: Link[]): string | undefined {
  let any: string | undefined;
  for (const l of links) {
    if (l.rel !== 'alternate') continue;
    if (!l.type || l.type === 'text/html' || l.type === 'application/xhtml+xml') return l.href;
    any ??= l.href;
  }
  return any;
}

export function toInt(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const t = s.trim();
  if (!/^[+-]?\d+$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : undefined;
}

export function addCategory(list: Category[], c: Category): void {
  if (c.term === '') return;
  if (list.some((x) => x.term === c.term && x.scheme === c.scheme)) return;
  list.push(c);
}

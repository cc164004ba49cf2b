import { type DefaultTreeAdapterTypes, html as html5, parseFragment } from 'parse5';
import {
  DROP_WITH_CONTENT,
  FALLBACK_TEXT,
  HTML_ATTRIBUTES,
  HTML_ELEMENTS,
  MATHML_ATTRIBUTES,
  MATHML_ELEMENTS,
  SVG_ANIMATION_ELEMENTS,
  SVG_ATTRIBUTES,
  SVG_ELEMENTS,
  URL_ATTRIBUTES,
  URL_LIST_ATTRIBUTES,
  VOID_ELEMENTS,
} from './allowlists.js';
import { sanitizeStyle } from './css.js';
import { escapeHtml } from './escape.js';
import { fastParse } from './fast-parse.js';
import { findBaseHref } from './find-base.js';
import { markupToText } from './html-to-text.js';
import { mapUrlList, safeUrl } from './urls.js';
import { namespaceId, namespaceIdList, namespaceUrlRefs } from './user-content.js';

type Element = DefaultTreeAdapterTypes.Element;
type ChildNode = DefaultTreeAdapterTypes.ChildNode;

const NS_HTML = html5.NS.HTML;
const NS_SVG = html5.NS.SVG;
const NS_MATHML = html5.NS.MATHML;
const NS_XLINK = html5.NS.XLINK;
const NS_XML = html5.NS.XML;

/** SVG elements whose children are parsed as HTML (HTML integration points). */
const SVG_HTML_INTEGRATION: ReadonlySet<string> = new Set(['foreignObject', 'desc', 'title']);
/** MathML elements whose children are parsed as HTML (text integration points). */
const MATHML_TEXT_INTEGRATION: ReadonlySet<string> = new Set(['mi', 'mo', 'mn', 'ms', 'mtext']);

export interface SanitizeOptions {
  /** Absolute URL that relative URLs in the content are resolved against. */
  baseUrl?: string;
}

/** SVG attributes that may reference an element of the content: `fill="url(#gradient)"`. */
const SVG_PAINT_ATTRIBUTES: ReadonlySet<string> = new Set([
  'fill', 'stroke', 'marker-end', 'marker-mid', 'marker-start',
]); // biome-ignore format: keep the list compact

/** Where the next emitted node lands: the nearest emitted ancestor element. */
interface Context {
  ns: string;
  tag: string;
  inSvg: boolean;
}

const ROOT: Context = { ns: NS_HTML, tag: '', inSvg: false };

/**
 * Elements that bound the parser's scope checks (the spec's "has an element in scope",
 * button, list-item, table and select scopes). One of them unwrapped lets its content meet
 * what was outside it: `<p><object><h1>` is a <p> holding an <h1> for the parser, but
 * `<p><h1></h1></p>` parses as `<p></p><h1></h1><p></p>`. The output is then sanitized again,
 * as the browser will read it (see sanitizeHtml).
 */
const SCOPE_BOUNDARIES: ReadonlySet<string> = new Set([
  'applet', 'caption', 'html', 'table', 'td', 'th', 'marquee', 'object', 'template', 'mi', 'mo',
  'mn', 'ms', 'mtext', 'annotation-xml', 'foreignObject', 'desc', 'title', 'button', 'ol', 'ul',
  'select', 'optgroup', 'option', 'tbody', 'thead', 'tfoot', 'tr', 'svg', 'math',
]); // biome-ignore format: keep the list compact

/** Sanitizing output that needs it again (see SCOPE_BOUNDARIES) converges in one more pass. */
const MAX_PASSES = 3;
const PARSE_OPTIONS = { scriptingEnabled: false } as const;

/**
 * Untrusted HTML fragment → safe HTML (allowlist); relative URLs resolved against baseUrl.
 *
 * The fragment is parsed exactly as a browser parses it (parse5, WHATWG algorithm), then the
 * tree is serialized in one pass that keeps only allowlisted elements and attributes. Text is
 * always escaped, no raw-text element is ever emitted and comments that could end early are
 * dropped, so re-parsing the output in any context cannot reveal markup (no mutation XSS).
 */
export function sanitizeHtml(html: string, options: SanitizeOptions = {}): string {
  let out = sanitizeOnce(html, options);
  // Relative URLs are absolute after the first pass: later passes need no base.
  for (let pass = 1; pass < MAX_PASSES && out.reparse; pass++) out = sanitizeOnce(out.html, {});
  return out.html;
}

function sanitizeOnce(html: string, options: SanitizeOptions): { html: string; reparse: boolean } {
  // Fast path: without '<' there is no markup; entities and bare '&' are inert.
  if (!html.includes('<')) return { html: html.trim(), reparse: false };
  // feedparser shows a stray CDATA section as text rather than letting it become a comment.
  const source = html.includes('<![CDATA[') ? html.replaceAll('<![CDATA[', '&lt;![CDATA[') : html;
  let base = options.baseUrl;
  let fragment = fastParse(source);
  // The fast parser declines <base>, so only a parse5 tree can hold one.
  if (fragment === undefined) {
    fragment = parseFragment(source, PARSE_OPTIONS);
    const baseHref = findBaseHref(fragment, html);
    if (baseHref !== undefined) base = baseHref(base);
  }
  const out = serializeChildren(fragment.childNodes, base);
  return { html: out.html.trim(), reparse: out.reparse };
}

function serializeChildren(
  roots: ChildNode[],
  base: string | undefined,
): { html: string; reparse: boolean } {
  // Iterative depth-first walk: deeply nested input must not overflow the stack. Two parallel
  // stacks (node or closing tag, and its context) avoid an allocation per node.
  const nodes: (ChildNode | string)[] = [];
  const ctxs: Context[] = [];
  for (let i = roots.length - 1; i >= 0; i--) {
    const root = roots[i];
    if (root === undefined) continue;
    nodes.push(root);
    ctxs.push(ROOT);
  }
  let out = '';
  let reparse = false;
  while (nodes.length > 0) {
    const node = nodes.pop();
    const ctx = ctxs.pop();
    if (node === undefined || ctx === undefined) break; // pushed in pairs: never
    if (typeof node === 'string') {
      out += node;
      continue;
    }
    if (node.nodeName === '#text') {
      out += escapeHtml((node as DefaultTreeAdapterTypes.TextNode).value, 'text');
      continue;
    }
    if (node.nodeName === '#comment') {
      const data = (node as DefaultTreeAdapterTypes.CommentNode).data;
      if (ctx.ns === NS_HTML && isSafeComment(data)) out += `<!--${data}-->`;
      continue;
    }
    if (node.nodeName === '#documentType') continue;
    const el = node as Element;
    const action = decide(el, ctx);
    if (action === 'drop') continue;
    if (action === 'fallback-text') {
      let raw = '';
      for (const child of el.childNodes) {
        if (child.nodeName === '#text') raw += (child as DefaultTreeAdapterTypes.TextNode).value;
      }
      out += escapeHtml(markupToText(raw), 'text');
      continue;
    }
    const children = el.childNodes;
    if (action === 'unwrap' && SCOPE_BOUNDARIES.has(el.tagName)) reparse = true;
    let childCtx = ctx;
    if (action === 'keep') {
      const name = el.tagName;
      out += `<${name}${serializeAttributes(el, ctx, base)}>`;
      const isHtml = el.namespaceURI === NS_HTML;
      // The parser drops one newline right after <pre>/<textarea>: give it one to drop, so a
      // leading newline in the content (however it got there) survives a second parse.
      if (isHtml && (name === 'pre' || name === 'textarea')) out += '\n';
      if (isHtml && VOID_ELEMENTS.has(name)) continue;
      nodes.push(`</${name}>`);
      ctxs.push(ctx);
      childCtx =
        isHtml && !ctx.inSvg
          ? htmlContext(name)
          : { ns: el.namespaceURI, tag: name, inSvg: ctx.inSvg || name === 'svg' };
    }
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i];
      if (child === undefined) continue;
      nodes.push(child);
      ctxs.push(childCtx);
    }
  }
  return { html: out, reparse };
}

/** Shared contexts for HTML elements outside SVG (the common case). */
const HTML_CONTEXTS = new Map<string, Context>();
function htmlContext(tag: string): Context {
  let ctx = HTML_CONTEXTS.get(tag);
  if (ctx === undefined) {
    ctx = { ns: NS_HTML, tag, inSvg: false };
    if (HTML_CONTEXTS.size < 256) HTML_CONTEXTS.set(tag, ctx);
  }
  return ctx;
}

/** Keep the element, drop it with its content, or unwrap it (drop the tags, keep the content). */
function decide(el: Element, ctx: Context): 'keep' | 'drop' | 'unwrap' | 'fallback-text' {
  const tag = el.tagName;
  const ns = el.namespaceURI;
  if (ns === NS_HTML) {
    if (DROP_WITH_CONTENT.has(tag)) return 'drop';
    if (FALLBACK_TEXT.has(tag)) return 'fallback-text';
    // Forms and form controls are not in HTML_ELEMENTS: they are unwrapped here.
    if (!HTML_ELEMENTS.has(tag)) return 'unwrap';
    // An HTML element may only sit in foreign content at an integration point.
    if (ctx.ns === NS_SVG && !SVG_HTML_INTEGRATION.has(ctx.tag)) return 'unwrap';
    if (ctx.ns === NS_MATHML && !MATHML_TEXT_INTEGRATION.has(ctx.tag)) return 'unwrap';
    return 'keep';
  }
  if (ns === NS_SVG) {
    if (tag === 'script' || tag === 'style') return 'drop';
    if (!SVG_ELEMENTS.has(tag)) return 'unwrap';
    if (tag === 'svg' ? ctx.ns !== NS_HTML : ctx.ns !== NS_SVG) return 'unwrap';
    if (SVG_ANIMATION_ELEMENTS.has(tag) && !isSafeAnimation(el)) return 'drop';
    return 'keep';
  }
  if (ns === NS_MATHML) {
    if (tag === 'script' || tag === 'style') return 'drop';
    if (!MATHML_ELEMENTS.has(tag)) return 'unwrap';
    if (tag === 'math' ? ctx.ns !== NS_HTML : ctx.ns !== NS_MATHML) return 'unwrap';
    return 'keep';
  }
  return 'drop';
}

/** `<animate attributeName="href" values="javascript:...">` turns a link into script. */
function isSafeAnimation(el: Element): boolean {
  for (const attr of el.attrs) {
    if (attr.name === 'attributeName' && !attr.namespace) {
      const target = attr.value.trim();
      return SVG_ATTRIBUTES.has(target) && !target.includes('href') && target !== 'style';
    }
  }
  return true;
}

/** Comments are kept (feedparser does) unless they could end early or hide markup. */
function isSafeComment(data: string): boolean {
  return !(
    data.includes('--') ||
    data.includes('</') ||
    data.includes('<!') ||
    data.startsWith('>') ||
    data.startsWith('->') ||
    data.endsWith('-') ||
    data.startsWith('[if') ||
    data.includes('<![endif]')
  );
}

function serializeAttributes(el: Element, ctx: Context, base: string | undefined): string {
  const ns = el.namespaceURI;
  const tag = el.tagName;
  let s = '';
  let hasXlink = false;
  const allowed =
    ns === NS_HTML ? HTML_ATTRIBUTES : ns === NS_SVG ? SVG_ATTRIBUTES : MATHML_ATTRIBUTES;
  for (const attr of el.attrs) {
    let name = attr.name;
    if (attr.namespace) {
      if (attr.namespace === NS_XLINK) name = `xlink:${attr.name}`;
      else if (attr.namespace === NS_XML) name = `xml:${attr.name}`;
      else continue; // xmlns declarations are regenerated below
    }
    if (!allowed.has(name)) continue;
    const value = attributeValue(name, attr.value, tag, ns, ctx, base);
    if (value === undefined) continue;
    if (name.startsWith('xlink:')) hasXlink = true;
    s += ` ${name}="${escapeHtml(value, 'attribute')}"`;
  }
  if (tag === 'svg' && ns === NS_SVG) s += ' xmlns="http://www.w3.org/2000/svg"';
  else if (tag === 'math' && ns === NS_MATHML) s += ' xmlns="http://www.w3.org/1998/Math/MathML"';
  if (hasXlink) s += ' xmlns:xlink="http://www.w3.org/1999/xlink"';
  return s;
}

/** The sanitized value of an allowlisted attribute, or undefined to drop the attribute. */
function attributeValue(
  name: string,
  value: string,
  tag: string,
  ns: string,
  ctx: Context,
  base: string | undefined,
): string | undefined {
  if (name === 'id' || name === 'name') return namespaceId(value);
  if (name === 'style') {
    const style = sanitizeStyle(value, ctx.inSvg);
    return style === '' ? undefined : style;
  }
  const image = tag === 'img' || tag === 'source';
  if (URL_ATTRIBUTES.has(name)) return safeUrl(value, base, image && name === 'src');
  if (URL_LIST_ATTRIBUTES.has(name)) {
    const srcset = name === 'srcset';
    return mapUrlList(value, srcset, (url) => safeUrl(url, base, image && srcset));
  }
  if (name === 'headers') return namespaceIdList(value);
  if (ns === NS_SVG && SVG_PAINT_ATTRIBUTES.has(name)) return namespaceUrlRefs(value);
  return value;
}

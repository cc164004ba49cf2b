// Test-only: proves sanitizer output harmless by parsing it again the way a browser would
// (parse5, scripting on, inside a real page) and listing every executable construct found.
// String matching would miss what the parser builds; this looks at the tree it builds.
import { type DefaultTreeAdapterTypes, parse, parseFragment } from 'parse5';

type Node = DefaultTreeAdapterTypes.Node;
type Element = DefaultTreeAdapterTypes.Element;

const FORBIDDEN_ELEMENTS = new Set([
  'script', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'style', 'base', 'meta',
  'link', 'noscript', 'template', 'xmp', 'plaintext', 'noembed', 'noframes', 'param', 'portal',
  'fencedframe',
  // Orrery's policy (issue 13): no forms or form controls from a feed.
  'form', 'input', 'button', 'select', 'option', 'optgroup', 'textarea', 'fieldset', 'legend',
  'label', 'datalist', 'output', 'keygen', 'isindex',
]);
/** Attributes that take focus, editing or keys away from the page (Orrery's policy). */
const FORBIDDEN_ATTRS = new Set(['autofocus', 'contenteditable', 'tabindex', 'accesskey']);
/** Feed ids and names must sit in their namespace, away from the page's own and the DOM's. */
const ID_PREFIX = 'user-content-';
const URL_ATTRS = new Set([
  'href', 'src', 'action', 'formaction', 'data', 'cite', 'longdesc', 'background', 'poster',
  'usemap', 'lowsrc', 'dynsrc', 'icon', 'codebase', 'classid', 'profile', 'manifest', 'datasrc',
  'ping', 'srcset', 'xlink:href', 'altimg', 'vrml',
]);
const SAFE_SCHEMES = new Set([
  'file', 'ftp', 'gopher', 'h323', 'hdl', 'http', 'https', 'imap', 'magnet', 'mailto', 'mms',
  'news', 'nntp', 'prospero', 'rsync', 'rtsp', 'rtspu', 'sftp', 'shttp', 'sip', 'sips', 'snews',
  'svn', 'svn+ssh', 'telnet', 'wais', 'aim', 'callto', 'cvs', 'facetime', 'feed', 'git',
  'gtalk', 'irc', 'ircs', 'irc6', 'itms', 'msnim', 'skype', 'ssh', 'smb', 'ymsg',
]);
const ANIMATION = new Set(['animate', 'set', 'animatecolor', 'animatemotion', 'animatetransform']);

function schemeOf(url: string): string {
  const cleaned = url.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '');
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(cleaned);
  return m ? (m[1] ?? '').toLowerCase() : '';
}

/** srcset candidates' URLs, per the HTML spec's algorithm (URLs may contain commas). */
function srcsetUrls(value: string): string[] {
  const urls: string[] = [];
  let rest = value;
  for (;;) {
    rest = rest.replace(/^[\t\n\f\r ,]+/, ''); // ASCII whitespace only, as the spec says
    if (rest === '') return urls;
    const url = /^[^\t\n\f\r ]+/.exec(rest)?.[0] ?? '';
    rest = rest.slice(url.length);
    if (url.endsWith(',')) {
      urls.push(url.replace(/,+$/, ''));
      continue;
    }
    urls.push(url);
    const descriptors = /^[^,(]*(?:\([^)]*\)?[^,(]*)*/.exec(rest)?.[0] ?? '';
    rest = rest.slice(descriptors.length + 1);
  }
}

function urlHazard(el: Element, name: string, value: string): string | undefined {
  const urls = name === 'srcset' ? srcsetUrls(value) : name === 'ping' ? value.split(/[\t\n\f\r ]+/) : [value];
  for (const url of urls) {
    const scheme = schemeOf(url);
    if (scheme === '' || SAFE_SCHEMES.has(scheme)) continue;
    const rasterImage = /^\s*data:image\/(png|gif|jpe?g|webp|avif|bmp|x-icon)[;,]/i.test(url);
    if (scheme === 'data' && rasterImage && (el.tagName === 'img' || el.tagName === 'source')) continue;
    return `<${el.tagName} ${name}="${value}">`;
  }
  return undefined;
}

function elementHazards(el: Element): string[] {
  const found: string[] = [];
  const tag = el.tagName.toLowerCase();
  if (FORBIDDEN_ELEMENTS.has(tag)) found.push(`<${tag}> element`);
  for (const attr of el.attrs) {
    const name = (attr.prefix ? `${attr.prefix}:${attr.name}` : attr.name).toLowerCase();
    if (name.startsWith('on')) found.push(`${name} handler on <${tag}>`);
    if (name === 'srcdoc' || name === 'formaction') found.push(`${name} on <${tag}>`);
    if (FORBIDDEN_ATTRS.has(name)) found.push(`${name} on <${tag}>`);
    if ((name === 'id' || name === 'name') && attr.value !== '' && !attr.value.startsWith(ID_PREFIX)) {
      found.push(`${name}="${attr.value}" on <${tag}> outside ${ID_PREFIX}`);
    }
    // `data` is a URL only on <object> (itself forbidden); elsewhere it is inert text.
    if (URL_ATTRS.has(name) && (name !== 'data' || tag === 'object')) {
      const hazard = urlHazard(el, name, attr.value);
      if (hazard) found.push(hazard);
    }
    if (name === 'style' && /expression|url\s*\(|javascript|\\|behavior|binding|@import/i.test(attr.value)) {
      found.push(`style="${attr.value}" on <${tag}>`);
    }
    if (ANIMATION.has(tag) && name === 'attributename' && /href|^on|style/i.test(attr.value)) {
      found.push(`<${tag} attributeName="${attr.value}">`);
    }
    if (tag === 'meta' && name === 'http-equiv') found.push('<meta http-equiv>');
  }
  return found;
}

function walk(root: Node, found: string[]): void {
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if ('tagName' in node) found.push(...elementHazards(node as Element));
    if (node.nodeName === 'template' && 'content' in node) {
      stack.push((node as DefaultTreeAdapterTypes.Template).content);
    }
    if ('childNodes' in node) for (const child of node.childNodes) stack.push(child);
  }
}

/**
 * Every executable construct in `html`, parsed three ways: as a fragment (scripting off, as the
 * sanitizer parses), inside a `<div>` of a full page with scripting on (as a browser shows
 * it), and in a table context (where foster parenting reorders nodes).
 */
export function findHazards(html: string): string[] {
  const found: string[] = [];
  walk(parseFragment(html, { scriptingEnabled: false }), found);
  const page = parse(`<!DOCTYPE html><html><head></head><body><div>${html}</div></body></html>`, {
    scriptingEnabled: true,
  });
  walk(page, found);
  const table = parseFragment(`<table><tr><td>${html}</td></tr></table>`, { scriptingEnabled: true });
  walk(table, found);
  return [...new Set(found)];
}

import { decodeHTML, decodeHTMLAttribute } from 'entities';
import { type DefaultTreeAdapterTypes, html as html5 } from 'parse5';

// A fast parser for the well-behaved HTML most feeds carry: properly nested common elements,
// quoted or plain attributes, simple comments. For such input the WHATWG tree-construction
// algorithm builds exactly the tree the tags spell out, so a linear scan can build it too.
// The moment the input needs any of the algorithm's repairs (misnesting, implied end tags,
// an open <p> closed by a block, tables, foreign content, raw-text elements, odd tokens), this
// returns undefined and the caller uses parse5. A differential property test checks that
// whatever this accepts, it builds what parse5 builds.

type Element = DefaultTreeAdapterTypes.Element;
type ParentNode = DefaultTreeAdapterTypes.ParentNode;
type ChildNode = DefaultTreeAdapterTypes.ChildNode;
type DocumentFragment = DefaultTreeAdapterTypes.DocumentFragment;

const NS_HTML = html5.NS.HTML;

/** Void elements with no tree-construction surprises in the "in body" mode. */
const VOID: ReadonlySet<string> = new Set([
  'br', 'img', 'input', 'area', 'wbr', 'keygen', 'source', 'track', 'embed', 'param',
]); // biome-ignore format: keep the list compact
/** Start tags that close an open <p> (accepted only when no <p> is open). */
const CLOSES_P: ReadonlySet<string> = new Set([
  'address', 'article', 'aside', 'blockquote', 'center', 'details', 'dialog', 'dir', 'div',
  'dl', 'fieldset', 'figcaption', 'figure', 'footer', 'header', 'hgroup', 'main', 'menu', 'nav',
  'ol', 'p', 'search', 'section', 'summary', 'ul', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'pre',
  'hr', 'li', 'dd', 'dt',
]); // biome-ignore format: keep the list compact
const HEADINGS: ReadonlySet<string> = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
/** Formatting elements: fine while properly nested (no adoption agency needed). */
const FORMATTING: ReadonlySet<string> = new Set([
  'a', 'b', 'big', 'code', 'em', 'font', 'i', 's', 'small', 'strike', 'strong', 'tt', 'u',
]); // biome-ignore format: keep the list compact
/** Every tag name the "in body" insertion mode treats specially (HTML spec 13.2.6.4.7). */
const SPECIAL_IN_BODY: ReadonlySet<string> = new Set([
  'html', 'base', 'basefont', 'bgsound', 'link', 'meta', 'noframes', 'script', 'style',
  'template', 'title', 'body', 'frameset', 'address', 'article', 'aside', 'blockquote',
  'center', 'details', 'dialog', 'dir', 'div', 'dl', 'fieldset', 'figcaption', 'figure',
  'footer', 'header', 'hgroup', 'main', 'menu', 'nav', 'ol', 'p', 'search', 'section',
  'summary', 'ul', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'pre', 'listing', 'form', 'li', 'dd',
  'dt', 'plaintext', 'button', 'a', 'b', 'big', 'code', 'em', 'font', 'i', 's', 'small',
  'strike', 'strong', 'tt', 'u', 'nobr', 'applet', 'marquee', 'object', 'table', 'area', 'br',
  'embed', 'img', 'keygen', 'wbr', 'input', 'param', 'source', 'track', 'hr', 'image',
  'textarea', 'xmp', 'iframe', 'noembed', 'noscript', 'select', 'optgroup', 'option', 'rb',
  'rtc', 'rp', 'rt', 'math', 'svg', 'caption', 'col', 'colgroup', 'frame', 'head', 'tbody',
  'td', 'tfoot', 'th', 'thead', 'tr', 'menuitem', 'isindex', 'sarcasm',
]); // biome-ignore format: keep the list compact
/** The spec's "special" category, which stops the <li>/<dd>/<dt> closing walk. */
const SPECIAL_CATEGORY: ReadonlySet<string> = new Set([
  'address', 'applet', 'area', 'article', 'aside', 'base', 'basefont', 'bgsound', 'blockquote',
  'body', 'br', 'button', 'caption', 'center', 'col', 'colgroup', 'dd', 'details', 'dir', 'div',
  'dl', 'dt', 'embed', 'fieldset', 'figcaption', 'figure', 'footer', 'form', 'frame',
  'frameset', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'head', 'header', 'hgroup', 'hr', 'html',
  'iframe', 'img', 'input', 'keygen', 'li', 'link', 'listing', 'main', 'marquee', 'menu',
  'meta', 'nav', 'noembed', 'noframes', 'noscript', 'object', 'ol', 'p', 'param', 'plaintext',
  'pre', 'script', 'search', 'section', 'select', 'source', 'style', 'summary', 'table',
  'tbody', 'td', 'template', 'textarea', 'tfoot', 'th', 'thead', 'title', 'tr', 'track', 'ul',
  'wbr', 'xmp',
]); // biome-ignore format: keep the list compact

const TAG_NAME_RE = /[a-zA-Z][^\t\n\f\r />]*/y;
const PLAIN_NAME_RE = /^[a-z][a-z0-9:_-]*$/;
const PLAIN_ATTR_RE = /^[a-zA-Z_:][a-zA-Z0-9_:.-]*$/;
const WS_RE = /[\t\n\f\r ]*/y;
const ATTR_NAME_RE = /[^\t\n\f\r />=][^\t\n\f\r />=]*/y;
const UNQUOTED_RE = /[^\t\n\f\r >]*/y;
const END_TAG_REST_RE = /[\t\n\f\r ]*>/y;
const UPPER_RE = /[A-Z]/;
const CR_RE = /\r\n?/g;

/** Parse well-behaved HTML into a parse5-shaped fragment, or undefined to use parse5. */
export function fastParse(html: string): ParentNode | undefined {
  if (html.includes('\0')) return undefined;
  const src = html.includes('\r') ? html.replace(CR_RE, '\n') : html;
  const root = { nodeName: '#document-fragment', childNodes: [] } as unknown as DocumentFragment;
  const stack: Element[] = [];
  let parent: ParentNode = root;
  let openP = 0;
  let openA = 0;
  let skipNewline = false;
  const n = src.length;
  let i = 0;

  const addText = (text: string): boolean => {
    let value = text;
    if (skipNewline) {
      skipNewline = false;
      if (value.charCodeAt(0) === 38 /* & */) return false; // could decode to the LF to skip
      if (value.charCodeAt(0) === 10) value = value.slice(1);
      if (value === '') return true;
    }
    if (value.includes('&')) value = decodeHTML(value);
    const children = parent.childNodes;
    const last = children[children.length - 1];
    if (last !== undefined && last.nodeName === '#text') {
      (last as DefaultTreeAdapterTypes.TextNode).value += value;
    } else {
      children.push({ nodeName: '#text', value, parentNode: parent } as ChildNode);
    }
    return true;
  };

  while (i < n) {
    const lt = src.indexOf('<', i);
    const textEnd = lt === -1 ? n : lt;
    if (textEnd > i && !addText(src.slice(i, textEnd))) return undefined;
    if (lt === -1) break;
    i = lt;
    const next = src.charCodeAt(i + 1);
    if (isAlpha(next)) {
      // Start tag.
      TAG_NAME_RE.lastIndex = i + 1;
      const m = TAG_NAME_RE.exec(src);
      if (!m) return undefined;
      let name = m[0];
      if (UPPER_RE.test(name)) name = name.toLowerCase();
      if (!PLAIN_NAME_RE.test(name)) return undefined;
      i = TAG_NAME_RE.lastIndex;
      const attrs: Element['attrs'] = [];
      let seen: Set<string> | undefined;
      // Attributes, until '>' (a '/' that is not followed by '>' is just a separator).
      for (;;) {
        WS_RE.lastIndex = i;
        WS_RE.exec(src);
        i = WS_RE.lastIndex;
        if (i >= n) return undefined; // EOF in a tag: the tag is dropped
        const c = src.charCodeAt(i);
        if (c === 62 /* > */) {
          i++;
          break;
        }
        if (c === 47 /* / */) {
          i++;
          continue;
        }
        ATTR_NAME_RE.lastIndex = i;
        const am = ATTR_NAME_RE.exec(src);
        if (!am) return undefined;
        let attrName = am[0];
        if (!PLAIN_ATTR_RE.test(attrName)) return undefined;
        if (UPPER_RE.test(attrName)) attrName = attrName.toLowerCase();
        i = ATTR_NAME_RE.lastIndex;
        WS_RE.lastIndex = i;
        WS_RE.exec(src);
        let value = '';
        if (src.charCodeAt(WS_RE.lastIndex) === 61 /* = */) {
          WS_RE.lastIndex = WS_RE.lastIndex + 1;
          WS_RE.exec(src);
          i = WS_RE.lastIndex;
          const q = src.charCodeAt(i);
          if (q === 34 /* " */ || q === 39 /* ' */) {
            const close = src.indexOf(q === 34 ? '"' : "'", i + 1);
            if (close === -1) return undefined;
            value = src.slice(i + 1, close);
            i = close + 1;
            // After a quoted value the tokenizer wants whitespace, '/' or '>'.
            const after = src.charCodeAt(i);
            if (!(after === 62 || after === 47 || isSpace(after))) return undefined;
          } else if (q === 62 /* > */) {
            return undefined; // missing attribute value: rare, let parse5 handle it
          } else {
            UNQUOTED_RE.lastIndex = i;
            value = UNQUOTED_RE.exec(src)?.[0] ?? '';
            if (/["'<=`]/.test(value)) return undefined;
            i = UNQUOTED_RE.lastIndex;
          }
          if (value.includes('&')) value = decodeHTMLAttribute(value);
        }
        // Duplicate attributes: the first one wins.
        if (attrs.length > 0) {
          seen ??= new Set(attrs.map((a) => a.name));
          if (seen.has(attrName)) continue;
          seen.add(attrName);
        }
        attrs.push({ name: attrName, value });
      }
      // A trailing '/' changes nothing for HTML elements: `<span/>` is an open tag.
      if (!open(name, attrs)) return undefined;
      continue;
    }
    if (next === 47 /* / */) {
      if (!isAlpha(src.charCodeAt(i + 2))) return undefined;
      TAG_NAME_RE.lastIndex = i + 2;
      const m = TAG_NAME_RE.exec(src);
      if (!m) return undefined;
      END_TAG_REST_RE.lastIndex = TAG_NAME_RE.lastIndex;
      if (!END_TAG_REST_RE.test(src)) return undefined;
      i = END_TAG_REST_RE.lastIndex;
      const name = m[0].toLowerCase();
      const current = stack[stack.length - 1];
      if (current === undefined || current.tagName !== name) return undefined;
      stack.pop();
      if (name === 'p') openP--;
      else if (name === 'a') openA--;
      parent = stack[stack.length - 1] ?? root;
      skipNewline = false;
      continue;
    }
    if (next === 33 /* ! */ && src.startsWith('<!--', i)) {
      const end = src.indexOf('-->', i + 4);
      if (end === -1) return undefined;
      const data = src.slice(i + 4, end);
      if (
        data.startsWith('>') ||
        data.startsWith('->') ||
        data.includes('--') ||
        data.endsWith('-')
      ) {
        return undefined;
      }
      parent.childNodes.push({ nodeName: '#comment', data, parentNode: parent } as ChildNode);
      i = end + 3;
      skipNewline = false;
      continue;
    }
    if (next === 33 || next === 63 /* ? */ || i + 1 >= n) return undefined;
    // '<' not starting a tag ("a < b") is text.
    if (!addText('<')) return undefined;
    i++;
  }
  return root;

  function open(name: string, attrs: Element['attrs']): boolean {
    let isVoid = VOID.has(name);
    if (name === 'hr') {
      if (openP > 0) return false;
      isVoid = true;
    } else if (!isVoid && SPECIAL_IN_BODY.has(name)) {
      if (CLOSES_P.has(name)) {
        if (openP > 0) return false;
        const current = stack[stack.length - 1];
        if (HEADINGS.has(name) && current !== undefined && HEADINGS.has(current.tagName))
          return false;
        if (name === 'li' || name === 'dd' || name === 'dt') {
          // The parser closes an open list item unless a special element intervenes.
          for (let k = stack.length - 1; k >= 0; k--) {
            const t = stack[k]!.tagName;
            if (t === 'li' || t === 'dd' || t === 'dt') return false;
            if (SPECIAL_CATEGORY.has(t) && t !== 'address' && t !== 'div' && t !== 'p') break;
          }
        }
      } else if (!FORMATTING.has(name)) {
        return false;
      } else if (name === 'a' && openA > 0) {
        return false;
      }
    }
    const el = {
      nodeName: name,
      tagName: name,
      attrs,
      namespaceURI: NS_HTML,
      childNodes: [],
      parentNode: parent,
    } as unknown as Element;
    parent.childNodes.push(el);
    skipNewline = false;
    if (isVoid) return true;
    stack.push(el);
    parent = el;
    if (name === 'p') openP++;
    else if (name === 'a') openA++;
    else if (name === 'pre') skipNewline = true;
    return true;
  }
}

function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 12 || c === 13;
}

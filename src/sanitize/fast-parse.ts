import { decodeHTML, decodeHTMLAttribute } from 'entities';
import { type DefaultTreeAdapterTypes, foreignContent, html as html5, type Token } from 'parse5';

// A fast parser for the well-behaved HTML most feeds carry: properly nested common elements,
// quoted or plain attributes, simple comments. For such input the WHATWG tree-construction
// algorithm builds exactly the tree the tags spell out, so a linear scan can build it too.
// It also models the repairs that are simple to get exactly right (implied end tags, table
// sections, formatting elements closed out of order without a "furthest block" and their
// reconstruction, SVG); for anything else (full adoption agency, foster parenting, MathML, odd
// tokens) it returns undefined and the caller uses parse5. A differential property test checks that
// whatever this accepts, it builds what parse5 builds.

type Element = DefaultTreeAdapterTypes.Element;
type ParentNode = DefaultTreeAdapterTypes.ParentNode;
type ChildNode = DefaultTreeAdapterTypes.ChildNode;
type DocumentFragment = DefaultTreeAdapterTypes.DocumentFragment;

const NS_HTML = html5.NS.HTML;
const NS_SVG = html5.NS.SVG;

/** Void elements with no tree-construction surprises in the "in body" mode. */
const VOID: ReadonlySet<string> = new Set([
  'br', 'img', 'input', 'area', 'wbr', 'keygen', 'source', 'track', 'embed', 'param', 'meta',
  'link',
]); // biome-ignore format: keep the list compact
/** Start tags that close an open <p> (accepted only when no <p> is open). */
const CLOSES_P: ReadonlySet<string> = new Set([
  'address', 'article', 'aside', 'blockquote', 'center', 'details', 'dialog', 'dir', 'div',
  'dl', 'fieldset', 'figcaption', 'figure', 'footer', 'header', 'hgroup', 'main', 'menu', 'nav',
  'ol', 'p', 'search', 'section', 'summary', 'ul', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'pre',
  'hr', 'li', 'dd', 'dt',
]); // biome-ignore format: keep the list compact
/** Elements the parser closes implicitly ("generate implied end tags"), among those we accept. */
const IMPLIED_END: ReadonlySet<string> = new Set(['p', 'li', 'dd', 'dt']);
/** Ruby annotations, also closed implicitly (rtc: except by <rp>/<rt>). */
const RUBY_PARTS: ReadonlySet<string> = new Set(['rb', 'rtc', 'rp', 'rt']);
/** Table parts, and where text may only be whitespace. */
const SECTIONS: ReadonlySet<string> = new Set(['tbody', 'thead', 'tfoot']);
const TABLE_PARTS: ReadonlySet<string> = new Set([
  'caption', 'col', 'colgroup', 'tbody', 'thead', 'tfoot', 'tr', 'td', 'th',
]); // biome-ignore format: keep the list compact
const TABLE_CONTEXT: ReadonlySet<string> = new Set(['table', 'tbody', 'thead', 'tfoot', 'tr']);
/** Where text may only be whitespace (anything else is foster-parented or ends the colgroup). */
const WHITESPACE_ONLY: ReadonlySet<string> = new Set([...TABLE_CONTEXT, 'colgroup']);
const TABLE_END: ReadonlySet<string> = new Set([
  'table', 'caption', 'tbody', 'thead', 'tfoot', 'tr', 'td', 'th',
]); // biome-ignore format: keep the list compact
const SCOPE_BOUNDARY: ReadonlySet<string> = new Set(['table', 'td', 'th', 'caption']);
const WHITESPACE_ONLY_RE = /^[\t\n\f\r ]*$/;
/** End tags the "in body" mode ignores whatever is open (void elements; html/head/body). */
const IGNORED_END: ReadonlySet<string> = new Set([
  'img', 'input', 'area', 'wbr', 'keygen', 'source', 'track', 'embed', 'param', 'hr', 'meta',
  'link', 'html', 'head', 'body', 'basefont', 'bgsound', 'col', 'frame', 'image',
]); // biome-ignore format: keep the list compact
/** Start tags the "in template" mode handles with "in head" rules (the mode stays). */
const IN_HEAD_RULES: ReadonlySet<string> = new Set([
  'base', 'basefont', 'bgsound', 'link', 'meta', 'noframes', 'script', 'style', 'template',
  'title',
]); // biome-ignore format: keep the list compact
/** Start tags ignored in a fragment (the context is a template, so the document exists). */
const IGNORED_START: ReadonlySet<string> = new Set(['html', 'head', 'body']);
const HEADINGS: ReadonlySet<string> = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
/** Void start tags that "reconstruct the active formatting elements" first (the rest do not). */
const VOID_RECONSTRUCTS: ReadonlySet<string> = new Set([
  'br', 'img', 'input', 'area', 'wbr', 'keygen', 'embed',
]); // biome-ignore format: keep the list compact
/** End tags that close their element when it is in scope, else are ignored ("in body"). */
const BLOCK_END: ReadonlySet<string> = new Set([
  'address', 'article', 'aside', 'blockquote', 'button', 'center', 'details', 'dialog', 'dir',
  'div', 'dl', 'fieldset', 'figcaption', 'figure', 'footer', 'header', 'hgroup', 'listing',
  'main', 'menu', 'nav', 'ol', 'pre', 'search', 'section', 'summary', 'ul', 'li', 'dd', 'dt', 'p',
]); // biome-ignore format: keep the list compact
/** End tags with "in body" rules not modelled here. */
const UNMODELLED_END: ReadonlySet<string> = new Set([
  'form', 'template', 'applet', 'marquee', 'object',
]); // biome-ignore format: keep the list compact
/** SVG elements whose children follow the HTML rules (HTML integration points). */
const SVG_INTEGRATION: ReadonlySet<string> = new Set(['foreignObject', 'desc', 'title']);
/** Open elements looked through at most when an end tag closes below the current node. */
const MAX_WALK = 64;
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

/** Elements whose content is text up to their end tag (rcdata: with character references). */
const RAW_TEXT: ReadonlyMap<string, 'rawtext' | 'rcdata'> = new Map([
  ['iframe', 'rawtext'],
  ['noembed', 'rawtext'],
  ['noframes', 'rawtext'],
  ['xmp', 'rawtext'],
  ['style', 'rawtext'],
  ['script', 'rawtext'],
  ['textarea', 'rcdata'],
  ['title', 'rcdata'],
]);
const rawEndRes = new Map<string, RegExp>();
/** The first `</name` that ends raw text (case-insensitive). */
function rawEndRe(name: string): RegExp {
  let re = rawEndRes.get(name);
  if (re === undefined) {
    re = new RegExp(`</${name}(?=[\\t\\n\\f\\r />])`, 'gi');
    rawEndRes.set(name, re);
  }
  return re;
}

const TAG_NAME_RE = /[a-zA-Z][^\t\n\f\r />]*/y;
const PLAIN_NAME_RE = /^[a-z][a-z0-9:_-]*$/;
const PLAIN_ATTR_RE = /^[a-zA-Z_:][a-zA-Z0-9_:.-]*$/;
const WS_RE = /[\t\n\f\r ]*/y;
const ATTR_NAME_RE = /[^\t\n\f\r />=][^\t\n\f\r />=]*/y;
const UNQUOTED_RE = /[^\t\n\f\r >]*/y;
const END_TAG_REST_RE = /[\t\n\f\r /]*>/y;
const DOCTYPE_RE = /^doctype$/i;
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
  // <td>, <th>, <caption> and <table> bound the "button scope" of <p> and are markers in the
  // active formatting list (for <a>): counts are saved when entering them, restored on leaving.
  const saved: number[] = [];
  // The active formatting elements that are no longer open (closed out of order, or popped by
  // a block's end tag): the tail of the spec's list, after its last marker. The next text or
  // inline start tag reopens copies of them ("reconstruct the active formatting elements").
  let stale: Element[] = [];
  const savedStale: Element[][] = [];
  // Set once a formatting element may have been dropped from the list by the "Noah's Ark"
  // clause (a 4th identical one): the list is then no longer the open ones + stale.
  let noah = false;
  let skipNewline = false;
  /** The template context starts "in template"; most start tags switch it to "in body". */
  let inBody = false;
  const n = src.length;
  let i = 0;

  const addText = (text: string): boolean => {
    let value = text;
    // Text directly in a table is foster-parented unless it is whitespace: let parse5 do that.
    if (WHITESPACE_ONLY.has((parent as Element).tagName) && !WHITESPACE_ONLY_RE.test(value)) {
      return false;
    }
    if (skipNewline) {
      skipNewline = false;
      if (value.charCodeAt(0) === 38 /* & */) {
        value = decodeHTML(value);
        if (value.charCodeAt(0) === 10) return false; // a newline from a reference: parse5
        return appendText(value);
      }
      if (value.charCodeAt(0) === 10) value = value.slice(1);
      if (value === '') return true;
    }
    if (value.includes('&')) value = decodeHTML(value);
    return appendText(value);
  };

  const appendText = (value: string): boolean => {
    if (stale.length > 0) reconstruct();
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
      let selfClosing = false;
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
          selfClosing = src.charCodeAt(i) === 62;
          continue;
        }
        selfClosing = false;
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
            // The next attribute may follow without whitespace (`href="x"target="_blank"`):
            // the tokenizer reads on in the "before attribute name" state.
            i = close + 1;
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
      const current = stack[stack.length - 1];
      if (current !== undefined && current.namespaceURI !== NS_HTML) {
        if (!openForeign(current, name, attrs, selfClosing)) return undefined;
        continue;
      }
      const raw = RAW_TEXT.get(name);
      if (raw !== undefined) {
        // Raw text up to the first matching end tag (script: unless it has `<!--` escapes),
        // or to the end of the input (an unclosed `<iframe ... />`: the rest is its text).
        if (current?.tagName === 'colgroup') return undefined; // ends the colgroup: parse5
        const endRe = rawEndRe(name);
        endRe.lastIndex = i;
        const end = endRe.exec(src);
        let textEnd = n;
        let after = n;
        if (end !== null) {
          END_TAG_REST_RE.lastIndex = endRe.lastIndex;
          if (!END_TAG_REST_RE.test(src)) return undefined; // `</iframe x>` and such: parse5
          textEnd = end.index;
          after = END_TAG_REST_RE.lastIndex;
        }
        let text = src.slice(i, textEnd);
        if (name === 'script' && text.includes('<!--')) return undefined;
        // In a table only <script> and <style> stay put; the rest is foster-parented.
        const inTable = TABLE_CONTEXT.has(current?.tagName ?? '');
        if (inTable && name !== 'script' && name !== 'style') return undefined;
        if (name === 'xmp') {
          if (openP > 0 && !closeP()) return undefined;
          reconstruct();
        }
        if (name === 'textarea') {
          if (text.charCodeAt(0) === 38 /* & */) return undefined; // may decode to the LF to skip
          if (text.charCodeAt(0) === 10) text = text.slice(1);
        }
        if (raw === 'rcdata' && text.includes('&')) text = decodeHTML(text);
        if (!IN_HEAD_RULES.has(name)) inBody = true;
        const el = element(name, attrs);
        if (text !== '')
          el.childNodes.push({ nodeName: '#text', value: text, parentNode: el } as ChildNode);
        i = after;
        skipNewline = false;
        continue;
      }
      // A trailing '/' changes nothing for HTML elements: `<span/>` is an open tag.
      if (!open(name, attrs, selfClosing)) return undefined;
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
      if (!inBody && stack.length === 0) {
        // Until a start tag switches the fragment's "in template" mode to "in body", end
        // tags are ignored.
      } else if (current !== undefined && current.namespaceURI !== NS_HTML) {
        // In SVG only the current element's own end tag (case-insensitive) is modelled.
        const adjusted = foreignContent.SVG_TAG_NAMES_ADJUSTMENT_MAP.get(name);
        if (current.tagName !== name && current.tagName !== adjusted) return undefined;
        pop();
      } else if (current?.tagName === 'colgroup' && name !== 'colgroup' && name !== 'col') {
        // "In column group" other end tags end the colgroup first: only `</table>` modelled.
        if (name !== 'table' || !close(name)) return undefined;
      } else if (name === 'br') {
        // `</br>` is read as `<br>`.
        if (!open('br', [], false)) return undefined;
      } else if (IGNORED_END.has(name)) {
        // End tags of void elements, and of html/head/body in a fragment, are ignored.
        skipNewline = false;
      } else if (name === 'p' && openP === 0) {
        // A stray `</p>` makes an empty paragraph.
        if (TABLE_CONTEXT.has(current?.tagName ?? '')) return undefined;
        element('p', []);
      } else if (!close(name)) {
        return undefined;
      }
      skipNewline = false;
      continue;
    }
    if (next === 33 /* ! */ && DOCTYPE_RE.test(src.slice(i + 2, i + 9))) {
      // A doctype in a fragment is ignored; it ends at the first '>' whatever its quotes.
      const end = src.indexOf('>', i);
      if (end === -1) return undefined;
      i = end + 1;
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

  /** A new element, appended to the current node. */
  function element(name: string, attrs: Element['attrs'], ns: string = NS_HTML): Element {
    const el = {
      nodeName: name,
      tagName: name,
      attrs,
      namespaceURI: ns,
      childNodes: [],
      parentNode: parent,
    } as unknown as Element;
    parent.childNodes.push(el);
    skipNewline = false;
    return el;
  }

  function pop(): void {
    const el = stack.pop();
    parent = stack[stack.length - 1] ?? root;
    if (el === undefined || el.namespaceURI !== NS_HTML) return;
    const t = el.tagName;
    if (t === 'p') openP--;
    else if (t === 'a') openA--;
    else if (SCOPE_BOUNDARY.has(t)) {
      openA = saved.pop() ?? 0;
      openP = saved.pop() ?? 0;
      // Leaving a cell or caption clears the formatting list up to its marker.
      stale = savedStale.pop() ?? [];
    }
  }

  function push(el: Element): void {
    stack.push(el);
    parent = el;
    if (el.namespaceURI !== NS_HTML) return;
    const t = el.tagName;
    if (t === 'p') openP++;
    else if (t === 'a') openA++;
    else if (SCOPE_BOUNDARY.has(t)) {
      saved.push(openP, openA);
      openP = 0;
      openA = 0;
      savedStale.push(stale);
      stale = [];
    }
  }

  /** The tag name of open element `k` ('' past the stack). */
  function tagAt(k: number): string {
    return stack[k]?.tagName ?? '';
  }

  /**
   * Pops the open elements down to index k (inclusive). Formatting elements above k stay in
   * the active formatting list, so they become stale (before the older stale ones, as in the
   * list). Declines (false) when that list may not be what this parser tracks.
   */
  function popTo(k: number): boolean {
    let popped: Element[] | undefined;
    for (let j = k + 1; j < stack.length; j++) {
      const e = stack[j];
      if (e !== undefined && FORMATTING.has(e.tagName)) (popped ??= []).push(e);
    }
    if (popped !== undefined) {
      if (noah) return false;
      stale = stale.length === 0 ? popped : popped.concat(stale);
    }
    while (stack.length > k) pop();
    return true;
  }

  /** "Reconstruct the active formatting elements": reopen copies of the stale ones. */
  function reconstruct(): void {
    if (stale.length === 0) return;
    const entries = stale;
    stale = [];
    for (const e of entries) push(element(e.tagName, e.attrs.slice()));
  }

  /** "Close a p element" (a <p> is in button scope, openP > 0): pop up to the nearest one. */
  function closeP(): boolean {
    let k = stack.length - 1;
    while (k > 0 && tagAt(k) !== 'p') k--;
    return popTo(k);
  }

  /** Index of the nearest open element named `name` below no <table>, or -1. */
  function inTableScope(name: string): number {
    for (let k = stack.length - 1; k >= 0; k--) {
      const t = tagAt(k);
      if (t === name) return k;
      if (t === 'table') return -1;
    }
    return -1;
  }

  /** Table start tags, where the current node is a table part or cell (else undefined). */
  function openTablePart(name: string, attrs: Element['attrs']): boolean | undefined {
    let current = stack[stack.length - 1]?.tagName;
    if (name === 'td' || name === 'th' || name === 'tr' || SECTIONS.has(name)) {
      // A new cell, row or section closes the open cell (and all that is open inside it).
      if (current !== 'td' && current !== 'th' && inTableScope('td') + inTableScope('th') > -2) {
        const k = Math.max(inTableScope('td'), inTableScope('th'));
        while (stack.length > k) pop();
        current = stack[stack.length - 1]?.tagName;
      } else if (current === 'td' || current === 'th') {
        pop();
        current = stack[stack.length - 1]?.tagName;
      }
    }
    if (current === 'colgroup') {
      // "In column group": <col> is inserted; another table part ends the group first.
      if (name === 'col') {
        element(name, attrs);
        return true;
      }
      if (!TABLE_PARTS.has(name)) return false;
      pop();
      current = 'table';
    }
    if (current === 'table') {
      if (name === 'caption' || name === 'colgroup' || SECTIONS.has(name)) {
        push(element(name, attrs));
        return true;
      }
      if (name === 'col') {
        // A <col> directly in a table gets an implied <colgroup>.
        push(element('colgroup', []));
        element(name, attrs);
        return true;
      }
      if (name !== 'tr' && name !== 'td' && name !== 'th') return false;
      push(element('tbody', []));
      current = 'tbody';
    }
    if (current !== undefined && SECTIONS.has(current)) {
      if (SECTIONS.has(name)) {
        pop();
        push(element(name, attrs));
        return true;
      }
      if (name === 'td' || name === 'th') {
        // A cell directly in a section gets an implied <tr>.
        push(element('tr', []));
        current = 'tr';
      } else {
        if (name !== 'tr') return false;
        push(element(name, attrs));
        return true;
      }
    }
    if (current === 'tr') {
      if (name === 'td' || name === 'th') {
        push(element(name, attrs));
        return true;
      }
      if (name === 'tr') {
        pop();
        push(element(name, attrs));
        return true;
      }
      return false;
    }
    if (TABLE_PARTS.has(name)) return false; // a table part outside its table: parse5
    return undefined;
  }

  /** An end tag in HTML content ("in body" rules, and table end tags). */
  function close(name: string): boolean {
    const top = stack.length - 1;
    const current = stack[top]?.tagName;
    if (name === 'colgroup') {
      if (current !== 'colgroup') return false;
      pop();
      return true;
    }
    if (TABLE_END.has(name)) {
      // Table end tags close everything open inside the part they end.
      const k = inTableScope(name);
      // In a table, `</td>` (etc.) with nothing of that name open in the table is ignored.
      if (k < 0 && name !== 'table') return current !== undefined && TABLE_CONTEXT.has(current);
      const at = name === 'table' ? stack.findLastIndex((e) => e.tagName === 'table') : k;
      if (at < 0) return false;
      while (stack.length > at) pop();
      return true;
    }
    // Directly in a table, other end tags follow the foster-parenting rules: parse5.
    if (current !== undefined && WHITESPACE_ONLY.has(current)) return false;
    if (UNMODELLED_END.has(name)) return false;
    const formatting = FORMATTING.has(name);
    if (formatting) {
      // The adoption agency: the last entry named so in the formatting list is closed. When it
      // is stale (no longer open), it just leaves the list.
      for (let s = stale.length - 1; s >= 0; s--) {
        if (stale[s]?.tagName === name) {
          stale = stale.slice(0, s).concat(stale.slice(s + 1));
          return true;
        }
      }
    }
    if (current === name) {
      pop();
      return true;
    }
    const heading = HEADINGS.has(name);
    const block = heading || BLOCK_END.has(name);
    // Walk down the open elements (within the current cell/caption/table) to the element the
    // tag closes, as far as the rules for this kind of end tag allow.
    let special = false;
    for (let k = top; k >= 0; k--) {
      if (top - k >= MAX_WALK) return false;
      const t = tagAt(k);
      if (heading ? HEADINGS.has(t) : t === name) {
        // A block end tag pops everything above its element. A formatting or other end tag
        // does so only when no special element is above it (else, the adoption agency with a
        // "furthest block", or an ignored tag for other end tags: parse5).
        if (!block && special) return false;
        return popTo(k);
      }
      if (SCOPE_BOUNDARY.has(t)) return true; // not in scope: the end tag is ignored
      if (name === 'li' && (t === 'ol' || t === 'ul')) return false; // list item scope
      if (SPECIAL_CATEGORY.has(t)) {
        // "Any other end tag" stops at the first special element and is ignored.
        if (!block && !formatting) return true;
        special = true;
      }
    }
    // Nothing open by that name (in scope): the end tag is ignored.
    return true;
  }

  /** A start tag while the current node is an SVG element ("in foreign content"). */
  function openForeign(
    current: Element,
    name: string,
    attrs: Element['attrs'],
    selfClosing: boolean,
  ): boolean {
    // In <title>, <desc>, <foreignObject> start tags follow the HTML rules; MathML: parse5.
    if (current.namespaceURI !== NS_SVG || SVG_INTEGRATION.has(current.tagName)) return false;
    // parse5's own tables: tags that leave foreign content, tag and attribute name fixes.
    const token = { tagName: name, tagID: html5.getTagID(name), attrs } as Token.TagToken;
    if (foreignContent.causesExit(token)) return false;
    foreignContent.adjustTokenSVGTagName(token);
    foreignContent.adjustTokenSVGAttrs(token);
    foreignContent.adjustTokenXMLAttrs(token);
    const el = element(token.tagName, attrs, NS_SVG);
    if (!selfClosing) push(el);
    return true;
  }

  function open(name: string, attrs: Element['attrs'], selfClosing: boolean): boolean {
    if (!IN_HEAD_RULES.has(name)) inBody = true;
    const currentTag = stack[stack.length - 1]?.tagName ?? '';
    if (IGNORED_START.has(name)) {
      skipNewline = false; // any token, even an ignored one, ends the <pre> newline rule
      return !WHITESPACE_ONLY.has(currentTag);
    }
    const tablePart = openTablePart(name, attrs);
    if (tablePart !== undefined) return tablePart;
    // Anything else directly inside a table is foster-parented: parse5.
    if (WHITESPACE_ONLY.has(currentTag)) return false;
    if (name === 'table') {
      if (openP > 0 && !closeP()) return false;
      push(element(name, attrs));
      skipNewline = false;
      return true;
    }
    if (name === 'svg') {
      reconstruct();
      const token = { tagName: name, attrs } as Token.TagToken;
      foreignContent.adjustTokenSVGAttrs(token);
      foreignContent.adjustTokenXMLAttrs(token);
      const el = element(name, attrs, NS_SVG);
      if (!selfClosing) push(el);
      return true;
    }
    let isVoid = VOID.has(name);
    if (name === 'hr') {
      if (openP > 0 && !closeP()) return false;
      isVoid = true;
    } else if (!isVoid && SPECIAL_IN_BODY.has(name)) {
      if (CLOSES_P.has(name)) {
        // The parser closes the open <p> first.
        if (openP > 0 && !closeP()) return false;
        if (name === 'li' || name === 'dd' || name === 'dt') {
          // An open list item is closed by the next one (<li>a<li>b): when it is current.
          const t = stack[stack.length - 1]?.tagName;
          if (name === 'li' ? t === 'li' : t === 'dd' || t === 'dt') {
            pop(); // the parser's walk stops at this first item
          } else {
            // An open item deeper, not shielded by a special element: let parse5 do it.
            // (Bounded: a deep pile of <div>s would make this walk quadratic.)
            for (let k = stack.length - 1; k >= 0; k--) {
              if (stack.length - k > MAX_WALK) return false;
              const u = tagAt(k);
              if (u === 'li' || u === 'dd' || u === 'dt') return false;
              if (SPECIAL_CATEGORY.has(u) && u !== 'address' && u !== 'div' && u !== 'p') break;
            }
          }
        }
        // A heading start tag closes a heading that is the current node.
        const current = stack[stack.length - 1];
        if (HEADINGS.has(name) && current !== undefined && HEADINGS.has(current.tagName)) pop();
      } else if (RUBY_PARTS.has(name)) {
        // <rb>, <rtc>, <rp>, <rt> with a <ruby> in scope: "generate implied end tags" first.
        const ruby = rubyInScope();
        if (ruby === undefined) return false;
        if (ruby) {
          const except = name === 'rp' || name === 'rt' ? 'rtc' : '';
          for (;;) {
            const t = tagAt(stack.length - 1);
            if (t === except || !(IMPLIED_END.has(t) || RUBY_PARTS.has(t))) break;
            pop();
          }
        }
      } else if (!FORMATTING.has(name)) {
        return false;
      } else {
        if (name === 'a') {
          if (openA > 0) return false;
          // A stale <a> leaves the list (the adoption agency run for it does only that).
          const s = stale.findIndex((e) => e.tagName === 'a');
          if (s >= 0) stale = stale.slice(0, s).concat(stale.slice(s + 1));
        }
        reconstruct();
        if (!noah) noah = sameOpen(name) >= 3;
      }
    } else if (!isVoid || VOID_RECONSTRUCTS.has(name)) {
      reconstruct(); // any other start tag, and br/img/input/...
    }
    const el = element(name, attrs);
    skipNewline = false;
    if (isVoid) return true;
    push(el);
    if (name === 'pre') skipNewline = true;
    return true;
  }

  /** Whether a <ruby> is open in the default scope (undefined: too deep to tell cheaply). */
  function rubyInScope(): boolean | undefined {
    for (let k = stack.length - 1; k >= 0; k--) {
      if (stack.length - k > MAX_WALK) return undefined;
      const t = tagAt(k);
      if (t === 'ruby') return true;
      if (SCOPE_BOUNDARY.has(t)) return false;
    }
    return false;
  }

  /** Open elements named `name` in the current cell/caption (MAX_WALK or more if not sure). */
  function sameOpen(name: string): number {
    let count = 0;
    for (let k = stack.length - 1; k >= 0; k--) {
      if (stack.length - k > MAX_WALK) return MAX_WALK;
      const t = tagAt(k);
      if (t === name) count++;
      else if (SCOPE_BOUNDARY.has(t)) break;
    }
    return count;
  }
}

function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

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
/** Table parts, and where text may only be whitespace. */
const SECTIONS: ReadonlySet<string> = new Set(['tbody', 'thead', 'tfoot']);
const TABLE_PARTS: ReadonlySet<string> = new Set([
  'caption', 'col', 'colgroup', 'tbody', 'thead', 'tfoot', 'tr', 'td', 'th',
]); // biome-ignore format: keep the list compact
const TABLE_CONTEXT: ReadonlySet<string> = new Set(['table', 'tbody', 'thead', 'tfoot', 'tr']);
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
  let skipNewline = false;
  /** The template context starts "in template"; most start tags switch it to "in body". */
  let inBody = false;
  const n = src.length;
  let i = 0;

  const addText = (text: string): boolean => {
    let value = text;
    // Text directly in a table is foster-parented unless it is whitespace: let parse5 do that.
    if (TABLE_CONTEXT.has((parent as Element).tagName) && !WHITESPACE_ONLY_RE.test(value)) {
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
      const raw = RAW_TEXT.get(name);
      if (raw !== undefined) {
        // Raw text up to the first matching end tag (script: unless it has `<!--` escapes).
        const endRe = rawEndRe(name);
        endRe.lastIndex = i;
        const end = endRe.exec(src);
        if (end === null) return undefined;
        END_TAG_REST_RE.lastIndex = endRe.lastIndex;
        if (!END_TAG_REST_RE.test(src)) return undefined; // `</iframe x>` and such: parse5
        let text = src.slice(i, end.index);
        if (name === 'script' && text.includes('<!--')) return undefined;
        // In a table only <script> and <style> stay put; the rest is foster-parented.
        const inTable = TABLE_CONTEXT.has(stack[stack.length - 1]?.tagName ?? '');
        if (inTable && name !== 'script' && name !== 'style') return undefined;
        if (name === 'xmp' && openP > 0) {
          if (stack[stack.length - 1]?.tagName !== 'p') return undefined;
          pop();
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
        i = END_TAG_REST_RE.lastIndex;
        skipNewline = false;
        continue;
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
      if (!inBody && stack.length === 0) {
        // Until a start tag switches the fragment's "in template" mode to "in body", end
        // tags are ignored.
      } else if (name === 'br') {
        // `</br>` is read as `<br>`.
        if (!open('br', [])) return undefined;
      } else if (IGNORED_END.has(name)) {
        // End tags of void elements, and of html/head/body in a fragment, are ignored.
        skipNewline = false;
      } else if (name === 'p' && openP === 0) {
        // A stray `</p>` makes an empty paragraph.
        if (TABLE_CONTEXT.has(stack[stack.length - 1]?.tagName ?? '')) return undefined;
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
  function element(name: string, attrs: Element['attrs']): Element {
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
    return el;
  }

  function pop(): void {
    const el = stack.pop();
    const t = el?.tagName;
    if (t === 'p') openP--;
    else if (t === 'a') openA--;
    else if (t !== undefined && SCOPE_BOUNDARY.has(t)) {
      openA = saved.pop() ?? 0;
      openP = saved.pop() ?? 0;
    }
    parent = stack[stack.length - 1] ?? root;
  }

  function push(el: Element): void {
    stack.push(el);
    parent = el;
    const t = el.tagName;
    if (t === 'p') openP++;
    else if (t === 'a') openA++;
    else if (SCOPE_BOUNDARY.has(t)) {
      saved.push(openP, openA);
      openP = 0;
      openA = 0;
    }
  }

  /** Index of the nearest open element named `name` below no <table>, or -1. */
  function inTableScope(name: string): number {
    for (let k = stack.length - 1; k >= 0; k--) {
      const t = stack[k]!.tagName;
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
    if (current === 'table') {
      if (name === 'tr') push(element('tbody', []));
      else if (name === 'caption' || SECTIONS.has(name)) {
        push(element(name, attrs));
        return true;
      } else return false;
      current = 'tbody';
    }
    if (current !== undefined && SECTIONS.has(current)) {
      if (SECTIONS.has(name)) {
        pop();
        push(element(name, attrs));
        return true;
      }
      if (name !== 'tr') return false;
      push(element(name, attrs));
      return true;
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

  /** An end tag: the current node's, or a block's whose open <p>/<li>/<dd>/<dt> it closes. */
  function close(name: string): boolean {
    if (TABLE_END.has(name)) {
      // Table end tags close everything open inside the part they end.
      const k = inTableScope(name);
      if (k < 0 && name !== 'table') return false;
      const at = name === 'table' ? stack.findLastIndex((e) => e.tagName === 'table') : k;
      if (at < 0) return false;
      while (stack.length > at) pop();
      return true;
    }
    let k = stack.length - 1;
    if (CLOSES_P.has(name)) {
      while (k >= 0 && IMPLIED_END.has(stack[k]!.tagName) && stack[k]!.tagName !== name) k--;
    }
    if (k < 0 || stack[k]!.tagName !== name) return false;
    while (stack.length > k) pop();
    return true;
  }

  function open(name: string, attrs: Element['attrs']): boolean {
    if (!IN_HEAD_RULES.has(name)) inBody = true;
    if (IGNORED_START.has(name)) {
      skipNewline = false; // any token, even an ignored one, ends the <pre> newline rule
      return !TABLE_CONTEXT.has(stack[stack.length - 1]?.tagName ?? '');
    }
    const tablePart = openTablePart(name, attrs);
    if (tablePart !== undefined) return tablePart;
    // Anything else directly inside a table is foster-parented: parse5.
    if (TABLE_CONTEXT.has(stack[stack.length - 1]?.tagName ?? '')) return false;
    if (name === 'table') {
      if (openP > 0) {
        if (stack[stack.length - 1]?.tagName !== 'p') return false;
        pop();
      }
      push(element(name, attrs));
      skipNewline = false;
      return true;
    }
    let isVoid = VOID.has(name);
    if (name === 'hr') {
      if (openP > 0) {
        if (stack[stack.length - 1]?.tagName !== 'p') return false;
        pop();
      }
      isVoid = true;
    } else if (!isVoid && SPECIAL_IN_BODY.has(name)) {
      if (CLOSES_P.has(name)) {
        if (openP > 0) {
          // The parser closes the open <p> first: simple only when it is the current node.
          if (stack[stack.length - 1]?.tagName !== 'p') return false;
          pop();
        }
        if (name === 'li' || name === 'dd' || name === 'dt') {
          // An open list item is closed by the next one (<li>a<li>b): when it is current.
          const t = stack[stack.length - 1]?.tagName;
          if (name === 'li' ? t === 'li' : t === 'dd' || t === 'dt') {
            pop(); // the parser's walk stops at this first item
          } else {
            // An open item deeper, not shielded by a special element: let parse5 do it.
            // (Bounded: a deep pile of <div>s would make this walk quadratic.)
            for (let k = stack.length - 1; k >= 0; k--) {
              if (stack.length - k > 64) return false;
              const u = stack[k]!.tagName;
              if (u === 'li' || u === 'dd' || u === 'dt') return false;
              if (SPECIAL_CATEGORY.has(u) && u !== 'address' && u !== 'div' && u !== 'p') break;
            }
          }
        }
        const current = stack[stack.length - 1];
        if (HEADINGS.has(name) && current !== undefined && HEADINGS.has(current.tagName)) {
          return false;
        }
      } else if (!FORMATTING.has(name)) {
        return false;
      } else if (name === 'a' && openA > 0) {
        return false;
      }
    }
    const el = element(name, attrs);
    skipNewline = false;
    if (isVoid) return true;
    push(el);
    if (name === 'pre') skipNewline = true;
    return true;
  }
}

function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 12 || c === 13;
}

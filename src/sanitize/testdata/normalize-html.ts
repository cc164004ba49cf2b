// Test-only: the conformance README's `html` comparison. Both sides are parsed as an HTML
// fragment (parse5) and re-serialized with sorted attributes, normalized style declarations,
// whitespace runs collapsed and whitespace at block boundaries dropped (not inside
// pre/textarea); comments are kept.
import { type DefaultTreeAdapterTypes, html as html5, parseFragment } from 'parse5';

type ChildNode = DefaultTreeAdapterTypes.ChildNode;
type Element = DefaultTreeAdapterTypes.Element;

const VOID = new Set([
  'area', 'base', 'basefont', 'bgsound', 'br', 'col', 'embed', 'frame', 'hr', 'img', 'input',
  'keygen', 'link', 'meta', 'param', 'source', 'track', 'wbr',
]);
const BLOCK = new Set([
  'address', 'article', 'aside', 'blockquote', 'body', 'caption', 'center', 'col', 'colgroup',
  'dd', 'details', 'dialog', 'dir', 'div', 'dl', 'dt', 'fieldset', 'figcaption', 'figure',
  'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'head', 'header', 'hr', 'html', 'li',
  'main', 'menu', 'nav', 'ol', 'p', 'pre', 'section', 'table', 'tbody', 'td', 'tfoot', 'th',
  'thead', 'title', 'tr', 'ul', 'br', 'math', 'svg',
]);

function normalizeStyle(style: string): string {
  return style
    .split(';')
    .map((d) => d.trim())
    .filter((d) => d !== '')
    .map((d) => {
      const i = d.indexOf(':');
      if (i === -1) return d.replace(/\s+/g, ' ');
      return `${d.slice(0, i).trim().toLowerCase()}: ${d.slice(i + 1).trim().replace(/\s+/g, ' ')}`;
    })
    .join('; ');
}

function attrName(a: DefaultTreeAdapterTypes.Element['attrs'][number]): string {
  return a.prefix ? `${a.prefix}:${a.name}` : a.name;
}

function esc(s: string, attr: boolean): string {
  let r = s.replace(/&/g, '&amp;').replace(/\u00a0/g, '&nbsp;');
  r = attr ? r.replace(/"/g, '&quot;') : r.replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return r;
}

function serialize(nodes: ChildNode[], inPre: boolean): string {
  let s = '';
  for (const node of nodes) {
    if (node.nodeName === '#text') {
      const v = (node as DefaultTreeAdapterTypes.TextNode).value;
      s += inPre ? esc(v, false) : esc(v, false).replace(/\s+/g, ' ');
    } else if (node.nodeName === '#comment') {
      s += `<!--${(node as DefaultTreeAdapterTypes.CommentNode).data}-->`;
    } else if ('tagName' in node) {
      const el = node as Element;
      const attrs = el.attrs
        .map((a) => {
          const name = attrName(a);
          const value = name === 'style' ? normalizeStyle(a.value) : a.value;
          return [name, value] as const;
        })
        .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
        .map(([n, v]) => ` ${n}="${esc(v, true)}"`)
        .join('');
      s += `<${el.tagName}${attrs}>`;
      if (el.namespaceURI === html5.NS.HTML && VOID.has(el.tagName)) continue;
      const children =
        el.tagName === 'template' ? (el as DefaultTreeAdapterTypes.Template).content.childNodes : el.childNodes;
      s += serialize(children, inPre || el.tagName === 'pre' || el.tagName === 'textarea');
      s += `</${el.tagName}>`;
    }
  }
  return s;
}

const BLOCK_TAG_RE = new RegExp(`\\s*(</?(?:${[...BLOCK].join('|')})(?:\\s[^>]*)?>)\\s*`, 'g');

/** Normalize an HTML fragment for comparison. */
export function normalizeHtml(html: string): string {
  const s = serialize(parseFragment(html).childNodes, false);
  return s.replace(BLOCK_TAG_RE, '$1').trim();
}

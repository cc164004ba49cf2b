import { type DefaultTreeAdapterTypes, html as html5, parseFragment } from 'parse5';
import { fastParse } from './fast-parse.js';

type ChildNode = DefaultTreeAdapterTypes.ChildNode;
type Element = DefaultTreeAdapterTypes.Element;

/** Elements whose content is never shown as text. */
const HIDDEN: ReadonlySet<string> = new Set([
  'script', 'style', 'template', 'applet', 'head', 'meta', 'link', 'base',
]); // biome-ignore format: keep the list compact
/** Elements that separate words: `<p>a</p><p>b</p>` reads "a b", not "ab". */
const BREAKS: ReadonlySet<string> = new Set([
  'br', 'p', 'div', 'li', 'ul', 'ol', 'dl', 'dt', 'dd', 'tr', 'td', 'th', 'table', 'h1', 'h2',
  'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'hr', 'section', 'article', 'header', 'footer',
  'aside', 'nav', 'figure', 'figcaption', 'address', 'caption',
]); // biome-ignore format: keep the list compact

/** Raw-text elements whose text is markup to a reader that does not run HTML5 parsing. */
const RAW_MARKUP: ReadonlySet<string> = new Set(['iframe', 'noembed', 'noframes']);
const TAG_RE = /<[^>]*>/g;
const WHITESPACE_RE = /\s+/g;

/** Pushes `nodes` onto `stack` last first, so they pop in document order. */
function pushReversed(stack: ChildNode[], nodes: readonly ChildNode[]): void {
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    if (node !== undefined) stack.push(node);
  }
}

/** Plain text for titles: tags stripped, entities decoded, whitespace collapsed. */
export function htmlToText(html: string): string {
  return markupToText(html).trim();
}

/** htmlToText without the final trim: words with their surrounding space, for inline use. */
export function markupToText(html: string): string {
  if (!html.includes('<') && !html.includes('&')) return html.replace(WHITESPACE_RE, ' ');
  const fragment = fastParse(html) ?? parseFragment(html, { scriptingEnabled: false });
  const parts: string[] = [];
  const stack: ChildNode[] = [];
  pushReversed(stack, fragment.childNodes);
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (node.nodeName === '#text') {
      parts.push((node as DefaultTreeAdapterTypes.TextNode).value);
      continue;
    }
    if (!('tagName' in node)) continue;
    const el = node as Element;
    if (el.namespaceURI === html5.NS.HTML && HIDDEN.has(el.tagName)) continue;
    if (el.namespaceURI === html5.NS.HTML && RAW_MARKUP.has(el.tagName)) {
      // Raw text that feedparser read as markup (iframe fallback): keep its words, not its tags.
      for (const child of el.childNodes) {
        if (child.nodeName === '#text') {
          parts.push(' ', (child as DefaultTreeAdapterTypes.TextNode).value.replace(TAG_RE, ' '));
        }
      }
      continue;
    }
    if (BREAKS.has(el.tagName)) parts.push(' ');
    const children = el.childNodes;
    pushReversed(stack, children);
  }
  return parts.join('').replace(WHITESPACE_RE, ' ');
}

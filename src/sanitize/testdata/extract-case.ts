// Test-only: pull the HTML payload out of a tiny conformance feed document (Atom/RSS with
// escaped HTML, CDATA, base64 or inline XHTML), as the parser will hand it to the sanitizer.
// A regex reader is enough for these hand-written cases; it is not a feed parser.
import { decodeXML } from 'entities';

export interface ExtractedCase {
  /** The HTML the parser would pass to sanitizeHtml. */
  html: string;
  /** The element it came from. */
  element: string;
  /** The field is plain text in the model (title): compare htmlToText, not HTML. */
  plainText: boolean;
}

const HTML_VOID = new Set([
  'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'keygen', 'link', 'meta', 'param',
  'source', 'track', 'wbr',
]);

const CANDIDATES: Record<string, { scope: 'entry' | 'feed'; elements: string[]; text: boolean }> = {
  'entries.0.summary': {
    scope: 'entry',
    elements: ['summary', 'description', 'xhtml:body', 'body', 'fullitem', 'content:encoded', 'content'],
    text: false,
  },
  'entries.0.content.0.value': {
    scope: 'entry',
    elements: ['content', 'content:encoded', 'xhtml:body', 'body', 'fullitem'],
    text: false,
  },
  'entries.0.title': { scope: 'entry', elements: ['title'], text: true },
  'entries.0.titleDetail.value': { scope: 'entry', elements: ['title'], text: false },
  'feed.title': { scope: 'feed', elements: ['title'], text: true },
  'feed.titleDetail.value': { scope: 'feed', elements: ['title'], text: false },
  'feed.subtitle': { scope: 'feed', elements: ['subtitle', 'tagline', 'description', 'info'], text: false },
  'feed.rights': { scope: 'feed', elements: ['rights', 'copyright'], text: false },
};

/** XML → HTML serialization of inline XHTML: `<iframe/>` becomes `<iframe></iframe>`. */
function xhtmlToHtml(xml: string): string {
  return xml.replace(/<([A-Za-z][\w:-]*)((?:\s[^>]*?)?)\s*\/>/g, (_m, name: string, attrs: string) =>
    HTML_VOID.has(name.toLowerCase()) ? `<${name}${attrs}>` : `<${name}${attrs}></${name}>`,
  );
}

export function extractCase(source: string, path: string): ExtractedCase | undefined {
  const spec = CANDIDATES[path];
  if (!spec) return undefined;
  const doc = source.replace(/^\s*<!--[\s\S]*?-->/, '');
  let scope: string;
  if (spec.scope === 'entry') {
    const m = /<(entry|item)[\s>][\s\S]*?<\/\1>/.exec(doc);
    if (!m) return undefined;
    scope = m[0].replace(/^<(entry|item)[^>]*>/, '');
  } else {
    scope = doc.replace(/<(entry|item)[\s>][\s\S]*?<\/\1>/g, '').replace(/^[\s\S]*?<(feed|channel)[^>]*>/, '');
    scope = scope.replace(/^[\s\S]*?<channel[^>]*>/, '');
  }
  for (const name of spec.elements) {
    const re = new RegExp(`<${name}(\\s[^>]*)?>([\\s\\S]*?)</${name}>`);
    const m = re.exec(scope);
    if (!m) continue;
    const attrs = m[1] ?? '';
    let body = m[2] ?? '';
    let html: string;
    if (/mode=["']base64["']/.test(attrs)) {
      html = Buffer.from(body.trim(), 'base64').toString('utf8');
    } else if (body.includes('<![CDATA[')) {
      // CDATA sections are raw; the text between them is XML-escaped.
      html = body
        .split(/(<!\[CDATA\[[\s\S]*?\]\]>)/)
        .map((part) => (part.startsWith('<![CDATA[') ? part.slice(9, -3) : decodeXML(part)))
        .join('');
    } else if (/<[A-Za-z]/.test(body)) {
      // Inline XHTML: Atom 1.0 type="xhtml" drops the wrapper div; xhtml:body is the wrapper.
      if (/type=["']xhtml["']/.test(attrs)) body = body.replace(/^\s*<div[^>]*>|<\/div>\s*$/g, '');
      html = xhtmlToHtml(body.replace(/\sxmlns(:\w+)?="[^"]*"/g, ''));
    } else {
      html = decodeXML(body);
    }
    return { html, element: name, plainText: spec.text };
  }
  return undefined;
}

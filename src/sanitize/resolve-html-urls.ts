import { decodeHTMLAttribute } from 'entities';
import { URL_ATTRIBUTES, URL_LIST_ATTRIBUTES } from './allowlists.js';
import { escapeHtml } from './escape.js';
import { baseFromHref, mapUrlList, resolveContentUrl } from './urls.js';

/**
 * Relative URLs in HTML resolved without parsing the HTML into a tree: the sanitize:false
 * path, where the markup must come back exactly as the feed gave it and a tree parse costs
 * more than the rest of parse() together (docs/decisions/parse.md). Start tags are read the
 * way the HTML tokenizer reads them (quoted and unquoted values, `/` between attributes);
 * comments, bogus comments and the bodies of raw-text elements are skipped.
 */

/** Where the text of a raw-text or RCDATA element ends: tags inside it are text. */
const RAW_TEXT_END: ReadonlyMap<string, RegExp> = new Map(
  ['script', 'style', 'xmp', 'iframe', 'noembed', 'noframes', 'textarea', 'title'].map((name) => [
    name,
    new RegExp(`</${name}[\\t\\n\\f\\r />]`, 'gi'),
  ]),
);
const BASE_TAG_RE = /<base[\s/>]/i;
/** HTML start tags that end foreign content (the spec's "in foreign content" breakout list). */
// biome-ignore format: keep the list compact
const FOREIGN_BREAKOUT: ReadonlySet<string> = new Set([
  'b', 'big', 'blockquote', 'body', 'br', 'center', 'code', 'dd', 'div', 'dl', 'dt', 'em',
  'embed', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'head', 'hr', 'i', 'img', 'li', 'listing', 'menu',
  'meta', 'nobr', 'ol', 'p', 'pre', 'ruby', 's', 'small', 'span', 'strong', 'strike', 'sub',
  'sup', 'table', 'tt', 'u', 'ul', 'var',
]);

/**
 * Called for each attribute with a value of each start tag (lower-cased tag name, or '' for
 * `<base>` in SVG/MathML, which is no base element; then offsets: attribute start, end of its
 * name, value start and end, attribute end); returning true stops the scan.
 */
type AttributeVisitor = (
  tag: string,
  start: number,
  nameEnd: number,
  valueStart: number,
  valueEnd: number,
  end: number,
) => boolean | undefined;

const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 12 || c === 13;
const isAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/**
 * Resolve the relative URLs of HTML against `baseUrl` — or against the first `<base href>`,
 * as browsers do — leaving every other byte as it is. URL attributes, `srcset` candidates,
 * `ping` lists and `<object data>` are rewritten; same-document references (`#x`) stay.
 */
export function resolveHtmlUrls(html: string, baseUrl: string): string {
  if (!html.includes('<')) return html;
  const base = documentBase(html, baseUrl);
  let out = '';
  let last = 0;
  scanStartTags(html, (tag, start, nameEnd, valueStart, valueEnd, end) => {
    const name = html.slice(start, nameEnd).toLowerCase();
    if (!URL_ATTRIBUTES.has(name) && !URL_LIST_ATTRIBUTES.has(name) && name !== 'data') {
      return undefined;
    }
    const raw = html.slice(valueStart, valueEnd);
    const resolved = resolveAttribute(
      tag,
      name,
      raw.includes('&') ? decodeHTMLAttribute(raw) : raw,
      base,
    );
    if (resolved !== undefined) {
      out += `${html.slice(last, nameEnd)}="${escapeHtml(resolved, 'attribute')}"`;
      last = end;
    }
    return undefined;
  });
  return last === 0 ? html : out + html.slice(last);
}

/** The attribute's value with its URLs resolved, or undefined when nothing changes. */
function resolveAttribute(
  tag: string,
  name: string,
  value: string,
  base: string,
): string | undefined {
  if (tag === 'base') return undefined; // the base itself stays as written
  if (URL_ATTRIBUTES.has(name) || (name === 'data' && tag === 'object')) {
    const resolved = resolveContentUrl(value, base);
    return resolved === value ? undefined : resolved;
  }
  if (!URL_LIST_ATTRIBUTES.has(name)) return undefined;
  let changed = false;
  const resolved = mapUrlList(value, name === 'srcset', (url) => {
    const r = resolveContentUrl(url, base);
    if (r !== url) changed = true;
    return r;
  });
  return changed ? resolved : undefined;
}

/** baseUrl, or what the document's first `<base href>` makes of it. */
function documentBase(html: string, baseUrl: string): string {
  if (!BASE_TAG_RE.test(html)) return baseUrl;
  let href: string | undefined;
  scanStartTags(html, (tag, start, nameEnd, valueStart, valueEnd) => {
    if (tag !== 'base' || html.slice(start, nameEnd).toLowerCase() !== 'href') return undefined;
    href = decodeHTMLAttribute(html.slice(valueStart, valueEnd));
    return true;
  });
  return href === undefined ? baseUrl : (baseFromHref(href, baseUrl) ?? baseUrl);
}

/** Visit the attributes of every start tag, in document order (see AttributeVisitor). */
function scanStartTags(html: string, visit: AttributeVisitor): void {
  const len = html.length;
  let pos = 0;
  // Open SVG/MathML elements: in foreign content <style>, <title>… hold markup, not text.
  const foreign: string[] = [];
  // The attributes of the tag being read, visited once it is known to end (see scanAttributes).
  const spans: number[] = [];
  while (pos < len) {
    const lt = html.indexOf('<', pos);
    if (lt === -1) return;
    const c = html.charCodeAt(lt + 1);
    if (c === 33 && html.startsWith('<!--', lt)) {
      pos = commentEnd(html, lt + 4);
      continue;
    }
    const endTag = c === 47 && isAlpha(html.charCodeAt(lt + 2));
    if (!isAlpha(c) && !endTag) {
      // `<!…>`, `<?…>` and `</` + non-letter are bogus comments up to the next '>'; any
      // other '<' is text.
      const bogus = c === 33 || c === 63 || c === 47;
      const end = bogus ? html.indexOf('>', lt + 2) : lt;
      pos = end === -1 ? len : end + 1;
      continue;
    }
    let i = endTag ? lt + 2 : lt + 1;
    const nameStart = i;
    while (i < len && !isSpace(html.charCodeAt(i)) && html[i] !== '/' && html[i] !== '>') i++;
    const tag = html.slice(nameStart, i).toLowerCase();
    spans.length = 0;
    i = scanAttributes(html, i, spans);
    if (i < 0) return;
    if (!endTag) {
      const visited = foreign.length > 0 && tag === 'base' ? '' : tag;
      for (let k = 0; k < spans.length; k += 5) {
        const at = (n: number): number => spans[k + n] ?? 0;
        if (visit(visited, at(0), at(1), at(2), at(3), at(4))) return;
      }
    }
    pos = i + 1;
    trackForeign(foreign, tag, endTag, html[i - 1] === '/');
    const rawEnd = endTag || foreign.length > 0 ? undefined : RAW_TEXT_END.get(tag);
    if (tag === 'script' && rawEnd !== undefined) pos = scriptEnd(html, pos);
    else if (rawEnd !== undefined) {
      rawEnd.lastIndex = pos;
      pos = rawEnd.exec(html)?.index ?? len;
    }
  }
}

/**
 * Follow the open SVG/MathML elements (`foreign`, changed in place) through one tag. Not
 * modelled: integration points (<foreignObject>, <mi>…) and <template>, inside which a
 * raw-text element's text is read as markup, so at worst a URL in that text is resolved.
 */
function trackForeign(foreign: string[], tag: string, endTag: boolean, selfClosing: boolean): void {
  if (foreign.length === 0) {
    if (!endTag && !selfClosing && (tag === 'svg' || tag === 'math')) foreign.push(tag);
  } else if (!endTag) {
    if (FOREIGN_BREAKOUT.has(tag)) foreign.length = 0;
    else if (!selfClosing) foreign.push(tag);
  } else {
    // An end tag closes its open element; `</p>` and `</br>` break out; one that matches
    // none is assumed stray (as HTML, it would close an element open around the <svg>).
    const open = foreign.lastIndexOf(tag);
    if (open !== -1) foreign.length = open;
    else if (tag === 'p' || tag === 'br') foreign.length = 0;
  }
}

const SCRIPT_TOKENS_RE = /<!--(-*>)?|-->|<(\/?)script(?=[\t\n\f\r />])/gi;

/**
 * Where a script's text ends (the offset of its `</script`, or the end): the tokenizer's
 * escaped states, in which `<!--<script>` hides the next `</script>`.
 */
function scriptEnd(html: string, from: number): number {
  let state: 'data' | 'escaped' | 'double' = 'data';
  SCRIPT_TOKENS_RE.lastIndex = from;
  for (let m = SCRIPT_TOKENS_RE.exec(html); m !== null; m = SCRIPT_TOKENS_RE.exec(html)) {
    const token = m[0];
    if (token.startsWith('<!--')) {
      // `<!-->` and `<!--->` hold a `-->`: they end an escape rather than start one.
      if (m[1] !== undefined) state = 'data';
      else if (state === 'data') state = 'escaped';
    } else if (token === '-->') {
      state = 'data';
    } else if (m[2] === '/') {
      if (state !== 'double') return m.index;
      state = 'escaped';
    } else if (state === 'escaped') {
      state = 'double';
    }
  }
  return html.length;
}

/** The offset just after a comment whose text starts at `from` (`-->`, `--!>`, `<!-->`). */
function commentEnd(html: string, from: number): number {
  if (html.startsWith('>', from)) return from + 1;
  if (html.startsWith('->', from)) return from + 2;
  const a = html.indexOf('-->', from);
  const b = html.indexOf('--!>', from);
  if (a === -1 && b === -1) return html.length;
  return a !== -1 && (b === -1 || a < b) ? a + 3 : b + 4;
}

/**
 * Read the attributes of a tag from `from` (just after its name) to its '>', pushing five
 * offsets per attribute with a value onto `spans` (start, name end, value start, value end,
 * end). Returns the offset of the '>', or -1 when the input ends inside the tag (a browser
 * then drops the tag).
 */
function scanAttributes(html: string, from: number, spans: number[]): number {
  const len = html.length;
  let i = from;
  while (i < len) {
    const c = html.charCodeAt(i);
    if (c === 62) return i;
    if (isSpace(c) || c === 47) {
      i++;
      continue;
    }
    const start = i++; // a name may start with '='
    while (i < len) {
      const n = html.charCodeAt(i);
      if (isSpace(n) || n === 47 || n === 62 || n === 61) break;
      i++;
    }
    const nameEnd = i;
    while (i < len && isSpace(html.charCodeAt(i))) i++;
    if (html.charCodeAt(i) !== 61) continue;
    i++;
    while (i < len && isSpace(html.charCodeAt(i))) i++;
    const q = html.charCodeAt(i);
    let valueStart = i;
    let valueEnd: number;
    let end: number;
    if (q === 34 || q === 39) {
      valueStart = i + 1;
      valueEnd = html.indexOf(q === 34 ? '"' : "'", valueStart);
      if (valueEnd === -1) return -1;
      end = valueEnd + 1;
    } else {
      valueEnd = i;
      while (
        valueEnd < len &&
        !isSpace(html.charCodeAt(valueEnd)) &&
        html.charCodeAt(valueEnd) !== 62
      )
        valueEnd++;
      end = valueEnd;
    }
    i = end;
    spans.push(start, nameEnd, valueStart, valueEnd, end);
  }
  return -1;
}

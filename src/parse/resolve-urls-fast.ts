/**
 * Relative URLs in HTML resolved without parsing the HTML: the sanitize:false path, where the
 * markup must come back exactly as the feed gave it and an HTML parse costs more than the rest of
 * parse() together (docs/decisions/parse.md). Tags are found by a scan that respects quoted
 * attribute values; comments, <script> and <style> bodies are left alone; <base href> is honoured.
 */

const URL_ATTRS = new Set([
  'href',
  'src',
  'cite',
  'action',
  'background',
  'codebase',
  'data',
  'longdesc',
  'poster',
  'usemap',
  'profile',
  'xlink:href',
  'formaction',
  'icon',
  'manifest',
  'srcset',
]);

const ABSOLUTE = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;
const TAG_NAME_CHAR = /[^\s/>]/;
/** Where a <script> or <style> body ends (the scan skips it). */
const RAW_END = new Map([
  ['script', /<\/script/gi],
  ['style', /<\/style/gi],
]);
const ATTR = /([^\s"'>/=]+)(\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;

function resolveOne(value: string, base: string): string {
  const v = value.trim();
  if (v === '' || v.startsWith('#') || ABSOLUTE.test(v)) return value;
  try {
    return new URL(v, base).href;
  } catch {
    // not resolvable against this base: keep what the feed wrote
    return value;
  }
}

function resolveSrcset(value: string, base: string): string {
  return value
    .split(',')
    .map((part) => {
      const m = /^(\s*)(\S+)(.*)$/.exec(part);
      return m ? m[1]! + resolveOne(m[2]!, base) + m[3]! : part;
    })
    .join(',');
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
}

/** Rewrite one start tag's URL attributes; returns the tag unchanged when nothing is relative. */
function rewriteTag(tag: string, nameEnd: number, base: string): string {
  const attrs = tag.slice(nameEnd, tag.length - 1);
  let changed = false;
  ATTR.lastIndex = 0;
  const out = attrs.replace(ATTR, (whole, name: string, eq, dq, sq, uq) => {
    if (!eq || !URL_ATTRS.has(name.toLowerCase())) return whole;
    const raw = ((dq ?? sq ?? uq ?? '') as string).replace(/&amp;/g, '&');
    const resolved =
      name.toLowerCase() === 'srcset' ? resolveSrcset(raw, base) : resolveOne(raw, base);
    if (resolved === raw) return whole;
    changed = true;
    return `${name}="${escapeAttr(resolved)}"`;
  });
  return changed ? tag.slice(0, nameEnd) + out + '>' : tag;
}

/** Resolve the relative URLs of HTML against base, leaving everything else byte for byte. */
export function resolveUrlsFast(html: string, baseUrl: string): string {
  let base = baseUrl;
  let out = '';
  let last = 0;
  let pos = 0;
  const len = html.length;
  while (pos < len) {
    const lt = html.indexOf('<', pos);
    if (lt === -1) break;
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      pos = end === -1 ? len : end + 3;
      continue;
    }
    let i = lt + 1;
    const c = html.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122))) {
      pos = i;
      continue;
    }
    while (i < len && TAG_NAME_CHAR.test(html[i]!)) i++;
    const name = html.slice(lt + 1, i).toLowerCase();
    // find the end of the tag, skipping quoted values
    let q = 0;
    let j = i;
    for (; j < len; j++) {
      const ch = html.charCodeAt(j);
      if (q !== 0) {
        if (ch === q) q = 0;
      } else if (ch === 34 || ch === 39) q = ch;
      else if (ch === 62) break;
    }
    if (j >= len) break;
    const tag = html.slice(lt, j + 1);
    const tagEnd = j + 1;
    pos = tagEnd;
    if (name === 'base') {
      const m = /\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(tag);
      const href = m?.[1] ?? m?.[2] ?? m?.[3];
      if (href) base = resolveOne(href.replace(/&amp;/g, '&'), base);
      continue;
    }
    const close = RAW_END.get(name);
    if (close !== undefined) {
      close.lastIndex = tagEnd;
      const m = close.exec(html);
      pos = m ? m.index : len;
    }
    if (tag.indexOf('=') === -1) continue;
    const rewritten = rewriteTag(tag, i - lt, base);
    if (rewritten !== tag) {
      out += html.slice(last, lt) + rewritten;
      last = tagEnd;
    }
  }
  return last === 0 ? html : out + html.slice(last);
}

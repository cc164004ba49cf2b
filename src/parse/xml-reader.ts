/**
 * A lenient, fast XML reader written for feeds: text in, element tree out, never throws.
 * It recovers from what real feeds get wrong (bare '&', HTML entities with no DTD, unclosed
 * and mismatched tags, garbage around the root, truncation) and records each problem, so the
 * caller can report wellFormed:false. Measured against saxes/sax/htmlparser2: docs/decisions/parse.md.
 */
import { group } from '../lib/regex.js';
import { decodeEntities } from './entities.js';
import { canonicalPrefix } from './namespaces.js';

export interface XmlAttr {
  /** as written, e.g. 'xml:base' */
  qname: string;
  /** local name, lower case */
  local: string;
  /** canonical prefix of the namespace ('' for none), see namespaces.ts */
  prefix: string;
  value: string;
}

export interface XmlElement {
  /** as written, e.g. 'dc:creator' */
  qname: string;
  /** canonical key: 'dc:creator', 'atom:link', 'title' (lower case local name) */
  key: string;
  /** lower-cased local name */
  local: string;
  /** namespace URI ('' when none) */
  ns: string;
  attrs: XmlAttr[];
  children: XmlNode[];
  parent: XmlElement | null;
  /** namespace declarations made on this element (prefix → URI, '' for default) */
  nsDecl: Record<string, string> | null;
}

export type XmlNode = XmlElement | string;

export interface XmlDocument {
  root: XmlElement | null;
  /** problems found; empty when the document was well-formed */
  errors: string[];
  /** the DOCTYPE text, if any (RSS 0.91 Netscape is told apart by it) */
  doctype: string;
}

export interface XmlReadOptions {
  /** elements nested deeper than this are flattened into their parent (default 256) */
  maxDepth?: number;
  /**
   * Called with each element as it closes (by its end tag, a mismatched one or `/>`); when it
   * returns true the element is taken out of the tree. A feed's entries are read as they close
   * this way, so a large document never holds the elements of all its entries at once.
   */
  onClose?: (el: XmlElement) => boolean;
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const MAX_ERRORS = 20;
/** Internal DTD entities: how many we honour, and how long each may be. */
const MAX_ENTITIES = 256;
const MAX_ENTITY_LENGTH = 4096;

function isNameStart(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58 || c > 127 // a-z A-Z _ : non-ASCII
  );
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57) || c === 45 || c === 46; // 0-9 - .
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13;
}

/** Read an XML document leniently. */
export function readXml(text: string, options: XmlReadOptions = {}): XmlDocument {
  const maxDepth = options.maxDepth ?? 256;
  const onClose = options.onClose;
  /** Hand a closed element to onClose; detach it (the last child of its parent) if taken. */
  const finished = (el: XmlElement): void => {
    if (onClose === undefined || !onClose(el)) return;
    const kids = el.parent?.children;
    if (kids !== undefined && kids[kids.length - 1] === el) kids.pop();
  };
  const errors: string[] = [];
  const entities = new Map<string, string>();
  const names: NameCache = new Map();
  const report = (msg: string): void => {
    if (errors.length < MAX_ERRORS) errors.push(msg);
    else if (errors.length === MAX_ERRORS) errors.push('further problems not listed');
  };
  const decode = (s: string): string => {
    if (s.indexOf('&') === -1) return s;
    return decodeEntities(s, entities, report);
  };

  let root: XmlElement | null = null;
  let doctype = '';
  let current: XmlElement | null = null;
  let depth = 0;
  /** elements ignored because of the depth limit, still open */
  let flattened = 0;
  let rootClosed = false;
  const len = text.length;
  let pos = 0;

  const addText = (s: string): void => {
    if (current) {
      const kids = current.children;
      const last = kids.length - 1;
      if (last >= 0 && typeof kids[last] === 'string') kids[last] = (kids[last] as string) + s;
      else kids.push(s);
    } else if (s.trim() !== '') {
      report(rootClosed ? 'text after the root element' : 'text before the root element');
    }
  };

  while (pos < len) {
    const lt = text.indexOf('<', pos);
    if (lt === -1) {
      addText(decode(text.slice(pos)));
      break;
    }
    if (lt > pos) addText(decode(text.slice(pos, lt)));
    pos = lt;
    const c1 = text.charCodeAt(pos + 1);
    if (c1 === 33 /* ! */) {
      if (text.startsWith('<!--', pos)) {
        const end = text.indexOf('-->', pos + 4);
        if (end === -1) {
          report('unterminated comment');
          pos = len;
        } else pos = end + 3;
        continue;
      }
      if (text.startsWith('<![CDATA[', pos)) {
        const end = text.indexOf(']]>', pos + 9);
        if (end === -1) {
          report('unterminated CDATA section (document truncated?)');
          addText(text.slice(pos + 9));
          pos = len;
        } else {
          addText(text.slice(pos + 9, end));
          pos = end + 3;
        }
        continue;
      }
      if (text.startsWith('DOCTYPE', pos + 2) || text.startsWith('doctype', pos + 2)) {
        pos = readDoctype(text, pos, entities, report, (d) => {
          doctype = d;
        });
        continue;
      }
      // <!ELEMENT ...> or other declarations outside a DTD: skip
      const end = text.indexOf('>', pos);
      report('unexpected markup declaration');
      pos = end === -1 ? len : end + 1;
      continue;
    }
    if (c1 === 63 /* ? */) {
      const end = text.indexOf('?>', pos + 2);
      if (end === -1) {
        report('unterminated processing instruction');
        pos = len;
      } else pos = end + 2;
      continue;
    }
    if (c1 === 47 /* / */) {
      // end tag
      let i = pos + 2;
      while (i < len && isNameChar(text.charCodeAt(i))) i++;
      const name = text.slice(pos + 2, i);
      const gt = text.indexOf('>', i);
      const rest = gt === -1 ? text.slice(i) : text.slice(i, gt);
      if (rest.trim() !== '') report(`junk in end tag </${name}>`);
      pos = gt === -1 ? len : gt + 1;
      if (gt === -1) report('document truncated inside an end tag');
      if (flattened > 0) {
        flattened--;
        continue;
      }
      if (!current) {
        report(`end tag </${name}> with no open element`);
        continue;
      }
      if (current.qname === name) {
        const done = current;
        current = current.parent;
        depth--;
        if (!current) rootClosed = true;
        else finished(done);
        continue;
      }
      // mismatched: close up to the matching open element if there is one, else ignore the tag
      let match: XmlElement | null = current.parent;
      while (match && match.qname !== name) match = match.parent;
      if (!match && name.toLowerCase() !== name) {
        match = current;
        while (match && match.qname.toLowerCase() !== name.toLowerCase()) match = match.parent;
      }
      if (match) {
        report(`mismatched end tag </${name}> closes <${current.qname}>`);
        while (current && current !== match) {
          const done = current;
          current = current.parent;
          depth--;
          finished(done);
        }
        current = match.parent;
        depth--;
        if (!current) rootClosed = true;
        else finished(match);
      } else report(`stray end tag </${name}> inside <${current.qname}>`);
      continue;
    }
    if (!isNameStart(c1)) {
      report("'<' not starting a tag");
      addText('<');
      pos++;
      continue;
    }
    // start tag
    let i = pos + 1;
    while (i < len && isNameChar(text.charCodeAt(i))) i++;
    const qname = text.slice(pos + 1, i);
    let rawAttrs: string[] | null = null;
    let selfClosing = false;
    let closed = false;
    while (i < len) {
      let c = text.charCodeAt(i);
      while (isSpace(c)) c = text.charCodeAt(++i);
      if (c === 62 /* > */) {
        i++;
        closed = true;
        break;
      }
      if (c === 47 /* / */) {
        if (text.charCodeAt(i + 1) === 62) {
          i += 2;
          selfClosing = true;
          closed = true;
          break;
        }
        i++;
        continue;
      }
      if (c === 60 /* < */) {
        report(`unclosed start tag <${qname}>`);
        closed = true;
        break;
      }
      if (i >= len) break;
      // attribute name
      const nameStart = i;
      while (i < len) {
        c = text.charCodeAt(i);
        if (isSpace(c) || c === 61 || c === 62 || c === 47 || c === 60) break;
        i++;
      }
      if (i === nameStart) {
        // a lone quote or '=': skip it
        report(`junk in start tag <${qname}>`);
        i++;
        continue;
      }
      const aname = text.slice(nameStart, i);
      while (isSpace(text.charCodeAt(i))) i++;
      if (text.charCodeAt(i) !== 61 /* = */) {
        report(`attribute ${aname} without a value in <${qname}>`);
        (rawAttrs ??= []).push(aname, aname);
        continue;
      }
      i++;
      while (isSpace(text.charCodeAt(i))) i++;
      const q = text.charCodeAt(i);
      if (q === 34 || q === 39) {
        const end = text.indexOf(q === 34 ? '"' : "'", i + 1);
        if (end === -1) {
          report(`unterminated attribute value in <${qname}>`);
          i = len;
          break;
        }
        let v = text.slice(i + 1, end);
        if (v.indexOf('<') !== -1) report(`'<' in attribute value in <${qname}>`);
        v = decode(v);
        (rawAttrs ??= []).push(aname, v);
        i = end + 1;
      } else {
        const vs = i;
        while (i < len) {
          c = text.charCodeAt(i);
          if (isSpace(c) || c === 62) break;
          i++;
        }
        report(`unquoted attribute value in <${qname}>`);
        (rawAttrs ??= []).push(aname, decode(text.slice(vs, i)));
      }
    }
    if (!closed) report(`document truncated inside <${qname}>`);
    pos = i;
    if (rootClosed && !current) {
      report(`element <${qname}> after the root element`);
      // keep reading it as part of the root so a feed split by garbage still yields entries
      if (root) current = root;
      rootClosed = false;
    }
    if (depth >= maxDepth) {
      if (flattened === 0) report(`elements nested deeper than ${maxDepth} levels were flattened`);
      if (!selfClosing) flattened++;
      continue;
    }
    const el = makeElement(qname, rawAttrs, current, report, names);
    if (current) current.children.push(el);
    else if (!root) root = el;
    else {
      report('more than one root element');
      root.children.push(el);
      el.parent = root;
    }
    if (!selfClosing) {
      current = el;
      depth++;
    } else if (!current) rootClosed = true;
    else finished(el);
  }
  if (current) report(`document ended with <${current.qname}> still open`);
  if (!root) report('no root element');
  return { root, errors, doctype };
}

/** Shared by every element without attributes (most of them): one allocation fewer each. */
const NO_ATTRS: XmlAttr[] = [];

/**
 * What makeElement derives from a name as written, kept per document: a feed repeats a few
 * dozen names thousands of times, and splitting, lower-casing and building the key of each
 * element anew (with its canonical-prefix lookup) was over a quarter of readXml's time
 * (docs/decisions/parse.md 14). Element and attribute names share the cache.
 */
interface NameInfo {
  /** the name as written (shared by every element of that name) */
  qname: string;
  /** prefix as written, '' for none */
  prefix: string;
  /** local name, lower case */
  local: string;
  /** the namespace `key` was made for (undefined: not yet); the prefix's binding may change */
  ns: string | undefined;
  key: string;
}

type NameCache = Map<string, NameInfo>;

function nameInfo(names: NameCache, qname: string): NameInfo {
  let info = names.get(qname);
  if (info === undefined) {
    const colon = qname.indexOf(':');
    info = {
      qname,
      prefix: colon === -1 ? '' : qname.slice(0, colon),
      local: (colon === -1 ? qname : qname.slice(colon + 1)).toLowerCase(),
      ns: undefined,
      key: '',
    };
    names.set(qname, info);
  }
  return info;
}

/**
 * Duplicate attributes are found by looking back over the names before (no Set allocated for
 * the usual one to three); above this many, with a Set, so that no tag costs quadratic time.
 */
const FEW_ATTRS = 16;

function lookupNs(prefix: string, el: XmlElement | null): string | undefined {
  for (let e = el; e; e = e.parent) {
    const d = e.nsDecl;
    if (d && d[prefix] !== undefined) return d[prefix];
  }
  if (prefix === 'xml') return XML_NS;
  return prefix === '' ? '' : undefined;
}

function makeElement(
  writtenName: string,
  /** name, value, name, value ... (null when none) */
  rawAttrs: string[] | null,
  parent: XmlElement | null,
  report: (msg: string) => void,
  names: NameCache,
): XmlElement {
  let nsDecl: Record<string, string> | null = null;
  if (rawAttrs) {
    for (let i = 0; i < rawAttrs.length; i += 2) {
      const n = rawAttrs[i] ?? '';
      if (n === 'xmlns') (nsDecl ??= {})[''] = rawAttrs[i + 1] ?? '';
      else if (n.startsWith('xmlns:')) (nsDecl ??= {})[n.slice(6)] = rawAttrs[i + 1] ?? '';
    }
  }
  const info = nameInfo(names, writtenName);
  const qname = info.qname;
  const el: XmlElement = {
    qname,
    key: '',
    local: '',
    ns: '',
    attrs: rawAttrs ? [] : NO_ATTRS,
    children: [],
    parent,
    nsDecl,
  };
  const prefix = info.prefix;
  let ns = lookupNs(prefix, el);
  if (ns === undefined) {
    report(`undeclared namespace prefix '${prefix}' on <${qname}>`);
    ns = '';
  }
  if (info.ns !== ns) {
    const canon = ns === '' ? prefix.toLowerCase() : canonicalPrefix(ns, prefix);
    info.key = canon === '' ? info.local : canon + ':' + info.local;
    info.ns = ns;
  }
  el.local = info.local;
  el.ns = ns;
  el.key = info.key;
  if (rawAttrs) {
    const seen = rawAttrs.length > 2 * FEW_ATTRS ? new Set<string>() : undefined;
    for (let i = 0; i < rawAttrs.length; i += 2) {
      const n = rawAttrs[i] ?? '';
      const v = rawAttrs[i + 1] ?? '';
      let duplicate = false;
      if (seen) {
        duplicate = seen.has(n);
        seen.add(n);
      } else for (let j = 0; j < i && !duplicate; j += 2) duplicate = rawAttrs[j] === n;
      if (duplicate) {
        report(`duplicate attribute ${n} on <${qname}>`);
        continue;
      }
      const a = nameInfo(names, n);
      let aprefix = '';
      if (a.qname.indexOf(':') !== -1) {
        const p = a.prefix;
        if (p === 'xmlns') aprefix = 'xmlns';
        else {
          const ans = lookupNs(p, el);
          aprefix = ans === undefined || ans === '' ? p.toLowerCase() : canonicalPrefix(ans, p);
        }
      }
      el.attrs.push({ qname: a.qname, local: a.local, prefix: aprefix, value: v });
    }
  }
  return el;
}

/** Skip a DOCTYPE, keeping its simple internal entity declarations. Returns the new position. */
function readDoctype(
  text: string,
  start: number,
  entities: Map<string, string>,
  report: (msg: string) => void,
  setDoctype: (d: string) => void,
): number {
  const bracket = text.indexOf('[', start);
  const gt = text.indexOf('>', start);
  if (gt === -1) {
    report('unterminated DOCTYPE');
    return text.length;
  }
  if (bracket === -1 || bracket > gt) {
    setDoctype(text.slice(start, gt + 1));
    return gt + 1;
  }
  const close = text.indexOf(']', bracket);
  if (close === -1) {
    report('unterminated DOCTYPE internal subset');
    return text.length;
  }
  const end = text.indexOf('>', close);
  const subset = text.slice(bracket + 1, close);
  setDoctype(text.slice(start, bracket));
  const re = /<!ENTITY\s+([^\s%]+)\s+(?:"([^"]*)"|'([^']*)')\s*>/g;
  for (let m = re.exec(subset); m; m = re.exec(subset)) {
    const name = group(m, 1);
    const value = m[2] ?? m[3] ?? '';
    // Only plain-text replacement values are honoured: no markup, no nested references, so no
    // entity-expansion bomb ("billion laughs") can grow the document.
    if (entities.size >= MAX_ENTITIES || value.length > MAX_ENTITY_LENGTH) {
      report(`entity ${name} ignored (limit)`);
    } else if (/[&<%]/.test(value)) {
      report(`entity ${name} references other entities or markup; not expanded`);
    } else entities.set(name, value);
  }
  return end === -1 ? text.length : end + 1;
}

/** The concatenated text of an element and its descendants. */
export function textContent(el: XmlElement): string {
  const kids = el.children;
  if (kids.length === 1 && typeof kids[0] === 'string') return kids[0];
  let out = '';
  for (const k of kids) out += typeof k === 'string' ? k : textContent(k);
  return out;
}

/** Whether an element has element children (as opposed to text only). */
export function hasElementChildren(el: XmlElement): boolean {
  for (const k of el.children) if (typeof k !== 'string') return true;
  return false;
}

/** An attribute value by lower-case local name (any namespace unless prefix is given). */
export function attr(el: XmlElement, local: string, prefix?: string): string | undefined {
  for (const a of el.attrs) {
    if (a.local === local && (prefix === undefined ? a.prefix !== 'xmlns' : a.prefix === prefix))
      return a.value;
  }
  return undefined;
}

const XHTML_NS = 'http://www.w3.org/1999/xhtml';
const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
]);

function escapeText(s: string): string {
  return s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

function escapeAttr(s: string): string {
  return s.replace(/[&<"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&quot;'));
}

/** Serialize the children of an element back to markup (XHTML elements lose their prefix). */
export function innerXml(el: XmlElement): string {
  let out = '';
  for (const k of el.children) out += typeof k === 'string' ? escapeText(k) : outerXml(k);
  return out;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
const MATHML_NS = 'http://www.w3.org/1998/Math/MathML';
/** Namespaces HTML knows by element name: their prefixes are dropped when serializing. */
const HTML_KNOWN_NS = new Set([XHTML_NS, SVG_NS, MATHML_NS]);

export function outerXml(el: XmlElement): string {
  const colon = el.qname.indexOf(':');
  const known = HTML_KNOWN_NS.has(el.ns);
  const name = known && colon !== -1 ? el.qname.slice(colon + 1) : el.qname;
  let out = '<' + name;
  let declared = false;
  for (const a of el.attrs) {
    if (a.qname === 'xmlns' || a.prefix === 'xmlns') {
      if (a.value === XHTML_NS || (HTML_KNOWN_NS.has(a.value) && a.qname !== 'xmlns')) continue;
      if (a.qname === 'xmlns') declared = true;
    }
    out += ' ' + a.qname + '="' + escapeAttr(a.value) + '"';
  }
  // SVG and MathML written with a prefix: declare the namespace where the island starts
  if (known && el.ns !== XHTML_NS && !declared && el.parent?.ns !== el.ns)
    out += ` xmlns="${el.ns}"`;
  if (el.children.length === 0) return VOID.has(el.local) ? out + ' />' : out + '></' + name + '>';
  return out + '>' + innerXml(el) + '</' + name + '>';
}

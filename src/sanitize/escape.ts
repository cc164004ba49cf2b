// Escaping for the serializer. Attribute values also escape '<' and '>': a value can then never
// look like a tag to a parser that mis-tracks the context (the noscript/title mutation XSS).

const TEXT_RE = /[&<>\r\u00a0]/g;
const ATTR_RE = /[&<>"\r\u00a0]/g;
const REPLACEMENTS: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\u00a0': '&nbsp;',
  // A raw CR would be read back as LF: escaped, the output parses to what was sanitized.
  '\r': '&#13;',
};
const replace = (c: string): string => REPLACEMENTS[c] ?? c;

/** Escape a text node. */
export function escapeText(text: string): string {
  TEXT_RE.lastIndex = 0;
  return TEXT_RE.test(text) ? text.replace(TEXT_RE, replace) : text;
}

/** Escape a double-quoted attribute value. */
export function escapeAttribute(value: string): string {
  ATTR_RE.lastIndex = 0;
  return ATTR_RE.test(value) ? value.replace(ATTR_RE, replace) : value;
}

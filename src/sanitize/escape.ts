// The one HTML escaper of the sanitizer and the URL rewriter. Attribute values also escape '<'
// and '>': a value can then never look like a tag to a parser that mis-tracks the context (the
// noscript/title mutation XSS). Attribute values are always written double-quoted.

const TEXT_RE = /[&<>\r\u00a0]/g;
const ATTRIBUTE_RE = /[&<>"\r\u00a0]/g;
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

/** Escape a text node (`'text'`) or a double-quoted attribute value (`'attribute'`). */
export function escapeHtml(value: string, context: 'text' | 'attribute'): string {
  const re = context === 'text' ? TEXT_RE : ATTRIBUTE_RE;
  re.lastIndex = 0;
  return re.test(value) ? value.replace(re, replace) : value;
}

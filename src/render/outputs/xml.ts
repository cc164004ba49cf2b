/** XML text helpers shared by the Atom, RSS and OPML writers. */

// Characters XML 1.0 forbids anywhere (C0 controls except TAB/LF/CR, U+FFFE/U+FFFF, lone surrogates).
const INVALID_XML =
  /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Any character that may be invalid (a cheap first look: surrogates are usually paired). */
const MAYBE_INVALID = /[\x00-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/;

/** Remove characters that may not appear in an XML 1.0 document. */
export function stripInvalidXml(text: string): string {
  return MAYBE_INVALID.test(text) ? text.replace(INVALID_XML, '') : text;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Escape for XML text and attribute values, dropping invalid characters. */
export function escapeXml(text: string | undefined): string {
  if (text === undefined) return '';
  const clean = stripInvalidXml(text);
  return /[&<>"']/.test(clean) ? clean.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c) : clean;
}

/** An element with escaped text, or '' when the value is absent. */
export function element(name: string, value: string | undefined, attrs = ''): string {
  if (value === undefined || value === '') return '';
  return `<${name}${attrs}>${escapeXml(value)}</${name}>`;
}

/** ` name="value"` with the value escaped, or '' when absent. */
export function attr(name: string, value: string | undefined): string {
  return value === undefined || value === '' ? '' : ` ${name}="${escapeXml(value)}"`;
}

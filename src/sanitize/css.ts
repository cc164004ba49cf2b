import { CSS_KEYWORDS, CSS_PROPERTIES, SVG_CSS_PROPERTIES } from './allowlists.js';

// feedparser's `sanitize_style`, regex for regex: a declaration list survives only if it is
// made of plain words, numbers, colours, quoted names and parenthesised number lists, and then
// only its allowlisted properties are kept. Anything cleverer (escapes, comments, expression(),
// url(), @import, unicode tricks) fails the gauntlet and the whole attribute is dropped.

// Python's `\w` and `\d` are Unicode-aware; the `u` flag with property escapes matches that.
const W = '[\\p{L}\\p{N}_]';
const URL_RE = /url\s*\(\s*[^\s)]+?\s*\)\s*/giu;
const GAUNTLET_RE = new RegExp(
  `^(?:[:,;#%.\\sa-zA-Z0-9!]|${W}-${W}|'[\\s\\p{L}\\p{N}_]+'|"[\\s\\p{L}\\p{N}_]+"|\\([\\p{Nd},\\s]+\\))*$`,
  'u',
);
const DECLARATION_RE = /\s*[-\p{L}\p{N}_]+\s*:\s*[^:;]*;?/gu;
const PROPERTY_RE = /([-\p{L}\p{N}_]+)\s*:\s*([^:;]*)/gu;
const VALID_VALUE_RE =
  /^(?:#[0-9a-f]+|rgb\(\d+%?,\d*%?,?\d*%?\)?|\d{0,2}\.?\d{0,2}(?:cm|em|ex|in|mm|pc|pt|px|%|,|\))?)$/;
const SHORTHAND_PREFIXES: ReadonlySet<string> = new Set([
  'background',
  'border',
  'margin',
  'padding',
]);

/** Longest style attribute examined; longer ones are dropped (bounds the regex work). */
const MAX_STYLE_LENGTH = 8192;

/**
 * Filter a `style` attribute value to feedparser's safe CSS subset.
 * Returns '' when nothing survives (the caller then drops the attribute).
 */
export function sanitizeStyle(style: string, inSvg = false): string {
  if (style.length > MAX_STYLE_LENGTH) return '';
  // Disallow urls (feedparser replaces them with a space before the gauntlet).
  const css = style.includes('(') ? style.replace(URL_RE, ' ') : style;
  if (!GAUNTLET_RE.test(css)) return '';
  if (css.replace(DECLARATION_RE, '').trim() !== '') return '';
  const clean: string[] = [];
  for (const match of css.matchAll(PROPERTY_RE)) {
    const prop = match[1] ?? '';
    const value = match[2] ?? '';
    if (!value) continue;
    const lower = prop.toLowerCase();
    if (CSS_PROPERTIES.has(lower)) {
      clean.push(`${prop}: ${value};`);
    } else if (SHORTHAND_PREFIXES.has(lower.split('-')[0] ?? '')) {
      const keywords = value.split(/\s+/).filter((k) => k !== '');
      if (keywords.every((k) => CSS_KEYWORDS.has(k) || VALID_VALUE_RE.test(k))) {
        clean.push(`${prop}: ${value};`);
      }
    } else if (inSvg && SVG_CSS_PROPERTIES.has(lower)) {
      clean.push(`${prop}: ${value};`);
    }
  }
  return clean.join(' ');
}

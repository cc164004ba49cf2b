import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { htmlToText, resolveHtmlUrls, sanitizeHtml } from './index.js';
import { loadCorpusHtml } from './testdata/corpus-html.js';
import { findHazards } from './testdata/find-hazards.js';
import { XSS_VECTORS } from './testdata/xss-vectors.js';

// Properties over random and mutated HTML: the output never holds an executable construct
// (proven by re-parsing it as a browser would) and sanitizing is idempotent.

const BASE = 'http://example.com/a/b';

const TAGS = [
  'a', 'label', 'fieldset', 'legend', 'datalist', 'output', 'optgroup', 'map', 'area', 'sup', 'b', 'p', 'div', 'span', 'img', 'table', 'tr', 'td', 'caption', 'select', 'option',
  'textarea', 'form', 'input', 'button', 'ul', 'li', 'pre', 'br', 'hr', 'video', 'source',
  'script', 'style', 'iframe', 'noscript', 'noembed', 'noframes', 'xmp', 'plaintext', 'title',
  'template', 'object', 'embed', 'applet', 'base', 'meta', 'link', 'svg', 'math', 'mi', 'mo',
  'mtext', 'mglyph', 'malignmark', 'annotation-xml', 'foreignObject', 'desc', 'circle', 'use',
  'animate', 'set', 'image', 'frameset', 'frame', 'body', 'html', 'head', 'isindex', 'keygen',
  'listing', 'font', 'h1', 'blockquote', 'details', 'dialog', 'marquee',
]; // biome-ignore format: keep the list compact
const ATTRS = [
  'href', 'src', 'srcset', 'style', 'onerror', 'onload', 'ONCLICK', 'title', 'id', 'class',
  'xlink:href', 'action', 'formaction', 'poster', 'background', 'attributeName', 'values', 'to',
  'srcdoc', 'data', 'encoding', 'xmlns', 'type', 'cite', 'ping', 'alt', 'name', 'tabindex',
  'autofocus', 'contenteditable', 'accesskey', 'headers', 'usemap', 'fill', 'form',
]; // biome-ignore format: keep the list compact
const VALUES = [
  'javascript:alert(1)', 'JaVa&#x09;ScRiPt:alert(1)', '&#106;avascript:alert(1)', ' \u0001javascript:x',
  'vbscript:x', 'data:text/html,<script>alert(1)</script>', 'data:image/png;base64,AAA',
  'http://ok.example/x', 'rel/x', '#f', '', 'href', 'xlink:href', 'onclick', 'body', 'cookie',
  'user-content-x', '#user-content-x', 'url(#g)', '\u00a0javascript:alert(1)', '\ufeffjavascript:x',
  'a b', '#', '//evil.example/x', 'http://ü.example/é',
  'color: red', 'width: expression(alert(1))', 'background: url(javascript:alert(1))',
  '</noscript><img src=x onerror=alert(1)>', '</style><script>alert(1)</script>',
  '"><script>alert(1)</script>', 'text/html', 'a.png 1x, javascript:alert(1) 2x',
]; // biome-ignore format: keep the list compact
const TEXTS = [
  'x', ' ', '&amp;', '&lt;', '&', '<', '>', '"', "'", '\n', '\u00a0', '&#0;', ']]>', '-->', '--!>',
  '<!--', '<![CDATA[', '<!', '</', '<?', 'alert(1)', '\u0000',
]; // biome-ignore format: keep the list compact

const attribute = fc
  .tuple(fc.constantFrom(...ATTRS), fc.constantFrom(...VALUES), fc.constantFrom('"', "'", ''))
  .map(([name, value, q]) =>
    q === ''
      ? ` ${name}=${value.replace(/[\s>]/g, '')}`
      : ` ${name}=${q}${value.replaceAll(q, '')}${q}`,
  );

const token = fc.oneof(
  fc
    .tuple(fc.constantFrom(...TAGS), fc.array(attribute, { maxLength: 3 }), fc.boolean())
    .map(([tag, attrs, selfClose]) => `<${tag}${attrs.join('')}${selfClose ? '/' : ''}>`),
  fc.constantFrom(...TAGS).map((tag) => `</${tag}>`),
  fc.constantFrom(...TEXTS),
  fc.constantFrom(...VALUES),
  fc.constantFrom(
    '<!-- c -->',
    '<!-->',
    '<!--->',
    '<!-- <script> -->',
    '<!--[if IE]>',
    '<![endif]-->',
  ),
);

const randomHtml = fc.array(token, { maxLength: 25 }).map((tokens) => tokens.join(''));

/** A known vector, mutated: tokens spliced in, ranges cut out, case flipped. */
const mutatedVector = fc
  .tuple(
    fc.constantFrom(...XSS_VECTORS.map(([, html]) => html)),
    fc.array(fc.tuple(fc.nat(), fc.nat(8), token, fc.boolean()), { minLength: 1, maxLength: 4 }),
  )
  .map(([html, edits]) => {
    let s = html;
    for (const [pos, cut, insert, upper] of edits) {
      const at = pos % (s.length + 1);
      s = s.slice(0, at) + insert + s.slice(at + cut);
      if (upper) s = s.toUpperCase();
    }
    return s;
  });

function checkSafeAndStable(html: string): void {
  // With a base (what parse() gives) and without (sanitizing text of unknown origin).
  for (const options of [{ baseUrl: BASE }, {}]) {
    const once = sanitizeHtml(html, options);
    expect(findHazards(once)).toEqual([]);
    const twice = sanitizeHtml(once, options);
    expect(twice).toBe(once);
  }
}

describe('sanitizeHtml properties', () => {
  it('random HTML: no executable construct survives, sanitizing is idempotent', () => {
    fc.assert(fc.property(randomHtml, checkSafeAndStable), { numRuns: 1500 });
  });

  it('mutated XSS vectors: no executable construct survives, sanitizing is idempotent', () => {
    fc.assert(fc.property(mutatedVector, checkSafeAndStable), { numRuns: 1500 });
  });

  it('arbitrary strings never throw', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        checkSafeAndStable(s);
        expect(typeof htmlToText(s)).toBe('string');
        expect(typeof resolveHtmlUrls(s, BASE)).toBe('string');
      }),
      { numRuns: 500 },
    );
  });
});

describe('sanitizeHtml on the real corpus', () => {
  it('every payload comes out harmless and stable', () => {
    const { items } = loadCorpusHtml();
    const failures: string[] = [];
    for (const html of items) {
      if (!html.includes('<')) continue;
      const once = sanitizeHtml(html, { baseUrl: BASE });
      const hazards = findHazards(once);
      if (hazards.length > 0) failures.push(`hazard ${hazards.join(', ')} in ${html.slice(0, 80)}`);
      else if (sanitizeHtml(once, { baseUrl: BASE }) !== once)
        failures.push(`unstable: ${html.slice(0, 80)}`);
    }
    expect(failures).toEqual([]);
  });
});

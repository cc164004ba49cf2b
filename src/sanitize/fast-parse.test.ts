import fc from 'fast-check';
import { parseFragment, serialize } from 'parse5';
import { describe, expect, it } from 'vitest';
import { fastParse } from './fast-parse.js';
import { loadCorpusHtml } from './testdata/corpus-html.js';

// Differential tests: whatever fastParse accepts, it must build the tree parse5 builds.

const reference = (html: string): string =>
  serialize(parseFragment(html, { scriptingEnabled: false }));

function checkSameTree(html: string): boolean {
  const fast = fastParse(html);
  if (fast === undefined) return false;
  expect(serialize(fast)).toBe(reference(html));
  return true;
}

const TAGS = [
  'p', 'div', 'span', 'a', 'b', 'i', 'em', 'strong', 'code', 'pre', 'ul', 'ol', 'li', 'dl', 'dd',
  'dt', 'h1', 'h2', 'h3', 'blockquote', 'img', 'br', 'hr', 'table', 'tr', 'td', 'font', 'sub',
  'o:p', 'center', 'section', 'figure', 'figcaption', 'input', 'select', 'option', 'button',
  'form', 'nobr', 'textarea', 'script', 'svg', 'math', 'wbr', 'source', 'video', 'label', 'P',
  'LI', 'A', 'Img', 'title', 'noscript', 'iframe', 'listing', 'image', 'object', 'th', 'tbody',
  'thead', 'tfoot', 'caption', 'col', 'colgroup', 'style', 'xmp', 'TD', 'Table', 'ruby', 'rt',
  'html', 'head', 'body', 'meta', 'link', 'base', 'BR',
]; // biome-ignore format: keep the list compact
const ATTRS = [
  ' href="http://x.example/?a=1&amp;b=2"', " title='it''s'", ' class=c', ' alt=""', ' checked',
  ' src=a/b.png', ' data-x="&lt;&gt;&quot;"', ' title="&amp"', ' title="&ampx"', ' title="&amp;x=1"',
  ' TITLE="U"', ' id=a id=b', ' style="color:red"', ' title="\n\r\n"', ' a=b/', ' x="y"z',
  ' =x', ' a="b\'', ' i$="1"', ' title=a&b', ' alt="&notin; &notit;"',
]; // biome-ignore format: keep the list compact
const TEXTS = [
  'x', ' ', '\n', '\r\n', '\r', '&amp;', '&amp', '&copy', '&#10;', '&#x80;', '&#0;', '&notit;',
  '&lt;', '<', ' < ', '<3', '>', '&', 'a&b', '\u00a0', '<!-- c -->', '<!---->', '<!-- -- -->',
  '<!-->', '<!DOCTYPE html>', '<?x?>', '<![CDATA[x]]>', '</>', '</ p>', '\0', '</br />', '</p>',
  '</img>', '<!doctype html public "a>b">', '&#10;', '&NewLine;x', '</body >',
]; // biome-ignore format: keep the list compact

const startTag = fc
  .tuple(
    fc.constantFrom(...TAGS),
    fc.array(fc.constantFrom(...ATTRS), { maxLength: 3 }),
    fc.boolean(),
  )
  .map(([t, a, slash]) => `<${t}${a.join('')}${slash ? '/' : ''}>`);
const endTag = fc.constantFrom(...TAGS).map((t) => `</${t}>`);

/** Mostly well-nested HTML, so that the fast path accepts a good share of cases. */
const nested: fc.Arbitrary<string> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...TEXTS),
    fc
      .tuple(
        fc.constantFrom(...TAGS),
        fc.array(fc.constantFrom(...ATTRS), { maxLength: 2 }),
        fc.array(tie('node'), { maxLength: 4 }),
        fc.boolean(),
      )
      .map(([t, a, kids, close]) => `<${t}${a.join('')}>${kids.join('')}${close ? `</${t}>` : ''}`),
  ),
})).node as fc.Arbitrary<string>;

/** Tables with optional end tags, sections, captions and nested content. */
const cell = fc
  .tuple(fc.constantFrom('td', 'th', 'TD'), nested, fc.boolean())
  .map(([t, inner, close]) => `<${t}>${inner}${close ? `</${t}>` : ''}`);
const row = fc
  .tuple(
    fc.array(cell, { maxLength: 3 }),
    fc.boolean(),
    fc.constantFrom('', '\n', ' x', '<!--c-->'),
  )
  .map(([cells, close, ws]) => `<tr>${ws}${cells.join('')}${close ? '</tr>' : ''}`);
const table = fc
  .tuple(
    fc.constantFrom('', '<caption>c</caption>', '<caption><b>c</caption>'),
    fc.constantFrom('', 'tbody', 'thead', 'tfoot'),
    fc.array(row, { maxLength: 3 }),
    fc.boolean(),
    fc.constantFrom('', '<p>', '<p><b>', '<a>', '<table><tr><td>'),
  )
  .map(
    ([caption, section, rows, closeSection, before]) =>
      `${before}<table>\n${caption}${section ? `<${section}>` : ''}${rows.join('')}${section && closeSection ? `</${section}>` : ''}</table>after`,
  );

const soup = fc
  .array(fc.oneof(startTag, endTag, fc.constantFrom(...TEXTS)), { maxLength: 20 })
  .map((a) => a.join(''));

describe('fastParse', () => {
  it('builds the tree parse5 builds for nested HTML (or declines)', () => {
    let accepted = 0;
    fc.assert(
      fc.property(nested, (html) => {
        if (checkSameTree(html)) accepted++;
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(300); // the fast path is exercised, not always declined
  });

  it('builds the tree parse5 builds for tables (or declines)', () => {
    let accepted = 0;
    fc.assert(
      fc.property(table, (html) => {
        if (checkSameTree(html)) accepted++;
      }),
      { numRuns: 2000 },
    );
    expect(accepted).toBeGreaterThan(200);
  });

  it('builds the tree parse5 builds for tag soup (or declines)', () => {
    fc.assert(
      fc.property(soup, (html) => void checkSameTree(html)),
      { numRuns: 3000 },
    );
  });

  it('accepts common feed markup', () => {
    const html =
      '<p>Hello <a href="https://x.example/a?b=1&amp;c=2" title=\'t\'>link</a> &amp; <em>more</em>.</p>\n' +
      '<ul><li>one</li><li><b>two</b></li></ul><pre>\ncode &lt;x&gt;</pre><img src=a.png alt=""><br/>' +
      '<!-- note --><h2>T</h2><blockquote><p>q</p></blockquote><div><span>s</span></div>' +
      '<table>\n<thead><tr><th>h</th></tr></thead><tr><td>a<td><b>b</b></tr><tr><td>c</table>' +
      '<p>para<p>graph<ul><li>a<li>b</ul><iframe src="v">fallback</iframe><script>x()</script>';
    expect(checkSameTree(html)).toBe(true);
  });

  it.each([
    ['ignored tag after pre', '<pre><html>\n'],
    ['doctype after pre', '<pre><!doctype x>\nx'],
    ['reference newline after pre', '<pre>&#10;x'],
    ['textarea reference newline', '<textarea>&#10;x</textarea>'],
    ['end tag in template mode', '</p><meta><p>x'],
    ['skip newline then table part', '<table><tr><td><pre><td>\n</table>'],
  ])('regression: %s builds the same tree', (_name, html) => {
    checkSameTree(html);
  });

  it.each([
    ['p closed by a block below a formatting element', '<p><b>a<div>b</div>'],
    ['misnested formatting', '<b><i>x</b></i>'],
    ['nested a', '<a>1<a>2</a></a>'],
    ['text in a table', '<table>x<tr><td>x</td></tr></table>'],
    ['implied li end across a div', '<ul><li><div>a<li>b</ul>'],
    ['escaped script data', '<script><!--<script>x</script>--></script>'],
    ['unterminated raw text', '<iframe>x'],
    ['foreign content', '<svg><circle/></svg>'],
    ['doctype without its end', '<!DOCTYPE html'],
    ['nul', 'a\0b'],
  ])('declines %s', (_name, html) => {
    expect(fastParse(html)).toBeUndefined();
  });

  it('builds the tree parse5 builds for every corpus payload it accepts', () => {
    const { items } = loadCorpusHtml();
    const markup = items.filter((s) => s.includes('<'));
    let accepted = 0;
    for (const html of markup) if (checkSameTree(html)) accepted++;
    console.log(`fastParse accepted ${accepted} of ${markup.length} corpus payloads with markup`);
  });
});

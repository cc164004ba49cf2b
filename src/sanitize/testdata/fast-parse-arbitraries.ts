// Test-only: fast-check generators of the HTML the fast parser is checked on against parse5
// (fast-parse.test.ts), shared by the random runs and by the committed, seeded case set
// (fast-parse-cases.json, written by `ORRERY_WRITE_CASES=1 npx vitest run
// src/sanitize/fast-parse.test.ts`).
import fc from 'fast-check';

const TAGS = [
  'p', 'div', 'span', 'a', 'b', 'i', 'em', 'strong', 'code', 'pre', 'ul', 'ol', 'li', 'dl', 'dd',
  'dt', 'h1', 'h2', 'h3', 'blockquote', 'img', 'br', 'hr', 'table', 'tr', 'td', 'font', 'sub',
  'o:p', 'center', 'section', 'figure', 'figcaption', 'input', 'select', 'option', 'button',
  'form', 'nobr', 'textarea', 'script', 'svg', 'math', 'wbr', 'source', 'video', 'label', 'P',
  'LI', 'A', 'Img', 'title', 'noscript', 'iframe', 'listing', 'image', 'object', 'th', 'tbody',
  'thead', 'tfoot', 'caption', 'col', 'colgroup', 'style', 'xmp', 'TD', 'Table', 'ruby', 'rt',
  'html', 'head', 'body', 'meta', 'link', 'base', 'BR', 'span', 'u', 's', 'small', 'strike', 'tt',
  'h4', 'article', 'path', 'circle', 'g', 'radialGradient', 'foreignObject', 'desc', 'use', 'rp',
  'rb', 'rtc',
]; // biome-ignore format: keep the list compact
const ATTRS = [
  ' href="http://x.example/?a=1&amp;b=2"', " title='it''s'", ' class=c', ' alt=""', ' checked',
  ' src=a/b.png', ' data-x="&lt;&gt;&quot;"', ' title="&amp"', ' title="&ampx"', ' title="&amp;x=1"',
  ' TITLE="U"', ' id=a id=b', ' style="color:red"', ' title="\n\r\n"', ' a=b/', ' x="y"z',
  ' =x', ' a="b\'', ' i$="1"', ' title=a&b', ' alt="&notin; &notit;"', ' href="x"target="y"',
  ' viewBox="0 0 1 1"', ' xlink:href="#a"', ' xmlns="http://www.w3.org/2000/svg"', ' xml:lang=en',
  ' color=red',
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
export const nested: fc.Arbitrary<string> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...TEXTS),
    fc
      .tuple(
        fc.constantFrom(...TAGS),
        fc.array(fc.constantFrom(...ATTRS), { maxLength: 2 }),
        fc.array(tie('node'), { maxLength: 4 }),
        // Mostly its own end tag; sometimes none, or another one (misnesting, stray end tags).
        fc.oneof(
          { weight: 4, arbitrary: fc.constant(true) },
          { weight: 1, arbitrary: fc.constant(false) },
          { weight: 1, arbitrary: fc.constantFrom(...TAGS) },
        ),
      )
      .map(
        ([t, a, kids, close]) =>
          `<${t}${a.join('')}>${kids.join('')}${close === true ? `</${t}>` : close ? `</${close}>` : ''}`,
      ),
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
    fc.constantFrom('<tr>', '<tr>', ''), // '': cells straight in the section (implied <tr>)
  )
  .map(([cells, close, ws, tr]) => `${tr}${ws}${cells.join('')}${close ? '</tr>' : ''}`);
export const table = fc
  .tuple(
    fc.constantFrom('', '<caption>c</caption>', '<caption><b>c</caption>'),
    fc.constantFrom(
      '',
      '<colgroup><col width="1"></col><col></colgroup>',
      '<colgroup span=2>\n<!--c--> <col/>',
      '<col><col>',
      '<colgroup></colgroup>\n<colgroup><col>',
      '<colgroup>x',
      '<colgroup><b>',
      '<colgroup></br>',
    ),
    fc.constantFrom('', 'tbody', 'thead', 'tfoot'),
    fc.array(row, { maxLength: 3 }),
    fc.boolean(),
    fc.constantFrom('', '<p>', '<p><b>', '<a>', '<table><tr><td>', '<p><i><b>x</p>'),
  )
  .map(
    ([caption, cols, section, rows, closeSection, before]) =>
      `${before}<table>\n${caption}${cols}${section ? `<${section}>` : ''}${rows.join('')}${section && closeSection ? `</${section}>` : ''}</table>after`,
  );

/** Formatting elements closed out of order, blocks closing over them, headings in <p>. */
const FORMATTING_SOUP = [
  '<b>', '<i>', '<a href="x">', '<em>', '<font color="red">', '<strong>', '<u>', '<span>', '<p>',
  '<div>', '<h2>', '<h3>', '<blockquote>', '<ul>', '<li>', '<pre>', '<br>', '<img src=a>', '<hr>',
  '<table><tr><td>', '<xmp>x</xmp>', '<td>', '</b>', '</i>', '</a>', '</em>', '</font>',
  '</strong>', '</u>', '</span>', '</p>', '</div>', '</h2>', '</h3>', '</blockquote>', '</ul>',
  '</li>', '</pre>', '</table>', '</td>', '</section>', '</code>', '</br>', 'x', ' ', '\n',
  '<!--c-->', '<svg>', '</svg>', '<ruby>', '<rt>', '<rp>', '<rtc>', '<rb>', '</ruby>', '</rt>',
  '</tr>', '</td></td>',
]; // biome-ignore format: keep the list compact
export const formattingSoup = fc
  .array(fc.constantFrom(...FORMATTING_SOUP), { maxLength: 24 })
  .map((a) => a.join(''));

/** Inline SVG as feeds carry it (icons, charts), in and around HTML. */
const SVG_TAGS = [
  'path', 'circle', 'g', 'defs', 'radialGradient', 'linearGradient', 'stop', 'use', 'clipPath',
  'text', 'title', 'desc', 'foreignObject', 'style', 'script', 'a', 'font', 'td', 'svg', 'b',
  'p', 'html', 'image', 'FeGaussianBlur', 'math', 'iframe', 'textarea', 'span',
]; // biome-ignore format: keep the list compact
const SVG_ATTRS = [
  ' viewBox="0 0 10 10"', ' d="M0,0 L1,1"', ' xlink:href="#g"', ' xmlns:xlink="http://www.w3.org/1999/xlink"',
  ' xml:space="preserve"', ' gradientUnits=userSpaceOnUse', ' FILL="red"', ' color="red"',
  ' preserveaspectratio="none"', ' href="https://x.example/&amp;"', ' class=c',
]; // biome-ignore format: keep the list compact
const svgNode: fc.Arbitrary<string> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('x', ' ', '\n', '&amp;', '<!--c-->', '<b>', '</p>', '</br>', '</svg>', '<br>'),
    fc
      .tuple(
        fc.constantFrom(...SVG_TAGS),
        fc.array(fc.constantFrom(...SVG_ATTRS), { maxLength: 2 }),
        fc.array(tie('node'), { maxLength: 3 }),
        fc.constantFrom('open', 'open', 'self', 'unclosed', 'upper'),
      )
      .map(([t, a, kids, mode]) =>
        mode === 'self'
          ? `<${t}${a.join('')}/>`
          : `<${t}${a.join('')}>${kids.join('')}${mode === 'unclosed' ? '' : `</${mode === 'upper' ? t.toUpperCase() : t}>`}`,
      ),
  ),
})).node as fc.Arbitrary<string>;
export const svg = fc
  .tuple(
    fc.constantFrom('', '<p>', '<b>', '<p><a href="x">', '<table><tr><td>', '<table>', '<i><p>'),
    fc.array(fc.constantFrom(...SVG_ATTRS), { maxLength: 3 }),
    fc.array(svgNode, { maxLength: 4 }),
    fc.constantFrom('</svg>', '</svg>', '', '<svg/>', '</SVG>'),
    fc.constantFrom('', 'after', '<p>after</b>', '</p>x'),
  )
  .map(
    ([before, a, kids, end, after]) => `${before}<svg${a.join('')}>${kids.join('')}${end}${after}`,
  );

export const soup = fc
  .array(fc.oneof(startTag, endTag, fc.constantFrom(...TEXTS)), { maxLength: 20 })
  .map((a) => a.join(''));

/** Every family, by the name the committed cases carry. */
export const FAMILIES = { nested, table, formattingSoup, svg, soup } as const;

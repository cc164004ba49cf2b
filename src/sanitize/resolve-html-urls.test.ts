import fc from 'fast-check';
import { type DefaultTreeAdapterTypes, html, parseFragment, serialize } from 'parse5';
import { describe, expect, it } from 'vitest';
import { URL_ATTRIBUTES, URL_LIST_ATTRIBUTES } from './allowlists.js';
import { findBaseHref } from './find-base.js';
import { resolveHtmlUrls } from './resolve-html-urls.js';
import { loadCorpusHtml } from './testdata/corpus-html.js';
import { mapUrlList, resolveContentUrl } from './urls.js';

const base = 'https://example.com/blog/post/';

describe('resolveHtmlUrls', () => {
  it.each([
    ['<a href="/x">x</a>', '<a href="https://example.com/x">x</a>'],
    ['<img src=\'pic.png\' alt="a">', '<img src="https://example.com/blog/post/pic.png" alt="a">'],
    ['<img src=pic.png>', '<img src="https://example.com/blog/post/pic.png">'],
    ['<a href="https://other.example/">o</a>', '<a href="https://other.example/">o</a>'],
    ['<a href="#top">t</a>', '<a href="#top">t</a>'],
    ['<a href="mailto:a@b.c">m</a>', '<a href="mailto:a@b.c">m</a>'],
    ['<a href="?a=1&amp;b=2">q</a>', '<a href="https://example.com/blog/post/?a=1&amp;b=2">q</a>'],
    [
      '<img srcset="a.png 1x, /b.png 2x">',
      '<img srcset="https://example.com/blog/post/a.png 1x, https://example.com/b.png 2x">',
    ],
    [
      '<!-- <a href="/c"> --><p title="a > b">t</p>',
      '<!-- <a href="/c"> --><p title="a > b">t</p>',
    ],
    [
      '<script>var s = "<a href=\'/s\'>";</script><a href="/a">a</a>',
      '<script>var s = "<a href=\'/s\'>";</script><a href="https://example.com/a">a</a>',
    ],
    [
      '<base href="https://cdn.example/">a <img src="i.png">',
      '<base href="https://cdn.example/">a <img src="https://cdn.example/i.png">',
    ],
    ['1 < 2 and <b>bold</b>', '1 < 2 and <b>bold</b>'],
  ])('%s', (input, expected) => {
    expect(resolveHtmlUrls(input, base)).toBe(expected);
  });

  it('returns the very same string when nothing is relative', () => {
    const html = '<p>Hello <a href="https://example.org/">world</a></p>';
    expect(resolveHtmlUrls(html, base)).toBe(html);
  });
});

const SANITIZE_BASE = 'http://example.com/blog/post/';

describe('resolveHtmlUrls: what it rewrites', () => {
  it('resolves without sanitizing', () => {
    const out = resolveHtmlUrls(
      '<a href="x" onclick="f()">x</a><script src="s.js"></script>',
      SANITIZE_BASE,
    );
    expect(out).toBe(
      '<a href="http://example.com/blog/post/x" onclick="f()">x</a><script src="http://example.com/blog/post/s.js"></script>',
    );
  });

  it.each([
    [
      'srcset',
      '<img srcset="a.png 1x, b.png 2x">',
      '<img srcset="http://example.com/blog/post/a.png 1x, http://example.com/blog/post/b.png 2x">',
    ],
    [
      'poster',
      '<video poster="p.jpg"></video>',
      '<video poster="http://example.com/blog/post/p.jpg"></video>',
    ],
    [
      'absolute untouched',
      '<a href="javascript:void(0)">x</a>',
      '<a href="javascript:void(0)">x</a>',
    ],
    [
      'base element',
      '<base href="http://o.example/"><img src="i.png">',
      '<base href="http://o.example/"><img src="http://o.example/i.png">',
    ],
    ['plain text', 'no markup & co', 'no markup & co'],
    ['IRI', '<a href="&#192;">uri</a>', '<a href="http://example.com/blog/post/À">uri</a>'],
  ])('%s', (_name, input, expected) => {
    expect(resolveHtmlUrls(input, SANITIZE_BASE)).toBe(expected);
  });
});

describe('resolveHtmlUrls: reads tags as the HTML tokenizer does', () => {
  it.each([
    [
      'unquoted value',
      '<img src=pic.png alt=x>',
      '<img src="https://example.com/blog/post/pic.png" alt=x>',
    ],
    [
      'slash between attributes',
      '<img/src="a.png"/alt="">',
      '<img/src="https://example.com/blog/post/a.png"/alt="">',
    ],
    ['spaces around =', '<a href = "/x" >x</a>', '<a href="https://example.com/x" >x</a>'],
    ['upper-case name', '<A HREF="/x">x</A>', '<A HREF="https://example.com/x">x</A>'],
    [
      'character references decoded',
      '<a href="/a?x=1&#38;y=&lt;">q</a>',
      '<a href="https://example.com/a?x=1&amp;y=%3C">q</a>',
    ],
    [
      'quote inside an unquoted value',
      "<a title=it's href=/x>t</a>",
      '<a title=it\'s href="https://example.com/x">t</a>',
    ],
    ['same-document reference kept', '<a href="#fn1">1</a>', '<a href="#fn1">1</a>'],
    [
      'empty href is the base document',
      '<a href="">self</a>',
      '<a href="https://example.com/blog/post/">self</a>',
    ],
    [
      'ping list',
      '<a href="https://o.example/" ping="/p1 p2">x</a>',
      '<a href="https://o.example/" ping="https://example.com/p1 https://example.com/blog/post/p2">x</a>',
    ],
    [
      'object data',
      '<object data="movie.swf"></object><span data="x">',
      '<object data="https://example.com/blog/post/movie.swf"></object><span data="x">',
    ],
    [
      'srcset with commas in a data URL',
      '<img srcset="data:image/png;base64,iVBO,RK 1x, b.png 2x">',
      '<img srcset="data:image/png;base64,iVBO,RK 1x, https://example.com/blog/post/b.png 2x">',
    ],
    ['IRI kept', '<a href="é">e</a>', '<a href="https://example.com/blog/post/é">e</a>'],
    [
      'textarea text is not markup',
      '<textarea><a href="/t"></textarea><a href="/a">',
      '<textarea><a href="/t"></textarea><a href="https://example.com/a">',
    ],
    ['title text is not markup', '<title><img src=i></title>', '<title><img src=i></title>'],
    [
      'comment closed by --!>',
      '<!-- x --!><a href="/a">',
      '<!-- x --!><a href="https://example.com/a">',
    ],
    ['abrupt empty comment', '<!--><a href="/a">', '<!--><a href="https://example.com/a">'],
    [
      'bogus comment',
      '<? <a href="/b"> ?><a href="/a">',
      '<? <a href="/b"> ?><a href="https://example.com/a">',
    ],
    ['end tag attributes are not rewritten', '</a href="/x"><b>', '</a href="/x"><b>'],
    ['unterminated value: the tag never ends', '<a href="/x>y', '<a href="/x>y'],
    ['a tag cut off at the end is no tag', 'link: <a href=/x title=', 'link: <a href=/x title='],
    ['not a doctype: a bogus comment', '<!\' <a href="foo">', '<!\' <a href="foo">'],
    [
      'only the first base element counts, wherever it is',
      '<a href="x">x</a><base href="https://one.example/d/"><base href="https://two.example/">',
      '<a href="https://one.example/d/x">x</a><base href="https://one.example/d/"><base href="https://two.example/">',
    ],
    [
      'a javascript: base is ignored',
      '<base href="javascript:alert(1)//"><a href="x">x</a>',
      '<base href="javascript:alert(1)//"><a href="https://example.com/blog/post/x">x</a>',
    ],
  ])('%s', (_name, input, expected) => {
    expect(resolveHtmlUrls(input, base)).toBe(expected);
  });
});

/** As the sanitizer parses: <noscript> content is markup, its URLs resolved. */
const NO_SCRIPTING = { scriptingEnabled: false };

/** The reference: parse5's tree with the URL attributes resolved by the same rules. */
function resolvedTree(source: string): string {
  const fragment = parseFragment(source, NO_SCRIPTING);
  const baseHref = findBaseHref(fragment, source);
  const against = baseHref ? (baseHref(base) ?? base) : base;
  const stack: DefaultTreeAdapterTypes.ParentNode[] = [fragment];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if ('attrs' in node && !(node.tagName === 'base' && node.namespaceURI === html.NS.HTML)) {
      for (const attr of node.attrs) {
        const name = attr.prefix ? `${attr.prefix}:${attr.name}` : attr.name;
        if (URL_ATTRIBUTES.has(name) || (name === 'data' && node.tagName === 'object')) {
          attr.value = resolveContentUrl(attr.value, against);
        } else if (URL_LIST_ATTRIBUTES.has(name)) {
          // A list is rewritten (its spacing normalized) only when one of its URLs changes.
          let changed = false;
          const list = mapUrlList(attr.value, name === 'srcset', (u) => {
            const r = resolveContentUrl(u, against);
            changed ||= r !== u;
            return r;
          });
          if (changed) attr.value = list ?? '';
        }
      }
    }
    const kids =
      node.nodeName === 'template' && 'content' in node
        ? (node as DefaultTreeAdapterTypes.Template).content.childNodes
        : node.childNodes;
    for (const child of kids) if ('childNodes' in child) stack.push(child);
  }
  return serialize(fragment);
}

// biome-ignore format: keep the list compact
const TAGS = [
  'a', 'img', 'p', 'b', 'base', 'textarea', 'title', 'script', 'style', 'object', 'video',
  'source', 'blockquote', 'xmp', 'div', 'iframe', 'noscript', 'template', 'table', 'td',
];

const ATTRS = [
  ' href="/x"', " href='y z'", ' href=w', ' src="i.png"', ' srcset="a.png 1x, /b.png 2x"',
  ' ping="p q"', ' data="d"', ' cite=c', ' poster="p.jpg"', ' href="https://o.example/"',
  ' href="#f"', ' href=""', ' href="&amp;x&#61;1"', ' href="é"', ' title="a > b"', ' alt=\'"\'',
  ' href="https://base.example/d/"', ' href="javascript:x"', '/', ' x=', ' =y',
]; // biome-ignore format: keep the list compact
const TOKENS = ['x', ' ', '<', '>', '&', '"', "'", '<!-- c -->', '<!-->', '<!-- --!>', '<?p>', '</>', '</a x="<b>">']; // biome-ignore format: keep the list compact

function markupOf(tags: string[]): fc.Arbitrary<string> {
  return fc
    .array(
      fc.oneof(
        fc
          .tuple(fc.constantFrom(...tags), fc.array(fc.constantFrom(...ATTRS), { maxLength: 3 }))
          .map(([t, a]) => `<${t}${a.join('')}>`),
        fc.constantFrom(...tags).map((t) => `</${t}>`),
        fc.constantFrom(...TOKENS),
      ),
      { maxLength: 16 },
    )
    .map((parts) => parts.join(''));
}

/** Well-nested inline SVG and MathML, as feeds carry them (integration points not modelled). */
const foreign: fc.Arbitrary<string> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom('x', '<circle r="1"/>', '<style>a{}<a href="/s"></style>', '<xmp>t</xmp>'),
    fc
      .tuple(
        fc.constantFrom('g', 'a', 'style', 'script', 'textarea', 'mrow', 'iframe'),
        fc.array(fc.constantFrom(...ATTRS.filter((a) => a !== '/')), { maxLength: 2 }),
        fc.array(tie('node'), { maxLength: 3 }),
      )
      .map(([t, a, kids]) => `<${t}${a.join('')}>${kids.join('')}</${t}>`),
  ),
})).node as fc.Arbitrary<string>;
const foreignMarkup = fc
  .array(
    fc.oneof(
      fc
        .tuple(fc.constantFrom('svg', 'math'), fc.array(foreign, { maxLength: 4 }))
        .map(([root, kids]) => `<${root}>${kids.join('')}</${root}>`),
      markupOf(TAGS),
    ),
    { maxLength: 4 },
  )
  .map((parts) => parts.join(''));

describe('resolveHtmlUrls against the tree a browser builds', () => {
  const check = (input: string): void => {
    const out = resolveHtmlUrls(input, base);
    expect(serialize(parseFragment(out, NO_SCRIPTING))).toBe(resolvedTree(input));
  };

  it('resolves the URLs parse5 sees, and only those, leaving the rest of the tree alone', () => {
    fc.assert(fc.property(markupOf(TAGS), check), { numRuns: 3000 });
  });

  it('the same in inline SVG and MathML', () => {
    fc.assert(fc.property(foreignMarkup, check), { numRuns: 2000 });
  });
});

describe('resolveHtmlUrls on the real corpus', () => {
  it('resolves what parse5 sees as URLs in every payload', () => {
    const { items } = loadCorpusHtml();
    const differ = items.filter((item) => {
      const out = resolveHtmlUrls(item, base);
      return serialize(parseFragment(out, NO_SCRIPTING)) !== resolvedTree(item);
    });
    expect(differ.map((d) => d.slice(0, 120))).toEqual([]);
  });
});

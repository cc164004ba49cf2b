// biome-ignore lint/style/noRestrictedImports: test-only, reads and (on request) writes its case file
import { readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { type DefaultTreeAdapterTypes, parseFragment, serialize } from 'parse5';
import { describe, expect, it } from 'vitest';
import { fastParse } from './fast-parse.js';
import { loadCorpusHtml } from './testdata/corpus-html.js';
import {
  FAMILIES,
  formattingSoup,
  nested,
  soup,
  svg,
  table,
} from './testdata/fast-parse-arbitraries.js';

// Differential tests: whatever fastParse accepts, it must build the tree parse5 builds.

type Node = DefaultTreeAdapterTypes.Node;

/** The tree as text, with what serialize() leaves out: namespaces of elements and attributes. */
function dump(root: Node): string {
  const out: string[] = [];
  const walk = (node: Node, depth: number): void => {
    const pad = ' '.repeat(depth);
    if (node.nodeName === '#text')
      out.push(`${pad}"${(node as DefaultTreeAdapterTypes.TextNode).value}"`);
    else if (node.nodeName === '#comment')
      out.push(`${pad}<!--${(node as DefaultTreeAdapterTypes.CommentNode).data}-->`);
    else if ('tagName' in node) {
      const attrs = node.attrs.map(
        (a) => ` ${a.namespace ?? ''}|${a.prefix ?? ''}|${a.name}="${a.value}"`,
      );
      out.push(`${pad}<${node.namespaceURI} ${node.tagName}${attrs.join('')}>`);
    }
    if ('childNodes' in node) for (const c of node.childNodes) walk(c, depth + 1);
  };
  walk(root, 0);
  return out.join('\n');
}

const reference = (html: string) => parseFragment(html, { scriptingEnabled: false });

function checkSameTree(html: string): boolean {
  const fast = fastParse(html);
  if (fast === undefined) return false;
  const ref = reference(html);
  expect(serialize(fast)).toBe(serialize(ref));
  expect(dump(fast)).toBe(dump(ref));
  return true;
}

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

  it('builds the tree parse5 builds for misnested formatting (or declines)', () => {
    let accepted = 0;
    fc.assert(
      fc.property(formattingSoup, (html) => {
        if (checkSameTree(html)) accepted++;
      }),
      { numRuns: 4000 },
    );
    expect(accepted).toBeGreaterThan(800);
  });

  it('builds the tree parse5 builds for inline SVG (or declines)', () => {
    let accepted = 0;
    fc.assert(
      fc.property(svg, (html) => {
        if (checkSameTree(html)) accepted++;
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(600);
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

  // Constructs the fast path models since the corpus measurement of session 3 (each one seen in
  // the shared corpus); each must be accepted and build parse5's tree.
  it.each([
    ['p closed by a block below a formatting element', '<p><b>a<div>b</div>c'],
    ['misnested formatting', '<b><i>x</b></i>'],
    ['misnested formatting, then text', '<b><i>x</b>y</i>z'],
    ['FeedForAll', 'a<i><font color="#0000FF">b <br> c </i></font>d'],
    ['FeedForAll 2', 'a <b><i><br> </b></i><br> b'],
    [
      'heading in a p holding a link',
      '<p><a class=anchor href="#h"><h2 id="h">T</h2></a> <p>x <i>y</i>',
    ],
    [
      'heading end tag over an open span',
      '<h2><strong>a</strong> <span class="t">b</h2><div>c</div>',
    ],
    ['block end tag over an open span', '<div><div><span/><br /></div></div>'],
    ['stray end tags', '</div>a</a><b>x</code>y</b></section></div>'],
    ['other end tag ignored at a p', '<div><span><p>a</span>b</p></div>'],
    ['p end tag over a span', '<ul><li><p>a<span>b</p></li><li>c</ul>'],
    ['a start tag with a stale a', '<p><a href=1>x<div><a href=2>z</a>w</div>'],
    ['other end tag ignored in a cell', '<span><table><tr><td>a</span>b</table>c'],
    ['heading after heading', '<h2>a<h3>b</h3>'],
    [
      'th without tr',
      '<table><tbody><tr><td>a</td></tr> <th>h</th><th>i</th></tr></tbody></table>',
    ],
    ['td directly in a table', '<table><td>a<td>b</table>'],
    ['td end tag after its cell', '<table><tr><td><div>a</div></td></td></tr><tr><td>b</table>'],
    [
      'ruby',
      '<figure><ruby style="x">猫<rt>ねこ</rt></ruby> <ruby>a<rp>(<rt>b<rp>)<rtc>c<rt>d</ruby></figure>',
    ],
    [
      'colgroup',
      '<table style="x"><colgroup><col width="25%"></col><col width="25%"></col></colgroup><tbody><tr><td>a</td></tr></tbody></table>',
    ],
    ['col without colgroup', '<table> <col class="c" /> <col /> <tr><td>a</table>'],
    [
      'attribute right after a quoted value',
      '<a href="https://x.example/?a=1"target="_blank"><img src="a"alt=""></a>',
    ],
    ['iframe never closed', "<p>a<iframe src=\"https://x.example/v\" class='v' FRAMEBORDER='0' />"],
    [
      'svg icon',
      '<p>x<svg xmlns="http://www.w3.org/2000/svg" width="100" viewBox="0 0 100 100"> <defs> <radialGradient id="g" cx="50%"><stop offset="0"/></radialGradient> </defs> <path d="M10,90z" fill="url(#g)"/><use xlink:href="#g"/></svg> y</p>',
    ],
    [
      'svg title text',
      '<svg><title>T &amp; U</title><desc>d</desc><style>a > b {}</style><a href="x">t</a></svg>',
    ],
  ])('models %s', (_name, html) => {
    expect(checkSameTree(html)).toBe(true);
  });

  it.each([
    ['nested a', '<a>1<a>2</a></a>'],
    ['text in a table', '<table>x<tr><td>x</td></tr></table>'],
    ['implied li end across a div', '<ul><li><div>a<li>b</ul>'],
    ['escaped script data', '<script><!--<script>x</script>--></script>'],
    ['formatting end tag with a furthest block', '<b>1<p>2</b>3'],
    ["formatting end tag after Noah's Ark", '<b><b><b><b><i>x</b>y'],
    ['a start tag with an open a', '<p><a href=1>x<div>y<a href=2>z</a></div>'],
    ['MathML', '<math><mi>x</mi></math>'],
    ['HTML in an SVG integration point', '<svg><foreignObject><p>x</p></foreignObject></svg>'],
    ['HTML breaking out of SVG', '<svg><p>x</p></svg>'],
    ['SVG end tag closing below', '<svg><g><path></svg>'],
    ['SVG in a table', '<table><svg></svg></table>'],
    ['raw text in a colgroup', '<table><colgroup><style>x</style></table>'],
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

// The committed, seeded differential set: inputs the fast parser accepted when the file was
// written, drawn from the generators above with a fixed seed. Unlike the random runs it is the
// same on every machine and every fast-check version, so a regression shows on the case that
// caught it. Rewrite it (after a change to the generators) with
//   ORRERY_WRITE_CASES=1 npx vitest run src/sanitize/fast-parse.test.ts
const CASES_FILE = new URL('./testdata/fast-parse-cases.json', import.meta.url);
const CASES_SEED = 20_260_513;
const CASES_PER_FAMILY = 300;

interface CaseFile {
  seed: number;
  cases: Record<keyof typeof FAMILIES, string[]>;
}

function writeCases(): void {
  const cases = {} as CaseFile['cases'];
  Object.entries(FAMILIES).forEach(([family, arbitrary], i) => {
    const accepted = new Set<string>();
    for (const html of fc.sample(arbitrary, {
      seed: CASES_SEED + i,
      numRuns: 20 * CASES_PER_FAMILY,
    })) {
      if (accepted.size < CASES_PER_FAMILY && fastParse(html) !== undefined) accepted.add(html);
    }
    cases[family as keyof typeof FAMILIES] = [...accepted];
  });
  writeFileSync(CASES_FILE, `${JSON.stringify({ seed: CASES_SEED, cases }, null, 1)}\n`);
}

describe('fastParse: the committed differential cases', () => {
  if (process.env.ORRERY_WRITE_CASES === '1') writeCases();
  const file = JSON.parse(readFileSync(CASES_FILE, 'utf8')) as CaseFile;

  it.each(Object.keys(FAMILIES) as (keyof typeof FAMILIES)[])(
    '%s: same tree as parse5',
    (family) => {
      const cases = file.cases[family];
      expect(cases.length).toBeGreaterThan(CASES_PER_FAMILY / 2);
      const declined = cases.filter((html) => !checkSameTree(html));
      // Declining is always safe (parse5 takes over) but loses the case: say so when it happens.
      expect(declined).toEqual([]);
    },
  );
});

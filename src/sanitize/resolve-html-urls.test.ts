import { describe, expect, it } from 'vitest';
import { resolveHtmlUrls } from './resolve-html-urls.js';

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

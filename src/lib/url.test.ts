import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalizeUrl, cleanUrl, resolveUrl, urlScheme } from './url.js';

describe('canonicalizeUrl', () => {
  it.each([
    // scheme and host
    ['http://Example.COM/a', 'https://example.com/a'],
    ['HTTPS://example.com/a', 'https://example.com/a'],
    ['https://example.com./a', 'https://example.com/a'],
    // ports
    ['http://example.com:80/a', 'https://example.com/a'],
    ['https://example.com:443/a', 'https://example.com/a'],
    ['http://example.com:8080/a', 'https://example.com:8080/a'],
    // trailing slash, root, fragment
    ['https://example.com/2009/07/06/post/', 'https://example.com/2009/07/06/post'],
    ['https://example.com/post//', 'https://example.com/post'],
    ['https://example.com/', 'https://example.com/'],
    ['https://example.com', 'https://example.com/'],
    ['https://example.com/post#comments', 'https://example.com/post'],
    ['https://example.com/#top', 'https://example.com/'],
    // tracking parameters and query order
    ['https://example.com/p?utm_source=rss&utm_medium=feed', 'https://example.com/p'],
    ['https://example.com/p?b=2&utm_campaign=x&a=1', 'https://example.com/p?a=1&b=2'],
    ['https://example.com/p?fbclid=abc&id=7', 'https://example.com/p?id=7'],
    ['https://example.com/p?UTM_Source=x', 'https://example.com/p'],
    ['https://example.com/?p=439', 'https://example.com/?p=439'],
    ['https://example.com/p?a=2&a=1', 'https://example.com/p?a=1&a=2'],
    ['https://example.com/p?', 'https://example.com/p'],
    // escapes: unreserved characters decoded, others upper-cased
    ['https://example.com/%7Euser/a%2fb', 'https://example.com/~user/a%2Fb'],
    ['https://example.com/caf%c3%a9', 'https://example.com/caf%C3%A9'],
    // whitespace around, path case kept
    ['  https://example.com/CaseMatters  ', 'https://example.com/CaseMatters'],
  ])('%s → %s', (input, expected) => {
    expect(canonicalizeUrl(input)).toBe(expected);
  });

  it.each([
    ['not a url'],
    [''],
    ['mailto:someone@example.com'],
    ['tag:example.com,2009:post-1'],
    ['ftp://example.com/file'],
    ['javascript:alert(1)'],
    ['http://'],
  ])('%j is not a canonical web URL', (input) => {
    expect(canonicalizeUrl(input)).toBeUndefined();
  });

  it('folds the variants a planet meets into one key', () => {
    const variants = [
      'http://blogs.gnome.org/jamesh/2009/07/06/watching-iview-with-rygel/',
      'https://blogs.gnome.org/jamesh/2009/07/06/watching-iview-with-rygel',
      'http://BLOGS.gnome.org:80/jamesh/2009/07/06/watching-iview-with-rygel/#comments',
      'https://blogs.gnome.org/jamesh/2009/07/06/watching-iview-with-rygel/?utm_source=planet',
    ];
    expect(new Set(variants.map((v) => canonicalizeUrl(v))).size).toBe(1);
  });

  it('resolves against a base', () => {
    expect(canonicalizeUrl('/post/1/', 'http://example.com/feed')).toBe(
      'https://example.com/post/1',
    );
  });
});

describe('canonicalizeUrl properties', () => {
  it('is idempotent and always yields an https URL or undefined', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.string()),
        (url) => {
          const once = canonicalizeUrl(url);
          if (once === undefined) return;
          expect(once.startsWith('https://')).toBe(true);
          expect(canonicalizeUrl(once)).toBe(once);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('does not care about scheme, trailing slash or fragment', () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true }), (url) => {
        const u = new URL(url);
        const variant = new URL(url);
        variant.protocol = u.protocol === 'https:' ? 'http:' : 'https:';
        if (!variant.pathname.endsWith('/')) variant.pathname += '/';
        variant.hash = 'comments';
        expect(canonicalizeUrl(variant.href)).toBe(canonicalizeUrl(url));
      }),
      { numRuns: 300 },
    );
  });
});

describe('resolveUrl (the one resolver)', () => {
  const base = 'http://example.com/blog/post/';
  it.each([
    // RFC 3986 §5.4 examples, through the WHATWG parser
    ['g', 'http://a/b/c/d;p?q', 'http://a/b/c/g'],
    ['../g', 'http://a/b/c/d;p?q', 'http://a/b/g'],
    ['//g', 'http://a/b/c/d;p?q', 'http://g/'],
    ['?y', 'http://a/b/c/d;p?q', 'http://a/b/c/d;p?y'],
    ['#s', 'http://a/b/c/d;p?q', 'http://a/b/c/d;p?q#s'],
    ['', 'http://a/b/c/d;p?q', 'http://a/b/c/d;p?q'],
    ['../../../g', 'http://a/b/c/d;p?q', 'http://a/g'],
    // absolute references come back as written (cleaned as the URL parser reads them)
    ['HTTP://Example.COM/a b', base, 'HTTP://Example.COM/a b'],
    ['mailto:a@b.example', base, 'mailto:a@b.example'],
    [' \tjava\nscript:x ', base, 'javascript:x'],
    // no base, or an unusable one: the reference as written
    ['../x', undefined, '../x'],
    ['x', 'not a url', 'x'],
    ['//[bad', base, '//[bad'],
    // IRIs stay IRIs: non-ASCII in the reference, in the base path, in the host
    ['À/é%20x', base, 'http://example.com/blog/post/À/é%20x'],
    ['y', 'http://例え.jp/パス/', 'http://例え.jp/パス/y'],
    ['/z', 'https://bücher.example:8080/a', 'https://bücher.example:8080/z'],
    ['//bücher.example/p', 'https://a.example/', 'https://bücher.example/p'],
    ['../ü', 'http://example.com/a/b/', 'http://example.com/a/ü'],
    // what an IRI must not show as itself stays escaped: controls, spaces, bidi marks
    ['%E2%80%AE/ü', base, 'http://example.com/blog/post/%E2%80%AE/ü'],
    ['\u00a0/ü', base, 'http://example.com/blog/post/%C2%A0/ü'],
    ['%C3/ü', base, 'http://example.com/blog/post/%C3/ü'],
  ])('%j against %j → %j', (ref, against, expected) => {
    expect(resolveUrl(ref, against)).toBe(expected);
  });

  it('reads a reference as the URL parser does: U+00A0 is not whitespace to it', () => {
    expect(cleanUrl('\u0001 javascript:x\u0000')).toBe('javascript:x');
    expect(urlScheme(cleanUrl('\u00a0javascript:x'))).toBe('');
    expect(urlScheme(cleanUrl('JaVa\tScRiPt:x'))).toBe('javascript');
  });

  it('resolves as the URL parser does for ASCII references', () => {
    fc.assert(
      fc.property(fc.webPath(), fc.webUrl(), (path, b) => {
        expect(resolveUrl(path, b)).toBe(URL.canParse(path, b) ? new URL(path, b).href : path);
      }),
      { numRuns: 300 },
    );
  });
});

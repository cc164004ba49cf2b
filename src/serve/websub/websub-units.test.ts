/** The small pure parts of WebSub: Link headers, X-Hub-Signature. */
import { describe, expect, it } from 'vitest';
import { parseWebSubLinks } from './link-header.js';
import { checkSignature, signBody } from './signature.js';

describe('parseWebSubLinks', () => {
  it.each([
    [
      '<https://hub.example/>; rel="hub", <https://blog.example/feed>; rel="self"',
      ['https://hub.example/'],
      'https://blog.example/feed',
    ],
    [
      '<https://hub.example/>;rel=hub,<https://b.example/f>;rel=self',
      ['https://hub.example/'],
      'https://b.example/f',
    ],
    [
      '<https://h1.example/>; rel="hub", <https://h2.example/>; rel="hub"',
      ['https://h1.example/', 'https://h2.example/'],
      undefined,
    ],
    ['<https://b.example/f>; title="a, b; c"; rel="self alternate"', [], 'https://b.example/f'],
    ['</hub>; rel="hub"', ['https://blog.example/hub'], undefined],
    ['<https://x.example/>; rel="next"', [], undefined],
    ['garbage', [], undefined],
  ])('%s', (header, hubs, self) => {
    const links = parseWebSubLinks(header, 'https://blog.example/feed');
    expect(links.hubs).toEqual(hubs);
    expect(links.self).toBe(self);
  });
});

describe('checkSignature', () => {
  const body = new TextEncoder().encode('<feed/>');
  it.each(['sha1', 'sha256', 'sha384', 'sha512'])('accepts %s', (method) => {
    expect(checkSignature(signBody(method, body, 's3cret'), body, 's3cret')).toBe('valid');
    expect(
      checkSignature(
        signBody(method, body, 's3cret').toUpperCase().replace(/^SHA/, 'sha'),
        body,
        's3cret',
      ),
    ).toBe('valid');
  });
  it('refuses the wrong key, a changed body, an unknown method or none', () => {
    expect(checkSignature(signBody('sha256', body, 'other'), body, 's3cret')).toBe('mismatch');
    expect(
      checkSignature(
        signBody('sha256', body, 's3cret'),
        new TextEncoder().encode('<feed />'),
        's3cret',
      ),
    ).toBe('mismatch');
    expect(checkSignature('md5=abcdef', body, 's3cret')).toBe('unknown-method');
    expect(checkSignature('sha256=zz', body, 's3cret')).toBe('mismatch');
    expect(checkSignature('sha256', body, 's3cret')).toBe('unknown-method');
    expect(checkSignature(undefined, body, 's3cret')).toBe('missing');
  });
});

import { describe, expect, it } from 'vitest';
import { findKeyLine, formatKeyPath, splitDottedKey } from './key-locator.js';

const text = `# comment with url = "x"
title = "top"

[site]
name = "A"
"quoted key" = 1
description = """
[[feeds]]
url = "inside a multi-line string"
"""
dotted.inner = 2

[[feeds]]
url = "https://a.example/feed"
tags = [
  "x = 1",
  "[[feeds]]",
]

[[feeds]]
url = "https://b.example/feed"
filters = { include = ["a"] }

[feeds.filters.extra]
x = 1

[[feeds]]
name = "no url"
`;

describe('findKeyLine', () => {
  it.each([
    [['title'], 2],
    [['site'], 4],
    [['site', 'name'], 5],
    [['site', 'quoted key'], 6],
    [['site', 'dotted', 'inner'], 11],
    [['feeds', 0, 'url'], 14],
    [['feeds', 0, 'tags', 1], 15],
    [['feeds', 1, 'url'], 21],
    [['feeds', 1, 'filters', 'include', 0], 22],
    [['feeds', 1, 'filters', 'extra', 'x'], 25],
    [['feeds', 2, 'url'], 27],
    [['feeds', 3, 'url'], undefined],
    [['fetch', 'concurrency'], undefined],
  ] as const)('%j is at line %s', (path, line) => {
    expect(findKeyLine(text, path)).toBe(line);
  });
});

describe('key paths', () => {
  it('splits dotted keys with quotes', () => {
    expect(splitDottedKey('a . "b.c" . d')).toEqual(['a', 'b.c', 'd']);
  });
  it('formats indices like a reader writes them', () => {
    expect(formatKeyPath(['feeds', 3, 'filters', 'include', 0])).toBe(
      'feeds[3].filters.include[0]',
    );
  });
});

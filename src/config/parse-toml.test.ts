import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { parseInParts, parseToml } from './parse-toml.js';

const HEAD = `# A planet
[site]
name = "Big"
link = "https://planet.example/"

[fetch]
per_host_limit = 2
headers = { "X-A" = "b" }

[[sections]]
id = "main"

[[sections]]
id = "other"
title = "Other"
`;

/** n [[feeds]] tables, some with subtables, comments, dotted keys and inline tables. */
function feeds(n: number, eol = '\n'): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    lines.push(i % 7 === 0 ? '  [[ feeds ]]  # indented' : '[[feeds]]');
    lines.push(`url = "https://host${i % 300}.example/feed/${i}.xml"`);
    if (i % 3 === 0) lines.push(`name = "Feed ${i}"`, 'section = "other"');
    if (i % 5 === 0) lines.push('[feeds.filters]', `include = ["a${i}", 'b']`);
    if (i % 11 === 0) lines.push('[feeds.headers]', `Authorization = "Bearer ${i}"`);
    if (i % 13 === 0) lines.push('filters.exclude = "x"', 'interval = 90.5');
    if (i % 17 === 0) lines.push('# a comment', '', `headers = { "X-Feed" = "${i}" }`);
    lines.push('');
  }
  return lines.join(eol);
}

describe('parseToml', () => {
  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
  ])('reads a large planet in parts to the value smol-toml reads whole (%s)', (_, eol) => {
    const source = HEAD.replaceAll('\n', eol) + feeds(9_001, eol);
    const inParts = parseInParts(source);
    expect(inParts).toBeDefined();
    expect(inParts).toEqual(parse(source));
    expect(parseToml(source)).toEqual(parse(source));
  });

  it('reads a small planet whole', () => {
    const source = HEAD + feeds(10);
    expect(parseInParts(source)).toBeUndefined();
    expect(parseToml(source)).toEqual(parse(source));
  });

  it.each([
    ['a table after the feeds', `${HEAD}${feeds(5000)}[archive]\nkeep_days = 3\n`],
    ['a multi-line string', `${HEAD}description = """\n[[feeds]]\n"""\n${feeds(5000)}`],
    ['feeds in the head too', `feeds = []\n${HEAD}${feeds(5000)}`],
    ['a quoted feeds header', `${HEAD}${feeds(5000)}[["feeds"]]\nurl = "https://x.example/"\n`],
  ])('reads the whole document when it has %s', (_, source) => {
    expect(parseInParts(source)).toBeUndefined();
    let expected: unknown;
    try {
      expected = parse(source);
    } catch (error) {
      expected = error;
    }
    if (expected instanceof Error) expect(() => parseToml(source)).toThrow(expected.message);
    else expect(parseToml(source)).toEqual(expected);
  });

  it.each([
    ['a syntax error in a part', `${HEAD}${feeds(3000)}url = "unterminated\n${feeds(2000)}`],
    ['a table defined twice in a feed', `${HEAD}${feeds(4500)}[feeds.filters]\n[feeds.filters]\n`],
    ['an array left open before the feeds', `${HEAD}x = [\n${feeds(5000)}]\n`],
  ])("gives smol-toml's own error for %s", (_, source) => {
    expect(() => parse(source)).toThrow();
    let message = '';
    try {
      parse(source);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(() => parseToml(source)).toThrow(message);
  });
});

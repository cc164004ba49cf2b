import { describe, expect, it } from 'vitest';
import { type IndexedPage, planSearchParts } from './search-index.js';

const page = (day: string, size: number, hash = 'h'): IndexedPage => ({
  path: `archive/${day.replaceAll('-', '/')}/index.html`,
  hash,
  size,
});

describe('planSearchParts', () => {
  it('cuts from the oldest day, a too-large day alone, each part named after its first day', () => {
    const parts = planSearchParts(
      [page('2011-12-24', 4), page('2012-01-23', 5), page('2012-01-29', 30), page('2012-02-03', 6)],
      10,
      'v',
    );
    expect(parts.map((p) => [p.dir, p.pages.length])).toEqual([
      ['pagefind/2011-12-24/', 2],
      ['pagefind/2012-01-29/', 1],
      ['pagefind/2012-02-03/', 1],
    ]);
  });

  it('keeps older parts (folder and input) when new days come, changes one when its bytes do', () => {
    const old = [page('2012-01-01', 6), page('2012-01-02', 6), page('2012-01-03', 3)];
    const before = planSearchParts(old, 10, 'v');
    // The newest part grows in place (same folder, new input)...
    const grown = planSearchParts([...old, page('2012-01-04', 1)], 10, 'v');
    expect(grown[0]).toEqual(before[0]);
    expect(grown[1]?.dir).toBe(before[1]?.dir);
    expect(grown[1]?.inputHash).not.toBe(before[1]?.inputHash);
    // ...until it is full: then a new part starts and the others stay as they were.
    const full = planSearchParts([...old, page('2012-01-04', 3)], 10, 'v');
    expect(full.slice(0, 2)).toEqual(before);
    expect(full[2]?.dir).toBe('pagefind/2012-01-04/');
    const edited = planSearchParts([old[0]!, { ...old[1]!, hash: 'other' }, old[2]!], 10, 'v');
    expect(edited[0]).toEqual(before[0]);
    expect(edited[1]?.inputHash).not.toBe(before[1]?.inputHash);
    expect(planSearchParts(old, 10, 'v2')[0]?.inputHash).not.toBe(before[0]?.inputHash);
  });
});

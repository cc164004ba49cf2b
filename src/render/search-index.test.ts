import { describe, expect, it } from 'vitest';
import { blockOf, MAX_BLOCK, MIN_BLOCK, searchBlocks } from './search-index.js';

const sizes = (maxId: number) => searchBlocks(maxId).map((b) => b.end - b.start);

describe('searchBlocks', () => {
  it('lays the ids out like the binary digits of the highest one, with a last block for the rest', () => {
    expect(searchBlocks(-1)).toEqual([]);
    expect(searchBlocks(117)).toEqual([{ dir: 'pagefind/i0-255/', start: 0, end: 256 }]);
    expect(sizes(255)).toEqual([256]);
    expect(sizes(256)).toEqual([256, 256]);
    expect(sizes(511)).toEqual([512]);
    expect(sizes(MAX_BLOCK * 2 + 1024 + 256 + 10)).toEqual([MAX_BLOCK, MAX_BLOCK, 1024, 256, 256]);
  });

  it('covers every id once, in at most (maxId / MAX_BLOCK) + log2(MAX_BLOCK / MIN_BLOCK) + 1 blocks', () => {
    for (const maxId of [0, 1, 255, 256, 5000, 8191, 8192, 100_000, 140_321]) {
      const blocks = searchBlocks(maxId);
      expect(blocks[0]?.start).toBe(0);
      for (let i = 1; i < blocks.length; i++) expect(blocks[i]!.start).toBe(blocks[i - 1]!.end);
      expect(blocks[blocks.length - 1]!.end).toBeGreaterThan(maxId);
      expect(blocks.length).toBeLessThanOrEqual(
        Math.floor(maxId / MAX_BLOCK) + Math.log2(MAX_BLOCK / MIN_BLOCK) + 1,
      );
      for (const b of blocks) expect(b.start % (b.end - b.start)).toBe(0);
      for (const id of [0, maxId, Math.floor(maxId / 2)]) {
        const b = blockOf(id, blocks)!;
        expect(id >= b.start && id < b.end).toBe(true);
      }
    }
  });

  it('keeps a block (folder and ids) while new ids come, until blocks of one size merge', () => {
    // New ids change only the last block...
    const before = searchBlocks(5000);
    const after = searchBlocks(5010);
    expect(after.slice(0, -1)).toEqual(before.slice(0, -1));
    expect(after.at(-1)).toEqual(before.at(-1));
    // ...until it fills: then two blocks of a size become one of the next, once.
    expect(sizes(1023)).toEqual([1024]);
    expect(sizes(1023 + 256)).toEqual([1024, 256]);
    // A block changes only when the ids it covers change: every complete MAX_BLOCK stays.
    expect(searchBlocks(100_000).slice(0, 10)).toEqual(searchBlocks(90_000).slice(0, 10));
  });
});

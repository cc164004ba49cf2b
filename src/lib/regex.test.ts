import { describe, expect, it } from 'vitest';
import { group } from './regex.js';

describe('group', () => {
  it('returns a group that took part in the match', () => {
    const m = /(\d+)-(\d+)/.exec('12-34');
    expect(m && group(m, 2)).toBe('34');
  });

  it('throws for an optional group that did not take part', () => {
    const m = /(a)(b)?/.exec('a');
    expect(() => m && group(m, 2)).toThrow(/group 2/);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldText } from './text.js';

const slow = (s: string) => s.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();

/** Strings dense in the cases that matter: spaces of every kind next to each other and to text. */
const spacey = fc
  .array(
    fc.constantFrom(
      ' ',
      '  ',
      '\t',
      '\n',
      '\r\n',
      '\u00a0',
      '\u3000',
      '\u2028',
      'a',
      'Ḃ',
      'ﬁ',
      'Ｚ',
    ),
    {
      maxLength: 40,
    },
  )
  .map((parts) => parts.join(''));

describe('foldText', () => {
  it('folds case, compatibility forms and runs of space', () => {
    expect(foldText('  Hello\t\n  World ')).toBe('hello world');
    expect(foldText('ﬁle　Ｎａｍｅ')).toBe('file name');
    expect(foldText('Ǆ\u00a0x')).toBe('dž x');
  });

  it('gives the same answer as replacing every run of \\s with one space', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        expect(foldText(s)).toBe(slow(s));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(spacey, (s) => {
        expect(foldText(s)).toBe(slow(s));
      }),
      { numRuns: 1000 },
    );
  });
});

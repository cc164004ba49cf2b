import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEntities } from './entities.js';

const FIVE: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
/** For texts made of the pieces below, both paths must give this: the five decoded, the rest kept. */
const reference = (s: string) => s.replace(/&(lt|gt|amp|quot|apos);/g, (_, n: string) => FIVE[n]!);

const pieces = fc.constantFrom(
  '&lt;',
  '&gt;',
  '&amp;',
  '&quot;',
  '&apos;',
  '&amp;lt;',
  '&',
  '&lt',
  'lt;',
  ';',
  'a',
  '<',
  ' ',
  'é',
);

describe('decodeEntities', () => {
  it('decodes the five XML entities the same way with or without other references', () => {
    const noReport = () => undefined;
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 30 }), (parts) => {
        const s = parts.join('');
        expect(decodeEntities(s, new Map(), noReport)).toBe(reference(s));
      }),
      { numRuns: 3000 },
    );
  });

  it('still decodes everything else when a text has more than the five', () => {
    const reports: string[] = [];
    const out = decodeEntities(
      '&lt;p&gt;caf&#233; &nbsp;&amp;lt; &#226;&#128;&#166;',
      new Map(),
      (m) => reports.push(m),
    );
    expect(out).toBe('<p>café \u00a0&lt; …');
    expect(reports).toEqual(['undeclared entity &nbsp;']);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDate } from './dates.js';

describe('parseDate', () => {
  it.each([
    ['Thu, 01 Jan 2004 19:48:21 GMT', '2004-01-01T19:48:21Z'],
    ['Thu, 01 Jan 04 19:48:21 +0100', '2004-01-01T18:48:21Z'],
    ['1 Jan 2004 19:48 EST', '2004-01-02T00:48:00Z'],
    ['Sat, 07 Sep 2002 00:00:01 GMT', '2002-09-07T00:00:01Z'],
    ['2003-12-31T10:14:55Z', '2003-12-31T10:14:55Z'],
    ['2003-12-31T10:14:55.1234-08:00', '2003-12-31T18:14:55Z'],
    ['20031231T101455Z', '2003-12-31T10:14:55Z'],
    ['2003-12', '2003-12-01T00:00:00Z'],
    ['Sun Jan  4 16:29:06 2004', '2004-01-04T16:29:06Z'],
    ['Wed, 19 Aug 2009 18:28:00 Etc/GMT', '2009-08-19T18:28:00Z'],
    ['Fri, 2006/09/15 08:19:53 EDT', '2006-09-15T12:19:53Z'],
    ['2004-05-25 오후 11:23:17', '2004-05-25T14:23:17Z'],
    ['Tue, 10 Jun 2003 04:00:00 +0000 (UTC)', '2003-06-10T04:00:00Z'],
    ['Seg, 24 Set 2018 19:42:40 -0300', '2018-09-24T22:42:40Z'],
    ['mer, 16 nov 2022 00:38:15 +0100', '2022-11-15T23:38:15Z'],
    ['Di, 3 Mär 2020 10:00:00 +0100', '2020-03-03T09:00:00Z'],
    ['03 Apr 02 1500 GMT', '2002-04-03T15:00:00Z'],
    ['1518478934', '2018-02-12T23:42:14Z'],
    ['start=2016-10-01T10:00:00+01:00; end=2018-10-02T10:00:00+01:00', '2018-10-02T09:00:00Z'],
  ])('%s → %s', (input, expected) => {
    expect(parseDate(input)).toBe(expected);
  });

  it.each([
    '',
    'not a date',
    '2003-13-01',
    '2003-02-30T10:00:00Z',
    'Sun, 99 Jun 2009 12:00:00 GMT',
    '2003-12-31T25:14:55Z',
    'Sun, 16 Dec 2012 1:2:3:4 GMT',
  ])('rejects %j', (input) => {
    expect(parseDate(input)).toBeUndefined();
  });

  // parseDate reads the two common forms with one pattern each (RFC822_COMMON, W3DTF_COMMON);
  // an extra space sends the same date through the general readers, which must agree.
  const two = (lo: number, hi: number) =>
    fc.integer({ min: lo, max: hi }).map((n) => String(n).padStart(2, '0'));
  it('reads the common RFC 822 form as the general reader does', () => {
    const weekday = fc.constantFrom('', 'Mon, ', 'Sun, ');
    const month = fc.constantFrom('Jan', 'Feb', 'Jun', 'Dec');
    const zone = fc.constantFrom(
      'GMT',
      'UT',
      'Z',
      'EST',
      'AM',
      'PM',
      'XYZ',
      '+0000',
      '-0830',
      '+0099',
      '+1401',
    );
    fc.assert(
      fc.property(
        fc.tuple(
          weekday,
          fc.integer({ min: 0, max: 32 }),
          month,
          fc.integer({ min: 0, max: 9999 }),
        ),
        fc.tuple(fc.integer({ min: 0, max: 25 }), two(0, 61), fc.option(two(0, 61)), zone),
        ([wd, d, mo, y], [h, mi, s, z]) => {
          const date = `${d} ${mo} ${String(y).padStart(4, '0')} ${h}:${mi}${s ? ':' + s : ''} ${z}`;
          expect(parseDate(wd + date)).toBe(parseDate(`${wd}${date.replace(' ', '  ')}`));
        },
      ),
    );
  });

  it('reads the common W3C-DTF form as the general reader does', () => {
    const zone = fc.constantFrom('Z', '+00:00', '-08:00', '+05:30', '+14:01', '-07:99');
    fc.assert(
      fc.property(
        fc.tuple(fc.integer({ min: 0, max: 9999 }), two(0, 13), two(0, 32)),
        fc.tuple(two(0, 25), two(0, 61), two(0, 61), fc.constantFrom('', '.5', '.123'), zone),
        ([y, mo, d], [h, mi, s, frac, z]) => {
          const date = `${String(y).padStart(4, '0')}-${mo}-${d}T${h}:${mi}:${s}${frac}`;
          expect(parseDate(date + z)).toBe(parseDate(`${date} ${z}`));
        },
      ),
    );
  });
});

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

  // The rarer forms feeds write, each from its spec or from feedparser's date handlers.
  it.each([
    // ISO 8601:2004 §4.1.2.3, ordinal dates (the 335th day of 2003 is 1 December)
    ['2003-335', '2003-12-01T00:00:00Z'],
    ['2003335', '2003-12-01T00:00:00Z'],
    ['03-335', '2003-12-01T00:00:00Z'],
    ['2004-060T12:00Z', '2004-02-29T12:00:00Z'],
    ['2003-365', '2003-12-31T00:00:00Z'],
    // ISO 8601:2000's truncated two-digit-year forms: -YYMM and -YY
    ['-0312', '2003-12-01T00:00:00Z'],
    ['-03', '2003-01-01T00:00:00Z'],
    // unpadded fields (feedparser's W3C-DTF reader takes any width) and Google's extra zero
    ['2003-1-5', '2003-01-05T00:00:00Z'],
    ['2003-12-31T1:2:3Z', '2003-12-31T01:02:03Z'],
    ['2004-július-13T9:15-05:00', '2004-07-13T14:15:00Z'],
    ['2003-012-31T10:14:55+00:00', '2003-12-31T10:14:55Z'],
    ['Thu,  5 Apr 2012 10:00:00 GMT', '2012-04-05T10:00:00Z'],
    ['Thu, 1 Jan 2004 1:2:3 GMT', '2004-01-01T01:02:03Z'],
    // North American zones, standard and the generic two-letter ones (Atlantic to Pacific)
    ['Mon, 26 January 2004 16:31:00 AT', '2004-01-26T20:31:00Z'],
    ['Mon, 26 January 2004 16:31:00 ET', '2004-01-26T21:31:00Z'],
    ['Mon, 26 January 2004 16:31:00 CT', '2004-01-26T22:31:00Z'],
    ['Mon, 26 January 2004 16:31:00 MT', '2004-01-26T23:31:00Z'],
    ['Mon, 26 January 2004 16:31:00 PT', '2004-01-27T00:31:00Z'],
    ['Sat, 01 May 2004 08:00:00 AST', '2004-05-01T12:00:00Z'],
    ['Sat, 01 May 2004 08:00:00 HST', '2004-05-01T18:00:00Z'],
    ['Sat, 01 May 2004 08:00:00 AKDT', '2004-05-01T16:00:00Z'],
    // RFC 822 §5.1 military zones as written there (A = -1, N = +1, Y = +12)
    ['Thu, 01 Jan 2004 12:00:00 A', '2004-01-01T13:00:00Z'],
    ['Thu, 01 Jan 2004 12:00:00 N', '2004-01-01T11:00:00Z'],
    ['Thu, 01 Jan 2004 12:00:00 Y', '2004-01-01T00:00:00Z'],
    // a zone name nobody defines: read as UTC, as feedparser does
    ['Thu, 01 Jan 2004 12:00:00 XYZ', '2004-01-01T12:00:00Z'],
    // ancient dates and asctime with a zone
    ['Thu, 01 Jan 0100 00:00:01 +0100', '0099-12-31T23:00:01Z'],
    ['Sun Jul 15 01:16:00 +0000 2012', '2012-07-15T01:16:00Z'],
    ['Thu Aug 30 2012 17:26:16 +0200', '2012-08-30T15:26:16Z'],
    ['2000-02-28T18:14:55-08:00', '2000-02-29T02:14:55Z'],
    ['2004-07-08 23:56:58.0', '2004-07-08T23:56:58Z'],
    ['Κυρ, 11 Μαώ 2004 12:00:00 EST', '2004-03-11T17:00:00Z'],
  ])('rare form %s → %s', (input, expected) => {
    expect(parseDate(input)).toBe(expected);
  });

  it.each([
    '',
    'not a date',
    '2003-000',
    '2003-366',
    '22013',
    '013',
    '2013-01-27-01',
    '2013-xx-27',
    '2013-01-28T09:xx:00Z',
    '2013-01-28T09:00:00+00:xx',
    '2013-01-28T11:30:00-06:00Textra',
    'Sun, 16 Dec 2012 11:47:32 +00:zz',
    'Sun, 16 zzz 2012 11:47:32 GMT',
    'Sun, 31 Dec 9999 23:59:59 -9999',
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

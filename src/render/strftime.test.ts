import { describe, expect, it } from 'vitest';
import { dayKey, strftime, zonedTimeToUtc } from './strftime.js';

describe('strftime', () => {
  const d = new Date('2012-02-06T08:17:09Z');
  it.each([
    ['%d %b %Y', 'UTC', '06 Feb 2012'],
    ['%B %-d, %Y', 'UTC', 'February 6, 2012'],
    ['%A %e', 'UTC', 'Monday  6'],
    ['%-I:%M%P %Z', 'UTC', '8:17am UTC'],
    ['%I:%M %p', 'UTC', '08:17 AM'],
    ['%H:%M:%S', 'America/New_York', '03:17:09'],
    ['%F %T %z', 'Asia/Kolkata', '2012-02-06 13:47:09 +0530'],
    ['%y/%m/%d %R', 'Europe/Berlin', '12/02/06 09:17'],
    ['100%% %Q', 'UTC', '100% %Q'],
  ])('%s in %s', (format, zone, expected) => {
    expect(strftime(d, format, zone)).toBe(expected);
  });

  it.each([
    ['de', '%A %-d. %B %Y', 'Montag 6. Februar 2012'],
    ['fr', '%a %d %b', 'lun. 06 févr.'],
    // Months in the form a date takes (genitive), as glibc's %B: "февраля", not "февраль".
    ['ru', '%-d %B', '6 февраля'],
    ['ar', '%B', 'فبراير'],
    ['en', '%a %b %p', 'Mon Feb AM'],
  ])('names months and days in the site language (%s), from Intl', (locale, format, expected) => {
    expect(strftime(d, format, 'UTC', locale)).toBe(expected);
  });

  it('follows daylight saving time', () => {
    expect(strftime(new Date('2012-07-01T12:00:00Z'), '%H:%M %z', 'Europe/Berlin')).toBe(
      '14:00 +0200',
    );
    expect(strftime(new Date('2012-01-01T12:00:00Z'), '%H:%M %z', 'Europe/Berlin')).toBe(
      '13:00 +0100',
    );
  });

  it('is exact on both sides of a transition, at every quarter hour', () => {
    // Berlin moved from +01:00 to +02:00 at 01:00 UTC on 25 March 2012.
    expect(strftime(new Date('2012-03-25T00:59:59Z'), '%H:%M:%S %Z', 'Europe/Berlin')).toBe(
      '01:59:59 GMT+1',
    );
    expect(strftime(new Date('2012-03-25T01:00:00Z'), '%H:%M:%S %Z', 'Europe/Berlin')).toBe(
      '03:00:00 GMT+2',
    );
    const reference = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'America/St_Johns',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    for (
      let t = Date.parse('2012-11-03T12:00:00Z');
      t < Date.parse('2012-11-05T00:00:00Z');
      t += 900_000
    ) {
      expect(strftime(new Date(t), '%H:%M', 'America/St_Johns')).toBe(
        reference.format(new Date(t)),
      );
    }
  });

  it('groups by the local day, not the UTC day', () => {
    const lateUtc = new Date('2012-02-05T23:30:00Z');
    expect(dayKey(lateUtc, 'UTC')).toBe('2012-02-05');
    expect(dayKey(lateUtc, 'Europe/Berlin')).toBe('2012-02-06');
    expect(dayKey(lateUtc, 'America/Los_Angeles')).toBe('2012-02-05');
  });

  it('finds the UTC instant of a local midnight', () => {
    expect(zonedTimeToUtc(2012, 2, 1, 'UTC').toISOString()).toBe('2012-02-01T00:00:00.000Z');
    expect(zonedTimeToUtc(2012, 7, 1, 'Europe/Berlin').toISOString()).toBe(
      '2012-06-30T22:00:00.000Z',
    );
    expect(zonedTimeToUtc(2012, 3, 1, 'America/New_York').toISOString()).toBe(
      '2012-03-01T05:00:00.000Z',
    );
  });

  it('formats UTC without Intl exactly as Intl does (Etc/UTC goes through Intl)', () => {
    for (const iso of ['1999-12-31T23:59:59Z', '2012-02-29T12:00:00Z', '2026-11-22T04:30:00Z']) {
      const d = new Date(iso);
      expect(strftime(d, '%Y-%m-%d %H:%M:%S %a %b %Z %z', 'UTC')).toBe(
        strftime(d, '%Y-%m-%d %H:%M:%S %a %b %Z %z', 'Etc/UTC'),
      );
    }
  });
});

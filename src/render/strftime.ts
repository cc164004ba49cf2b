/**
 * A small strftime over Intl.DateTimeFormat parts, in an IANA time zone, with the names of
 * any language Intl knows (English by default).
 * Supports %Y %y %m %d %e %a %A %b %h %B %H %I %l %M %S %p %P %Z %z %F %T %R %D %%,
 * and the GNU '-' flag that drops padding (%-d, %-I, %-H, %-m).
 */

interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
  zoneName: string;
  offsetMinutes: number;
}

/** Month, weekday and day-period names in one language, as Intl gives them. */
interface Names {
  months: string[];
  monthsShort: string[];
  weekdays: string[];
  weekdaysShort: string[];
  am: string;
  pm: string;
}

const namesByLocale = new Map<string, Names>();

/** The part of a formatted date Intl names `type`. */
function partOf(format: Intl.DateTimeFormat, date: Date, type: string): string {
  return format.formatToParts(date).find((p) => p.type === type)?.value ?? '';
}

/**
 * The names of a language, read from Intl once. Months come in the form a date uses (with a
 * day: Russian "февраля", not the standalone "февраль"), as glibc's %B does.
 */
function namesFor(locale: string): Names {
  let names = namesByLocale.get(locale);
  if (names) return names;
  const utc = (options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat(locale, { timeZone: 'UTC', ...options });
  const long = utc({ day: 'numeric', month: 'long' });
  const short = utc({ day: 'numeric', month: 'short' });
  const weekday = utc({ weekday: 'long' });
  const weekdayShort = utc({ weekday: 'short' });
  const period = utc({ hour: 'numeric', hour12: true });
  const month = (m: number) => new Date(Date.UTC(2001, m, 15));
  // 2001-01-07 was a Sunday: weekday w is 2001-01-(7 + w).
  const day = (w: number) => new Date(Date.UTC(2001, 0, 7 + w, 12));
  const twelve = Array.from({ length: 12 }, (_, m) => m);
  const seven = Array.from({ length: 7 }, (_, w) => w);
  names = {
    months: twelve.map((m) => partOf(long, month(m), 'month')),
    monthsShort: twelve.map((m) => partOf(short, month(m), 'month')),
    weekdays: seven.map((w) => weekday.format(day(w))),
    weekdaysShort: seven.map((w) => weekdayShort.format(day(w))),
    am: partOf(period, new Date(Date.UTC(2001, 0, 1, 9)), 'dayPeriod') || 'AM',
    pm: partOf(period, new Date(Date.UTC(2001, 0, 1, 21)), 'dayPeriod') || 'PM',
  };
  namesByLocale.set(locale, names);
  return names;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
      timeZoneName: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

// Intl's formatToParts is slow: ask it for the offset at the two ends of each UTC half-day and,
// when they agree (no transition inside, which is nearly always), use that offset for every
// instant between with plain UTC arithmetic. Offsets change only on quarter-hour boundaries.
const HALF_DAY = 43_200_000;
const QUARTER_HOUR = 900_000;
const offsets = new Map<string, { offsetMinutes: number; zoneName: string } | null>();

function exactZone(t: number, timeZone: string): { offsetMinutes: number; zoneName: string } {
  const exact = zonedPartsIntl(new Date(t), timeZone);
  return { offsetMinutes: exact.offsetMinutes, zoneName: exact.zoneName };
}

const UTC_ZONE = { offsetMinutes: 0, zoneName: 'UTC' };

function zoneAt(t: number, timeZone: string): { offsetMinutes: number; zoneName: string } {
  // The default zone needs no Intl at all (Intl names it "UTC" too; strftime.test.ts checks).
  if (timeZone === 'UTC') return UTC_ZONE;
  const slot = Math.floor(t / HALF_DAY);
  const key = `${timeZone} ${slot}`;
  let zone = offsets.get(key);
  if (zone === undefined) {
    const start = exactZone(slot * HALF_DAY, timeZone);
    const end = exactZone((slot + 1) * HALF_DAY - 1, timeZone);
    zone =
      start.offsetMinutes === end.offsetMinutes && start.zoneName === end.zoneName ? start : null;
    if (offsets.size > 50_000) offsets.clear();
    offsets.set(key, zone);
  }
  if (zone) return zone;
  // A transition inside this half-day: settle it per quarter hour.
  const qkey = `${timeZone} q${Math.floor(t / QUARTER_HOUR)}`;
  let q = offsets.get(qkey);
  if (!q) offsets.set(qkey, (q = exactZone(Math.floor(t / QUARTER_HOUR) * QUARTER_HOUR, timeZone)));
  return q;
}

/** Throws RangeError for an unknown time zone (config/ should have validated it). */
export function zonedParts(date: Date, timeZone: string): ZonedParts {
  const t = date.getTime();
  const zone = zoneAt(t, timeZone);
  const local = new Date(t + zone.offsetMinutes * 60_000);
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
    weekday: local.getUTCDay(),
    zoneName: zone.zoneName,
    offsetMinutes: zone.offsetMinutes,
  };
}

function zonedPartsIntl(date: Date, timeZone: string): ZonedParts {
  const parts: Record<string, string> = {};
  for (const p of formatterFor(timeZone).formatToParts(date)) parts[p.type] = p.value;
  const year = Number(parts.year);
  const month = Number(parts.month);
  const day = Number(parts.day);
  const hour = Number(parts.hour) % 24;
  const minute = Number(parts.minute);
  const second = Number(parts.second);
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  const offsetMinutes = Math.round((asUtc - Math.floor(date.getTime() / 1000) * 1000) / 60_000);
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return {
    year,
    month,
    day,
    hour,
    minute,
    second,
    weekday,
    zoneName: parts.timeZoneName ?? timeZone,
    offsetMinutes,
  };
}

/** The UTC instant of a wall-clock time in a zone (first match on DST overlaps). */
export function zonedTimeToUtc(
  year: number,
  month: number,
  day: number,
  timeZone: string,
  hour = 0,
): Date {
  const guess = Date.UTC(year, month - 1, day, hour);
  if (timeZone === 'UTC') return new Date(guess);
  // Two passes settle DST transitions: the offset at the guess, then at the corrected instant.
  let t = guess - zonedParts(new Date(guess), timeZone).offsetMinutes * 60_000;
  t = guess - zonedParts(new Date(t), timeZone).offsetMinutes * 60_000;
  return new Date(t);
}

const pad = (n: number, width = 2, fill = '0'): string => String(n).padStart(width, fill);

/**
 * Format a date like C's strftime, in the given time zone, with the month and day names of
 * `locale` (a BCP 47 tag; English by default). Unknown directives are kept as written.
 */
export function strftime(date: Date, format: string, timeZone: string, locale = 'en'): string {
  const z = zonedParts(date, timeZone);
  const names = namesFor(locale);
  const hour12 = z.hour % 12 === 0 ? 12 : z.hour % 12;
  return format.replace(/%(-?)([a-zA-Z%])/g, (whole, flag: string, d: string) => {
    const p = (n: number, width = 2) => (flag === '-' ? String(n) : pad(n, width));
    switch (d) {
      case 'Y':
        return String(z.year);
      case 'y':
        return pad(z.year % 100);
      case 'm':
        return p(z.month);
      case 'd':
        return p(z.day);
      case 'e':
        return flag === '-' ? String(z.day) : pad(z.day, 2, ' ');
      case 'H':
        return p(z.hour);
      case 'I':
        return p(hour12);
      case 'l':
        return String(hour12);
      case 'M':
        return p(z.minute);
      case 'S':
        return p(z.second);
      case 'p':
        return z.hour < 12 ? names.am : names.pm;
      case 'P':
        return (z.hour < 12 ? names.am : names.pm).toLocaleLowerCase(locale);
      case 'B':
        return names.months[z.month - 1] ?? '';
      case 'b':
      case 'h':
        return names.monthsShort[z.month - 1] ?? '';
      case 'A':
        return names.weekdays[z.weekday] ?? '';
      case 'a':
        return names.weekdaysShort[z.weekday] ?? '';
      case 'Z':
        return z.zoneName;
      case 'z': {
        const sign = z.offsetMinutes < 0 ? '-' : '+';
        const abs = Math.abs(z.offsetMinutes);
        return `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
      }
      case 'F':
        return `${z.year}-${pad(z.month)}-${pad(z.day)}`;
      case 'T':
        return `${pad(z.hour)}:${pad(z.minute)}:${pad(z.second)}`;
      case 'R':
        return `${pad(z.hour)}:${pad(z.minute)}`;
      case 'D':
        return `${pad(z.month)}/${pad(z.day)}/${pad(z.year % 100)}`;
      case '%':
        return '%';
      default:
        return whole;
    }
  });
}

/** The local calendar day of an instant in a zone, as 'YYYY-MM-DD'. */
export function dayKey(date: Date, timeZone: string): string {
  const z = zonedParts(date, timeZone);
  return `${z.year}-${pad(z.month)}-${pad(z.day)}`;
}

/**
 * The site's plan (pure): from the store's entry stamps (id, feed, date, digest) and a
 * signature of each feed as its posts show it, which archive days, months and search parts
 * exist and a signature of each one's entries. A build compares them with the previous
 * build's to know what to render again, without reading any entry's content. Archives are
 * keyed by date (a day page holds its day's posts, whatever comes later), so a new post
 * changes its own day, month and search part, and older pages never shift.
 */
import { hash } from 'node:crypto';
import type { EntryStamp } from '../store/store.js';
import { type SearchBlock, searchBlocks } from './search-index.js';
import { dayKey } from './strftime.js';

export interface PlannedDay {
  /** 'YYYY-MM-DD' in the site's zone. */
  key: string;
  /** Its entries, in the river's order (newest first). */
  ids: number[];
  /** Signature of its entries (ids, digests, their feeds as shown). */
  sig: string;
  /** The neighbouring days that have posts. */
  newer?: string;
  older?: string;
}

export interface PlannedMonth {
  /** 'YYYY-MM' */
  key: string;
  /** Its days, newest first. */
  days: PlannedDay[];
  count: number;
  /** Signature of its days' entries. */
  sig: string;
  newer?: string;
  older?: string;
}

export interface PlannedBlock extends SearchBlock {
  /** Its entries, ascending id. */
  ids: number[];
  /** Signature of its entries (ids, digests, feeds as shown, days). */
  sig: string;
}

export interface SitePlan {
  /** Newest first. */
  days: PlannedDay[];
  /** Newest first. */
  months: PlannedMonth[];
  /** The search parts that hold entries, ascending. */
  blocks: PlannedBlock[];
  /** Entries on the site. */
  entries: number;
  /** Signature of every entry on the site. */
  sig: string;
}

const sha1 = (text: string) => hash('sha1', text, 'base64url');

/** An instant in the one ISO form the store writes (toISOString), so they compare as text. */
function canonical(date: string): string | undefined {
  if (date.length === 24 && date[10] === 'T' && date.endsWith('Z')) return date;
  const t = Date.parse(date);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/**
 * Plan the site. Entries of a feed missing from `feedSigs`, or with an unreadable date, are
 * not on the site.
 */
export function planSite(
  stamps: readonly EntryStamp[],
  feedSigs: ReadonlyMap<number, string>,
  timeZone: string,
): SitePlan {
  type Row = { s: EntryStamp; date: string; day: string };
  // Bucketed by day, then each day sorted: cheaper than sorting every entry at once.
  const byDay = new Map<string, Row[]>();
  for (const s of stamps) {
    if (!feedSigs.has(s.feedId)) continue;
    const date = canonical(s.date);
    if (date === undefined) continue;
    // The day in UTC is the date's own prefix; other zones ask strftime.
    const day = timeZone === 'UTC' ? date.slice(0, 10) : dayKey(new Date(date), timeZone);
    const bucket = byDay.get(day);
    if (bucket) bucket.push({ s, date, day });
    else byDay.set(day, [{ s, date, day }]);
  }
  const rows: Row[] = [];
  for (const day of [...byDay.keys()].sort().reverse()) {
    const bucket = byDay.get(day)!;
    bucket.sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : b.s.id - a.s.id));
    for (const r of bucket) rows.push(r);
  }

  const line = (r: (typeof rows)[number]) =>
    `${r.s.id} ${r.s.digest} ${feedSigs.get(r.s.feedId)}\n`;
  const days: PlannedDay[] = [];
  const texts: string[] = [];
  let text = '';
  for (const r of rows) {
    let day = days[days.length - 1];
    if (day?.key !== r.day) {
      if (day) texts.push(text);
      text = '';
      day = { key: r.day, ids: [], sig: '' };
      days.push(day);
    }
    day.ids.push(r.s.id);
    text += line(r);
  }
  if (days.length > 0) texts.push(text);
  for (let i = 0; i < days.length; i++) {
    const day = days[i]!;
    day.sig = sha1(texts[i]!);
    const newer = days[i - 1]?.key;
    const older = days[i + 1]?.key;
    if (newer) day.newer = newer;
    if (older) day.older = older;
  }

  const months: PlannedMonth[] = [];
  for (const day of days) {
    const key = day.key.slice(0, 7);
    let month = months[months.length - 1];
    if (month?.key !== key) {
      month = { key, days: [], count: 0, sig: '' };
      months.push(month);
    }
    month.days.push(day);
    month.count += day.ids.length;
  }
  for (let i = 0; i < months.length; i++) {
    const month = months[i]!;
    month.sig = sha1(month.days.map((d) => `${d.key} ${d.sig}\n`).join(''));
    const newer = months[i - 1]?.key;
    const older = months[i + 1]?.key;
    if (newer) month.newer = newer;
    if (older) month.older = older;
  }

  return {
    days,
    months,
    blocks: planBlocks(rows, line),
    entries: rows.length,
    sig: sha1(days.map((d) => `${d.key} ${d.sig}\n`).join('')),
  };
}

function planBlocks<R extends { s: EntryStamp; day: string }>(
  rows: readonly R[],
  line: (r: R) => string,
): PlannedBlock[] {
  const byId = [...rows].sort((a, b) => a.s.id - b.s.id);
  const maxId = byId[byId.length - 1]?.s.id ?? -1;
  const blocks: PlannedBlock[] = [];
  let i = 0;
  for (const block of searchBlocks(maxId)) {
    const planned: PlannedBlock = { ...block, ids: [], sig: '' };
    let text = '';
    for (; i < byId.length && byId[i]!.s.id < block.end; i++) {
      const r = byId[i]!;
      planned.ids.push(r.s.id);
      text += `${r.day} ${line(r)}`;
    }
    planned.sig = sha1(text);
    if (planned.ids.length > 0) blocks.push(planned);
  }
  return blocks;
}

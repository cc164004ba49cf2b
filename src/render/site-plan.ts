// biome-ignore-all lint/style/noNonNullAssertion: the plan keeps per-index arrays (low memory at 100,000 entries) and reads them only at indexes within their bounds
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
  listed: readonly EntryStamp[],
  feedSigs: ReadonlyMap<number, string>,
  timeZone: string,
): SitePlan {
  // The store lists stamps by ascending id (the search parts are id ranges); make sure.
  const ascending = listed.every((s, i) => i === 0 || listed[i - 1]!.id < s.id);
  const stamps = ascending ? listed : [...listed].sort((a, b) => a.id - b.id);
  // Per stamp (by its index), made once: its date in canonical form, its day, its line in the
  // signatures. Kept in arrays of strings, not an object per entry (100,000 of them at scale).
  const dates: (string | undefined)[] = new Array(stamps.length);
  const dayOf: string[] = new Array(stamps.length);
  const lineOf: string[] = new Array(stamps.length);
  // Bucketed by day, then each day sorted: cheaper than sorting every entry at once.
  const byDay = new Map<string, number[]>();
  for (let i = 0; i < stamps.length; i++) {
    const s = stamps[i]!;
    const feed = feedSigs.get(s.feedId);
    const date = feed === undefined ? undefined : canonical(s.date);
    if (date === undefined) continue;
    // The day in UTC is the date's own prefix; other zones ask strftime.
    const day = timeZone === 'UTC' ? date.slice(0, 10) : dayKey(new Date(date), timeZone);
    dates[i] = date;
    dayOf[i] = day;
    lineOf[i] = `${s.id} ${s.digest} ${feed}\n`;
    const bucket = byDay.get(day);
    if (bucket) bucket.push(i);
    else byDay.set(day, [i]);
  }
  const newestFirst = (a: number, b: number) => {
    const x = dates[a]!;
    const y = dates[b]!;
    return x < y ? 1 : x > y ? -1 : stamps[b]!.id - stamps[a]!.id;
  };
  const days: PlannedDay[] = [];
  let entries = 0;
  for (const key of [...byDay.keys()].sort().reverse()) {
    const bucket = byDay.get(key)!.sort(newestFirst);
    let text = '';
    for (const i of bucket) text += lineOf[i];
    days.push({ key, ids: bucket.map((i) => stamps[i]!.id), sig: sha1(text) });
    entries += bucket.length;
  }
  for (let i = 0; i < days.length; i++) {
    const day = days[i]!;
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
    blocks: planBlocks(stamps, (i) =>
      dates[i] === undefined ? undefined : `${dayOf[i]} ${lineOf[i]}`,
    ),
    entries,
    sig: sha1(days.map((d) => `${d.key} ${d.sig}\n`).join('')),
  };
}

/** The search parts over the stamps (in ascending id, as the store lists them). */
function planBlocks(
  stamps: readonly EntryStamp[],
  lineOf: (index: number) => string | undefined,
): PlannedBlock[] {
  let maxId = -1;
  for (let i = 0; i < stamps.length; i++) {
    if (lineOf(i) !== undefined) maxId = Math.max(maxId, stamps[i]!.id);
  }
  const blocks: PlannedBlock[] = [];
  let i = 0;
  for (const block of searchBlocks(maxId)) {
    const planned: PlannedBlock = { ...block, ids: [], sig: '' };
    let text = '';
    for (; i < stamps.length && stamps[i]!.id < block.end; i++) {
      const line = lineOf(i);
      if (line === undefined) continue;
      planned.ids.push(stamps[i]!.id);
      text += line;
    }
    planned.sig = sha1(text);
    if (planned.ids.length > 0) blocks.push(planned);
  }
  return blocks;
}

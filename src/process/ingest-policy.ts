/**
 * The ingest policy: what a store does with the entries of one feed update, decided by pure
 * functions so that every store (SQLite, PostgreSQL) does the same and it is tested without a
 * database. The store reads what the plan needs (the feed's stored keys and digests, the
 * originals holding the new entries' keys), asks planIngest, and writes the plan.
 *
 * - A feed listing one key twice: the first wins.
 * - Known key, same digest → unchanged (only last seen moves); other digest → updated in place,
 *   its date and first seen kept (an edited post does not jump to the top of the river).
 * - New key → an original, or a repeat of the post an original already holds (post-identity.ts):
 *   stored originals are older than anything in the update; within it, the earlier entry wins.
 * - A new entry's river date is its own (published, else updated), else now; never after now.
 * - Cleaning deferred by the parser (sanitize: 'defer') happens only for what is written with
 *   its text: new originals and changed entries. A repeat is never shown, so with deferred
 *   cleaning it is kept without its HTML (the original holds the post).
 * - A new entry dated before the archive's retention floor is not stored at all (it would leave
 *   at the next prune and come back at the next fetch).
 */
import type { Entry } from '../model/feed.js';
import type { ArchiveSettings } from '../model/settings.js';
import type { ProcessedEntry } from '../model/stored.js';
import { entryDigest, type StoredDates } from './entry-digest.js';
import { claimKeys, earlier, type Holder, lookupKeys } from './post-identity.js';

/** Normalize a date to the one ISO 8601 form stores keep (`Date#toISOString`), or undefined. */
export function isoDate(value: string | undefined | null): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** The date a new entry is sorted and grouped by: its own, else now; never after now. */
export function riverDate(dates: StoredDates, now: string): string {
  const candidate = dates.published ?? dates.updated ?? now;
  return Date.parse(candidate) > Date.parse(now) ? now : candidate;
}

const DAY_MS = 86_400_000;

/**
 * The oldest date an entry may have and stay in the archive, or undefined (keep everything).
 * `nthNewest` is the date of the feed's `maxEntriesPerFeed`-th newest stored entry, when the
 * feed holds that many.
 */
export function retentionFloor(
  settings: ArchiveSettings,
  now: string,
  nthNewest?: string,
): string | undefined {
  const byAge =
    settings.keepDays === undefined
      ? undefined
      : new Date(Date.parse(now) - settings.keepDays * DAY_MS).toISOString();
  if (byAge === undefined) return nthNewest;
  if (nthNewest === undefined) return byAge;
  return byAge > nthNewest ? byAge : nthNewest;
}

/** One entry as a store writes it. */
export interface PlannedEntry {
  processed: ProcessedEntry;
  /** What to store: the entry cleaned when its cleaning was deferred. */
  entry: Entry;
  /** false: store it without its HTML (a repeat, never shown, whose cleaning was deferred). */
  html: boolean;
  dates: StoredDates;
  /** The river date (new entries; a changed entry keeps its stored one). */
  date: string;
  digest: string;
}

export interface IngestInput {
  entries: readonly ProcessedEntry[];
  /** The feed's stored entries among the update's keys: id and digest by key. */
  existing: ReadonlyMap<string, { id: number; digest: string }>;
  /** Stored originals by the claim key they hold (at least the keys new entries look up). */
  holders: ReadonlyMap<string, Holder>;
  /** ISO 8601, normalized (isoDate). */
  now: string;
  /** Cleans an entry whose cleaning was deferred; absent when entries come clean. */
  clean?: (entry: Entry) => Entry;
  /** New entries dated before this are past retention (retentionFloor). */
  retainFrom?: string;
}

export interface IngestCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  duplicates: number;
  /** New entries already past the archive's retention: not stored. */
  expired: number;
}

export interface IngestPlan {
  /** Ids of stored entries brought again unchanged. */
  unchanged: number[];
  changed: { id: number; entry: PlannedEntry }[];
  /** New posts in feed order, each with the keys it claims. */
  originals: { entry: PlannedEntry; claims: string[] }[];
  /** New rows repeating a stored original (`id`) or an original of this update (`key`). */
  repeats: { entry: PlannedEntry; of: { id: number } | { key: string } }[];
  counts: IngestCounts;
}

/** Decide what one feed update does with its entries (see the module comment). */
export function planIngest(input: IngestInput): IngestPlan {
  const { now, clean } = input;
  const plan: IngestPlan = {
    unchanged: [],
    changed: [],
    originals: [],
    repeats: [],
    counts: { inserted: 0, updated: 0, unchanged: 0, duplicates: 0, expired: 0 },
  };
  // Claim keys of this update's new originals: later entries repeating them point at them.
  const ownKeys = new Map<string, string>();
  const seen = new Set<string>();
  for (const pe of input.entries) {
    if (seen.has(pe.key)) continue;
    seen.add(pe.key);
    const dates = {
      published: isoDate(pe.published) ?? null,
      updated: isoDate(pe.updated) ?? null,
    };
    const digest = entryDigest(pe, dates);
    const old = input.existing.get(pe.key);
    if (old) {
      if (old.digest === digest) {
        plan.unchanged.push(old.id);
        plan.counts.unchanged++;
      } else {
        const entry = written(pe, clean, dates, now, digest);
        plan.changed.push({ id: old.id, entry });
        plan.counts.updated++;
      }
      continue;
    }
    const date = riverDate(dates, now);
    if (input.retainFrom !== undefined && date < input.retainFrom) {
      plan.counts.expired++;
      continue;
    }
    const identity = {
      canonicalLink: pe.canonicalLink,
      fingerprint: pe.fingerprint,
      title: pe.entry.title,
    };
    const lookups = lookupKeys(identity);
    const stored = firstHolder(lookups, input.holders);
    const own = stored ? undefined : lookups.map((k) => ownKeys.get(k)).find((k) => k);
    if (stored || own) {
      // A repeat is never shown: with deferred cleaning its HTML is neither cleaned nor kept.
      const entry: PlannedEntry = {
        processed: pe,
        entry: pe.entry,
        html: !clean,
        dates,
        date,
        digest,
      };
      plan.repeats.push({ entry, of: stored ? { id: stored.id } : { key: own as string } });
      plan.counts.duplicates++;
      continue;
    }
    const claims = claimKeys(identity);
    for (const k of claims) if (!ownKeys.has(k)) ownKeys.set(k, pe.key);
    plan.originals.push({ entry: { ...written(pe, clean, dates, now, digest), date }, claims });
    plan.counts.inserted++;
  }
  return plan;
}

function written(
  pe: ProcessedEntry,
  clean: ((e: Entry) => Entry) | undefined,
  dates: StoredDates,
  now: string,
  digest: string,
): PlannedEntry {
  return {
    processed: pe,
    entry: clean ? clean(pe.entry) : pe.entry,
    html: true,
    dates,
    date: riverDate(dates, now),
    digest,
  };
}

/** The first seen of the stored originals holding any of `keys`. */
function firstHolder(keys: readonly string[], holders: ReadonlyMap<string, Holder>) {
  let best: Holder | undefined;
  for (const k of keys) {
    const h = holders.get(k);
    if (h) best = best ? earlier(best, h) : h;
  }
  return best;
}

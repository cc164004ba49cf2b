/**
 * Reading a fetched document: parse, then process its entries (identity, fingerprints, dates,
 * filters). Pure and CPU-bound, the largest share of a run that brings new entries; behind a
 * DocumentReader so it can run elsewhere. Worker threads were measured and lost on a 2-core
 * machine (docs/decisions.md, Pipeline): today it runs in-process.
 */
import { errorMessage } from '../model/errors.js';
import type { FeedMeta } from '../model/feed.js';
import type { ProcessedEntry } from '../model/stored.js';
import type { EntryFilters } from '../model/subscription.js';
import { sanitizeDeferred } from '../parse/deferred.js';
import { parse } from '../parse/index.js';
import { processEntries } from '../process/process-entries.js';

export interface DocumentJob {
  body: Uint8Array;
  /** The URL the body came from (after redirects): the base for relative links. */
  url: string;
  headers: Record<string, string>;
  /** ISO 8601: dates after it are clamped to it. */
  now: string;
  filters?: EntryFilters;
}

/** Entries come back with their HTML not yet sanitized: pass them through cleanEntry. */
export type DocumentResult =
  | {
      kind: 'read';
      /** '' when the document is not a feed (see ParseResult.version). */
      version: string;
      feed: FeedMeta;
      warnings: string[];
      /** How many entries the parser found (before filters and in-feed duplicates). */
      parsedEntries: number;
      /** Entries past the parser's per-document limit, not read (0 when none). */
      entriesDropped: number;
      entries: ProcessedEntry[];
    }
  /** A bug met on this document: which stage crashed and its message (the feed fails alone). */
  | { kind: 'crashed'; stage: 'parser' | 'entry processing'; message: string };

/** Reads documents: the pipeline's view of parse + process (tests wrap it to count reads). */
export type DocumentReader = (job: DocumentJob) => Promise<DocumentResult>;

/** parse() then processEntries(), here; never throws. */
export function readDocument(job: DocumentJob): DocumentResult {
  let parsed: ReturnType<typeof parse>;
  try {
    // Cleaning the HTML waits until the store knows which entries it writes (cleanEntry).
    parsed = parse(job.body, { url: job.url, headers: job.headers, sanitize: 'defer' });
  } catch (error) {
    return { kind: 'crashed', stage: 'parser', message: errorMessage(error) };
  }
  let entries: ProcessedEntry[] = [];
  if (parsed.version !== '' || parsed.entries.length > 0) {
    try {
      entries = processEntries(parsed, {
        feedUrl: job.url,
        now: job.now,
        ...(job.filters ? { filters: job.filters } : {}),
      });
    } catch (error) {
      return { kind: 'crashed', stage: 'entry processing', message: errorMessage(error) };
    }
  }
  return {
    kind: 'read',
    version: parsed.version,
    feed: parsed.feed,
    warnings: parsed.warnings,
    parsedEntries: parsed.entries.length,
    entriesDropped: parsed.entriesDropped ?? 0,
    entries,
  };
}

/** The in-process reader. */
export const readInProcess: DocumentReader = async (job) => readDocument(job);

/** Cleans an entry read by readDocument (whose HTML is not sanitized yet). */
export const cleanEntry = sanitizeDeferred;

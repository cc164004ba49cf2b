/**
 * What a dialect (sqlite/, postgres/) gives the shared queries: how its native values read
 * back, the few SQL expressions that differ, how stored originals are found and claimed, and
 * how transactions run. Everything else is one set of Kysely queries (kysely/*.ts).
 */
import type { Kysely, RawBuilder, SqlBool, Transaction } from 'kysely';
import type { ProcessedEntry } from '../../model/stored.js';
import type { Holder, PostIdentity } from '../../process/post-identity.js';
import type { StoreCapabilities } from '../store.js';
import type { Db } from './prepared.js';
import type { StoreDatabase } from './schema.js';

export interface StoreDialect {
  readonly name: 'sqlite' | 'postgres';
  /** Prefix of error messages, e.g. 'store/sqlite'. */
  readonly stage: string;
  readonly capabilities: StoreCapabilities;
  /** A stored date as ISO 8601 (text on SQLite, a Date from timestamptz on PostgreSQL). */
  date(value: unknown): string;
  /** A stored JSON value, parsed (text on SQLite, already parsed jsonb on PostgreSQL). */
  json<T>(value: unknown): T;
  /** `ref` is one of `ids`, bound as one parameter whatever their number. */
  idIn(ref: string, ids: readonly number[]): RawBuilder<SqlBool>;
  /** The feed's previous_urls (a JSON list) hold `url`. */
  previousUrlsHold(url: string): RawBuilder<SqlBool>;
  readonly originals: OriginalsIndex;
}

/** A stored original with what decides whether a new entry repeats it. */
export type OriginalRow = Holder & PostIdentity;

/**
 * How a dialect finds the originals that new entries repeat, and records new originals.
 * SQLite (one writer) reads the candidate rows by link and fingerprint; PostgreSQL (many
 * writers) keeps claim keys under a unique index and learns of a race from ON CONFLICT.
 */
export interface OriginalsIndex {
  /** Stored originals by the claim keys the new entries look up (the first seen per key). */
  holders(trx: Db, fresh: readonly ProcessedEntry[]): Promise<Map<string, Holder>>;
  /**
   * Records the claim keys of new originals. Returns, per original that lost a key to a writer
   * that stored the same post at the same time, the originals holding its lost keys.
   */
  claim(
    trx: Db,
    originals: readonly { id: number; claims: readonly string[] }[],
  ): Promise<Map<number, OriginalRow[]>>;
}

/**
 * How the store's writes are grouped into transactions. The plain one gives each call its
 * own; SQLite's group commit (sqlite/group-commit.ts) shares one between feed updates.
 */
export interface Transactor {
  /** One feed update, all or nothing. */
  update<T>(fn: (trx: Transaction<StoreDatabase>) => Promise<T>): Promise<T>;
  /** A transaction of its own, after the updates queued before it are committed. */
  transaction<T>(fn: (trx: Transaction<StoreDatabase>) => Promise<T>): Promise<T>;
  /** A read, after the updates queued before it are committed. */
  read<T>(fn: () => Promise<T>): Promise<T>;
  /** Commits what is open (nothing without group commit). */
  flush(): Promise<void>;
}

/** Runs an operation again when the dialect says its failure was transient (or just runs it). */
export type Retry = <T>(operation: () => Promise<T>) => Promise<T>;

/** One transaction per call; `retry` wraps each whole call (a transaction is redone whole). */
export function plainTransactor(
  db: Kysely<StoreDatabase>,
  retry: Retry = (op) => op(),
): Transactor {
  const transaction = <T>(fn: (trx: Transaction<StoreDatabase>) => Promise<T>) =>
    retry(() => db.transaction().execute(fn));
  return {
    update: transaction,
    transaction,
    read: (fn) => retry(fn),
    flush: async () => undefined,
  };
}

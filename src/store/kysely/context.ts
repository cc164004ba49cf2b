/** What every part of the shared store (subscriptions, ingest, read model, retention) works with. */
import type { Kysely } from 'kysely';
import { OrreryError } from '../../model/errors.js';
import type { ArchiveSettings } from '../../model/settings.js';
import { isoDate } from '../../process/ingest-policy.js';
import type { StoreDialect, Transactor } from './dialect.js';
import type { StoreDatabase } from './schema.js';

export interface StoreContext {
  db: Kysely<StoreDatabase>;
  dialect: StoreDialect;
  tx: Transactor;
  readonly: boolean;
  /** Fetch records kept per feed. */
  history: number;
  /** Retention applied to entries as they arrive (pruneEntries removes the rest). */
  archive: ArchiveSettings;
}

/** Throws store-readonly when the store was opened read-only. */
export function assertWritable(ctx: StoreContext, what: string): void {
  if (ctx.readonly) {
    throw new OrreryError(
      'store-readonly',
      `${ctx.dialect.stage}: ${what} on a store opened read-only`,
    );
  }
}

/** The date in the store's one ISO form, or store-bad-input. */
export function requireIso(ctx: StoreContext, value: string, field: string): string {
  const v = isoDate(value);
  if (v === undefined) {
    throw new OrreryError(
      'store-bad-input',
      `${ctx.dialect.stage}: ${field} is not a date: ${value}`,
    );
  }
  return v;
}

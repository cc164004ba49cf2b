/** SQLite's migrations: the shared history (schemas 1-3), then its own (schema 5 in its types). */
import type { Kysely, Migration } from 'kysely';
import { createMigrations, websubSubscriptions } from '../migrations/migrations.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's table types
type AnyDb = Kysely<any>;

/** Schema 4: the fetch history counts the entries a document had beyond the parser's limit. */
const fetchDroppedEntries: Migration = {
  async up(db: AnyDb) {
    await db.schema.alterTable('fetches').addColumn('entries_dropped', 'integer').execute();
  },
  async down(db: AnyDb) {
    await db.schema.alterTable('fetches').dropColumn('entries_dropped').execute();
  },
};

export const SQLITE_MIGRATIONS: Record<string, Migration> = {
  ...createMigrations({ autoIncrement: 'integer-autoincrement' }),
  '0004_fetch_dropped_entries': fetchDroppedEntries,
  '0005_websub_subscriptions': websubSubscriptions({ date: 'text', json: 'text' }),
};

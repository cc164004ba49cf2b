/**
 * Versioned schema migrations, in code (no files to find at run time). Schemas 1-3 are the
 * history both dialects share (written with Kysely's schema builder, portable types: text
 * dates, 0/1 booleans, JSON text; the one difference, how an auto-increment key is declared,
 * comes in as a capability). From schema 4 each dialect adds its own
 * (sqlite/sqlite-migrations.ts, postgres/postgres-migrations.ts): PostgreSQL moves to its
 * native types there.
 *
 * Names are `NNNN_description`: NNNN is the schema version the migration brings the store to.
 * Never edit a released migration; add a new one.
 */
import { type CreateTableBuilder, type Kysely, type Migration, sql } from 'kysely';

export interface MigrationDialect {
  /** How the dialect declares an auto-increment integer primary key. */
  autoIncrement: 'integer-autoincrement' | 'identity';
}

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's table types
type AnyDb = Kysely<any>;

function idColumn<TB extends string>(
  t: CreateTableBuilder<TB, never>,
  d: MigrationDialect,
): CreateTableBuilder<TB, 'id'> {
  return t.addColumn('id', 'integer', (c) =>
    d.autoIncrement === 'identity'
      ? c.primaryKey().generatedAlwaysAsIdentity()
      : c.primaryKey().autoIncrement(),
  );
}

function initial(d: MigrationDialect): Migration {
  return {
    async up(db: AnyDb) {
      await idColumn(db.schema.createTable('feeds'), d)
        .addColumn('url', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text')
        .addColumn('section', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('face', 'text')
        .addColumn('config_site_link', 'text')
        .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('title', 'text')
        .addColumn('site_link', 'text')
        .addColumn('hubs', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('self_link', 'text')
        .addColumn('etag', 'text')
        .addColumn('last_modified', 'text')
        .addColumn('last_status', 'integer')
        .addColumn('error_code', 'text')
        .addColumn('error_message', 'text')
        .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('failing_since', 'text')
        .addColumn('last_fetched_at', 'text')
        .addColumn('last_success_at', 'text')
        .addColumn('last_new_entry_at', 'text')
        .addColumn('next_due_at', 'text')
        .addColumn('pending_redirect', 'text')
        .addColumn('previous_urls', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('retired', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('entry_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('feeds_next_due_at').on('feeds').column('next_due_at').execute();

      await idColumn(db.schema.createTable('entries'), d)
        .addColumn('feed_id', 'integer', (c) =>
          c.notNull().references('feeds.id').onDelete('cascade'),
        )
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('guid', 'text')
        .addColumn('link', 'text')
        .addColumn('canonical_link', 'text')
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('title', 'text')
        .addColumn('title_detail', 'text')
        .addColumn('content', 'text')
        .addColumn('summary', 'text')
        .addColumn('author', 'text')
        .addColumn('categories', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('enclosures', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('published', 'text')
        .addColumn('updated', 'text')
        .addColumn('date', 'text', (c) => c.notNull())
        .addColumn('first_seen_at', 'text', (c) => c.notNull())
        .addColumn('last_seen_at', 'text', (c) => c.notNull())
        .addColumn('duplicate_of', 'integer', (c) =>
          c.references('entries.id').onDelete('set null'),
        )
        .addColumn('entry_json', 'text', (c) => c.notNull())
        .addUniqueConstraint('entries_feed_key', ['feed_id', 'key'])
        .execute();
      await db.schema.createIndex('entries_date').on('entries').columns(['date', 'id']).execute();
      await db.schema
        .createIndex('entries_feed_date')
        .on('entries')
        .columns(['feed_id', 'date'])
        .execute();
      await db.schema
        .createIndex('entries_canonical_link')
        .on('entries')
        .column('canonical_link')
        .execute();
      await db.schema
        .createIndex('entries_fingerprint')
        .on('entries')
        .column('fingerprint')
        .execute();

      await idColumn(db.schema.createTable('fetches'), d)
        .addColumn('feed_id', 'integer', (c) =>
          c.notNull().references('feeds.id').onDelete('cascade'),
        )
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('status', 'integer')
        .addColumn('error_code', 'text')
        .addColumn('message', 'text')
        .addColumn('bytes', 'integer')
        .addColumn('elapsed_ms', 'integer', (c) => c.notNull())
        .addColumn('new_entries', 'integer')
        .addColumn('redirects', 'text')
        .execute();
      await db.schema
        .createIndex('fetches_feed_at')
        .on('fetches')
        .columns(['feed_id', 'at'])
        .execute();

      await db.schema
        .createTable('store_meta')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: AnyDb) {
      for (const t of ['fetches', 'entries', 'feeds', 'store_meta']) {
        await db.schema.dropTable(t).ifExists().execute();
      }
    },
  };
}

/**
 * Schema 2: entries lose entry_json (the whole parsed entry, kept only to tell an edited entry
 * from an unchanged one: it doubled every entry's write and was the largest column) for
 * `digest`, a hash of the stored columns; and a summary equal to the content is stored once
 * (`summary_is_content`). Rows from schema 1 have an empty digest: the first fetch that sees
 * them again rewrites them once. Feeds get `document_digest`: a server that answers 200 with
 * the same bytes (no ETag, no Last-Modified) costs no parsing.
 */
const slimEntries: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .alterTable('entries')
      .addColumn('digest', 'text', (c) => c.notNull().defaultTo(''))
      .execute();
    await db.schema
      .alterTable('entries')
      .addColumn('summary_is_content', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.alterTable('entries').dropColumn('entry_json').execute();
    await db.schema.alterTable('feeds').addColumn('document_digest', 'text').execute();
  },
  async down(db: AnyDb) {
    await db.schema
      .alterTable('entries')
      .addColumn('entry_json', 'text', (c) => c.notNull().defaultTo('{}'))
      .execute();
    await db.schema.alterTable('entries').dropColumn('summary_is_content').execute();
    await db.schema.alterTable('entries').dropColumn('digest').execute();
    await db.schema.alterTable('feeds').dropColumn('document_digest').execute();
  },
};

/**
 * Schema 3: feeds keep the scheduling hints of the last document read (RSS ttl, skipHours,
 * skipDays), so that a 304, or a 200 with the same bytes, still honours them.
 */
const scheduleHints: Migration = {
  async up(db: AnyDb) {
    await db.schema.alterTable('feeds').addColumn('schedule_hints', 'text').execute();
  },
  async down(db: AnyDb) {
    await db.schema.alterTable('feeds').dropColumn('schedule_hints').execute();
  },
};

/** The column types a dialect stores dates and JSON in (from schema 4 on they differ). */
export interface NativeTypes {
  date: 'text' | 'timestamptz';
  json: 'text' | 'jsonb';
}

/**
 * Schema 5: the WebSub subscriptions `orrery serve` holds (one per feed, found by the random
 * id of its callback URL, listed by state), and the hub and self links a feed's server
 * announces only in its HTTP Link header. The same shape in both dialects, in each one's types.
 */
export function websubSubscriptions(types: NativeTypes): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('websub_subscriptions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('feed_id', 'integer', (c) =>
          c.notNull().unique().references('feeds.id').onDelete('cascade'),
        )
        .addColumn('hub', 'text', (c) => c.notNull())
        .addColumn('topic', 'text', (c) => c.notNull())
        .addColumn('callback', 'text', (c) => c.notNull())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) =>
          c
            .notNull()
            .check(
              sql`state IN ('pending', 'active', 'denied', 'expired', 'failed', 'unsubscribed')`,
            ),
        )
        .addColumn('pending_mode', 'text', (c) =>
          c.check(sql`pending_mode IN ('subscribe', 'unsubscribe')`),
        )
        .addColumn('pending_since', types.date)
        .addColumn('lease_seconds', 'integer')
        .addColumn('expires_at', types.date)
        .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('retry_at', types.date)
        .addColumn('last_error', 'text')
        .addColumn('created_at', types.date, (c) => c.notNull())
        .addColumn('updated_at', types.date, (c) => c.notNull())
        .addCheckConstraint(
          'websub_subscriptions_pending',
          sql`(pending_mode IS NULL) = (pending_since IS NULL)`,
        )
        .execute();
      await db.schema
        .createIndex('websub_subscriptions_state')
        .on('websub_subscriptions')
        .column('state')
        .execute();
      await db.schema.alterTable('feeds').addColumn('link_header_hubs', types.json).execute();
      await db.schema.alterTable('feeds').addColumn('link_header_self', 'text').execute();
    },
    async down(db: AnyDb) {
      await db.schema.dropTable('websub_subscriptions').execute();
      await db.schema.alterTable('feeds').dropColumn('link_header_self').execute();
      await db.schema.alterTable('feeds').dropColumn('link_header_hubs').execute();
    },
  };
}

/** The migrations both dialects share (schemas 1-3), by name. */
export function createMigrations(dialect: MigrationDialect): Record<string, Migration> {
  return {
    '0001_initial': initial(dialect),
    '0002_slim_entries': slimEntries,
    '0003_schedule_hints': scheduleHints,
  };
}

/** The schema version a migration name brings the store to (its numeric prefix), or NaN. */
export function schemaVersionOf(name: string): number {
  const m = /^(\d+)_/.exec(name);
  return m ? Number(m[1]) : Number.NaN;
}

/** Record the schema version in store_meta (read by humans and by `orrery doctor`). */
export async function writeSchemaVersion(db: AnyDb, version: number): Promise<void> {
  await db.deleteFrom('store_meta').where('key', '=', 'schema_version').execute();
  await db
    .insertInto('store_meta')
    .values({ key: 'schema_version', value: String(version) })
    .execute();
}

/**
 * The Store contract on PostgreSQL. Needs a server: set ORRERY_TEST_POSTGRES_URL (e.g.
 * postgres://postgres@127.0.0.1:5432/postgres); each test gets a schema of its own, dropped
 * afterwards. Without it the suite is reported as skipped, with the reason in its name.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { processed, runStoreContract } from '../store.contract.js';
import { StoreLockedError } from '../store.js';
import { createPostgresStore } from './postgres-store.js';
import { startPgProxy } from './testdata/pg-proxy.js';

const url = process.env.ORRERY_TEST_POSTGRES_URL;
const T0 = '2026-01-10T12:00:00.000Z';

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}

if (url) {
  runStoreContract('postgres', async (options) => {
    const schema = `orrery_test_${randomBytes(6).toString('hex')}`;
    const store = await createPostgresStore({
      connectionString: url,
      schema,
      poolSize: 4,
      ...options,
    });
    return { store, cleanup: () => dropSchema(schema) };
  });

  describe('createPostgresStore', () => {
    it('refuses a schema written by a newer Orrery', async () => {
      const schema = `orrery_test_${randomBytes(6).toString('hex')}`;
      try {
        await (await createPostgresStore({ connectionString: url, schema })).close();
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        await client.query(
          `INSERT INTO "${schema}".kysely_migration (name, timestamp) VALUES ('0009_future', 'x')`,
        );
        await client.end();
        await expect(createPostgresStore({ connectionString: url, schema })).rejects.toThrow(
          /was written by a newer Orrery \(schema 9\); upgrade Orrery/,
        );
      } finally {
        await dropSchema(schema);
      }
    });
  });
  describe('opened by several processes at once', () => {
    it('creates and migrates a new schema once, every opener succeeding', async () => {
      const schema = `orrery_test_${randomBytes(6).toString('hex')}`;
      try {
        // Workers started together open one new store at the same moment.
        const stores = await Promise.all(
          Array.from({ length: 6 }, () =>
            createPostgresStore({ connectionString: url, schema, poolSize: 2 }),
          ),
        );
        const feeds = await Promise.all(stores.map((s) => s.listFeeds()));
        expect(feeds).toEqual(stores.map(() => []));
        await Promise.all(stores.map((s) => s.close()));
      } finally {
        await dropSchema(schema);
      }
    });
  });
  describe('native types', () => {
    it('keeps WebSub subscriptions in timestamptz and jsonb columns, with their indexes', async () => {
      const schema = `orrery_test_${randomBytes(6).toString('hex')}`;
      try {
        await (await createPostgresStore({ connectionString: url, schema })).close();
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        const columns = await client.query(
          `SELECT table_name, column_name, data_type FROM information_schema.columns
            WHERE table_schema = $1 AND (table_name = 'websub_subscriptions'
              OR column_name LIKE 'link_header_%') ORDER BY table_name, column_name`,
          [schema],
        );
        const types = Object.fromEntries(
          columns.rows.map((r) => [`${r.table_name}.${r.column_name}`, r.data_type]),
        );
        const indexes = await client.query(
          `SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'websub_subscriptions'`,
          [schema],
        );
        await client.end();
        expect(types).toMatchObject({
          'feeds.link_header_hubs': 'jsonb',
          'feeds.link_header_self': 'text',
          'websub_subscriptions.created_at': 'timestamp with time zone',
          'websub_subscriptions.updated_at': 'timestamp with time zone',
          'websub_subscriptions.expires_at': 'timestamp with time zone',
          'websub_subscriptions.retry_at': 'timestamp with time zone',
          'websub_subscriptions.pending_since': 'timestamp with time zone',
          'websub_subscriptions.feed_id': 'integer',
          'websub_subscriptions.lease_seconds': 'integer',
        });
        const defs = indexes.rows.map((r) => String(r.indexdef)).join('\n');
        expect(defs).toMatch(/UNIQUE INDEX .* \(id\)/);
        expect(defs).toMatch(/UNIQUE INDEX .* \(feed_id\)/);
        expect(defs).toMatch(/INDEX websub_subscriptions_state .* \(state\)/);
      } finally {
        await dropSchema(schema);
      }
    });
  });
  describe('several planets in one database', () => {
    it('keeps each in its own schema, migrations included', async () => {
      const schemas = [1, 2].map(() => `orrery_test_${randomBytes(6).toString('hex')}`);
      try {
        const [a, b] = await Promise.all(
          schemas.map((schema) => createPostgresStore({ connectionString: url, schema })),
        );
        await a!.syncSubscriptions([{ url: 'https://a.example/feed', section: 's' }], T0);
        expect(await b!.listFeeds()).toEqual([]);
        await Promise.all([a!.close(), b!.close()]);
        // a third, after both exist
        const schema = `orrery_test_${randomBytes(6).toString('hex')}`;
        schemas.push(schema);
        const c = await createPostgresStore({ connectionString: url, schema });
        expect(await c.listFeeds()).toEqual([]);
        await c.close();
      } finally {
        for (const schema of schemas) await dropSchema(schema);
      }
    });
  });

  describe('PostgreSQL faults', () => {
    it('goes on when the server restarts mid-run: connections dropped, refused for a second', async () => {
      const schema = `orrery_test_${randomBytes(6).toString('hex')}`;
      const target = new URL(url);
      const proxy = await startPgProxy(target.hostname, Number(target.port || 5432));
      const through = new URL(url);
      through.host = `127.0.0.1:${proxy.port}`;
      const store = await createPostgresStore({ connectionString: through.href, schema });
      const other = await createPostgresStore({ connectionString: url, schema });
      try {
        const lock = await store.acquireLock({ owner: 'orrery run (test)', waitMs: 0 });
        const T = '2026-01-10T12:00:00.000Z';
        await store.syncSubscriptions(
          Array.from({ length: 40 }, (_, i) => ({
            url: `https://f${i}.example/feed`,
            section: 's',
          })),
          T,
        );
        const feeds = await store.listFeeds();
        let restarted: Promise<void> | undefined;
        const reports = await Promise.all(
          feeds.map(async (feed, i) => {
            // Half-way, the server goes away for a second.
            if (i === 20) restarted = proxy.restart(1_000);
            await new Promise((r) => setTimeout(r, i * 15));
            return store.applyFeedUpdate({
              feedId: feed.id,
              now: T,
              fetch: { at: T, outcome: 'ok', status: 200, elapsedMs: 1 },
              entries: [processed(`e${i}`), processed(`shared`, { fingerprint: 'fp-shared' })],
              nextDueAt: T,
            });
          }),
        );
        await restarted;
        expect(reports.every((r) => r.inserted + r.duplicates + r.unchanged === 2)).toBe(true);
        expect(await other.countEntries()).toBe(41);
        expect((await other.listFeeds()).every((f) => f.lastFetchedAt === T)).toBe(true);
        // The run lock was taken again when the server came back: another run is still refused.
        let refused: unknown;
        for (let i = 0; i < 50 && !(refused instanceof StoreLockedError); i++) {
          refused = await other
            .acquireLock({ owner: 'second', waitMs: 0 })
            .then(async (l) => {
              await l.release();
              return undefined;
            })
            .catch((e: unknown) => e);
          if (!(refused instanceof StoreLockedError)) await new Promise((r) => setTimeout(r, 100));
        }
        expect(refused).toBeInstanceOf(StoreLockedError);
        await lock.release();
      } finally {
        await store.close();
        await other.close();
        await proxy.close();
        await dropSchema(schema);
      }
    });
  });
} else {
  describe.skip('Store contract: postgres (skipped: ORRERY_TEST_POSTGRES_URL is not set, no PostgreSQL server)', () => {
    it('runs the Store contract', () => {});
  });
}

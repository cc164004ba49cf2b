/**
 * The Store contract on PostgreSQL. Needs a server: set ORRERY_TEST_POSTGRES_URL (e.g.
 * postgres://postgres@127.0.0.1:5432/postgres); each test gets a schema of its own, dropped
 * afterwards. Without it the suite is reported as skipped, with the reason in its name.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { runStoreContract } from '../store.contract.js';
import { createPostgresStore } from './postgres-store.js';

const url = process.env.ORRERY_TEST_POSTGRES_URL;

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
} else {
  describe.skip('Store contract: postgres (skipped: ORRERY_TEST_POSTGRES_URL is not set, no PostgreSQL server)', () => {
    it('runs the Store contract', () => {});
  });
}

/**
 * PostgreSQL's side of the shared queries: native types (timestamptz read back as a Date,
 * jsonb already parsed), lists bound as one array parameter, and originals found through the
 * claims table (claims.ts) instead of a read-then-insert under a lock.
 */
import { type SqlBool, sql } from 'kysely';
import { isoDate } from '../../process/ingest-policy.js';
import type { StoreDialect } from '../kysely/dialect.js';
import { claimsIndex } from './claims.js';

export const postgresDialect: StoreDialect = {
  name: 'postgres',
  stage: 'store/postgres',
  capabilities: { concurrentWriters: true, skipLocked: true },
  date: (value) =>
    value instanceof Date ? value.toISOString() : (isoDate(String(value)) ?? String(value)),
  json: <T>(value: unknown) => value as T,
  idIn: (ref, ids) => sql<SqlBool>`${sql.ref(ref)} = ANY(${sql.val(ids)}::integer[])`,
  previousUrlsHold: (url) =>
    sql<SqlBool>`${sql.ref('previous_urls')} @> ${JSON.stringify([url])}::jsonb`,
  originals: claimsIndex,
};

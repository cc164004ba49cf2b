/**
 * Copy a planet's store into another (SQLite → PostgreSQL and back), resumable and verified.
 *
 * Each table is walked by id (WebSub subscriptions: by feed id) in batches; a batch whose rows
 * the target already holds, equal, is skipped, any other is written (rows upserted by that key,
 * the target's rows in that key range that the source lacks deleted) in one transaction. So a copy that was interrupted picks up
 * where it stopped, and running it again after the source changed brings the target level.
 * Ids are kept (entries point at their originals and feeds by id). The target must be empty,
 * or left unfinished by a copy from the same source (a marker in its store_meta says so).
 * Then both stores are read again, whole, and compared by row counts and digests of the rows
 * in one canonical form (tables.ts).
 */
import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { OrreryError } from '../../model/errors.js';
import type { StoreHandle } from '../kysely/kysely-store.js';
import { fillClaims } from '../postgres/claims.js';
import { canonicalRow, TABLES, type TableSpec, writableRow } from './tables.js';

const COPY_MARKER = 'copy_from';

export interface TableReport {
  table: string;
  rows: number;
  /** Rows written in this run (0 when the target already held them all). */
  written: number;
  /** SHA-256 of the table's rows in canonical form, the same on both sides. */
  digest: string;
}

export interface CopyReport {
  /** True when the target held part of an earlier, unfinished copy. */
  resumed: boolean;
  tables: TableReport[];
}

export interface CopyOptions {
  /** Called after each batch. */
  onProgress?: (table: string, done: number, total: number) => void;
}

// biome-ignore lint/suspicious/noExplicitAny: the copy walks every table alike, by name
type AnyDb = Kysely<any>;

/** A table's rows by ascending key, `spec.batch` at a time, with the key each batch follows. */
async function* batches(db: AnyDb, spec: TableSpec) {
  for (let after = 0; ; ) {
    const rows = await db
      .selectFrom(spec.name)
      .selectAll()
      .where(spec.key, '>', after)
      .orderBy(spec.key)
      .limit(spec.batch)
      .execute();
    if (rows.length === 0) return;
    yield { after, rows };
    after = Number(rows[rows.length - 1]?.[spec.key]);
  }
}

/** Copy `from` into `to` (both open; the caller holds their run locks), then verify. */
export async function copyStore(
  from: StoreHandle,
  to: StoreHandle,
  options: CopyOptions = {},
): Promise<CopyReport> {
  const resumed = await claimTarget(from, to);
  const written = new Map<string, number>();
  for (const spec of TABLES) written.set(spec.name, await copyTable(spec, from, to, options));
  await linkForwardDuplicates(from, to);
  if (to.dialect.name === 'postgres') await refreshPostgres(to.db as AnyDb);
  const tables: TableReport[] = [];
  for (const spec of TABLES) {
    const [a, b] = await Promise.all([digestTable(spec, from), digestTable(spec, to)]);
    if (a.rows !== b.rows || a.digest !== b.digest) {
      throw new OrreryError(
        'store-copy-mismatch',
        `store copy: ${spec.name} differs after copying (${a.rows} rows in ${from.label}, ${b.rows} in ${to.label}); was the source written to meanwhile? Run the same copy again`,
      );
    }
    tables.push({
      table: spec.name,
      rows: a.rows,
      written: written.get(spec.name) ?? 0,
      digest: a.digest,
    });
  }
  await (to.db as AnyDb).deleteFrom('store_meta').where('key', '=', COPY_MARKER).execute();
  return { resumed, tables };
}

/** Refuses a target holding another planet; marks it as this copy's. Returns "resumed". */
async function claimTarget(from: StoreHandle, to: StoreHandle): Promise<boolean> {
  const db = to.db as AnyDb;
  if (from.label === to.label) {
    throw new OrreryError(
      'store-bad-input',
      `store copy: ${to.label} is the store itself; give another target`,
    );
  }
  const marker = await db
    .selectFrom('store_meta')
    .select('value')
    .where('key', '=', COPY_MARKER)
    .executeTakeFirst();
  if (marker?.value === from.label) return true;
  const held = await db
    .selectFrom('feeds')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirst();
  const feeds = Number(held?.n ?? 0);
  if (feeds > 0 || marker) {
    const other = marker ? ` (an unfinished copy from ${marker.value})` : ` (${feeds} feeds)`;
    throw new OrreryError(
      'store-copy-target-not-empty',
      `store copy: ${to.label} already holds a planet${other}; copy into an empty database, schema or file`,
    );
  }
  await db.insertInto('store_meta').values({ key: COPY_MARKER, value: from.label }).execute();
  return false;
}

function sameRows(a: unknown[][], b: unknown[][]): boolean {
  if (a.length !== b.length) return false;
  return a.every((row, i) => JSON.stringify(row) === JSON.stringify(b[i]));
}

async function copyTable(
  spec: TableSpec,
  from: StoreHandle,
  to: StoreHandle,
  options: CopyOptions,
): Promise<number> {
  const source = from.db as AnyDb;
  const target = to.db as AnyDb;
  const total = Number(
    (
      await source
        .selectFrom(spec.name)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirst()
    )?.n ?? 0,
  );
  const columns = Object.keys(spec.columns);
  const keyAt = columns.indexOf(spec.key);
  let last = 0;
  let done = 0;
  let written = 0;
  for await (const { after, rows } of batches(source, spec)) {
    last = Number(rows[rows.length - 1]?.[spec.key]);
    const wanted = rows.map((r) => forwardFree(spec, canonicalRow(spec, from.dialect, r)));
    const held = (
      await target
        .selectFrom(spec.name)
        .selectAll()
        .where(spec.key, '>', after)
        .where(spec.key, '<=', last)
        .orderBy(spec.key)
        .execute()
    ).map((r) => canonicalRow(spec, to.dialect, r));
    if (!sameRows(wanted, held)) {
      const keys = wanted.map((r) => r[keyAt] as number);
      await target.transaction().execute(async (trx) => {
        await trx
          .deleteFrom(spec.name)
          .where(spec.key, '>', after)
          .where(spec.key, '<=', last)
          .where(spec.key, 'not in', keys)
          .execute();
        await trx
          .insertInto(spec.name)
          .values(wanted.map((r) => writableRow(spec, r)))
          .onConflict((oc) =>
            oc
              .column(spec.key)
              .doUpdateSet((eb) =>
                Object.fromEntries(
                  columns.filter((c) => c !== spec.key).map((c) => [c, eb.ref(`excluded.${c}`)]),
                ),
              ),
          )
          .execute();
      });
      written += rows.length;
    }
    done += rows.length;
    options.onProgress?.(spec.name, done, total);
  }
  // Rows past the source's last key (the source lost them since an earlier copy).
  await target.deleteFrom(spec.name).where(spec.key, '>', last).execute();
  return written;
}

/**
 * An entry may point at an original with a higher id (PostgreSQL: two writers stored one post
 * at once and the later id won). It is written without the link first (the original is not
 * there yet), and linked once every entry is in.
 */
function forwardFree(spec: TableSpec, row: (string | number | null)[]) {
  if (spec.name !== 'entries') return row;
  const at = Object.keys(spec.columns).indexOf('duplicate_of');
  const of = row[at];
  if (typeof of === 'number' && of > (row[0] as number)) {
    const copy = [...row];
    copy[at] = null;
    return copy;
  }
  return row;
}

async function linkForwardDuplicates(from: StoreHandle, to: StoreHandle): Promise<void> {
  const rows = await (from.db as AnyDb)
    .selectFrom('entries')
    .select(['id', 'duplicate_of'])
    .whereRef('duplicate_of', '>', 'id')
    .execute();
  for (const r of rows) {
    await (to.db as AnyDb)
      .updateTable('entries')
      .set({ duplicate_of: Number(r.duplicate_of) })
      .where('id', '=', Number(r.id))
      .execute();
  }
}

/** Claims rebuilt from the copied entries; identity sequences moved past the copied ids. */
async function refreshPostgres(db: AnyDb): Promise<void> {
  await db.deleteFrom('entry_claims').execute();
  await fillClaims(db);
  for (const table of ['feeds', 'entries', 'fetches']) {
    await sql
      .raw(
        `SELECT setval(pg_get_serial_sequence('${table}', 'id'), coalesce((SELECT max(id) FROM ${table}), 0) + 1, false)`,
      )
      .execute(db);
  }
}

async function digestTable(spec: TableSpec, store: StoreHandle) {
  const hash = createHash('sha256');
  let rows = 0;
  for await (const batch of batches(store.db as AnyDb, spec)) {
    for (const r of batch.rows) {
      hash.update(`${JSON.stringify(canonicalRow(spec, store.dialect, r))}\n`);
    }
    rows += batch.rows.length;
  }
  return { rows, digest: hash.digest('hex') };
}

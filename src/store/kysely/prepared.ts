/**
 * Queries compiled once and run many times with new parameters. The hot statements of a feed
 * update repeat per feed, and building + compiling them with Kysely cost more CPU than SQLite
 * took to run them (measured with --cpu-prof; docs/decisions/store.md). A query is built with
 * a marker in place of each named value; running it swaps the markers for the values. The SQL
 * comes from the store's own Kysely instance, so it is right for every dialect.
 */
import type { Compilable, CompiledQuery, Kysely, Transaction } from 'kysely';
import type { StoreDatabase } from './schema.js';

export type Db = Kysely<StoreDatabase> | Transaction<StoreDatabase>;

/** Stands in for a parameter when a query is compiled once. */
const SLOT = '\u0000orrery-slot:';

interface SlottedQuery<N extends string> {
  query: CompiledQuery;
  /** Per parameter: the name of the slot it stands for, or undefined for a fixed value. */
  slots: (N | undefined)[];
}

/** Compiles a query built with a marker in place of each named value. */
function compileWithSlots<N extends string>(
  build: (slot: (name: N) => never) => Compilable<unknown>,
): SlottedQuery<N> {
  const query = build((name) => `${SLOT}${name}` as never).compile();
  const slots = query.parameters.map((p) =>
    typeof p === 'string' && p.startsWith(SLOT) ? (p.slice(SLOT.length) as N) : undefined,
  );
  return { query, slots };
}

/** A query compiled on first use, then run with `values` for its named slots. */
export function prepared<N extends string>(
  build: (slot: (name: N) => never) => Compilable<unknown>,
): (db: Db, values: Record<N, unknown>) => Promise<{ rows: unknown[]; changed: number }> {
  let compiled: SlottedQuery<N> | undefined;
  return async (db, values) => {
    compiled ??= compileWithSlots(build);
    const { query, slots } = compiled;
    const parameters = slots.map((n, i) => (n === undefined ? query.parameters[i] : values[n]));
    const result = await db.executeQuery({ ...query, parameters });
    return { rows: result.rows, changed: Number(result.numAffectedRows ?? 0) };
  };
}

/** Cuts a list into parts of at most `size`. */
export function chunks<T>(values: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

/**
 * Multi-row inserts compiled once per row count and column list (at most `chunkSize` shapes
 * per column list), parameters taken by position from a table made at compile time: no Kysely
 * build per call and no per-call object of named values. Every row of one call must have the
 * first row's columns. `build` makes the statement for rows whose values are markers.
 */
export function createBatchInserter<R extends object, Out>(
  build: (rows: R[]) => Compilable<Out>,
  chunkSize: number,
): (db: Db, rows: readonly R[]) => Promise<Out[]> {
  interface Shape {
    compiled: CompiledQuery;
    /** For each parameter: the row (offset in the chunk) and column it takes its value from. */
    from: { row: number; column: string }[];
  }
  const shapes = new Map<string, Shape>();
  const shapeFor = (columns: readonly string[], count: number): Shape => {
    const id = `${count}\u0000${columns.join(',')}`;
    let shape = shapes.get(id);
    if (!shape) {
      const { query, slots } = compileWithSlots<string>((slot) =>
        build(
          Array.from(
            { length: count },
            (_, row) => Object.fromEntries(columns.map((c) => [c, slot(`${row}:${c}`)])) as R,
          ),
        ),
      );
      const from = slots.map((name) => {
        const [row, column] = (name ?? '').split(':') as [string, string];
        return { row: Number(row), column };
      });
      shape = { compiled: query, from };
      shapes.set(id, shape);
    }
    return shape;
  };
  return async (db, rows) => {
    const out: Out[] = [];
    for (const chunk of chunks(rows, chunkSize)) {
      const columns = Object.keys(chunk[0] as R);
      const { compiled, from } = shapeFor(columns, chunk.length);
      const parameters = from.map((f) => (chunk[f.row] as Record<string, unknown>)[f.column]);
      const result = await db.executeQuery<Out>({ ...compiled, parameters });
      out.push(...result.rows);
    }
    return out;
  };
}

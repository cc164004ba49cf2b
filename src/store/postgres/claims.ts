/**
 * PostgreSQL's index of originals: the claim keys each original holds (process/post-identity.ts)
 * in `entry_claims`, under a unique index. Several workers store entries at once; a post two of
 * them bring at the same moment is decided by the index, not by a lock: both read no holder,
 * both insert their entry, and the second INSERT … ON CONFLICT DO NOTHING of a shared key waits
 * for the first transaction and finds the key taken. Every update inserts its keys sorted, in
 * one statement, so two updates never wait on each other in a cycle.
 */
import { type SqlBool, sql } from 'kysely';
import type { ProcessedEntry } from '../../model/stored.js';
import { claimKeys, type Holder, lookupKeys } from '../../process/post-identity.js';
import type { OriginalRow, OriginalsIndex } from '../kysely/dialect.js';
import type { Db } from '../kysely/prepared.js';

const anyText = (values: readonly string[]) =>
  sql<SqlBool>`c.claim = ANY(${sql.val(values)}::text[])`;

async function holdersOf(trx: Db, keys: readonly string[]) {
  const { rows } = await sql<{
    claim: string;
    id: number;
    first_seen_at: Date;
    canonical_link: string | null;
    fingerprint: string;
    title: string | null;
  }>`SELECT c.claim, e.id, e.first_seen_at, e.canonical_link, e.fingerprint, e.title
     FROM entry_claims c JOIN entries e ON e.id = c.entry_id
     WHERE ${anyText(keys)}`.execute(trx);
  return rows.map((r) => ({
    claim: r.claim,
    row: {
      id: Number(r.id),
      firstSeenAt: r.first_seen_at.toISOString(),
      canonicalLink: r.canonical_link,
      fingerprint: r.fingerprint,
      title: r.title,
    } satisfies OriginalRow,
  }));
}

export const claimsIndex: OriginalsIndex = {
  async holders(trx: Db, fresh: readonly ProcessedEntry[]): Promise<Map<string, Holder>> {
    const keys = new Set<string>();
    for (const pe of fresh) {
      for (const k of lookupKeys({ ...pe, title: pe.entry.title })) keys.add(k);
    }
    const found = await holdersOf(trx, [...keys]);
    return new Map(found.map((h) => [h.claim, h.row]));
  },

  async claim(trx, originals) {
    const owner = new Map<string, number>();
    for (const o of originals) for (const k of o.claims) if (!owner.has(k)) owner.set(k, o.id);
    const lost = new Map<number, OriginalRow[]>();
    if (owner.size === 0) return lost;
    // Sorted: every writer takes the keys' index entries in the same order (no deadlock).
    const keys = [...owner.keys()].sort();
    const { rows } = await sql<{ claim: string }>`
      INSERT INTO entry_claims (claim, entry_id)
      SELECT * FROM unnest(${sql.val(keys)}::text[], ${sql.val(keys.map((k) => owner.get(k)))}::integer[])
      ON CONFLICT (claim) DO NOTHING
      RETURNING claim`.execute(trx);
    if (rows.length === keys.length) return lost;
    const won = new Set(rows.map((r) => r.claim));
    const taken = keys.filter((k) => !won.has(k));
    for (const { claim, row } of await holdersOf(trx, taken)) {
      const id = owner.get(claim) as number;
      const list = lost.get(id);
      if (list) list.push(row);
      else lost.set(id, [row]);
    }
    return lost;
  },
};

/**
 * Claims for every original of the store, the first seen first: after the migration to
 * schema 4 and after a copy into PostgreSQL. Keys already held are left as they are.
 */
export async function fillClaims(db: Db, batch = 2_000): Promise<void> {
  let after: { at: Date; id: number } | undefined;
  for (;;) {
    const { rows } = await sql<{
      id: number;
      first_seen_at: Date;
      canonical_link: string | null;
      fingerprint: string;
      title: string | null;
    }>`SELECT id, first_seen_at, canonical_link, fingerprint, title FROM entries
       WHERE duplicate_of IS NULL
       ${after ? sql`AND (first_seen_at, id) > (${after.at}, ${after.id})` : sql``}
       ORDER BY first_seen_at, id LIMIT ${batch}`.execute(db);
    if (rows.length === 0) return;
    const keys: string[] = [];
    const ids: number[] = [];
    for (const r of rows) {
      const post = { canonicalLink: r.canonical_link, fingerprint: r.fingerprint, title: r.title };
      for (const k of claimKeys(post)) {
        keys.push(k);
        ids.push(Number(r.id));
      }
    }
    await sql`INSERT INTO entry_claims (claim, entry_id)
      SELECT * FROM unnest(${sql.val(keys)}::text[], ${sql.val(ids)}::integer[])
      ON CONFLICT (claim) DO NOTHING`.execute(db);
    const last = rows[rows.length - 1] as (typeof rows)[number];
    after = { at: last.first_seen_at, id: Number(last.id) };
  }
}

/**
 * SQLite's side of the shared queries: dates are ISO text and JSON is text (read as stored),
 * lists go in as one JSON parameter (json_each), and the originals new entries repeat are read
 * from the entries themselves: one writer, so nothing can come between the read and the insert.
 */
import { type SqlBool, sql } from 'kysely';
import type { ProcessedEntry } from '../../model/stored.js';
import { type Holder, holdersByKey, type PostIdentity } from '../../process/post-identity.js';
import type { OriginalsIndex, StoreDialect } from '../kysely/dialect.js';
import { chunks, type Db } from '../kysely/prepared.js';

/** Values per IN (...) list. */
const IN_CHUNK = 500;

const originals: OriginalsIndex = {
  async holders(trx: Db, fresh: readonly ProcessedEntry[]): Promise<Map<string, Holder>> {
    const links = [...new Set(fresh.flatMap((pe) => (pe.canonicalLink ? [pe.canonicalLink] : [])))];
    const prints = [...new Set(fresh.map((pe) => pe.fingerprint))];
    const found = new Map<number, Holder & PostIdentity>();
    const load = async (column: 'canonical_link' | 'fingerprint', values: string[]) => {
      for (const part of chunks(values, IN_CHUNK)) {
        const rows = await trx
          .selectFrom('entries')
          .select(['id', 'canonical_link', 'fingerprint', 'first_seen_at', 'title'])
          .where(column, 'in', part)
          .where('duplicate_of', 'is', null)
          .execute();
        for (const r of rows) {
          const id = Number(r.id);
          found.set(id, {
            id,
            firstSeenAt: r.first_seen_at as string,
            canonicalLink: r.canonical_link,
            fingerprint: r.fingerprint,
            title: r.title,
          });
        }
      }
    };
    await load('canonical_link', links);
    await load('fingerprint', prints);
    return holdersByKey(found.values());
  },
  // One writer: no other transaction can have stored the same post in between.
  claim: async () => new Map(),
};

export const sqliteDialect: StoreDialect = {
  name: 'sqlite',
  stage: 'store/sqlite',
  capabilities: { concurrentWriters: false, skipLocked: false },
  date: (value) => value as string,
  json: <T>(value: unknown) => JSON.parse(value as string) as T,
  idIn: (ref, ids) =>
    sql<SqlBool>`${sql.ref(ref)} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`,
  previousUrlsHold: (url) =>
    sql<SqlBool>`EXISTS (SELECT 1 FROM json_each(${sql.ref('previous_urls')}) WHERE value = ${url})`,
  originals,
};

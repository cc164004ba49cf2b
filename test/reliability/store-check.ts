/**
 * What a SQLite store must always be, checked from outside (better-sqlite3 on the file, no
 * Orrery code): SQLite's own integrity and foreign keys, then the schema's invariants —
 * every entry and fetch belongs to a known feed, one entry per (feed, key), a duplicate points
 * at an original (an entry that is itself no duplicate, of another row), every entry has its
 * digest, and a feed's entry_count is the number of its originals.
 */
import Database from 'better-sqlite3';

export interface StoredEntry {
  id: number;
  feedUrl: string;
  guid: string | null;
  link: string | null;
  title: string | null;
  duplicateOf: number | null;
}

export interface StoreCheck {
  /** Each broken rule, with what broke it ([] when the store is sound). */
  problems: string[];
  entries: StoredEntry[];
}

/** Check the store file at `file` (opened read-write, as the next run would: the WAL is replayed). */
export function checkStore(file: string): StoreCheck {
  const db = new Database(file, { fileMustExist: true });
  try {
    const problems: string[] = [];
    const integrity = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
    if (integrity.length !== 1 || integrity[0]?.integrity_check !== 'ok') {
      problems.push(`integrity_check: ${integrity.map((r) => r.integrity_check).join('; ')}`);
    }
    const fk = db.pragma('foreign_key_check') as unknown[];
    if (fk.length) problems.push(`foreign_key_check: ${JSON.stringify(fk.slice(0, 5))}`);
    const rows = (sql: string) => db.prepare(sql).all() as Array<Record<string, unknown>>;
    const rule = (name: string, sql: string) => {
      const bad = rows(sql);
      if (bad.length) problems.push(`${name}: ${JSON.stringify(bad.slice(0, 5))}`);
    };
    rule(
      'entry of an unknown feed',
      'SELECT e.id, e.feed_id FROM entries e LEFT JOIN feeds f ON f.id = e.feed_id WHERE f.id IS NULL',
    );
    rule(
      'fetch of an unknown feed',
      'SELECT x.id, x.feed_id FROM fetches x LEFT JOIN feeds f ON f.id = x.feed_id WHERE f.id IS NULL',
    );
    rule(
      'two entries with one (feed, key)',
      'SELECT feed_id, key, count(*) AS n FROM entries GROUP BY feed_id, key HAVING n > 1',
    );
    rule(
      'duplicate of a missing entry, of itself or of another duplicate',
      `SELECT d.id, d.duplicate_of FROM entries d LEFT JOIN entries o ON o.id = d.duplicate_of
       WHERE d.duplicate_of IS NOT NULL AND (o.id IS NULL OR o.id = d.id OR o.duplicate_of IS NOT NULL)`,
    );
    rule('entry without a digest', "SELECT id FROM entries WHERE digest IS NULL OR digest = ''");
    rule(
      "entry_count is not the number of the feed's originals",
      `SELECT f.id, f.entry_count, (SELECT count(*) FROM entries e WHERE e.feed_id = f.id AND e.duplicate_of IS NULL) AS originals
       FROM feeds f WHERE f.entry_count <> originals`,
    );
    const entries = rows(
      `SELECT e.id, f.url AS feedUrl, e.guid, e.link, e.title, e.duplicate_of AS duplicateOf
       FROM entries e JOIN feeds f ON f.id = e.feed_id ORDER BY e.id`,
    ) as unknown as StoredEntry[];
    return { problems, entries };
  } finally {
    db.close();
  }
}

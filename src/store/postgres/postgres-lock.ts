/**
 * One run at a time per PostgreSQL store: a session-level advisory lock (key from the schema
 * name) held on a connection of its own. The session's end releases it, so a lock never
 * outlives its holder. If the server restarts, the session ends with it: the holder takes the
 * lock again as soon as the server is back (unless someone else was quicker, which the next
 * acquirer's message then names). The holder is written in store_meta for the waiter's message.
 */
import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import pg from 'pg';
import type { StoreDatabase } from '../kysely/schema.js';
import type { LockHolder, LockOptions, StoreLock } from '../store.js';
import { StoreLockedError } from '../store.js';

const STAGE = 'store/postgres';
const POLL_MS = 100;
const LOCK_HOLDER_KEY = 'lock_holder';

/** A signed 48-bit key for pg_advisory_lock, stable for one name. */
export function advisoryKey(name: string): number {
  return createHash('sha256').update(name).digest().readIntBE(0, 6);
}

export interface AdvisoryLockTarget {
  connectionString: string;
  /** Session options (search_path). */
  sessionOptions: string;
  db: Kysely<StoreDatabase>;
  key: number;
  /** The store, for messages. */
  label: string;
}

async function tryLock(client: pg.Client, key: number): Promise<boolean> {
  const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [
    key,
  ]);
  return rows[0]?.ok === true;
}

function connect(target: AdvisoryLockTarget): pg.Client {
  const client = new pg.Client({
    connectionString: target.connectionString,
    options: target.sessionOptions,
  });
  return client;
}

export async function acquireAdvisoryLock(
  target: AdvisoryLockTarget,
  options: LockOptions,
): Promise<StoreLock> {
  const { db, key, label } = target;
  const deadline = Date.now() + Math.max(0, options.waitMs);
  let client = connect(target);
  client.on('error', () => {});
  await client.connect();
  for (;;) {
    if (await tryLock(client, key)) break;
    const left = deadline - Date.now();
    if (left <= 0) {
      await client.end();
      throw new StoreLockedError(STAGE, label, await readHolder(db));
    }
    await sleep(Math.min(POLL_MS, left));
  }
  const holder = {
    pid: process.pid,
    owner: options.owner,
    since: new Date().toISOString(),
    host: hostname(),
    token: randomUUID(),
  };
  await writeHolder(db, holder);

  let released = false;
  // The session died (server restart): take the lock again when the server is back.
  const retake = async () => {
    while (!released) {
      await sleep(500);
      const next = connect(target);
      next.on('error', () => {});
      try {
        await next.connect();
        if (await tryLock(next, key)) {
          client = next;
          client.on('end', onEnd);
          await writeHolder(db, holder).catch(() => undefined);
          if (released) await next.end();
          return;
        }
        // Someone else holds it now: nothing this process can do but not pretend it holds it.
        await next.end();
        return;
      } catch {
        // Not back yet: another try after the pause.
        await next.end().catch(() => undefined);
      }
    }
  };
  const onEnd = () => {
    if (!released) void retake();
  };
  client.on('end', onEnd);

  return {
    async release() {
      if (released) return;
      released = true;
      client.off('end', onEnd);
      // Through the lock's own session: the store's pool may be closed already (a run closes
      // the store, committing its work, before it lets the next one in).
      await client
        .query('DELETE FROM store_meta WHERE key = $1 AND value = $2', [
          LOCK_HOLDER_KEY,
          JSON.stringify(holder),
        ])
        .catch(() => undefined);
      // Ending the session releases the lock (and pg_advisory_unlock would need a live one).
      await client.end().catch(() => undefined);
    },
  };
}

async function writeHolder(db: Kysely<StoreDatabase>, holder: object): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('store_meta').where('key', '=', LOCK_HOLDER_KEY).execute();
    await trx
      .insertInto('store_meta')
      .values({ key: LOCK_HOLDER_KEY, value: JSON.stringify(holder) })
      .execute();
  });
}

async function readHolder(db: Kysely<StoreDatabase>): Promise<LockHolder | undefined> {
  const row = await db
    .selectFrom('store_meta')
    .select('value')
    .where('key', '=', LOCK_HOLDER_KEY)
    .executeTakeFirst();
  if (!row) return undefined;
  const h = JSON.parse(row.value) as LockHolder;
  // Workers and runs may be on other machines: their host is worth naming.
  const host = h.host && h.host !== hostname() ? { host: h.host } : {};
  return { pid: h.pid, owner: h.owner, since: h.since, ...host };
}

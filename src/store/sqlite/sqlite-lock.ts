/**
 * One run at a time per SQLite store, across processes: the holder keeps an EXCLUSIVE
 * transaction open on a small side database `<store>.lock`. The operating system drops the
 * lock when the holding process dies (even on SIGKILL), so a lock is never stale. Who holds it
 * is written beside it in `<store>.lock.json`, only to name the holder in the waiter's message.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import Database from 'better-sqlite3';
import { OrreryError } from '../../model/errors.js';
import type { LockHolder, LockOptions, StoreLock } from '../store.js';
import { StoreLockedError } from '../store.js';

const STAGE = 'store/sqlite';
const POLL_MS = 100;

interface HolderFile extends LockHolder {
  token: string;
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

function readHolder(infoPath: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(infoPath, 'utf8')) as HolderFile;
    // The host is named only when it is another machine (a store on a shared file system).
    const host = h.host && h.host !== hostname() ? { host: h.host } : {};
    return { pid: h.pid, owner: h.owner, since: h.since, ...host };
  } catch {
    // No holder file (yet) or a torn one: the message just won't name the holder.
    return undefined;
  }
}

/** Take the run lock of the store file at `storePath` (absolute), waiting up to waitMs. */
export async function acquireSqliteLock(
  storePath: string,
  options: LockOptions,
): Promise<StoreLock> {
  const deadline = Date.now() + Math.max(0, options.waitMs);
  const lockPath = `${storePath}.lock`;
  const infoPath = `${storePath}.lock.json`;
  let conn: Database.Database;
  try {
    conn = new Database(lockPath, { timeout: 0 });
  } catch (err) {
    throw new OrreryError('store-lock', `${STAGE}: cannot open lock file ${lockPath}`, {
      cause: err,
    });
  }
  for (;;) {
    try {
      conn.exec('BEGIN EXCLUSIVE');
      break;
    } catch (err) {
      if (!isBusy(err)) {
        conn.close();
        throw new OrreryError('store-lock', `${STAGE}: cannot lock ${lockPath}`, { cause: err });
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        conn.close();
        throw new StoreLockedError(STAGE, storePath, readHolder(infoPath));
      }
      await sleep(Math.min(POLL_MS, left));
    }
  }

  const token = randomUUID();
  const holder: HolderFile = {
    pid: process.pid,
    owner: options.owner,
    since: new Date().toISOString(),
    host: hostname(),
    token,
  };
  const tmp = `${infoPath}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(holder));
  renameSync(tmp, infoPath);

  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      try {
        const current = JSON.parse(readFileSync(infoPath, 'utf8')) as HolderFile;
        if (current.token === token) unlinkSync(infoPath);
      } catch {
        // The holder file is informational; if it is gone there is nothing to clean up.
      }
      conn.exec('ROLLBACK');
      conn.close();
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Store and disk failures on real files: each names the file and the next step, with its own
 * error code (the CLI's exit code comes from it). A full disk and a read-only file system are
 * real (a small tmpfs) where this process may mount one, and reported as skipped otherwise; a
 * file at its size limit is real everywhere prlimit exists (the limit is set on this test's own
 * process, around the one write); SQLite's "database or disk is full" is also injected through
 * max_page_count, which needs nothing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  closeSync,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore, openSqliteStore } from './sqlite/sqlite-store.js';
import { processed } from './store.contract.js';
import type { Store } from './store.js';
import { postgresFailure, sqliteFailure } from './store-errors.js';

const T = '2026-01-10T12:00:00.000Z';

/** A store with one feed and `n` entries of about 2 KB each, closed. */
async function filledStore(file: string, n = 400): Promise<void> {
  const store = await createSqliteStore({ path: file });
  await store.syncSubscriptions([{ url: 'https://a.example/feed', section: 's' }], T);
  const [feed] = await store.listFeeds();
  await store.applyFeedUpdate(update(feed!.id, n));
  await store.close();
}

function update(feedId: number, n: number, prefix = 'e') {
  return {
    feedId,
    now: T,
    fetch: { at: T, outcome: 'ok' as const, status: 200, elapsedMs: 1 },
    entries: Array.from({ length: n }, (_, i) =>
      processed(`${prefix}${i}`, {
        content: [{ value: `<p>${`${prefix}${i} `.repeat(300)}</p>`, type: 'text/html' }],
      }),
    ),
    nextDueAt: T,
  };
}

function canMount(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(join(tmpdir(), 'orrery-mount-probe-'));
  const ok = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]).status === 0;
  if (ok) spawnSync('umount', [probe]);
  rmSync(probe, { recursive: true, force: true });
  return ok;
}
const mountable = canMount();
const hasPrlimit = process.platform === 'linux' && spawnSync('prlimit', ['--version']).status === 0;

describe('store failures name the file and the next step', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'orrery-fail-'));
    file = join(dir, 'orrery.sqlite');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a damaged store: when it is opened, or when the damaged part is read', async () => {
    await filledStore(file);
    // Garbage over a page in the middle of the entries.
    const fd = openSync(file, 'r+');
    writeSync(
      fd,
      Buffer.alloc(4096, 0x5a),
      0,
      4096,
      Math.floor(statSync(file).size / 2 / 4096) * 4096,
    );
    closeSync(fd);
    let store: Store | undefined;
    const err = await (async () => {
      store = await createSqliteStore({ path: file });
      await store.listEntries();
    })().catch((e: unknown) => e);
    await store?.close().catch(() => undefined);
    expect(err).toMatchObject({ code: 'store-corrupt' });
    expect((err as Error).message).toBe(
      `store/sqlite: ${file} is damaged or truncated (database disk image is malformed); restore it from a backup, or move it aside (mv '${file}' '${file}.damaged') and run orrery again to start a new store (every feed is fetched again; entries the feeds no longer list are lost)`,
    );
  });

  it('a truncated store', async () => {
    await filledStore(file);
    truncateSync(file, Math.floor(statSync(file).size / 3));
    const err = await createSqliteStore({ path: file })
      .then(async (s) => {
        await s.listEntries();
        await s.close();
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'store-corrupt' });
    expect((err as Error).message).toContain(`${file} is damaged or truncated`);
    // cut inside the header: still a damaged SQLite file, not "another kind of file"
    truncateSync(file, 40);
    await expect(createSqliteStore({ path: file })).rejects.toMatchObject({
      code: 'store-corrupt',
    });
  });

  it('a file that is not a store, and a store from a newer Orrery', async () => {
    writeFileSync(file, 'not a database at all\n'.repeat(100));
    await expect(createSqliteStore({ path: file })).rejects.toThrow(
      `store/sqlite: ${file} is not an Orrery store (not a SQLite database); set [store] path to the store's file, or move this file aside`,
    );
    rmSync(file);
    await filledStore(file, 1);
    const raw = new Database(file);
    raw.prepare('INSERT INTO kysely_migration (name, timestamp) VALUES (?, ?)').run('0009_x', T);
    raw.close();
    await expect(createSqliteStore({ path: file })).rejects.toMatchObject({
      code: 'store-newer-schema',
      message: `store/sqlite: ${file} was written by a newer Orrery (schema 9); upgrade Orrery (this one knows schema 5), or use a backup this version wrote`,
    });
  });

  it('a full database (SQLite’s "database or disk is full", injected): the update is undone, whole', async () => {
    await filledStore(file, 1);
    const { store, db } = await openSqliteStore({ path: file });
    const { rows } = await sql<{ page_count: number }>`PRAGMA page_count`.execute(db);
    const pages = Number(rows[0]?.page_count);
    expect(pages).toBeGreaterThan(0);
    await sql.raw(`PRAGMA max_page_count = ${pages + 2}`).execute(db);
    const [feed] = await store.listFeeds();
    // group commit: the failure may come at the update or at the commit (close)
    const err = await store
      .applyFeedUpdate(update(feed!.id, 300, 'big'))
      .then(() => store.close())
      .catch((e: unknown) => e);
    await store.close().catch(() => undefined);
    expect(err).toMatchObject({ code: 'store-disk-full' });
    expect((err as Error).message).toBe(
      `store/sqlite: the disk holding ${file} is full; free space on it, then run orrery again (the store is as it was before the write that failed)`,
    );
    const again = await createSqliteStore({ path: file });
    expect(await again.countEntries()).toBe(1);
    await again.close();
  });

  it.skipIf(!hasPrlimit)(
    'a store file at the process’s size limit (EFBIG, real: prlimit on this process)',
    async () => {
      await filledStore(file, 1);
      const store = await createSqliteStore({ path: file });
      const [feed] = await store.listFeeds();
      const limit = statSync(file).size + 200_000;
      const setLimit = (v: string) =>
        execFileSync('prlimit', ['--pid', String(process.pid), `--fsize=${v}`]);
      setLimit(`${limit}:`);
      let err: unknown;
      try {
        await store.applyFeedUpdate(update(feed!.id, 400, 'big'));
        await store.listFeeds(); // commits the group
      } catch (e) {
        err = e;
      } finally {
        setLimit('unlimited:');
      }
      await store.close().catch(() => undefined);
      expect(err).toMatchObject({ code: 'store-too-large' });
      expect((err as Error).message).toMatch(
        new RegExp(
          `^store/sqlite: ${file.replaceAll('/', '\\/')}(-wal)? reached the largest file size this process may write \\(${limit} bytes, ulimit -f\\); raise the limit`,
        ),
      );
    },
  );

  it('classifies PostgreSQL errors: away, refused login, missing database, full disk', () => {
    const label = 'postgres://orrery@db.example/planet (schema public)';
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
    });
    expect(postgresFailure(refused, label)?.message).toBe(
      `store/postgres: cannot use ${label} (connect ECONNREFUSED 127.0.0.1:1); start the server, or check [store] url / ORRERY_DATABASE_URL`,
    );
    const noDb = Object.assign(new Error('database "planet" does not exist'), { code: '3D000' });
    expect(postgresFailure(noDb, label)?.message).toMatch(/createdb/);
    const full = Object.assign(new Error('could not extend file'), { code: '53100' });
    expect(postgresFailure(full, label)?.code).toBe('store-disk-full');
    expect(postgresFailure(new Error('a bug'), label)).toBeUndefined();
    expect(sqliteFailure(new TypeError('a bug'), file)).toBeUndefined();
  });
});

describe.skipIf(!mountable)('on a small tmpfs (real ENOSPC, EROFS; needs mount)', () => {
  let disk: string;
  beforeEach(() => {
    disk = mkdtempSync(join(tmpdir(), 'orrery-disk-'));
    // Room for a small store (its file and its write-ahead log), not for 400 more entries.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=640k', 'tmpfs', disk]);
  });
  afterEach(() => {
    spawnSync('umount', ['-l', disk]);
    rmSync(disk, { recursive: true, force: true });
  });

  it('a full disk', async () => {
    const small = join(disk, 'orrery.sqlite');
    const store = await createSqliteStore({ path: small });
    await store.syncSubscriptions([{ url: 'https://a.example/feed', section: 's' }], T);
    const [feed] = await store.listFeeds();
    const err = await store
      .applyFeedUpdate(update(feed!.id, 400, 'big'))
      .then(() => store.listFeeds())
      .catch((e: unknown) => e);
    await store.close().catch(() => undefined);
    expect(err).toMatchObject({ code: 'store-disk-full' });
    expect((err as Error).message).toContain(`the disk holding ${small} is full; free space`);
  });

  it('a read-only file system', async () => {
    const ro = join(disk, 'orrery.sqlite');
    await filledStore(ro, 1);
    execFileSync('mount', ['-o', 'remount,ro', disk]);
    const err = await createSqliteStore({ path: ro }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'store-unwritable' });
    expect((err as Error).message).toMatch(
      new RegExp(`^store/sqlite: cannot write ${ro}.*make it and its folder writable`),
    );
  });
});

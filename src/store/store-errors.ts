/**
 * Store and disk failures a user can meet, each named with the file (or database) and the next
 * step, under a code of its own (the CLI maps these codes to its exit codes):
 *
 * - store-corrupt         damaged or truncated file: restore a backup, or move it aside
 * - store-not-a-database  not a SQLite file: point [store] path at the store, or move it aside
 * - store-newer-schema    written by a newer Orrery: upgrade, or restore a backup
 * - store-unwritable      no permission, read-only file system: make it writable
 * - store-disk-full       no space left: free space
 * - store-too-large       the file reached the largest size allowed (EFBIG): raise the limit
 * - store-io              any other I/O error: check the disk
 * - store-unreachable     PostgreSQL cannot be reached or refuses the login
 *
 * SQLite names its errors but not the file, nor (for a write that failed) the errno; what is
 * known about the file system (its free space, the process's file-size limit) tells a full disk
 * from a file at its size limit.
 */
import { existsSync, readFileSync, statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { errorMessage, OrreryError } from '../model/errors.js';

/** Failures described for the user (not to be described again from their cause). */
const DESCRIBED_CODES = [
  'store-corrupt',
  'store-not-a-database',
  'store-foreign-database',
  'store-newer-schema',
  'store-old-schema',
  'store-empty',
  'store-unwritable',
  'store-io',
  'store-unreachable',
] as const;
/** Codes of a full disk or a file at its size limit. */
export const DISK_FAILURE_CODES = ['store-disk-full', 'store-too-large'] as const;
/** Codes of the failures above: what the CLI reports as the store's (not a bug's) fault. */
export const STORE_FAILURE_CODES = [
  ...DESCRIBED_CODES,
  'store-open',
  'store-migration',
  'store-commit',
  'store-copy-mismatch',
  'store-copy-target-not-empty',
] as const;

const MOVE_ASIDE = (file: string) =>
  `restore it from a backup, or move it aside (mv '${file}' '${file}.damaged') and run orrery again to start a new store (every feed is fetched again; entries the feeds no longer list are lost)`;

/** The error codes on the error and its causes (SQLite's SQLITE_*, node's E*). */
function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  for (let e = error as { code?: unknown; cause?: unknown } | undefined; e; ) {
    if (typeof e.code === 'string') codes.push(e.code);
    e = e.cause as typeof e;
  }
  return codes;
}

/** The deepest message (the driver's own words). */
function rootMessage(error: unknown): string {
  let e = error as { cause?: unknown };
  while (e?.cause instanceof Error) e = e.cause as { cause?: unknown };
  return errorMessage(e);
}

/** True when the file starts like a SQLite database (so a failure to read it is damage). */
function looksLikeSqlite(file: string): boolean {
  try {
    return readFileSync(file).subarray(0, 15).toString('latin1') === 'SQLite format 3';
  } catch {
    return false;
  }
}

/** The soft limit on the size of files this process writes (ulimit -f), when there is one. */
function fileSizeLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max file size'));
    const soft = line?.trim().split(/\s{2,}/)[1];
    return soft && /^\d+$/.test(soft) ? Number(soft) : undefined;
  } catch {
    // Not Linux: no limit known.
    return undefined;
  }
}

/** The store file or its write-ahead log that reached `limit`, if either did. */
function fileAtLimit(file: string, limit: number): string | undefined {
  for (const f of [`${file}-wal`, file, `${file}-journal`]) {
    // A page or two may not have fit: within 64 KB of the limit counts as at it.
    if (existsSync(f) && statSync(f).size + 65_536 >= limit) return f;
  }
  return undefined;
}

/** Free bytes for unprivileged writers on the file system holding `file`. */
function freeBytes(file: string): number | undefined {
  try {
    const s = statfsSync(dirname(file));
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

function tooLarge(
  stage: string,
  file: string,
  limit: number | undefined,
  cause: unknown,
): OrreryError {
  const size = limit === undefined ? 'ulimit -f' : `${limit} bytes, ulimit -f`;
  return new OrreryError(
    'store-too-large',
    `${stage}: ${file} reached the largest file size this process may write (${size}); raise the limit (ulimit -f unlimited, or LimitFSIZE= in a systemd unit), or keep the store smaller with [archive] keep_days`,
    { cause },
  );
}

function diskFull(stage: string, file: string, cause: unknown): OrreryError {
  return new OrreryError(
    'store-disk-full',
    `${stage}: the disk holding ${file} is full; free space on it, then run orrery again (the store is as it was before the write that failed)`,
    { cause },
  );
}

/** A write that failed: a full disk, a file at its size limit, or another I/O error. */
function writeFailure(stage: string, file: string, cause: unknown): OrreryError {
  const limit = fileSizeLimit();
  const atLimit = limit === undefined ? undefined : fileAtLimit(file, limit);
  if (limit !== undefined && atLimit) return tooLarge(stage, atLimit, limit, cause);
  const free = freeBytes(file);
  if (free !== undefined && free < 1_048_576) return diskFull(stage, file, cause);
  if (codesOf(cause).includes('SQLITE_FULL')) return diskFull(stage, file, cause);
  return new OrreryError(
    'store-io',
    `${stage}: reading or writing ${file} failed (${rootMessage(cause)}); check the disk (free space, dmesg for I/O errors), then run orrery again`,
    { cause },
  );
}

/**
 * The user-facing failure behind a SQLite (or file system) error met on the store at `file`,
 * or undefined when it is none of them (a bug: let it through as it is).
 */
export function sqliteFailure(
  error: unknown,
  file: string,
  stage = 'store/sqlite',
): OrreryError | undefined {
  if (error instanceof OrreryError && FINAL.has(error.code)) return error;
  const codes = codesOf(error);
  const has = (p: string) => codes.some((c) => c === p || c.startsWith(`${p}_`));
  if (has('SQLITE_CORRUPT') || (has('SQLITE_NOTADB') && looksLikeSqlite(file))) {
    return new OrreryError(
      'store-corrupt',
      `${stage}: ${file} is damaged or truncated (${rootMessage(error)}); ${MOVE_ASIDE(file)}`,
      { cause: error },
    );
  }
  if (has('SQLITE_NOTADB')) {
    return new OrreryError(
      'store-not-a-database',
      `${stage}: ${file} is not an Orrery store (not a SQLite database); set [store] path to the store's file, or move this file aside`,
      { cause: error },
    );
  }
  if (has('SQLITE_FULL') || has('SQLITE_IOERR')) return writeFailure(stage, file, error);
  if (codes.includes('ENOSPC')) return diskFull(stage, pathOf(error) ?? file, error);
  if (codes.includes('EFBIG')) {
    return tooLarge(stage, pathOf(error) ?? file, fileSizeLimit(), error);
  }
  if (
    has('SQLITE_READONLY') ||
    has('SQLITE_CANTOPEN') ||
    has('SQLITE_PERM') ||
    codes.some((c) => c === 'EACCES' || c === 'EROFS' || c === 'EPERM')
  ) {
    const where = pathOf(error) ?? file;
    return new OrreryError(
      'store-unwritable',
      `${stage}: cannot write ${where} (${rootMessage(error)}); make it and its folder writable by the user running orrery (SQLite also writes ${file}-wal and -shm beside it), or set [store] path to a writable place`,
      { cause: error },
    );
  }
  return error instanceof OrreryError && error.code.startsWith('store-') ? error : undefined;
}

/** The path a node file system error names. */
function pathOf(error: unknown): string | undefined {
  for (let e = error as { path?: unknown; cause?: unknown } | undefined; e; ) {
    if (typeof e.path === 'string') return e.path;
    e = e.cause as typeof e;
  }
  return undefined;
}

const FINAL = new Set<string>([...DESCRIBED_CODES, ...DISK_FAILURE_CODES]);

/** SQLSTATEs of a PostgreSQL server that is away, refuses the login or lacks the database. */
const UNREACHABLE_STATES: Record<string, string> = {
  '28P01': 'check the user and password in the URL',
  '28000': 'check the user in the URL and pg_hba.conf',
  '3D000': 'create the database (createdb NAME) or fix its name in the URL',
};

/** The user-facing failure behind a PostgreSQL error, or undefined (a bug: let it through). */
export function postgresFailure(
  error: unknown,
  label: string,
  stage = 'store/postgres',
): OrreryError | undefined {
  if (error instanceof OrreryError && FINAL.has(error.code)) return error;
  const codes = codesOf(error);
  if (codes.includes('53100')) {
    return new OrreryError(
      'store-disk-full',
      `${stage}: the database server's disk is full (${label}); free space on it, then run orrery again`,
      { cause: error },
    );
  }
  const state = codes.find((c) => c in UNREACHABLE_STATES);
  const away = codes.some((c) =>
    ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH'].includes(
      c,
    ),
  );
  if (state || away || codes.some((c) => c.startsWith('08') || c.startsWith('57P'))) {
    const next = state
      ? UNREACHABLE_STATES[state]
      : 'start the server, or check [store] url / ORRERY_DATABASE_URL';
    return new OrreryError(
      'store-unreachable',
      `${stage}: cannot use ${label} (${rootMessage(error)}); ${next}`,
      { cause: error },
    );
  }
  return error instanceof OrreryError && error.code.startsWith('store-') ? error : undefined;
}

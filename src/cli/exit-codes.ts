import { DISK_FAILURE_CODES, STORE_FAILURE_CODES } from '../store/store-errors.js';

/** Exit codes scripts can rely on (documented in the README). */
export const EXIT = {
  /** Done; individual feeds may have failed (see `orrery status`). */
  ok: 0,
  /** A bug or broken infrastructure (disk full, database gone). */
  internal: 1,
  /** Bad usage, a bad config or bad input: the message says what to fix. */
  usage: 2,
  /** Another run holds the store's lock. */
  locked: 3,
  /** A fetch ran and every feed failed (the network is likely down), or `--strict` and some failed. */
  feedsFailed: 4,
  /**
   * The store cannot be used: damaged or truncated, not a store, written by a newer Orrery,
   * not writable, or (PostgreSQL) not reachable. The message names it and the next step.
   */
  store: 5,
  /**
   * The disk holding the store (or the site's output folder) is full, or a file reached its
   * size limit (EFBIG).
   */
  diskFull: 6,
  /** The site's output folder cannot be written (permissions, read-only): the message says what to do. */
  siteUnwritable: 7,
  /** Stopped by SIGINT or SIGTERM (128 + 2); what was finished is stored. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error whose message is meant for the user as is (no stack), with the exit code to use. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode = EXIT.usage) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

const storeFailures = new Set<string>(STORE_FAILURE_CODES);
const diskFailures = new Set<string>(DISK_FAILURE_CODES);

/** The exit code of a store or disk failure (by its error code), or undefined for others. */
export function storeExitCode(error: unknown): ExitCode | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string') return undefined;
  if (diskFailures.has(code)) return EXIT.diskFull;
  if (storeFailures.has(code)) return EXIT.store;
  if (code === 'store-locked') return EXIT.locked;
  if (code === 'store-bad-input') return EXIT.usage;
  return undefined;
}

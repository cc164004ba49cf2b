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
  /** A folder or file Orrery must write cannot be written (permissions, read-only, disk full). */
  cannotWrite: 5,
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

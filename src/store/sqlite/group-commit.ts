/**
 * Group commit for SQLite (one writer): feed updates share one transaction, each inside its
 * own savepoint (so each is still all or nothing), committed after `maxUpdates` updates or
 * `maxDelayMs`, and before any other call. A commit is most of a small update's cost (601
 * commits took as long as inserting 7,132 entries; docs/decisions/store.md). A crash loses at
 * most the open group, as if it had come that much earlier; those feeds are fetched again.
 */
import type { ControlledTransaction, Kysely, Transaction } from 'kysely';
import { errorMessage, OrreryError } from '../../model/errors.js';
import type { Transactor } from '../kysely/dialect.js';
import type { StoreDatabase } from '../kysely/schema.js';

export interface GroupCommitOptions {
  maxUpdates: number;
  maxDelayMs: number;
  /** Prefix of error messages. */
  stage: string;
  /** Told the number of feed updates each commit made durable (progress output, tests). */
  onCommit?: (updates: number) => void;
}

export function createGroupCommit(
  db: Kysely<StoreDatabase>,
  options: GroupCommitOptions,
): Transactor {
  // Every call runs in turn (one connection; a read must see the updates queued before it,
  // committed), and only feed updates join the open transaction.
  let tail: Promise<unknown> = Promise.resolve();
  // A commit that failed on the timer had no caller to tell: the next call hears of it.
  let commitFailure: unknown;
  function inTurn<T>(fn: () => Promise<T>): Promise<T> {
    const guarded = () => {
      if (commitFailure !== undefined) {
        throw new OrreryError(
          'store-commit',
          `${options.stage}: a group of feed updates could not be committed: ${errorMessage(commitFailure)}`,
          { cause: commitFailure },
        );
      }
      return fn();
    };
    const run = tail.then(guarded, guarded);
    tail = run.catch(() => undefined);
    return run;
  }

  let batch:
    | { trx: ControlledTransaction<StoreDatabase>; updates: number; timer?: NodeJS.Timeout }
    | undefined;
  async function commitBatch(): Promise<void> {
    const open = batch;
    if (!open) return;
    batch = undefined;
    clearTimeout(open.timer);
    await open.trx.commit().execute();
    options.onCommit?.(open.updates);
  }
  /** Runs fn after the updates queued before it are committed. */
  function afterCommit<T>(fn: () => Promise<T>): Promise<T> {
    return inTurn(async () => {
      await commitBatch();
      return fn();
    });
  }

  async function update<T>(fn: (trx: Transaction<StoreDatabase>) => Promise<T>): Promise<T> {
    return inTurn(async () => {
      if (!batch) batch = { trx: await db.startTransaction().execute(), updates: 0 };
      const open = batch;
      const sp = await open.trx.savepoint('feed_update').execute();
      let result: T;
      try {
        result = await fn(sp);
      } catch (error) {
        try {
          await sp.rollbackToSavepoint('feed_update').execute();
          await sp.releaseSavepoint('feed_update').execute();
        } catch {
          // The transaction itself is broken: give up the whole batch.
          batch = undefined;
          clearTimeout(open.timer);
          await open.trx
            .rollback()
            .execute()
            .catch(() => undefined);
        }
        throw error;
      }
      await sp.releaseSavepoint('feed_update').execute();
      open.updates++;
      if (open.updates >= options.maxUpdates) await commitBatch();
      else if (!open.timer) {
        open.timer = setTimeout(() => {
          if (batch !== open) return;
          inTurn(commitBatch).catch((error: unknown) => {
            commitFailure ??= error;
          });
        }, options.maxDelayMs);
      }
      return result;
    });
  }

  return {
    update,
    transaction: (fn) => afterCommit(() => db.transaction().execute(fn)),
    read: afterCommit,
    flush: () => afterCommit(async () => undefined),
  };
}

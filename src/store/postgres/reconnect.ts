/**
 * PostgreSQL restarted, or the network between dropped a connection: the pool opens new
 * connections by itself, so an operation that failed that way is simply run again (a whole
 * transaction, never half of one), with growing pauses, until `budgetMs` has passed. A deadlock
 * or a serialization failure is retried the same way.
 *
 * A transaction whose COMMIT was sent but never answered may have committed: running it again
 * applies the same feed update twice, which the store tolerates (entries are matched by key and
 * found unchanged; the fetch history gets one record more).
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** SQLSTATE classes and codes worth another try. */
const TRANSIENT_STATES = new Set([
  '57P01', // admin_shutdown: the server is restarting
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up
  '53300', // too_many_connections
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);
const TRANSIENT_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

/** True when `error` (or its cause) says the connection or the server went away for a while. */
export function isTransient(error: unknown): boolean {
  for (let e = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined; e; ) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (TRANSIENT_STATES.has(code) || code.startsWith('08') || TRANSIENT_ERRNOS.has(code)) {
      return true;
    }
    const message = typeof e.message === 'string' ? e.message : '';
    if (
      /Connection terminated|connection error and is not queryable|the database system is (starting up|shutting down)/i.test(
        message,
      )
    ) {
      return true;
    }
    e = e.cause as typeof e;
  }
  return false;
}

export interface ReconnectOptions {
  /** How long to keep trying (default 60 s). */
  budgetMs?: number;
  /** Called before each new try (for a log line). */
  onRetry?: (error: unknown, attempt: number) => void;
}

/** Runs `operation`, again after a transient failure, within the budget. */
export function reconnecting(options: ReconnectOptions = {}) {
  const budget = options.budgetMs ?? 60_000;
  return async <T>(operation: () => Promise<T>): Promise<T> => {
    const deadline = Date.now() + budget;
    for (let attempt = 1; ; attempt++) {
      try {
        return await operation();
      } catch (error) {
        const pause = Math.min(2_000, 100 * 2 ** (attempt - 1));
        if (!isTransient(error) || Date.now() + pause > deadline) throw error;
        options.onRetry?.(error, attempt);
        await sleep(pause);
      }
    }
  };
}

/**
 * The Agent's per-origin pools, without undici's 16 KB queue each. undici's Pool keeps the
 * requests that wait for a free connection in a FixedQueue whose first block is a 2048-slot
 * array, allocated with the pool; the Agent keeps a pool per origin as long as one of its
 * connections is alive (keep-alive), so a worker talking to thousands of hosts holds thousands
 * of them (docs/decisions/fetch.md, "Per-host state"). Requests
 * rarely wait here (a run sends at most perHostLimit at once to a host, the pool's own size), so
 * a plain array serves the same three calls. When undici's layout changes the pool keeps its
 * own queue: an upgrade can cost memory, never correctness (lean-pool.test.ts tells which).
 */
import type { Agent, Client, Pool } from 'undici';

/** The three calls undici's PoolBase makes on its queue (push, shift, isEmpty). */
export class SmallQueue<T> {
  private items: (T | undefined)[] = [];
  private first = 0;

  isEmpty(): boolean {
    return this.first === this.items.length;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The oldest item, or null when empty (as FixedQueue answers). */
  shift(): T | null {
    if (this.first === this.items.length) return null;
    const item = this.items[this.first] as T;
    this.items[this.first++] = undefined;
    // Emptied: start over, so the array never keeps what it held at its busiest.
    if (this.first === this.items.length) {
      this.items = [];
      this.first = 0;
    }
    return item;
  }
}

/** True for undici's FixedQueue (a head block holding a 2048-slot `list`). */
function isFixedQueue(value: unknown): boolean {
  const head = (value as { head?: { list?: unknown } } | null)?.head;
  return (
    typeof (value as { push?: unknown } | null)?.push === 'function' &&
    typeof (value as { shift?: unknown }).shift === 'function' &&
    Array.isArray(head?.list)
  );
}

/**
 * Gives an idle pool a SmallQueue instead of its FixedQueue; true when it did. Only an empty
 * queue is replaced (a new pool's), under undici's own symbol for it.
 */
export function slimPoolQueue(pool: object): boolean {
  for (const symbol of Object.getOwnPropertySymbols(pool)) {
    if (symbol.description !== 'queue') continue;
    const queue = (pool as Record<symbol, unknown>)[symbol];
    if (!isFixedQueue(queue) || !(queue as { isEmpty(): boolean }).isEmpty()) return false;
    (pool as Record<symbol, unknown>)[symbol] = new SmallQueue();
    return true;
  }
  return false;
}

/** An Agent factory: a Client for one connection per origin, else a Pool with a SmallQueue. */
export function leanPoolFactory(
  PoolClass: typeof Pool,
  ClientClass: typeof Client,
): NonNullable<Agent.Options['factory']> {
  return (origin, opts) => {
    const options = opts as Pool.Options;
    if (options.connections === 1) return new ClientClass(origin, options);
    const pool = new PoolClass(origin, options);
    slimPoolQueue(pool);
    return pool;
  };
}

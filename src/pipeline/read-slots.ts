/**
 * Read slots: how many big fetched documents (over 1 MB once inflated: the fetcher asks before
 * inflating one) may be between "read" and "stored" at once. Parsing is synchronous and the
 * store writes one update at a time, so more in that stage only holds more documents, parse
 * trees and entries (ten thousand per document at most) in memory without going faster; fetches
 * go on meanwhile, and small documents do not wait. The wait honours the feed's signal (its
 * time budget).
 */
export interface ReadSlots {
  /** Resolves with a release function, or undefined when `signal` aborted first. */
  acquire(signal?: AbortSignal): Promise<(() => void) | undefined>;
}

/** Documents read at once by one pass (see ReadSlots). */
export const READ_SLOTS = 2;

export function createReadSlots(size = READ_SLOTS): ReadSlots {
  let free = Math.max(1, size);
  const waiting: Array<() => void> = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free++;
  };
  return {
    acquire(signal) {
      if (signal?.aborted) return Promise.resolve(undefined);
      if (free > 0) {
        free--;
        return Promise.resolve(once(release));
      }
      return new Promise((resolve) => {
        const turn = () => {
          signal?.removeEventListener('abort', giveUp);
          resolve(once(release));
        };
        const giveUp = () => {
          const at = waiting.indexOf(turn);
          if (at !== -1) waiting.splice(at, 1);
          resolve(undefined);
        };
        waiting.push(turn);
        signal?.addEventListener('abort', giveUp, { once: true });
      });
    },
  };
}

/** One feed's claim on a slot of `slots`: taken at most once (admit), released once. */
export interface ReadTicket {
  /** Takes the slot (waiting for it); false when the signal aborted first. */
  admit(): Promise<boolean>;
  release(): void;
}

export function readTicket(slots: ReadSlots, signal?: AbortSignal): ReadTicket {
  let release: (() => void) | undefined;
  return {
    async admit() {
      release ??= await slots.acquire(signal);
      return release !== undefined;
    },
    release() {
      release?.();
    },
  };
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}

/**
 * Runs many items (feeds) with a global concurrency and a per-host limit, so one slow host never
 * occupies every slot, and a hard time budget per item. Hosts are served round-robin; within a
 * host the items keep their order.
 */

export interface RunQueueOptions<T, R> {
  /** Items running at once, over all hosts. */
  concurrency: number;
  /** Items running at once on one host. */
  perHostLimit: number;
  hostOf: (item: T) => string;
  /** Called as each item settles (progress output). */
  onSettled?: (item: T, result: R, index: number) => void;
  /** Aborting it stops the run: nothing new starts and running items see their signal abort. */
  signal?: AbortSignal;
  /** Each item's signal aborts (a TimeoutError) once this budget is spent. */
  perItemTimeoutMs?: number;
  /**
   * Makes the budget hard: a worker still unsettled `graceMs` after its signal aborted is
   * abandoned, its slot freed, and this gives its result. Without it the queue waits for it.
   */
  onTimeout?: (item: T) => R;
  /** Default 1000 ms. */
  graceMs?: number;
  /** Result for items never started because the run was aborted; without it runQueue rejects. */
  onSkipped?: (item: T, reason: unknown) => R;
}

interface HostState {
  pending: number[];
  next: number;
  active: number;
  queued: boolean;
}

/**
 * Runs `worker` over every item and resolves with the results in item order.
 * Rejects only when a worker throws (a bug or broken infrastructure: feed failures are values)
 * or the run is aborted without onSkipped — after the running workers have settled.
 */
export function runQueue<T, R>(
  items: readonly T[],
  worker: (item: T, signal: AbortSignal) => Promise<R>,
  options: RunQueueOptions<T, R>,
): Promise<R[]> {
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const perHost = Math.max(1, Math.floor(options.perHostLimit));
  const graceMs = options.graceMs ?? 1000;
  const results = new Array<R>(items.length);
  const hosts = new Map<string, HostState>();
  const ready: HostState[] = [];
  let readyHead = 0;
  let active = 0;
  let settled = 0;
  let failure: { error: unknown } | undefined;
  const running = new Set<AbortController>();

  items.forEach((item, index) => {
    const host = options.hostOf(item);
    let state = hosts.get(host);
    if (!state) {
      state = { pending: [], next: 0, active: 0, queued: true };
      hosts.set(host, state);
      ready.push(state);
    }
    state.pending.push(index);
  });

  return new Promise<R[]>((resolve, reject) => {
    const runSignal = options.signal;

    const finishIfDone = () => {
      if (active > 0) return;
      runSignal?.removeEventListener('abort', onRunAbort);
      if (failure) reject(failure.error);
      else if (settled === items.length) resolve(results);
    };

    const onRunAbort = () => {
      for (const controller of running) controller.abort(runSignal?.reason);
      // Items never started: skipped, or the run fails once the running ones settle.
      for (const state of hosts.values()) {
        while (state.next < state.pending.length) {
          const index = state.pending[state.next++] as number;
          if (!options.onSkipped) {
            failure ??= { error: runSignal?.reason };
            continue;
          }
          const result = options.onSkipped(items[index] as T, runSignal?.reason);
          results[index] = result;
          settled++;
          options.onSettled?.(items[index] as T, result, index);
        }
      }
      finishIfDone();
    };

    const start = (state: HostState, index: number) => {
      const item = items[index] as T;
      const controller = new AbortController();
      running.add(controller);
      active++;
      state.active++;
      let done = false;
      let budget: NodeJS.Timeout | undefined;
      let hardStop: NodeJS.Timeout | undefined;
      const settle = (outcome: { value: R } | { error: unknown }) => {
        if (done) return;
        done = true;
        if (budget) clearTimeout(budget);
        if (hardStop) clearTimeout(hardStop);
        running.delete(controller);
        active--;
        state.active--;
        if ('error' in outcome) {
          if (!failure) {
            failure = { error: outcome.error };
            // Stop the run: nothing new starts, running items are told to stop.
            for (const other of running) other.abort(outcome.error);
          }
        } else {
          results[index] = outcome.value;
          settled++;
          options.onSettled?.(item, outcome.value, index);
        }
        if (state.next < state.pending.length && !state.queued) {
          state.queued = true;
          ready.push(state);
        }
        pump();
        finishIfDone();
      };
      if (options.perItemTimeoutMs !== undefined && options.perItemTimeoutMs > 0) {
        const ms = options.perItemTimeoutMs;
        budget = setTimeout(() => {
          controller.abort(
            new DOMException(`the ${ms} ms budget per feed is spent`, 'TimeoutError'),
          );
          const onTimeout = options.onTimeout;
          if (onTimeout) {
            hardStop = setTimeout(() => {
              try {
                settle({ value: onTimeout(item) });
              } catch (error) {
                settle({ error });
              }
            }, graceMs);
          }
        }, ms);
      }
      Promise.resolve()
        .then(() => worker(item, controller.signal))
        .then(
          (value) => settle({ value }),
          (error: unknown) => settle({ error }),
        );
    };

    const pump = () => {
      while (active < concurrency && readyHead < ready.length && !failure && !runSignal?.aborted) {
        const state = ready[readyHead++] as HostState;
        state.queued = false;
        if (state.next >= state.pending.length || state.active >= perHost) continue;
        start(state, state.pending[state.next++] as number);
        // Round-robin: the host goes to the back of the line while it has work and room.
        if (state.next < state.pending.length && state.active < perHost) {
          state.queued = true;
          ready.push(state);
        }
      }
      // The ready list only grows; drop the consumed head now and then.
      if (readyHead > 1024 && readyHead * 2 > ready.length) {
        ready.splice(0, readyHead);
        readyHead = 0;
      }
    };

    if (runSignal?.aborted) {
      onRunAbort();
      return;
    }
    runSignal?.addEventListener('abort', onRunAbort, { once: true });
    if (items.length === 0) {
      finishIfDone();
      return;
    }
    pump();
  });
}

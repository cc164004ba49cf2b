/**
 * schedule/: when feeds are due (computeNextCheck, pure) and how a run spreads them
 * (runQueue: global concurrency, per-host limit, per-feed time budget).
 */
export { computeNextCheck, isRetired, type NextCheckInput } from './next-check.js';
export { type RunQueueOptions, runQueue } from './run-queue.js';

/**
 * schedule/: when feeds are due (computeNextCheck, pure), how often a healthy feed is checked
 * (learnedIntervalMinutes, pure, from how often it posts) and how a run spreads them (runQueue:
 * global concurrency, per-host limit, per-feed time budget).
 */
export {
  CHECKS_PER_POST,
  type LearnInput,
  learnedIntervalMinutes,
  postingHistory,
} from './learn-interval.js';
export { computeNextCheck, isRetired, type NextCheckInput } from './next-check.js';
export { type RunQueueOptions, runQueue } from './run-queue.js';

/**
 * The planet the kill test's child builds: a few hundred posts over two months, then steps
 * that each add, edit and remove posts on many days and change feeds' health (so that a build
 * rewrites many files, and a kill lands in its commit often). The same seed gives the same
 * planet at every step, in the child and in the parent that checks it.
 */
import type { MemorySourceData } from '../memory-source.js';
import { prng } from '../synthetic-planet.js';
import { applyOp, opFrom, smallPlanet } from './planet-ops.js';

const NOW = Date.parse('2024-03-10T12:00:00Z');

export function killedPlanet(seed: number): { data: MemorySourceData; step(): void } {
  const rand = prng(seed);
  const n = () => Math.floor(rand() * 100_000);
  const state = { now: NOW, nextId: 1 };
  const data = smallPlanet(NOW);
  const spread = () =>
    applyOp(data, { kind: 'add', feed: n(), minutesAgo: n() % (60 * 24 * 60), count: 1 }, state);
  for (let i = 0; i < 120; i++) spread();
  return {
    data,
    step() {
      for (let i = 0; i < 12; i++) applyOp(data, opFrom(n(), n(), n()), state);
      // Posts on days spread over the two months: many day pages change at once.
      for (let i = 0; i < 8; i++) spread();
    },
  };
}

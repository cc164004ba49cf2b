/**
 * Reliability suite: a store file that cannot be used, met by the real CLI (bin/orrery.js run):
 * damaged by garbage bytes, not a database at all, truncated, written by a newer Orrery, and
 * unwritable. Each ends with exit 5 (the project's documented code for "the store cannot be
 * used"; issue 13 said 2, which is bad usage or config here), a message naming the file and
 * the next step, never exit 1 "internal error" — and the failed run leaves the file as it was.
 */
import {
  chmodSync,
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBuilt, ROOT } from '../../bench/farm/hostile-run.js';
import { prng } from '../../src/render/synthetic-planet.js';
import { runProcess, runWithReadOnlyFolder, tmpfsUsable } from '../os-faults.js';
import { type ChangingPlanet, startChangingPlanet } from './changing-planet.js';
import { checkStore } from './store-check.js';

const BIN = join(ROOT, 'bin/orrery.js');
const orrery = (...args: string[]) => [process.execPath, BIN, ...args];
const isRoot = process.getuid?.() === 0;

let planet: ChangingPlanet;
let work = '';
let n = 0;

/** A planet whose store (dir/planet.db) holds a few runs' posts, closed cleanly. */
async function plantedStore(): Promise<{ dir: string; file: string }> {
  const dir = join(work, `p${n++}`);
  planet.writeConfig(dir);
  planet.generation = n;
  const run = await runProcess(orrery('run', '--all'), { cwd: dir });
  expect(run.code, run.stderr).toBe(0);
  planet.generation = n + 5;
  return { dir, file: join(dir, 'planet.db') };
}

/** Overwrite `count` bytes at `offset` with seeded garbage. */
function scribble(file: string, offset: number, count: number, seed: number) {
  const random = prng(seed);
  const bytes = Buffer.from(Array.from({ length: count }, () => Math.floor(random() * 256)));
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, bytes, 0, count, offset);
  } finally {
    closeSync(fd);
  }
}

async function expectStoreFailure(
  dir: string,
  file: string,
  next: RegExp,
  run?: Promise<{ code: number | null; stderr: string }>,
) {
  const before = readFileSync(file);
  const result = await (run ?? runProcess(orrery('run', '--all'), { cwd: dir }));
  expect(result.stderr).not.toMatch(/internal error|please report/);
  expect(result.code, result.stderr).toBe(5);
  expect(result.stderr).toContain(file);
  expect(result.stderr).toMatch(next);
  // The failed run made nothing worse.
  expect(readFileSync(file).equals(before)).toBe(true);
  return result.stderr;
}

describe.skipIf(!cliBuilt())('a store that cannot be used (the built CLI: npm run build)', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'orrery-store-faults-'));
    planet = await startChangingPlanet({ seed: 3, feeds: 8, maxDelayMs: 5 });
  });
  afterAll(async () => {
    await planet?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('garbage bytes over its pages: exit 5, "damaged", restore or move aside', async () => {
    const { dir, file } = await plantedStore();
    // Every page after the first (the header and schema stay: the damage is met while reading).
    const size = statSync(file).size;
    for (let offset = 4096; offset < size; offset += 4096) scribble(file, offset + 8, 200, offset);
    await expectStoreFailure(
      dir,
      file,
      /damaged or truncated.*restore it from a backup, or move it aside/s,
    );
  });

  it('garbage from the first byte: exit 5, not an Orrery store, move it aside', async () => {
    const { dir, file } = await plantedStore();
    scribble(file, 0, 4096, 1);
    await expectStoreFailure(dir, file, /not an Orrery store.*move this file aside/s);
  });

  it('truncated to half: exit 5, "damaged or truncated", restore or move aside', async () => {
    const { dir, file } = await plantedStore();
    truncateSync(file, Math.floor(statSync(file).size / 2 / 4096) * 4096 - 1000);
    await expectStoreFailure(dir, file, /damaged or truncated.*restore it from a backup/s);
  });

  it('written by a newer Orrery: exit 5, upgrade Orrery or use a backup', async () => {
    const { dir, file } = await plantedStore();
    const db = new Database(file);
    db.prepare('INSERT INTO kysely_migration (name, timestamp) VALUES (?, ?)').run(
      '0099_from_the_future',
      new Date().toISOString(),
    );
    db.close();
    await expectStoreFailure(dir, file, /newer Orrery \(schema 99\); upgrade Orrery/);
  });

  it.skipIf(isRoot && !tmpfsUsable())('unwritable: exit 5, make it writable', async () => {
    const { dir, file } = await plantedStore();
    if (isRoot) {
      // Root writes through permissions: a read-only bind mount of the planet's folder instead.
      await expectStoreFailure(
        dir,
        file,
        /cannot write .*make it and its folder writable/s,
        runWithReadOnlyFolder({ folder: dir, command: orrery('run', '--all'), cwd: dir }),
      );
    } else {
      chmodSync(file, 0o444);
      chmodSync(dir, 0o555);
      try {
        await expectStoreFailure(dir, file, /cannot write .*make it and its folder writable/s);
      } finally {
        chmodSync(dir, 0o755);
        chmodSync(file, 0o644);
      }
    }
  });

  it('store-check (the kill test judge) finds the damage the garbage bytes make', async () => {
    const { file } = await plantedStore();
    expect(checkStore(file).problems).toEqual([]);
    const size = statSync(file).size;
    for (let offset = 4096; offset < size; offset += 4096) scribble(file, offset + 8, 200, offset);
    const problems = (() => {
      try {
        return checkStore(file).problems;
      } catch (error) {
        return [String(error)];
      }
    })();
    expect(problems.length).toBeGreaterThan(0);
  });
});

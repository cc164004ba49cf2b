/**
 * Reliability suite: a full disk and a file size limit, for the store and for the site's output
 * folder, met by the real CLI (bin/orrery.js) on a published planet (changing-planet.ts):
 * - a full disk: a small tmpfs over the folder (test/os-faults.ts; skipped where mounting is
 *   not permitted);
 * - a file size limit: prlimit --fsize (EFBIG for Orrery; Pagefind, a child, dies of SIGXFSZ).
 * Each: exit 6 with a message naming the file or folder and the next step (never exit 1
 * "internal error"), the published site byte for byte as it was, the store whole (integrity
 * and invariants), and a normal run afterwards succeeds.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBuilt, ROOT } from '../../bench/farm/hostile-run.js';
import { listFiles } from '../../src/render/list-files.js';
import {
  prlimitUsable,
  runOnFullTmpfs,
  runProcess,
  tmpfsUsable,
  withFileSizeLimit,
} from '../os-faults.js';
import { type ChangingPlanet, startChangingPlanet } from './changing-planet.js';
import { checkStore } from './store-check.js';

const BIN = join(ROOT, 'bin/orrery.js');
const orrery = (...args: string[]) => [process.execPath, BIN, ...args];

let planet: ChangingPlanet;
let work = '';
let generation = 1;

/** A planet with a published site, in a folder of its own (store in db/, site in public/). */
async function publishedPlanet(name: string): Promise<string> {
  const dir = join(work, name);
  planet.writeConfig(dir);
  const config = join(dir, 'planet.toml');
  const text = readFileSync(config, 'utf8').replace('path = "planet.db"', 'path = "db/planet.db"');
  mkdirSync(join(dir, 'db'));
  writeFileSync(config, text);
  planet.generation = generation++;
  const first = await runProcess(orrery('run', '--all'), { cwd: dir });
  expect(first.code, first.stderr).toBe(0);
  // The next run has new posts to store and new pages to publish.
  planet.generation = generation += 3;
  return dir;
}

/** Every file of the published site with its bytes (the build's own scratch left out). */
async function siteFiles(site: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const path of (await listFiles(site)).sort()) {
    if (path.startsWith('.orrery/') && path !== '.orrery/state.json') continue;
    files.set(path, readFileSync(join(site, path)).toString('base64'));
  }
  return files;
}

function expectClearFailure(
  run: { code: number | null; stderr: string },
  names: RegExp,
  next: RegExp,
) {
  expect(run.stderr).not.toMatch(/internal error|please report/);
  expect(run.code, run.stderr).toBe(6);
  expect(run.stderr).toMatch(names);
  expect(run.stderr).toMatch(next);
}

/** After the fault: the store is whole, and a normal run (no fault) succeeds. */
async function expectRecovers(dir: string) {
  expect(checkStore(join(dir, 'db/planet.db')).problems).toEqual([]);
  const again = await runProcess(orrery('run', '--all'), { cwd: dir });
  expect(again.code, again.stderr).toBe(0);
  expect(again.stdout).toMatch(/site written to/);
  expect(checkStore(join(dir, 'db/planet.db')).problems).toEqual([]);
}

describe.skipIf(!cliBuilt())('a full disk (the built CLI: npm run build)', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'orrery-full-disk-'));
    planet = await startChangingPlanet({ seed: 7, feeds: 10, maxDelayMs: 5 });
  });
  afterAll(async () => {
    await planet?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  describe.skipIf(!tmpfsUsable())('on a full tmpfs (a private mount namespace)', () => {
    it('the output folder: exit 6 naming it and "free space", the site as it was', async () => {
      const dir = await publishedPlanet('tmpfs-site');
      const site = join(dir, 'public');
      const before = await siteFiles(site);
      const after = join(dir, 'public-after');
      const run = await runOnFullTmpfs({
        folder: site,
        sizeBytes: 4 << 20,
        freeBytes: 16_384,
        copyTo: after,
        command: orrery('run', '--all'),
        cwd: dir,
      });
      expectClearFailure(run, new RegExp(site), /free (some )?space/);
      expect(await siteFiles(after)).toEqual(before);
      // The folder under the tmpfs was never written.
      expect(await siteFiles(site)).toEqual(before);
      await expectRecovers(dir);
    });

    it('the store: exit 6 naming the store file and "free space", nothing half-written', async () => {
      const dir = await publishedPlanet('tmpfs-store');
      const before = await siteFiles(join(dir, 'public'));
      const db = join(dir, 'db');
      const after = join(dir, 'db-after');
      const run = await runOnFullTmpfs({
        folder: db,
        sizeBytes: 4 << 20,
        freeBytes: 8192,
        copyTo: after,
        command: orrery('run', '--all'),
        cwd: dir,
      });
      expectClearFailure(run, /db\/planet\.db/, /free space/);
      expect(await siteFiles(join(dir, 'public'))).toEqual(before);
      // Go on from what the full disk left.
      rmSync(db, { recursive: true });
      cpSync(after, db, { recursive: true });
      await expectRecovers(dir);
    });
  });

  describe.skipIf(!prlimitUsable())('at a file size limit (prlimit --fsize)', () => {
    it('the store: exit 6 naming the file and ulimit -f, nothing half-written', async () => {
      const dir = await publishedPlanet('fsize-store');
      const before = await siteFiles(join(dir, 'public'));
      // Below what the run's new posts add to the write-ahead log.
      const run = await runProcess(withFileSizeLimit(16_384, orrery('run', '--all')), {
        cwd: dir,
      });
      expectClearFailure(run, /db\/planet\.db/, /ulimit -f/);
      expect(await siteFiles(join(dir, 'public'))).toEqual(before);
      await expectRecovers(dir);
    });

    it.each([
      // Above the store's writes, below Orrery's own largest files (atom.xml ~55 KB).
      ['a file Orrery writes', 40_000, /public/],
      // Above every file Orrery writes, below Pagefind's (pagefind-ui.js ~125 KB): it dies of SIGXFSZ.
      ['a file Pagefind writes', 100_000, /Pagefind.*SIGXFSZ/],
    ])(
      'the site, %s: exit 6 naming it and ulimit -f, the site as it was',
      async (_what, limit, names) => {
        const dir = await publishedPlanet(`fsize-site-${limit}`);
        const site = join(dir, 'public');
        const before = await siteFiles(site);
        const run = await runProcess(withFileSizeLimit(limit, orrery('build', '--full')), {
          cwd: dir,
          maxSeconds: 120,
        });
        expectClearFailure(run, names, /ulimit -f/);
        expect(await siteFiles(site)).toEqual(before);
        await expectRecovers(dir);
      },
    );
  });
});

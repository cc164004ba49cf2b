/**
 * The property the incremental build rests on: after any sequence of changes to the store
 * (posts added, edited, removed, recorded as duplicates; feeds failing, recovering, renamed,
 * leaving; fetches), an incremental build gives byte for byte the files a clean full build of
 * the same store gives — its record of the site (.orrery/state.json) included.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildSite } from './build-site.js';
import { listFiles } from './list-files.js';
import { createMemorySource } from './memory-source.js';
import { fixtureSite } from './testdata/planet-fixture.js';
import { applyOp, opFrom, smallPlanet } from './testdata/planet-ops.js';

const NOW = Date.parse('2024-03-10T12:00:00Z');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orrery-incremental-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every file of a site: path → bytes (as text). */
async function tree(root: string, skip = (_: string) => false): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const path of (await listFiles(root)).sort()) {
    if (!skip(path)) out.set(path, await readFile(join(root, path), 'latin1'));
  }
  return out;
}

/** The paths whose bytes differ (clearer than a diff of two maps of whole pages). */
function differences(a: Map<string, string>, b: Map<string, string>): string[] {
  const paths = new Set([...a.keys(), ...b.keys()]);
  return [...paths].filter((p) => a.get(p) !== b.get(p)).sort();
}

const opsArb = fc.array(fc.tuple(fc.nat(1000), fc.nat(1000), fc.nat(100_000)), {
  minLength: 1,
  maxLength: 8,
});

describe('an incremental build', () => {
  it('gives the same files as a clean full build, after any changes', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(opsArb, fc.constantFrom('UTC', 'Europe/Berlin'), async (ops, timezone) => {
        const root = join(dir, `run-${run++}`);
        const state = { now: NOW, nextId: 1 };
        const data = smallPlanet(NOW);
        const seeds: Array<[number, number, number]> = [
          [0, 0, 5],
          [0, 1, 400],
          [0, 4, 8],
          [0, 2, 12],
        ];
        for (const seed of seeds) {
          applyOp(data, opFrom(...seed), state);
        }
        const source = createMemorySource(data);
        const site = fixtureSite(join(root, 'incremental'), {
          timezone,
          itemsPerPage: 4,
          daysPerPage: 2,
        });
        await buildSite({ source, site, search: false });
        for (const [step, numbers] of ops.entries()) {
          const op = opFrom(...numbers);
          applyOp(data, op, state);
          await buildSite({ source, site, search: false });
          const clean = join(root, `full-${step}`);
          await buildSite({
            source,
            site: { ...site, outputDir: clean },
            search: false,
            full: true,
          });
          const diff = differences(await tree(site.outputDir), await tree(clean));
          expect(diff, `after ${JSON.stringify(op)} (step ${step}, ${timezone})`).toEqual([]);
          await rm(clean, { recursive: true, force: true });
        }
        await rm(root, { recursive: true, force: true });
      }),
      { numRuns: 30 },
    );
  }, 300_000);

  it('keeps the search index answering as a full build’s does', async () => {
    const state = { now: NOW, nextId: 1 };
    const data = smallPlanet(NOW);
    const source = createMemorySource(data);
    const site = fixtureSite(join(dir, 'incremental'));
    for (let i = 0; i < 6; i++) applyOp(data, opFrom(0, i, 50 * i), state);
    await buildSite({ source, site });
    const steps: Array<[number, number, number]> = [
      [0, 3, 7],
      [3, 2, 0],
      [4, 1, 0],
      [7, 0, 0],
      [0, 1, 44],
    ];
    for (const numbers of steps) {
      applyOp(data, opFrom(...numbers), state);
      const inc = await buildSite({ source, site });
      expect(inc.searchPartsBuilt).toBeLessThanOrEqual(1);
      const clean = join(dir, 'full');
      await rm(clean, { recursive: true, force: true });
      await buildSite({ source, site: { ...site, outputDir: clean }, full: true });
      // The same records in the same parts: Pagefind writes the same bundles, byte for byte.
      expect(differences(await tree(site.outputDir), await tree(clean))).toEqual([]);
    }
  }, 120_000);
});

/**
 * Atomic publishing under kill -9: a child builds a changing planet again and again and is
 * killed at a random moment, many times. After each kill the published site is whole (the
 * last finished build's files exactly, or — killed after its commit point — every file the
 * old or the new one, every link resolving), and the next build finishes the job: the site is
 * then what a clean full build of the same store makes, byte for byte.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, watch, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSite } from './build-site.js';
import { listFiles } from './list-files.js';
import { createMemorySource } from './memory-source.js';
import { META_DIR } from './publish.js';
import { killedPlanet } from './testdata/killed-planet.js';
import { fixtureSite } from './testdata/planet-fixture.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KILLS = 8;

let work: string;
let child: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'orrery-kill-'));
  // The child is TypeScript: compile it with the project's own compiler into a (gitignored)
  // folder at the repo root laid out like dist/, so it finds node_modules and themes/default.
  child = await mkdtemp(join(ROOT, '.orrery-tmp-crash-child-'));
  await promisify(execFile)(
    process.execPath,
    [
      join(ROOT, 'node_modules/typescript/bin/tsc'),
      ...['--outDir', child, '--rootDir', join(ROOT, 'src'), '--module', 'nodenext'],
      ...['--moduleResolution', 'nodenext', '--target', 'ES2022', '--skipLibCheck', '--noCheck'],
      ...['--types', 'node', join(ROOT, 'src/render/testdata/crash-child.ts')],
    ],
    { cwd: ROOT },
  );
  await writeFile(join(child, 'package.json'), '{"type":"module"}');
}, 120_000);
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
  if (child) await rm(child, { recursive: true, force: true });
});

async function tree(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const path of (await listFiles(root)).sort()) {
    if (path.split('/')[0] === META_DIR && path !== `${META_DIR}/state.json`) continue;
    out.set(path, await readFile(join(root, path), 'latin1'));
  }
  return out;
}

/** The site a clean full build makes of the planet after `steps` steps. */
async function fullBuildAfter(seed: number, steps: number, out: string, search: boolean) {
  const planet = killedPlanet(seed);
  for (let i = 0; i < steps; i++) planet.step();
  await rm(out, { recursive: true, force: true });
  await buildSite({
    source: createMemorySource(planet.data),
    site: fixtureSite(out),
    full: true,
    search,
  });
  return { tree: await tree(out), planet };
}

/** Every relative link of every page points at a file of the site (faces are the theme's business). */
function brokenLinks(site: Map<string, string>): string[] {
  const broken: string[] = [];
  for (const [path, html] of site) {
    if (!path.endsWith('.html')) continue;
    for (const [, url] of html.matchAll(/href="([^"]*)"/g)) {
      if (/^[a-z][a-z0-9+.-]*:|^#|^\/\//i.test(url!)) continue;
      const target = normalize(join(dirname(path), url!.replace(/[?#].*$/, '')));
      if (!site.has(target)) broken.push(`${path} -> ${url}`);
    }
  }
  return broken;
}

describe('a build killed at a random moment', () => {
  it(`leaves the site whole and linkable, and the next build finishes the job (${KILLS} kills)`, async () => {
    let commitsCaught = 0;
    for (let k = 0; k < KILLS; k++) {
      const seed = 1000 + k;
      const search = k % 3 === 2;
      const out = join(work, `site-${k}`);
      const proc = spawn(
        process.execPath,
        [
          join(child, 'render/testdata/crash-child.js'),
          out,
          String(seed),
          '40',
          search ? 'search' : '',
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let output = '';
      proc.stdout.on('data', (b: Buffer) => {
        output += b.toString();
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        proc.on('exit', (_code, signal) => resolve(signal)),
      );
      // Wait for the first publish, then kill somewhere in the builds that follow: at a random
      // time, or (every other kill) the moment a build reaches its commit point, while it moves
      // its files in.
      for (let i = 0; i < 3000 && !output.includes('published 0'); i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(output, 'the child never published').toContain('published 0');
      if (k % 2 === 0) {
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 1500)));
      } else {
        const watcher = watch(join(out, META_DIR));
        for await (const event of watcher) {
          if (event.filename === 'journal.json') break;
        }
      }
      proc.kill('SIGKILL');
      await exited;
      const finished = [...output.matchAll(/published (\d+)/g)].map((m) => Number(m[1]));
      const last = finished[finished.length - 1]!;
      if (output.includes('done')) continue;

      const site = await tree(out);
      const before = await fullBuildAfter(seed, last, join(work, `before-${k}`), search);
      const after = await fullBuildAfter(seed, last + 1, join(work, `after-${k}`), search);
      const committed = await stat(join(out, META_DIR, 'journal.json')).then(
        () => true,
        () => false,
      );
      if (!committed) {
        // Killed before its commit point: exactly the last published site (or, killed between
        // finishing a publish and saying so, exactly the next one).
        const differs = (other: Map<string, string>) =>
          [...new Set([...site.keys(), ...other.keys()])].filter(
            (p) => site.get(p) !== other.get(p),
          );
        const diff = differs(before.tree);
        if (diff.length > 0)
          expect(differs(after.tree), `kill ${k} after publish ${last}`).toEqual([]);
      } else {
        // Killed while moving files in: each file is the old or the new one, links resolve.
        commitsCaught++;
        for (const [path, bytes] of site) {
          if (path.startsWith(META_DIR)) continue;
          expect(bytes === before.tree.get(path) || bytes === after.tree.get(path), path).toBe(
            true,
          );
        }
        expect(brokenLinks(site)).toEqual([]);
      }

      // The next build (of the store the killed one was building) finishes and publishes.
      await buildSite({
        source: createMemorySource(after.planet.data),
        site: fixtureSite(out),
        search,
      });
      const next = await tree(out);
      const diff = [...new Set([...next.keys(), ...after.tree.keys()])].filter(
        (p) => next.get(p) !== after.tree.get(p),
      );
      expect(diff, `the build after kill ${k}`).toEqual([]);
      expect(await readdir(join(out, META_DIR))).toEqual(['state.json']);
      for (const dir of ['before', 'after', 'site']) {
        await rm(join(work, `${dir}-${k}`), { recursive: true, force: true });
      }
    }
    console.log(`kill test: ${KILLS} kills, ${commitsCaught} of them after a commit point`);
  }, 300_000);
});

import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildSite } from './build-site.js';
import { createMemorySource } from './memory-source.js';
import { FIXTURE_NOW, fixtureData, fixtureSite } from './testdata/planet-fixture.js';
import { openSiteWriter } from './write-site.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orrery-write-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** path → sha256 of every file under root. */
async function snapshot(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const e of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const parent = (e as unknown as { parentPath?: string; path: string }).parentPath ?? e.path;
    const abs = join(parent, e.name);
    out.set(
      abs.slice(root.length + 1),
      createHash('sha256')
        .update(await readFile(abs))
        .digest('hex'),
    );
  }
  return out;
}

describe('openSiteWriter', () => {
  it('keeps unchanged files (same inode and mtime), writes changed ones, drops removed ones', async () => {
    const out = join(dir, 'public');
    const first = await openSiteWriter(out);
    await first.write('index.html', 'one');
    await first.write('a/b/keep.html', 'same');
    await first.write('gone.html', 'bye');
    await first.commit();
    const before = await stat(join(out, 'a/b/keep.html'));

    const second = await openSiteWriter(out);
    await second.write('index.html', 'two');
    await second.write('a/b/keep.html', 'same');
    const report = await second.commit();
    expect(report.written).toEqual(['index.html']);
    expect(report.unchanged).toEqual(['a/b/keep.html']);
    expect(report.removed).toBe(1);
    const after = await stat(join(out, 'a/b/keep.html'));
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(await readFile(join(out, 'index.html'), 'utf8')).toBe('two');
    await expect(stat(join(out, 'gone.html'))).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(['public']);
  });

  it('adopts files another program put in the tree, keeping the old file when equal', async () => {
    const out = join(dir, 'public');
    let previous = '';
    for (const [round, text] of [
      [1, 'same'],
      [2, 'same'],
      [3, 'changed'],
    ] as const) {
      const w = await openSiteWriter(out);
      await mkdir(join(w.tmpDir, 'bundle'), { recursive: true });
      await writeFile(join(w.tmpDir, 'bundle', 'index.bin'), text);
      const facts = await w.adopt('bundle/index.bin', 'input');
      expect(facts.size).toBe(text.length);
      const report = await w.commit();
      const s = await stat(join(out, 'bundle/index.bin'));
      if (round === 2) {
        expect(report.unchanged).toEqual(['bundle/index.bin']);
        expect(`${s.ino} ${s.mtimeMs}`).toBe(previous);
      } else {
        expect(report.written).toEqual(['bundle/index.bin']);
      }
      expect(await readFile(join(out, 'bundle/index.bin'), 'utf8')).toBe(text);
      previous = `${s.ino} ${s.mtimeMs}`;
    }
  });

  it('refuses paths outside the site and a path written twice', async () => {
    const w = await openSiteWriter(join(dir, 'public'));
    await expect(w.write('../escape.html', 'x')).rejects.toThrow(/bad site path/);
    await expect(w.write('/abs.html', 'x')).rejects.toThrow(/bad site path/);
    await w.write('x.html', 'x');
    await expect(w.write('x.html', 'y')).rejects.toThrow(/twice/);
    await w.abort();
    expect(await readdir(dir)).toEqual([]);
  });

  it('cleans up a dead build that had our own pid (containers reuse pid 1), not a live one', async () => {
    const out = join(dir, 'public');
    await mkdir(join(dir, `.orrery-tmp-public.${process.pid}.dead.new`));
    const live = await openSiteWriter(out);
    expect(await readdir(dir)).not.toContain(`.orrery-tmp-public.${process.pid}.dead.new`);
    // A second build in the same process leaves the first one's folder alone.
    const other = await openSiteWriter(join(dir, 'public'));
    expect((await stat(live.tmpDir)).isDirectory()).toBe(true);
    await other.abort();
    await live.write('index.html', 'x');
    await live.commit();
    expect(await readdir(dir)).toEqual(['public']);
  });

  it('puts the old site back when a build died between its two renames', async () => {
    const out = join(dir, 'public');
    // A parked old tree from a dead process (pid 2**22 + 1 is above Linux's pid_max default).
    const parked = join(dir, `.orrery-tmp-public.${2 ** 22 + 1}.abcd.old`);
    await mkdir(parked);
    await writeFile(join(parked, 'index.html'), 'previous');
    const lines: string[] = [];
    const w = await openSiteWriter(out, { log: (l) => lines.push(l) });
    expect(await readFile(join(out, 'index.html'), 'utf8')).toBe('previous');
    expect(lines.join('\n')).toMatch(/restoring the previous site/);
    await w.write('index.html', 'previous');
    const report = await w.commit();
    expect(report.unchanged).toEqual(['index.html']);
  });
});

describe('a build killed mid-way', () => {
  it('leaves the previous site whole, and the next build cleans up', async () => {
    // Compile the child (TypeScript) with the project's own compiler into a (gitignored) folder
    // at the repo root, laid out like dist/: its imports resolve from node_modules and it finds
    // themes/default two levels up, as dist/render/ does.
    const outDir = await mkdtemp(join(ROOT, '.orrery-tmp-crash-child-'));
    try {
      await promisify(execFile)(
        process.execPath,
        [
          join(ROOT, 'node_modules/typescript/bin/tsc'),
          '--outDir',
          outDir,
          '--rootDir',
          join(ROOT, 'src'),
          '--module',
          'nodenext',
          '--moduleResolution',
          'nodenext',
          '--target',
          'ES2022',
          '--skipLibCheck',
          '--noCheck',
          '--types',
          'node',
          join(ROOT, 'src/render/testdata/crash-child.ts'),
        ],
        { cwd: ROOT },
      );
      await writeFile(join(outDir, 'package.json'), '{"type":"module"}');
      const out = join(dir, 'public');
      const site = fixtureSite(out);
      await buildSite({
        source: createMemorySource(fixtureData()),
        site,
        now: FIXTURE_NOW,
        search: false,
      });
      const previous = await snapshot(out);
      expect(previous.size).toBeGreaterThan(20);

      const child = spawn(
        process.execPath,
        [join(outDir, 'render/testdata/crash-child.js'), out, '10000'],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      let output = '';
      child.stdout.on('data', (b: Buffer) => {
        output += b.toString();
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.on('exit', (_code, signal) => resolve(signal)),
      );
      // Wait until the child is writing archive pages into its temporary folder, then kill it.
      const tmpPrefix = `.orrery-tmp-public.${child.pid}.`;
      let writing = false;
      for (let i = 0; i < 3000 && !writing; i++) {
        await new Promise((r) => setTimeout(r, 10));
        const tmp = (await readdir(dir)).find((n) => n.startsWith(tmpPrefix) && n.endsWith('.new'));
        if (tmp) {
          const archive = await readdir(join(dir, tmp, 'archive')).catch(() => []);
          writing = archive.length > 0;
        }
        if (output.includes('done')) break;
      }
      expect(writing, 'the child never started writing archive pages').toBe(true);
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      expect(output).not.toContain('done');

      // The previous site is whole and byte-identical; the dead build's folder is left over.
      expect(await snapshot(out)).toEqual(previous);
      expect((await readdir(dir)).some((n) => n.startsWith(tmpPrefix))).toBe(true);

      // The next build removes the leftover and publishes.
      const lines: string[] = [];
      await buildSite({
        source: createMemorySource(fixtureData()),
        site,
        now: FIXTURE_NOW,
        search: false,
        log: (l) => lines.push(l),
      });
      expect(lines.join('\n')).toMatch(/left by an interrupted build/);
      expect((await readdir(dir)).sort()).toEqual(['public']);
      expect(await snapshot(out)).toEqual(previous);
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
    // Compiling the child and building 10,000 entries: generous on a loaded two-core CI machine.
  }, 180_000);
});

/**
 * The published artefact, not the checkout: `npm pack`, then `npm install ./orrery-*.tgz` in an
 * empty folder, then `npx orrery init`, `npx orrery add` and `npx orrery run` on a planet of
 * loopback feeds. A file missing from `files`, a path computed from the checkout's layout or a
 * dependency listed as a devDependency only shows here.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');
const MINUTES = 60_000;

interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string }[];
}

async function npm(args: string[], cwd: string): Promise<string> {
  const { stdout } = await exec('npm', args, {
    cwd,
    maxBuffer: 64 * 1024 * 1024,
    // The user's machine has no devDependencies and no checkout: nothing from ours leaks in.
    env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' },
  });
  return stdout;
}

async function orrery(args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  return exec('npx', ['--no-install', 'orrery', ...args], { cwd, maxBuffer: 16 * 1024 * 1024 });
}

describe('the npm package', () => {
  let work: string;
  let packed: Packed;
  let server: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'orrery-pack-'));
    const out = await npm(['pack', '--json', '--pack-destination', work], ROOT);
    // npm prints the build's output before the JSON when `prepare` runs.
    packed = (JSON.parse(out.slice(out.indexOf('[\n'))) as Packed[])[0] as Packed;
    const { startDemoServer } = await import('../examples/demo/server.js');
    server = await startDemoServer({ port: 0 });
  }, 5 * MINUTES);

  afterAll(async () => {
    await server?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('holds the code, the themes and the project files, and no test data', () => {
    const paths = packed.files.map((f) => f.path);
    console.log(
      `npm pack: ${packed.filename}, ${(packed.size / 1024).toFixed(0)} KB packed, ` +
        `${(packed.unpackedSize / 1024).toFixed(0)} KB unpacked, ${paths.length} files`,
    );
    for (const needed of [
      'bin/orrery.js',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/bundle/main.js',
      'themes/default/layout.liquid',
      'LICENSE',
      'README.md',
      'CHANGELOG.md',
      'SECURITY.md',
      'package.json',
    ]) {
      expect(paths).toContain(needed);
    }
    const unwanted = paths.filter((p) =>
      /(^|\/)(testdata|corpus|bench|test|examples|src)\/|\.test\.|\.map$/.test(p),
    );
    expect(unwanted).toEqual([]);
  });

  it(
    'installs into an empty folder and runs a planet of loopback feeds',
    async () => {
      const app = join(work, 'app');
      await mkdir(app);
      await npm(['init', '-y'], app);
      await npm(['install', '--prefer-offline', join(work, packed.filename)], app);
      // Installing ran no TypeScript build: the package ships what it runs.
      const installed = join(app, 'node_modules', 'orrery');
      expect(await readdir(installed)).not.toContain('src');

      await orrery(['init', '.', '--name', 'Packed Planet'], app);
      for (const feed of ['pythonisito.xml', 'kylev.atom']) {
        await orrery(['add', `${server.url}${feed}`, '--allow-private'], app);
      }
      const run = await orrery(['run', '--allow-private'], app);
      expect(run.stderr).toMatch(/2 feeds: 2 fetched/);
      const index = await readFile(join(app, 'public', 'index.html'), 'utf8');
      expect(index).toContain('Packed Planet');
      expect((await stat(join(app, 'public', 'atom.xml'))).size).toBeGreaterThan(1000);
    },
    10 * MINUTES,
  );
});

/**
 * The installed command itself: `node bin/orrery.js` runs the bundle `npm run build` writes to
 * dist/bundle/ (every other CLI test calls main() from src/ in-process). A bundling mistake —
 * a path computed from import.meta.url, a dependency that must stay external — only shows here.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDemoServer } from '../examples/demo/server.js';
import { withTempDir } from './helpers.js';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'orrery.js');
const BUNDLE = join(ROOT, 'dist', 'bundle', 'main.js');

function run(args: string[], cwd: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

// npm install runs `prepare` (npm run build), so CI always has the bundle; a checkout where
// only tsc ran has not, and bin/orrery.js then falls back to dist/cli/ (covered by the demo).
describe.skipIf(!existsSync(BUNDLE))('bin/orrery.js (the bundled CLI)', () => {
  it('runs the demo planet end to end: fetch, parse, store, site, search index', async () => {
    await withTempDir(async (dir) => {
      const feeds = await startDemoServer({ port: 0 });
      try {
        const config = await readFile(join(ROOT, 'examples/demo/planet.toml'), 'utf8');
        await writeFile(
          join(dir, 'planet.toml'),
          config.replaceAll('127.0.0.1:48173', `127.0.0.1:${feeds.port}`),
        );
        await cp(join(ROOT, 'examples/demo/feeds'), join(dir, 'feeds'), { recursive: true });
        const result = await run(['run'], dir);
        expect(result.stderr).not.toMatch(/error|warning/i);
        expect(result.code).toBe(0);
        expect(result.stdout + result.stderr).toMatch(/5 feeds: 5 fetched.*40 new/s);
      } finally {
        await feeds.close();
      }
      const index = await readFile(join(dir, 'public', 'index.html'), 'utf8');
      expect(index).toContain('Watching iView with Rygel');
      const files = await readdir(join(dir, 'public'), { recursive: true });
      expect(files.some((f) => f.endsWith('pagefind.js'))).toBe(true);
      const version = await run(['--version'], dir);
      const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
      expect(version.stdout.trim()).toBe(pkg.version);
    });
  }, 180_000);
});

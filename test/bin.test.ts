/**
 * The installed command itself: `node bin/orrery.js` runs the bundle `npm run build` writes to
 * dist/bundle/ (every other CLI test calls main() from src/ in-process). A bundling mistake —
 * a path computed from import.meta.url, a dependency that must stay external — only shows here.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { withDemoPlanet, withTempDir } from './helpers.js';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'orrery.js');
const BUNDLE = join(ROOT, 'dist', 'bundle', 'main.js');

function run(args: string[], cwd: string, onStart?: (child: ChildProcess) => void) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1' },
    });
    onStart?.(child);
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
      await withDemoPlanet(dir, async () => {
        const result = await run(['run'], dir);
        expect(result.stderr).not.toMatch(/error|warning/i);
        expect(result.code).toBe(0);
        expect(result.stdout + result.stderr).toMatch(/5 feeds: 5 fetched.*40 new/s);
      });
      const index = await readFile(join(dir, 'public', 'index.html'), 'utf8');
      expect(index).toContain('Watching iView with Rygel');
      const files = await readdir(join(dir, 'public'), { recursive: true });
      expect(files.some((f) => f.endsWith('pagefind.js'))).toBe(true);
      const version = await run(['--version'], dir);
      const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
      expect(version.stdout.trim()).toBe(pkg.version);
    });
  }, 180_000);

  it('keeps the feeds finished before a Ctrl-C (SIGINT), and exits 130', async () => {
    const rss = (n: number) =>
      `<?xml version="1.0"?><rss version="2.0"><channel><title>F${n}</title><link>https://f${n}.example/</link>` +
      `<item><guid>f${n}-1</guid><title>Post ${n}</title><link>https://f${n}.example/1</link></item></channel></rss>`;
    // Feeds 0-2 answer at once; feed 3 never answers, so the run is still going at the signal.
    // The signal goes once all four requests have arrived (so the CLI is running and its
    // handler is set, however slow the machine) and the three answers had time to be stored.
    let requests = 0;
    let allAsked: () => void = () => undefined;
    const asked = new Promise<void>((resolve) => {
      allAsked = resolve;
    });
    const server = createServer((req, res) => {
      if (++requests === 4) allAsked();
      const n = Number(/\/f(\d)\.xml/.exec(req.url ?? '')?.[1]);
      if (n === 3) return;
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss(n));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      await withTempDir(async (dir) => {
        const feeds = [0, 1, 2, 3]
          .map((n) => `[[feeds]]\nurl = "http://127.0.0.1:${port}/f${n}.xml"\n`)
          .join('\n');
        await writeFile(
          join(dir, 'planet.toml'),
          `[site]\nname = "T"\n\n[fetch]\nallow_private = true\n\n${feeds}`,
        );
        const result = await run(['fetch'], dir, (child) => {
          void asked.then(() => setTimeout(() => child.kill('SIGINT'), 1000));
        });
        expect(result.code).toBe(130);
        expect(result.stderr).toMatch(/SIGINT: stopping/);
        const db = new Database(join(dir, 'orrery.sqlite'), { readonly: true });
        const titles = db.prepare('SELECT title FROM entries ORDER BY title').all();
        db.close();
        expect(titles).toEqual([{ title: 'Post 0' }, { title: 'Post 1' }, { title: 'Post 2' }]);
      });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  }, 60_000);
});

/**
 * `orrery serve` as the installed command (bin/orrery.js over the bundle `npm run build` writes):
 * it holds the store's lock (a concurrent `orrery run` exits 3 naming it), and on SIGTERM it
 * ends the live streams, lets the fetch in flight finish and be stored, and exits 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, withTempDir } from '../../test/helpers.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import { eventually, planetToml, startFeedFarm } from './testdata/test-planet.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'orrery.js');
const BUNDLE = join(ROOT, 'dist', 'bundle', 'main.js');

function startServe(dir: string): {
  child: ChildProcess;
  lines: string[];
  exit: Promise<number | null>;
} {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--log-format', 'json'], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let buffer = '';
  child.stderr?.on('data', (d) => {
    buffer += d;
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts);
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const exit = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve(code);
    }),
  );
  return { child, lines, exit };
}

describe.skipIf(!existsSync(BUNDLE))('orrery serve, the process (needs npm run build)', () => {
  it('excludes orrery run, and stops on SIGTERM after its fetch in flight', async () => {
    const farm = await startFeedFarm();
    farm.feeds.set('/a.xml', {
      path: '/a.xml',
      title: 'A',
      items: [{ id: 'a1', title: 'A post', date: '2026-11-20T10:00:00Z' }],
    });
    let slowStarted = false;
    farm.handlers.set('/slow.xml', (_req, res) => {
      slowStarted = true;
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/atom+xml' });
        res.end(
          '<feed xmlns="http://www.w3.org/2005/Atom"><title>Slow</title><entry><id>s1</id><title>Slow post</title><updated>2026-11-20T10:00:00Z</updated></entry></feed>',
        );
      }, 3000);
    });
    try {
      await withTempDir(async (dir) => {
        await writeFile(
          join(dir, 'planet.toml'),
          planetToml([`${farm.base}/a.xml`, `${farm.base}/slow.xml`]),
        );
        const serve = startServe(dir);
        const listening = await eventually(() =>
          serve.lines.find((l) => l.includes('orrery serve is listening')),
        );
        const url = JSON.parse(listening).url as string;

        const run = await runCli(['run'], { cwd: dir });
        expect(run.code).toBe(3);
        expect(run.stderr).toMatch(/another orrery run .*holds .*orrery\.sqlite/);

        // An open live page, and the slow feed being fetched, when the signal comes.
        const stream = await fetch(new URL('/live/events', url));
        expect(stream.headers.get('content-type')).toContain('text/event-stream');
        const reading = stream.text();
        await eventually(() => slowStarted);
        serve.child.kill('SIGTERM');
        await reading; // the server ended the stream
        expect(await serve.exit).toBe(0);
        expect(serve.lines.some((l) => l.includes('"msg":"stopped"'))).toBe(true);

        const store = await createSqliteStore({ path: join(dir, 'orrery.sqlite'), readonly: true });
        try {
          const slow = await store.getFeedByUrl(`${farm.base}/slow.xml`);
          expect(slow?.lastSuccessAt).toBeDefined();
          expect(await store.countEntries({ feedId: slow?.id })).toBe(1);
        } finally {
          await store.close();
        }
      });
    } finally {
      await farm.close();
    }
  });

  it('refuses to start while orrery run holds the store', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'planet.toml'), planetToml([]));
      const store = await createSqliteStore({ path: join(dir, 'orrery.sqlite') });
      const lock = await store.acquireLock({ owner: 'orrery run (test)', waitMs: 0 });
      try {
        const serve = startServe(dir);
        expect(await serve.exit).toBe(3);
      } finally {
        await lock.release();
        await store.close();
      }
    });
  });
});

/**
 * WebSub subscriptions survive a restart of the installed command (bin/orrery.js over the bundle
 * `npm run build` writes): `orrery serve` subscribes, is stopped with SIGTERM, starts again on
 * the same store, asks the hub nothing while the lease holds, and checks a push with the secret
 * it stored the first time. `orrery status` then shows the subscription, not its secret.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import {
  atomDocument,
  eventually,
  freePort,
  planetToml,
  startFeedFarm,
} from '../../src/serve/testdata/test-planet.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { runCli, withTempDir } from '../helpers.js';
import { startTestHub } from './hub.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BUNDLE = join(ROOT, 'dist', 'bundle', 'main.js');

const running = new Set<ChildProcess>();
afterEach(() => {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
});

/** `orrery serve` in `dir` as a child process; its JSON log lines as they come. */
function serve(dir: string, args: string[]) {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'orrery.js'), 'serve', ...args], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  running.add(child);
  const log: string[] = [];
  if (child.stderr) createInterface({ input: child.stderr }).on('line', (l) => log.push(l));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return {
    log,
    async stop() {
      child.kill('SIGTERM');
      const code = await exited;
      running.delete(child);
      return code;
    },
  };
}

describe.skipIf(!existsSync(BUNDLE))('orrery serve restarted (needs npm run build)', () => {
  it('goes on with its stored WebSub subscription: one request to the hub, pushes still verified', async () => {
    const hub = await startTestHub();
    const farm = await startFeedFarm();
    const topic = `${farm.base}/blog.xml`;
    farm.feeds.set('/blog.xml', {
      path: '/blog.xml',
      title: 'Pushed Blog',
      items: [{ id: 'p1', title: 'Polled post', date: '2026-11-20T10:00:00Z' }],
      headers: { link: `<${hub.url}>; rel="hub"` },
    });
    try {
      await withTempDir(async (dir) => {
        await writeFile(join(dir, 'planet.toml'), planetToml([topic]));
        const port = await freePort();
        const args = ['--port', String(port), '--public-url', `http://127.0.0.1:${port}/`];
        const first = serve(dir, args);
        const atHub = await eventually(() => [...hub.subscriptions.values()][0]);
        await eventually(() => first.log.some((l) => l.includes('"msg":"websub: active"')));
        expect(await first.stop()).toBe(0);

        const second = serve(dir, args);
        const resumed = await eventually(() =>
          second.log.find((l) => l.includes('websub: subscriptions resumed from the store')),
        );
        expect(JSON.parse(resumed)).toMatchObject({ active: 1, pending: 0 });
        const push = atomDocument({
          path: '/blog.xml',
          title: 'Pushed Blog',
          items: [{ id: 'w1', title: 'Pushed after the restart', date: '2026-11-23T09:00:00Z' }],
        });
        // Verified with the secret stored by the first run.
        expect(await hub.distribute(topic, push, 'application/atom+xml')).toEqual([204]);
        expect(await second.stop()).toBe(0);
        expect(hub.requests.filter((r) => r.mode === 'subscribe')).toHaveLength(1);
        expect(second.log.some((l) => l.includes('"msg":"websub: pending"'))).toBe(false);
        expect([...first.log, ...second.log].join('\n')).not.toContain(atHub.secret as string);

        const store = await createSqliteStore({ path: join(dir, 'orrery.sqlite'), readonly: true });
        try {
          const feed = await store.getFeedByUrl(topic);
          const titles = (await store.listEntries({ feedId: feed?.id })).map((e) => e.title);
          expect(titles.sort()).toEqual(['Polled post', 'Pushed after the restart']);
        } finally {
          await store.close();
        }
        const status = await runCli(['status'], { cwd: dir });
        expect(status.stdout).toMatch(/Pushed Blog|Feed 0/);
        expect(status.stdout).toMatch(/WebSub active until \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
        expect(status.stdout).not.toContain(atHub.secret as string);
      });
    } finally {
      await farm.close();
      await hub.close();
    }
  });
});

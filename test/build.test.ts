/**
 * `orrery build` and `orrery run` as a user meets them: the build publishes what the store
 * holds and the site lacks, whatever happened since the last publish (a fetch without a build,
 * a failed build, a feed that started failing), and a user's mistake or an unwritable folder
 * is a clear error with its own exit code, the published site left as it was.
 */
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFiles } from '../src/render/list-files.js';
import { makeUnwritable } from '../src/render/testdata/unwritable.js';
import { rss, runCli, withTempDir } from './helpers.js';

let server: Server;
let base: string;
let status = 200;
let body = rss([
  { guid: '1', title: 'First post', date: 'Mon, 06 Feb 2012 10:00:00 +0000' },
  { guid: '2', title: 'Second post', date: 'Tue, 07 Feb 2012 10:00:00 +0000' },
]);
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url !== '/feed.xml') return void res.writeHead(404).end();
    res.writeHead(status, { 'content-type': 'application/rss+xml' });
    res.end(status === 200 ? body : 'down');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function planet(dir: string, extra = ''): Promise<void> {
  await writeFile(
    join(dir, 'planet.toml'),
    `[site]\nname = "Test Planet"\n${extra}\n[fetch]\nallow_private = true\n\n[[feeds]]\nurl = "${base}/feed.xml"\nname = "Ada"\n`,
  );
}

async function snapshot(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const path of (await listFiles(root)).sort()) {
    out.set(path, await readFile(join(root, path), 'latin1'));
  }
  return out;
}

const read = (dir: string, path: string) => readFile(join(dir, 'public', path), 'utf8');

describe('orrery run publishes what the site lacks (fault 9)', () => {
  it('after `orrery fetch`, a run with nothing due still publishes the fetched posts', async () => {
    await withTempDir(async (dir) => {
      await planet(dir);
      expect((await runCli(['fetch'], { cwd: dir })).code).toBe(0);
      // Nothing is due now: the fetch half of this run does nothing.
      const run = await runCli(['run'], { cwd: dir });
      expect(run.code).toBe(0);
      expect(run.stderr).toContain('no feed is due');
      expect(run.stdout).toContain('site written to');
      expect(await read(dir, 'index.html')).toContain('Second post');
      // And the next one has nothing left to do.
      const again = await runCli(['run'], { cwd: dir });
      expect(again.stdout).toContain('is current (nothing changed since the last publish)');
    });
  });

  it('after a failed build, the next run publishes what it missed', async () => {
    await withTempDir(async (dir) => {
      await planet(dir, 'theme = "theme"');
      await mkdir(join(dir, 'theme'));
      await writeFile(join(dir, 'theme', 'index.liquid'), '{% if %}broken');
      const failed = await runCli(['run'], { cwd: dir });
      expect(failed.code).toBe(2);
      await rm(join(dir, 'theme', 'index.liquid'));
      const run = await runCli(['run'], { cwd: dir });
      expect(run.code).toBe(0);
      expect(await read(dir, 'index.html')).toContain('First post');
    });
  });

  it('shows a failing feed on the health page at once, with no new post (fault 2)', async () => {
    await withTempDir(async (dir) => {
      await planet(dir);
      expect((await runCli(['run'], { cwd: dir })).code).toBe(0);
      expect(await read(dir, 'health/index.html')).toContain('No feed is failing.');
      status = 500;
      try {
        const run = await runCli(['run', '--all'], { cwd: dir });
        expect(run.code).toBe(4);
        const health = await read(dir, 'health/index.html');
        expect(health).toContain('http-status 500');
        expect(health).toContain('Failing since');
      } finally {
        status = 200;
      }
      const back = await runCli(['run', '--all'], { cwd: dir });
      expect(back.code).toBe(0);
      expect(await read(dir, 'health/index.html')).toContain('No feed is failing.');
    });
  });
});

describe('orrery build', () => {
  it('builds only what changed; --full makes every page again with the same bytes', async () => {
    await withTempDir(async (dir) => {
      await planet(dir);
      await runCli(['run'], { cwd: dir });
      const site = await snapshot(join(dir, 'public'));
      const quiet = await runCli(['build'], { cwd: dir });
      expect(quiet.code).toBe(0);
      expect(quiet.stdout).toContain('is current');
      const full = await runCli(['build', '--full', '--verbose'], { cwd: dir });
      expect(full.code).toBe(0);
      expect(full.stderr).toMatch(/full build/);
      expect(full.stdout).toContain('is current');
      expect(await snapshot(join(dir, 'public'))).toEqual(site);
    });
  });

  it('builds everything again when the output folder was deleted by hand', async () => {
    await withTempDir(async (dir) => {
      await planet(dir);
      await runCli(['run'], { cwd: dir });
      const site = await snapshot(join(dir, 'public'));
      await rm(join(dir, 'public'), { recursive: true });
      const build = await runCli(['build'], { cwd: dir });
      expect(build.code).toBe(0);
      expect(build.stdout).toContain('full build');
      expect(await snapshot(join(dir, 'public'))).toEqual(site);
    });
  });

  it('stops at a broken template with its file, line and cause, exit 2, the site as it was (fault 6)', async () => {
    await withTempDir(async (dir) => {
      await planet(dir, 'theme = "mytheme"');
      await mkdir(join(dir, 'mytheme'));
      await runCli(['run'], { cwd: dir });
      const site = await snapshot(join(dir, 'public'));
      body = rss([{ guid: '3', title: 'Third post', date: 'Wed, 08 Feb 2012 10:00:00 +0000' }]);
      await runCli(['fetch', '--all'], { cwd: dir });
      await writeFile(
        join(dir, 'mytheme', 'about.liquid'),
        "{% layout 'layout' %}\n{% block content %}\n{% ifx feedCount %}\n{% endblock %}\n",
      );
      const build = await runCli(['build'], { cwd: dir });
      expect(build.code).toBe(2);
      expect(build.stderr).toContain(
        `${join(dir, 'mytheme', 'about.liquid')}:3:1: tag "ifx" not found`,
      );
      expect(build.stderr).not.toContain('internal error');
      expect(await snapshot(join(dir, 'public'))).toEqual(site);
      expect(await readdir(dir)).not.toContain(expect.stringMatching(/^\.orrery-tmp/));
    });
  });

  it('says which folder it cannot write, exit 7, every time, leaving nothing behind (fault 10)', async (ctx) => {
    await withTempDir(async (dir) => {
      await planet(dir);
      await runCli(['run'], { cwd: dir });
      const site = await snapshot(join(dir, 'public'));
      const restore = await makeUnwritable(join(dir, 'public'));
      if (!restore) return ctx.skip();
      try {
        for (let i = 0; i < 2; i++) {
          const build = await runCli(['run', '--all'], { cwd: dir });
          expect(build.code).toBe(7);
          expect(build.stderr).toContain(`cannot write the site folder ${join(dir, 'public')}`);
          expect(build.stderr).not.toContain('internal error');
        }
      } finally {
        await restore();
      }
      expect(await snapshot(join(dir, 'public'))).toEqual(site);
      const left = (await readdir(dir)).filter((n) => !n.startsWith('orrery.sqlite'));
      expect(left.sort()).toEqual(['planet.toml', 'public']);
      expect(await readdir(join(dir, 'public', '.orrery'))).toEqual(['state.json']);
    });
  });

  it('a second build while another holds the store exits 3, as run does', async () => {
    const { createSqliteStore } = await import('../src/store/sqlite/sqlite-store.js');
    await withTempDir(async (dir) => {
      await planet(dir);
      await runCli(['run'], { cwd: dir });
      const store = await createSqliteStore({ path: join(dir, 'orrery.sqlite') });
      const lock = await store.acquireLock({ owner: 'test holder', waitMs: 0 });
      try {
        const second = await runCli(['build'], { cwd: dir });
        expect(second.code).toBe(3);
        expect(second.stderr).toContain('orrery.sqlite');
      } finally {
        await lock.release();
        await store.close();
      }
      expect((await runCli(['build'], { cwd: dir })).code).toBe(0);
    });
  });
});

describe('the README', () => {
  it('overrides the default theme the way its Themes section says (fault 5)', async () => {
    const readme = await readFile(join(import.meta.dirname, '..', 'README.md'), 'utf8');
    const section = readme.slice(
      readme.indexOf('## Themes'),
      readme.indexOf('\n## ', readme.indexOf('## Themes') + 3),
    );
    const toml = /```toml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(toml, 'the Themes section shows the setting').toBeDefined();
    await withTempDir(async (dir) => {
      await writeFile(
        join(dir, 'planet.toml'),
        `${toml}\n[fetch]\nallow_private = true\n\n[[feeds]]\nurl = "${base}/feed.xml"\n`,
      );
      await mkdir(join(dir, 'theme', 'assets'), { recursive: true });
      await writeFile(join(dir, 'theme', 'assets', 'style.css'), 'body { color: rebeccapurple }');
      expect((await runCli(['run'], { cwd: dir })).code).toBe(0);
      expect(await read(dir, 'assets/style.css')).toContain('rebeccapurple');
      expect((await stat(join(dir, 'public', 'index.html'))).isFile()).toBe(true);
    });
  });
});

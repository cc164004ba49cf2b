import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, withTempDir } from './helpers.js';

function rss(items: Array<{ guid: string; title: string; date: string }>): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Test Blog</title><link>http://blog.test/</link><description>d</description>
${items
  .map(
    (i) =>
      `<item><guid>${i.guid}</guid><title>${i.title}</title><link>http://blog.test/${i.guid}</link><pubDate>${i.date}</pubDate><description>&lt;p&gt;Body of ${i.title}&lt;/p&gt;</description></item>`,
  )
  .join('\n')}
</channel></rss>`;
}

describe('orrery CLI', () => {
  let server: Server;
  let base: string;
  let feedBody = rss([
    { guid: 'one', title: 'First post', date: 'Mon, 06 Feb 2012 10:00:00 +0000' },
    { guid: 'two', title: 'Second post', date: 'Tue, 07 Feb 2012 10:00:00 +0000' },
  ]);
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/feed.xml') {
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        res.end(feedBody);
      } else if (req.url === '/broken.xml') {
        res.writeHead(500);
        res.end('oops');
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('teaches its usage with --help and exits 0', async () => {
    await withTempDir(async (dir) => {
      const result = await runCli(['--help'], { cwd: dir });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('orrery init');
      expect(result.stdout).toContain('Exit codes');
      const sub = await runCli(['add', '--help'], { cwd: dir });
      expect(sub.code).toBe(0);
      expect(sub.stdout).toContain('--section');
    });
  });

  it('exits 2 with a clear message for an unknown command or a missing config', async () => {
    await withTempDir(async (dir) => {
      const unknown = await runCli(['fetchh'], { cwd: dir });
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(/fetch/);
      const missing = await runCli(['run'], { cwd: dir });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('planet.toml');
      expect(missing.stderr).toContain('orrery init');
    });
  });

  it('init writes a starter config that loads, and refuses to overwrite it', async () => {
    await withTempDir(async (dir) => {
      const first = await runCli(['init', 'p', '--name', 'My Planet'], { cwd: dir });
      expect(first.code).toBe(0);
      const text = await readFile(join(dir, 'p', 'planet.toml'), 'utf8');
      expect(text).toContain('My Planet');
      const again = await runCli(['init', 'p'], { cwd: dir });
      expect(again.code).toBe(2);
      expect(again.stderr).toContain('already exists');
      const list = await runCli(['list', '--config', 'p/planet.toml'], { cwd: dir });
      expect(list.code).toBe(0);
    });
  });

  it('add refuses a feed URL that is not a URL, and leaves the config untouched', async () => {
    await withTempDir(async (dir) => {
      await runCli(['init', '.'], { cwd: dir });
      const before = await readFile(join(dir, 'planet.toml'), 'utf8');
      const bad = await runCli(['add', 'not a url', '--no-discover'], { cwd: dir });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('not a URL');
      expect(await readFile(join(dir, 'planet.toml'), 'utf8')).toBe(before);
    });
  });

  it('add, run, status, export, remove: the whole path over real HTTP and a real SQLite file', async () => {
    await withTempDir(async (dir) => {
      expect((await runCli(['init', '.'], { cwd: dir })).code).toBe(0);
      const add = await runCli(['add', `${base}/feed.xml`, '--no-discover', '--name', 'Ada'], {
        cwd: dir,
      });
      expect(add.stderr).toBe('');
      expect(add.code).toBe(0);
      const addBroken = await runCli(
        ['add', `${base}/broken.xml`, '--no-discover', '--name', 'Broken'],
        {
          cwd: dir,
        },
      );
      expect(addBroken.code).toBe(0);

      // Without allow_private the SSRF guard refuses loopback: every feed fails -> exit 4.
      const refused = await runCli(['run'], { cwd: dir });
      expect(refused.code).toBe(4);
      expect(refused.stderr).toMatch(/blocked-address/);

      const run = await runCli(['run', '--all', '--allow-private'], { cwd: dir });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('site written to');
      expect(run.stderr).toMatch(/1 fetched/);
      expect(run.stderr).toMatch(/2 new entries/);
      const index = await readFile(join(dir, 'public', 'index.html'), 'utf8');
      expect(index).toContain('First post');
      expect(index).toContain('Second post');
      // Each post is one entry heading on the river.
      expect(index.match(/class="entry-title"/g)).toHaveLength(2);

      const status = await runCli(['status'], { cwd: dir });
      expect(status.code).toBe(0);
      const lines = status.stdout.trim().split('\n');
      expect(lines).toHaveLength(2);
      expect(status.stdout).toMatch(/Ada .*HTTP 200 .*2 entries .*ok/);
      expect(status.stdout).toMatch(/Broken .*HTTP 500 .*ERROR http-status/);

      // The feed gains an entry; a second run stores only the new one.
      feedBody = rss([
        { guid: 'one', title: 'First post', date: 'Mon, 06 Feb 2012 10:00:00 +0000' },
        { guid: 'two', title: 'Second post', date: 'Tue, 07 Feb 2012 10:00:00 +0000' },
        { guid: 'three', title: 'Third post', date: 'Wed, 08 Feb 2012 10:00:00 +0000' },
      ]);
      const again = await runCli(['run', '--all', '--allow-private', '--strict'], { cwd: dir });
      expect(again.code).toBe(4); // --strict: the broken feed fails the run
      expect(again.stderr).toMatch(/1 new entries/);

      const exported = await runCli(['export'], { cwd: dir });
      expect(exported.code).toBe(0);
      expect(exported.stdout).toContain('<opml');
      expect(exported.stdout).toContain(`${base}/feed.xml`);

      const removed = await runCli(['remove', 'Broken'], { cwd: dir });
      expect(removed.code).toBe(0);
      const list = await runCli(['list'], { cwd: dir });
      expect(list.stdout).not.toContain('broken.xml');
      expect(existsSync(join(dir, 'orrery.sqlite'))).toBe(true);
    });
  });

  it('a broken config is reported with the file and line, exit 2', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'planet.toml'), '[site]\nname = "x"\n[[feeds]]\nurl = \n');
      const result = await runCli(['run'], { cwd: dir });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('planet.toml');
      expect(result.stderr).toMatch(/line 4|:4/);
    });
  });

  it('parse prints the normalized model as JSON', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'f.xml'), feedBody);
      const result = await runCli(['parse', 'f.xml', '--json'], { cwd: dir });
      expect(result.code).toBe(0);
      const parsed = JSON.parse(result.stdout);
      expect(parsed.version).toBe('rss20');
      expect(parsed.entries[0].title).toBe('First post');
      expect(parsed.entries[0].published).toBe('2012-02-06T10:00:00Z');
    });
  });
});

describe('orrery CLI and the store lock', () => {
  it('a second run exits 3 naming the holder while another run holds the store', async () => {
    const { createSqliteStore } = await import('../src/store/sqlite/sqlite-store.js');
    await withTempDir(async (dir) => {
      await runCli(['init', '.'], { cwd: dir });
      const store = await createSqliteStore({ path: join(dir, 'orrery.sqlite') });
      const lock = await store.acquireLock({ owner: 'test holder', waitMs: 0 });
      try {
        const second = await runCli(['run'], { cwd: dir });
        expect(second.code).toBe(3);
        expect(second.stderr).toContain('orrery.sqlite');
      } finally {
        await lock.release();
        await store.close();
      }
      const after = await runCli(['run'], { cwd: dir });
      expect(after.code).toBe(0);
    });
  });
});

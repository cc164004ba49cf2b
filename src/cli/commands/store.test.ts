/**
 * Every command on both stores, through the real CLI and the demo planet's loopback server:
 * `orrery run` on SQLite, `orrery store copy` to PostgreSQL, then run, status and build on
 * PostgreSQL (chosen by ORRERY_DATABASE_URL, or `[store] url`), and the copy home again.
 * Needs ORRERY_TEST_POSTGRES_URL; without it the PostgreSQL cases are reported as skipped.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { runCli, withDemoPlanet, withTempDir } from '../../../test/helpers.js';

const pgUrl = process.env.ORRERY_TEST_POSTGRES_URL;
const hasPrlimit = process.platform === 'linux' && spawnSync('prlimit', ['--version']).status === 0;

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}

/** The site's pages, minus what differs between two builds of the same store (times). */
async function pages(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of await readdir(join(dir, 'public'))) {
    if (!name.endsWith('.html') && !name.endsWith('.xml')) continue;
    out[name] = (await readFile(join(dir, 'public', name), 'utf8')).replace(
      /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g,
      'T',
    );
  }
  return out;
}

describe('orrery on either store', () => {
  it('refuses an ORRERY_DATABASE_URL that is not a postgres:// URL, and a bad [store] url', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'planet.toml'), '[site]\nname = "x"\n');
      const env = await runCli(['status'], { cwd: dir, env: { ORRERY_DATABASE_URL: 'mysql://x' } });
      expect(env.code).toBe(2);
      expect(env.stderr).toContain('ORRERY_DATABASE_URL must be a postgres:// URL');
      await writeFile(join(dir, 'planet.toml'), '[store]\nurl = "sqlite://secret@x"\n');
      const bad = await runCli(['status'], { cwd: dir });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/planet\.toml:2.*store\.url.*must be a postgres:\/\/ URL/);
      expect(bad.stderr).not.toContain('secret');
    });
  });

  it('applies [archive] retention on the next run: entries leave the store and the site', async () => {
    await withTempDir(async (dir) => {
      await withDemoPlanet(dir, async () => {
        const now = () => new Date('2026-01-10T12:00:00Z');
        const shown = async () =>
          (await readFile(join(dir, 'public', 'index.html'), 'utf8')).split('class="entry-title"')
            .length - 1;
        expect((await runCli(['run', '--quiet'], { cwd: dir, now })).code).toBe(0);
        const status = async () =>
          JSON.parse((await runCli(['status', '--json'], { cwd: dir, now })).stdout) as {
            entryCount: number;
          }[];
        const before = await status();
        expect(before.some((f) => f.entryCount > 2)).toBe(true);
        const all = await shown();
        const config = await readFile(join(dir, 'planet.toml'), 'utf8');
        await writeFile(
          join(dir, 'planet.toml'),
          `${config}\n[archive]\nmax_entries_per_feed = 2\n`,
        );
        // nothing is due: only retention changes the site
        const later = () => new Date('2026-01-10T12:10:00Z');
        expect((await runCli(['run'], { cwd: dir, now: later })).code).toBe(0);
        const after = await status();
        expect(after.map((f) => f.entryCount)).toEqual(
          before.map((f) => Math.min(2, f.entryCount)),
        );
        expect(await shown()).toBe(after.reduce((n, f) => n + f.entryCount, 0));
        expect(await shown()).toBeLessThan(all);
      });
    });
  });

  it('exits 5 with the file and the next step for a damaged, foreign or newer store, or a server away', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'planet.toml'), '[site]\nname = "x"\n');
      const store = join(dir, 'orrery.sqlite');
      await writeFile(store, 'SQLite format 3\u0000 and then nothing a database has');
      const run = await runCli(['run'], { cwd: dir });
      expect(run.code).toBe(5);
      expect(run.stderr).toContain(`orrery: store/sqlite: ${store} is damaged or truncated`);
      expect(run.stderr).toContain('restore it from a backup, or move it aside');
      expect(run.stderr).not.toContain('internal error');
      const status = await runCli(['status'], { cwd: dir });
      expect(status.code).toBe(5);
      await writeFile(store, 'a text file\n'.repeat(50));
      expect((await runCli(['build'], { cwd: dir })).code).toBe(5);
      const away = await runCli(['status'], {
        cwd: dir,
        env: { ORRERY_DATABASE_URL: 'postgres://orrery:pw@127.0.0.1:1/planet' },
      });
      expect(away.code).toBe(5);
      expect(away.stderr).toMatch(
        /^orrery: store\/postgres: cannot use postgres:\/\/orrery@127\.0\.0\.1:1\/planet \(schema public\) \(.*ECONNREFUSED.*\); start the server, or check \[store\] url \/ ORRERY_DATABASE_URL\n$/,
      );
    });
  });

  it.skipIf(!hasPrlimit)(
    'exits 6 naming the file when the store reaches the file size limit mid-run (EFBIG, real)',
    async () => {
      await withTempDir(async (dir) => {
        await withDemoPlanet(dir, async () => {
          const now = () => new Date('2026-01-10T12:00:00Z');
          // A store with the feeds but no entries yet, then a limit it cannot grow past.
          expect((await runCli(['build'], { cwd: dir, now })).code).toBe(0);
          const store = join(dir, 'orrery.sqlite');
          const limit = (await stat(store)).size + 8192;
          const setLimit = (v: string) =>
            execFileSync('prlimit', ['--pid', String(process.pid), `--fsize=${v}`]);
          setLimit(`${limit}:`);
          let run: Awaited<ReturnType<typeof runCli>>;
          try {
            run = await runCli(['run'], { cwd: dir, now });
          } finally {
            setLimit('unlimited:');
          }
          expect(run.code).toBe(6);
          expect(run.stderr).toMatch(
            /orrery: store\/sqlite: \S+orrery\.sqlite(-wal)? reached the largest file size this process may write \(\d+ bytes, ulimit -f\); raise the limit/,
          );
          expect(run.stderr).not.toContain('internal error');
        });
      });
    },
  );

  it.skipIf(!pgUrl)(
    'runs, builds and reports on PostgreSQL, and copies a planet there and back',
    async () => {
      const schema = `orrery_cli_${randomBytes(5).toString('hex')}`;
      // With a password (trust auth ignores it): no message may show it.
      const u = new URL(pgUrl as string);
      u.password = 'sekret';
      u.searchParams.set('schema', schema);
      const url = u.href;
      try {
        await withTempDir(async (dir) => {
          await withDemoPlanet(dir, async () => {
            const now = () => new Date('2026-01-10T12:00:00Z');
            const sqlite = await runCli(['run', '--quiet'], { cwd: dir, now });
            expect(sqlite.code).toBe(0);
            const before = await pages(dir);
            const statusSqlite = await runCli(['status', '--json'], { cwd: dir, now });

            const copy = await runCli(['store', 'copy', '--to', url], { cwd: dir, now });
            expect(copy.code).toBe(0);
            expect(copy.stdout).toMatch(
              /entries: \d+ rows \(\d+ written\), sha256 [0-9a-f]{16} on both/,
            );
            expect(copy.stdout).toContain('copied and verified');
            expect(copy.stdout + copy.stderr).not.toContain('sekret');

            const env = { ORRERY_DATABASE_URL: url };
            const status = await runCli(['status', '--json'], { cwd: dir, now, env });
            expect(status.code).toBe(0);
            expect(JSON.parse(status.stdout)).toEqual(JSON.parse(statusSqlite.stdout));
            const build = await runCli(['build'], { cwd: dir, now, env });
            expect(build.code).toBe(0);
            expect(await pages(dir)).toEqual(before);

            // [store] url in planet.toml selects it too; run goes on there (all feeds again)
            const config = await readFile(join(dir, 'planet.toml'), 'utf8');
            await writeFile(join(dir, 'planet.toml'), `${config}\n[store]\nurl = "${url}"\n`);
            const later = () => new Date('2026-01-10T15:00:00Z');
            const run = await runCli(['run', '--all'], { cwd: dir, now: later });
            expect(run.code).toBe(0);
            expect(run.stdout + run.stderr).toMatch(/feeds: \d+ fetched/);

            // and home again, into a new SQLite file
            const home = await runCli(['store', 'copy', '--to', 'home.sqlite'], { cwd: dir, now });
            expect(home.code).toBe(0);
            await writeFile(join(dir, 'planet.toml'), `${config}\n[store]\npath = "home.sqlite"\n`);
            const statusHome = await runCli(['status', '--json'], { cwd: dir, now: later });
            const statusPg = await runCli(['status', '--json'], { cwd: dir, now: later, env });
            expect(JSON.parse(statusHome.stdout)).toEqual(JSON.parse(statusPg.stdout));
          });
        });
      } finally {
        await dropSchema(schema);
      }
    },
  );

  it.skipIf(!pgUrl)(
    'refuses a second run on a PostgreSQL store another process holds, naming the holder (exit 3)',
    async () => {
      const schema = `orrery_cli_${randomBytes(5).toString('hex')}`;
      const u = new URL(pgUrl as string);
      u.searchParams.set('schema', schema);
      const { openStoreAt } = await import('../../store/open-store.js');
      const holder = await openStoreAt({
        kind: 'postgres',
        connectionString: pgUrl as string,
        schema,
      });
      const lock = await holder.acquireLock({ owner: 'orrery worker (pid 4242)', waitMs: 0 });
      try {
        await withTempDir(async (dir) => {
          await writeFile(join(dir, 'planet.toml'), '[site]\nname = "x"\n');
          const run = await runCli(['run'], { cwd: dir, env: { ORRERY_DATABASE_URL: u.href } });
          expect(run.code).toBe(3);
          expect(run.stderr).toMatch(
            new RegExp(
              `^orrery: store/postgres: another orrery run \\(pid ${process.pid}, since \\d\\d:\\d\\d UTC, orrery worker \\(pid 4242\\)\\) holds postgres://\\S+ \\(schema ${schema}\\); wait or stop it\n$`,
            ),
          );
        });
      } finally {
        await lock.release();
        await holder.close();
        await dropSchema(schema);
      }
    },
  );
});

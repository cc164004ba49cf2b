import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import ts from 'typescript';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMigrations } from '../migrations/migrations.js';
import { processed, runStoreContract } from '../store.contract.js';
import { StoreLockedError } from '../store.js';
import { createSqliteStore } from './sqlite-store.js';

runStoreContract('sqlite (file)', async (options) => {
  const dir = mkdtempSync(join(tmpdir(), 'orrery-store-'));
  const store = await createSqliteStore({ path: join(dir, 'orrery.sqlite'), ...options });
  return { store, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

runStoreContract('sqlite (:memory:)', async (options) => ({
  store: await createSqliteStore({ path: ':memory:', ...options }),
}));

const NOW = '2026-01-10T12:00:00.000Z';

describe('createSqliteStore', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'orrery-sqlite-'));
    file = join(dir, 'orrery.sqlite');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a WAL database with the schema version and keeps data across opens', async () => {
    const store = await createSqliteStore({ path: file });
    await store.syncSubscriptions([{ url: 'https://a.example/feed', section: 's' }], NOW);
    const [feed] = await store.listFeeds();
    await store.applyFeedUpdate({
      feedId: feed!.id,
      now: NOW,
      fetch: { at: NOW, outcome: 'ok', status: 200, elapsedMs: 1 },
      entries: [processed('e1')],
      nextDueAt: NOW,
    });
    await store.close();

    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.prepare("SELECT value FROM store_meta WHERE key = 'schema_version'").get()).toEqual({
      value: '5',
    });
    raw.close();

    const again = await createSqliteStore({ path: file });
    expect((await again.listEntries()).map((e) => e.key)).toEqual(['e1']);
    expect(again.dialect).toBe('sqlite');
    expect(again.capabilities.concurrentWriters).toBe(false);
    await again.close();
  });

  it('refuses a file written by a newer Orrery', async () => {
    await (await createSqliteStore({ path: file })).close();
    const raw = new Database(file);
    raw
      .prepare('INSERT INTO kysely_migration (name, timestamp) VALUES (?, ?)')
      .run('0007_future_feature', NOW);
    raw.close();
    await expect(createSqliteStore({ path: file })).rejects.toThrow(
      `store/sqlite: ${file} was written by a newer Orrery (schema 7); upgrade Orrery`,
    );
    await expect(createSqliteStore({ path: file, readonly: true })).rejects.toThrow(
      /newer Orrery \(schema 7\)/,
    );
  });

  it('refuses a file that is not a database', async () => {
    writeFileSync(file, '[site]\nname = "not a database, a config file"\n'.repeat(200));
    await expect(createSqliteStore({ path: file })).rejects.toThrow(
      `store/sqlite: ${file} is not an Orrery store (not a SQLite database)`,
    );
    // and leaves it alone
    expect(readFileSync(file, 'utf8')).toMatch(/^\[site\]/);
  });

  it('refuses a SQLite database of another application', async () => {
    const raw = new Database(file);
    raw.exec('CREATE TABLE photos (id INTEGER PRIMARY KEY)');
    raw.close();
    await expect(createSqliteStore({ path: file })).rejects.toThrow(/not an Orrery store/);
  });

  it('opens read-only without writing, and refuses writes', async () => {
    await expect(createSqliteStore({ path: file, readonly: true })).rejects.toThrow(/cannot open/);
    const rw = await createSqliteStore({ path: file });
    await rw.syncSubscriptions([{ url: 'https://a.example/feed', section: 's' }], NOW);
    const ro = await createSqliteStore({ path: file, readonly: true });
    expect((await ro.listFeeds()).length).toBe(1);
    await expect(ro.syncSubscriptions([], NOW)).rejects.toThrow(/read-only/);
    await expect(ro.recordFeedLinkHeader('https://a.example/feed', { hubs: [] })).rejects.toThrow(
      /read-only/,
    );
    await expect(
      ro.putWebSubSubscription({
        id: 'x',
        feedId: 1,
        hub: 'https://hub.example/',
        topic: 'https://a.example/feed',
        callback: 'https://p.example/websub/x',
        secret: 's',
        state: 'pending',
        failures: 0,
        createdAt: NOW,
        updatedAt: NOW,
      }),
    ).rejects.toThrow(/read-only/);
    await ro.close();
    await rw.close();
  });

  it('upgrades a schema-1 file: entries kept, each rewritten once when its feed brings it again', async () => {
    // A store as the first release wrote it (migration 0001 only, entry_json filled).
    const raw = new Database(file);
    const v1 = new Kysely<Record<string, never>>({ dialect: new SqliteDialect({ database: raw }) });
    const initial = createMigrations({ autoIncrement: 'integer-autoincrement' })['0001_initial']!;
    await new Migrator({
      db: v1,
      provider: { getMigrations: async () => ({ '0001_initial': initial }) },
    }).migrateToLatest();
    const content = JSON.stringify({ value: '<p>Hello</p>', type: 'text/html' });
    raw.exec(
      `INSERT INTO feeds (url, section, created_at) VALUES ('https://a.example/feed', 's', '${NOW}')`,
    );
    raw
      .prepare(
        `INSERT INTO entries (feed_id, key, guid, fingerprint, title, content, summary, date,
           first_seen_at, last_seen_at, entry_json) VALUES (1, 'e1', 'e1', 'fp-e1', 'Title e1', ?, ?, ?, ?, ?, '{}')`,
      )
      .run(content, content, NOW, NOW, NOW);
    await v1.destroy();

    const store = await createSqliteStore({ path: file });
    const [old] = await store.listEntries();
    expect(old).toMatchObject({ key: 'e1', title: 'Title e1', content: { value: '<p>Hello</p>' } });
    expect(old?.summary).toEqual(old?.content);
    const again = () =>
      store.applyFeedUpdate({
        feedId: 1,
        now: NOW,
        fetch: { at: NOW, outcome: 'ok', status: 200, elapsedMs: 1 },
        entries: [processed('e1')],
        nextDueAt: NOW,
      });
    expect(await again()).toMatchObject({ inserted: 0, updated: 1, unchanged: 0 });
    expect(await again()).toMatchObject({ inserted: 0, updated: 0, unchanged: 1 });
    expect((await store.listEntries()).map((e) => [e.key, e.date])).toEqual([['e1', NOW]]);
    await store.close();
    const check = new Database(file, { readonly: true });
    const columns = check.prepare('SELECT name FROM pragma_table_info(?)').all('entries');
    expect(columns.map((c) => (c as { name: string }).name)).not.toContain('entry_json');
    check.close();
  });

  it('commits feed updates in groups: each all or nothing, visible to others within 250 ms', async () => {
    const store = await createSqliteStore({ path: file });
    const subs = ['a', 'b', 'c'].map((h) => ({ url: `https://${h}.example/feed`, section: 's' }));
    await store.syncSubscriptions(subs, NOW);
    const [a, b, c] = await store.listFeeds();
    const apply = (feedId: number, keys: string[], elapsedMs = 1) =>
      store.applyFeedUpdate({
        feedId,
        now: NOW,
        fetch: { at: NOW, outcome: 'ok', status: 200, elapsedMs },
        entries: keys.map((k) => processed(k)),
        nextDueAt: NOW,
      });
    const other = new Database(file, { readonly: true });
    const committed = () =>
      other
        .prepare('SELECT key FROM entries ORDER BY key')
        .all()
        .map((r) => (r as { key: string }).key);
    await apply(a!.id, ['a1', 'a2']);
    // b fails at its last statement (NaN elapsed_ms is refused): only b is undone.
    await expect(apply(b!.id, ['b1'], Number.NaN)).rejects.toThrow();
    await apply(c!.id, ['c1']);
    expect(committed()).toEqual([]);
    // The store's own reads wait for the queued updates and see them committed.
    expect((await store.listEntries()).map((e) => e.key).sort()).toEqual(['a1', 'a2', 'c1']);
    expect(committed()).toEqual(['a1', 'a2', 'c1']);
    // Left alone, an open group is committed by its timer.
    await apply(a!.id, ['a3']);
    expect(committed()).not.toContain('a3');
    // (polled, not slept: a loaded machine may run the 250 ms timer late)
    for (let waited = 0; !committed().includes('a3') && waited < 10_000; waited += 50) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(committed()).toEqual(['a1', 'a2', 'a3', 'c1']);
    expect((await store.getFeed(b!.id))?.lastFetchedAt).toBeUndefined();
    // close() commits an open group (what the CLI does on Ctrl-C).
    await apply(c!.id, ['c2']);
    expect(committed()).not.toContain('c2');
    await store.close();
    expect(committed()).toContain('c2');
    other.close();
  });

  it('reports a bad path clearly', async () => {
    await expect(
      createSqliteStore({ path: join(dir, 'missing-folder', 'orrery.sqlite') }),
    ).rejects.toThrow(/store\/sqlite: cannot open/);
  });
});

/**
 * The lock across real processes: a child node process takes the lock with the same module the
 * store uses (transpiled from TypeScript to a temp folder), and the test process waits for it.
 */
describe('acquireLock across processes', () => {
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'orrery-lock-'));
    file = join(dir, 'orrery.sqlite');
    const out = join(dir, 'js');
    for (const rel of [
      'src/store/sqlite/sqlite-lock.ts',
      'src/store/store.ts',
      'src/model/errors.ts',
    ]) {
      const js = ts.transpileModule(readFileSync(join(repo, rel), 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      }).outputText;
      const target = join(out, rel.replace(/\.ts$/, '.js'));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, js);
    }
    writeFileSync(join(out, 'package.json'), '{"type":"module"}');
    symlinkSync(join(repo, 'node_modules'), join(out, 'node_modules'));
    writeFileSync(
      join(out, 'hold-lock.js'),
      `import { acquireSqliteLock } from './src/store/sqlite/sqlite-lock.js';
const lock = await acquireSqliteLock(process.argv[2], { owner: 'child holder', waitMs: 0 });
process.stdout.write('locked\\n');
process.stdin.on('data', async () => { await lock.release(); process.stdout.write('released\\n'); process.exit(0); });
`,
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function holdInChild() {
    const child = spawn(process.execPath, [join(dir, 'js', 'hold-lock.js'), file], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    const waitFor = (text: string) =>
      new Promise<void>((resolveWait, reject) => {
        const check = () => out.includes(text) && resolveWait();
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          check();
        });
        child.on('exit', (code) =>
          out.includes(text) ? resolveWait() : reject(new Error(`child exited ${code}`)),
        );
        check();
      });
    return { child, waitFor };
  }

  it('makes a second run fail with a message naming the holder, and frees the lock when the holder dies', async () => {
    const store = await createSqliteStore({ path: file });
    const { child, waitFor } = holdInChild();
    await waitFor('locked');
    const err = await store.acquireLock({ owner: 'orrery run', waitMs: 300 }).catch((e) => e);
    expect(err).toBeInstanceOf(StoreLockedError);
    expect(err.code).toBe('store-locked');
    expect(err.message).toMatch(
      new RegExp(
        `^store/sqlite: another orrery run \\(pid ${child.pid}, since \\d\\d:\\d\\d UTC, child holder\\) holds .*orrery\\.sqlite; wait or stop it$`,
      ),
    );
    expect(err.holder).toMatchObject({ pid: child.pid, owner: 'child holder' });

    // SIGKILL: no cleanup runs in the child, the OS drops its lock.
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGKILL');
    await exited;
    const lock = await store.acquireLock({ owner: 'orrery run', waitMs: 2_000 });
    await lock.release();
    await store.close();
  });

  it('waits for a holder that finishes within waitMs', async () => {
    const store = await createSqliteStore({ path: file });
    const { child, waitFor } = holdInChild();
    await waitFor('locked');
    const waiting = store.acquireLock({ owner: 'orrery run', waitMs: 20_000 });
    child.stdin.write('release\n');
    const lock = await waiting;
    await waitFor('released');
    await lock.release();
    await store.close();
  });
});

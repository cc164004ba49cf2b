import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { META_DIR, openPublisher, SiteWriteError } from './publish.js';
import { makeUnwritable } from './testdata/unwritable.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orrery-publish-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const read = (path: string) => readFile(path, 'utf8');

describe('openPublisher', () => {
  it('leaves unchanged files alone (same inode and mtime), writes changed ones, drops removed ones', async () => {
    const out = join(dir, 'public');
    const first = await openPublisher(out);
    await first.put('a', 'index.html', 'one');
    await first.put('b', 'x/y/keep.html', 'same');
    await first.put('c', 'gone/deep/gone.html', 'bye');
    await first.commit('config', { a: '1', b: '1', c: '1' });
    const before = await stat(join(out, 'x/y/keep.html'));

    const second = await openPublisher(out);
    await second.put('a', 'index.html', 'two');
    await second.put('b', 'x/y/keep.html', 'same');
    const report = await second.commit('config', { a: '2', b: '2' });
    expect(report.written).toEqual(['index.html']);
    expect(report.removed).toEqual(['gone/deep/gone.html']);
    const after = await stat(join(out, 'x/y/keep.html'));
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(await read(join(out, 'index.html'))).toBe('two');
    // The emptied folders go too; only the site and its record remain.
    expect((await readdir(out)).sort()).toEqual([META_DIR, 'index.html', 'x']);
    expect(await readdir(join(out, META_DIR))).toEqual(['state.json']);
    expect(await readdir(dir)).toEqual(['public']);
  });

  it('keeps a job’s files without touching them, and publishes nothing when nothing changed', async () => {
    const out = join(dir, 'public');
    const first = await openPublisher(out);
    await first.put('day', 'a/index.html', 'A');
    await first.put('day', 'a/feed.json', '{}');
    await first.commit('c', { day: 'k' });
    const state = await stat(join(out, META_DIR, 'state.json'));
    const second = await openPublisher(out);
    expect(second.previous?.jobs.day?.key).toBe('k');
    second.keep('day');
    const report = await second.commit('c', { day: 'k' });
    expect(report).toMatchObject({ written: [], removed: [], files: 2 });
    // Not even the record is rewritten.
    expect((await stat(join(out, META_DIR, 'state.json'))).mtimeMs).toBe(state.mtimeMs);
  });

  it('takes over a folder without a record (an older Orrery’s site): same files kept, others dropped', async () => {
    const out = join(dir, 'public');
    await mkdir(join(out, 'old'), { recursive: true });
    await writeFile(join(out, 'index.html'), 'same');
    await writeFile(join(out, 'old', 'page.html'), 'stale');
    await writeFile(join(out, '.orrery-pages.json'), '{}');
    const before = await stat(join(out, 'index.html'));
    const p = await openPublisher(out);
    expect(p.previous).toBeUndefined();
    await p.put('front', 'index.html', 'same');
    const report = await p.commit('c', { front: 'k' });
    expect(report.written).toEqual([]);
    expect(report.removed.sort()).toEqual(['.orrery-pages.json', 'old/page.html']);
    expect((await stat(join(out, 'index.html'))).ino).toBe(before.ino);
  });

  it('publishes a first build as one tree; a killed one leaves a folder the next build removes', async () => {
    const out = join(dir, 'public');
    const first = await openPublisher(out);
    expect(first.stageDir.startsWith(join(dir, '.orrery-tmp-public.'))).toBe(true);
    await first.put('a', 'a/b.html', 'x');
    await first.commit('c', { a: '1' });
    expect(await readdir(dir)).toEqual(['public']);
    expect((await readdir(out)).sort()).toEqual([META_DIR, 'a']);
    await rm(out, { recursive: true });
    await mkdir(join(dir, '.orrery-tmp-public.4194305.dead.new', 'x'), { recursive: true });
    const next = await openPublisher(out);
    expect(await readdir(dir)).toEqual([next.stageDir.split('/').pop()]);
    await next.abort();
  });

  it('refuses paths outside the site or in its record, and a path written twice', async () => {
    const p = await openPublisher(join(dir, 'public'));
    await expect(p.put('j', '../escape.html', 'x')).rejects.toThrow(/bad site path/);
    await expect(p.put('j', '/abs.html', 'x')).rejects.toThrow(/bad site path/);
    await expect(p.put('j', `${META_DIR}/state.json`, 'x')).rejects.toThrow(/bad site path/);
    await p.put('j', 'x.html', 'x');
    await expect(p.put('k', 'x.html', 'y')).rejects.toThrow(/twice/);
    await p.abort();
    // A first build makes its tree beside the site; aborted, it leaves nothing.
    expect(await readdir(dir)).toEqual([]);
  });

  it('finishes a publish killed after its commit point, before anything else', async () => {
    const out = join(dir, 'public');
    const first = await openPublisher(out);
    await first.put('a', 'a.html', 'old a');
    await first.put('b', 'b.html', 'old b');
    await first.commit('c', { a: '1', b: '1' });
    // A build that staged its files and wrote its journal, then died before its moves.
    const meta = join(out, META_DIR);
    const stage = 'stage-4194305-dead';
    await mkdir(join(meta, stage), { recursive: true });
    await writeFile(join(meta, stage, 'a.html'), 'new a');
    await writeFile(join(meta, stage, 'c.html'), 'new c');
    await writeFile(
      join(meta, stage, '.state.json'),
      JSON.stringify({ version: 4, config: 'c', jobs: { a: { key: '2', files: {} } } }),
    );
    await writeFile(
      join(meta, 'journal.json'),
      JSON.stringify({ stage, moves: ['c.html', 'a.html'], removes: ['b.html'] }),
    );
    const lines: string[] = [];
    const next = await openPublisher(out, { log: (l) => lines.push(l) });
    expect(lines.join('\n')).toMatch(/finishing the publish of an interrupted build/);
    expect(await read(join(out, 'a.html'))).toBe('new a');
    expect(await read(join(out, 'c.html'))).toBe('new c');
    await expect(stat(join(out, 'b.html'))).rejects.toThrow();
    expect(next.previous?.jobs).toEqual({ a: { key: '2', files: {} } });
    await next.abort();
    expect(await readdir(meta)).toEqual(['state.json']);
  });

  it('drops the stage of a dead build, and of our own pid unless this process uses it', async () => {
    const out = join(dir, 'public');
    const meta = join(out, META_DIR);
    await mkdir(join(meta, 'stage-4194305-dead', 'x'), { recursive: true });
    await mkdir(join(meta, `stage-${process.pid}-gone`), { recursive: true });
    const lines: string[] = [];
    const live = await openPublisher(out, { log: (l) => lines.push(l) });
    expect(lines.filter((l) => /left by an interrupted build/.test(l))).toHaveLength(2);
    expect(await readdir(meta)).toEqual([live.stageDir.split('/').pop()]);
    await live.abort();
  });

  it('serializes two publishes of one folder in one process', async () => {
    const out = join(dir, 'public');
    const first = await openPublisher(out);
    let secondOpen = false;
    const second = openPublisher(out).then((p) => {
      secondOpen = true;
      return p;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(secondOpen).toBe(false);
    await first.put('a', 'a.html', '1');
    await first.commit('c', { a: '1' });
    const p = await second;
    expect(p.previous?.jobs.a?.key).toBe('1');
    await p.abort();
  });

  it('says which folder it cannot write and what to do (fault 10), leaving nothing behind', async (ctx) => {
    const out = join(dir, 'public');
    const p = await openPublisher(out);
    await p.put('a', 'a.html', '1');
    await p.commit('c', { a: '1' });
    const restore = await makeUnwritable(out);
    if (!restore) return ctx.skip();
    try {
      for (let i = 0; i < 2; i++) {
        const error = await openPublisher(out).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(SiteWriteError);
        expect((error as SiteWriteError).code).toBe('site-unwritable');
        expect((error as SiteWriteError).message).toContain(`cannot write the site folder ${out}`);
        expect((error as SiteWriteError).message).toContain('set site.output_dir');
      }
    } finally {
      await restore();
    }
    expect(await read(join(out, 'a.html'))).toBe('1');
    expect(await readdir(dir)).toEqual(['public']);
    expect((await readdir(join(out, META_DIR))).sort()).toEqual(['state.json']);
  });
});

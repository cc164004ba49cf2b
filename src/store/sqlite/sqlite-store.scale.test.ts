/**
 * A planet's size: 600 feeds × 50 entries = 30,000 entries in a real SQLite file. Checks that
 * the river's query is served by the date index (no sort of the whole table) and prints how
 * long the work takes (printed, not asserted: machines differ).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processed } from '../store.contract.js';
import type { Store } from '../store.js';
import { createSqliteStore } from './sqlite-store.js';

const FEEDS = Number(process.env.ORRERY_SCALE_FEEDS ?? 600);
const PER_FEED = 50;
const NOW = '2026-01-10T12:00:00.000Z';

function feedEntries(i: number) {
  return Array.from({ length: PER_FEED }, (_, j) => {
    const minutes = (i * PER_FEED + j) * 7;
    return processed(`f${i}-e${j}`, {
      link: `https://blog${i}.example/post/${j}`,
      canonicalLink: `https://blog${i}.example/post/${j}`,
      published: new Date(Date.parse('2025-01-01T00:00:00Z') + minutes * 60_000).toISOString(),
      content: [
        {
          value: `<p>Post ${j} of blog ${i}. ${'Lorem ipsum dolor sit amet. '.repeat(20)}</p>`,
          type: 'text/html',
        },
      ],
    });
  });
}

describe('SQLite store at planet size (30,000 entries)', () => {
  let dir: string;
  let file: string;
  let store: Store;
  const sqlSeen: string[] = [];
  let capture = false;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'orrery-scale-'));
    file = join(dir, 'planet.sqlite');
    store = await createSqliteStore({
      path: file,
      onSql: (sql) => capture && sqlSeen.push(sql),
    });
    await store.syncSubscriptions(
      Array.from({ length: FEEDS }, (_, i) => ({
        url: `https://blog${i}.example/feed`,
        section: i % 10 === 0 ? 'gsoc' : 'python',
      })),
      NOW,
    );
    const feeds = await store.listFeeds();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (const [i, feed] of feeds.entries()) {
      await store.applyFeedUpdate({
        feedId: feed.id,
        now: NOW,
        fetch: { at: NOW, outcome: 'ok', status: 200, elapsedMs: 1 },
        entries: feedEntries(i),
        nextDueAt: NOW,
      });
    }
    const t1 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    console.log(
      `scale: applyFeedUpdate ${FEEDS}×${PER_FEED} new entries: ${(t1 - t0).toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU`,
    );
  });

  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores them all', async () => {
    expect(await store.countEntries()).toBe(FEEDS * PER_FEED);
  });

  it('refreshes feeds whose entries did not change (the usual run)', async () => {
    const feeds = await store.listFeeds();
    const later = '2026-01-10T13:00:00.000Z';
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let unchanged = 0;
    for (const [i, feed] of feeds.entries()) {
      const report = await store.applyFeedUpdate({
        feedId: feed.id,
        now: later,
        fetch: { at: later, outcome: 'ok', status: 200, elapsedMs: 1 },
        entries: feedEntries(i),
        nextDueAt: later,
      });
      unchanged += report.unchanged;
    }
    const cpu = process.cpuUsage(cpu0);
    console.log(
      `scale: applyFeedUpdate ${FEEDS}×${PER_FEED} unchanged entries: ${(performance.now() - t0).toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU`,
    );
    expect(unchanged).toBe(FEEDS * PER_FEED);
    expect((await store.listEntries({ limit: 1 }))[0]?.lastSeenAt).toBe(later);
  });

  it('lists the front page from the date index, newest first', async () => {
    const t0 = performance.now();
    capture = true;
    const page = await store.listEntries({ limit: 60 });
    capture = false;
    const t1 = performance.now();
    const section = await store.listEntries({ section: 'gsoc', limit: 60 });
    const t2 = performance.now();
    // the week before the newest entry
    const newest = Date.parse(page[0]?.date ?? NOW);
    const week = await store.listEntries({
      since: new Date(newest - 7 * 86_400_000).toISOString(),
      before: new Date(newest).toISOString(),
    });
    const t3 = performance.now();
    const repeat = await store.listEntries({ limit: 60 });
    const t4 = performance.now();
    console.log(
      `scale: listEntries limit 60: ${(t1 - t0).toFixed(1)} ms (warm ${(t4 - t3).toFixed(1)} ms); section: ${(t2 - t1).toFixed(1)} ms; one week (${week.length}): ${(t3 - t2).toFixed(1)} ms`,
    );
    expect(page.length).toBe(60);
    expect(repeat).toEqual(page);
    expect(page.map((e) => e.date)).toEqual([...page.map((e) => e.date)].sort().reverse());
    expect(section.length).toBe(60);
    expect(week.length).toBeGreaterThan(0);

    const sql = sqlSeen.find((s) => /from "entries"/i.test(s) && /order by/i.test(s));
    expect(sql).toBeDefined();
    const raw = new Database(file, { readonly: true });
    const plan = raw
      .prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .all()
      .map((r) => (r as { detail: string }).detail);
    raw.close();
    console.log(`scale: plan of the front page query: ${plan.join(' | ')}`);
    expect(plan.join('\n')).toMatch(/entries_date/);
    expect(plan.join('\n')).not.toMatch(/TEMP B-TREE/);
  });
});

/**
 * The demo planet end to end: the bundled feeds served on loopback, `orrery run` over real
 * HTTP into a real SQLite file, the site written — and every post on the front page once,
 * although the demo subscribes to one feed under two URLs.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDemoServer } from '../examples/demo/server.js';
import { runCli, withTempDir } from './helpers.js';

const DEMO = new URL('../examples/demo/', import.meta.url).pathname;

describe('demo planet', () => {
  it('builds a river that shows every post exactly once', async () => {
    await withTempDir(async (dir) => {
      const server = await startDemoServer({ port: 0 });
      try {
        const config = await readFile(join(DEMO, 'planet.toml'), 'utf8');
        await writeFile(
          join(dir, 'planet.toml'),
          config.replaceAll('127.0.0.1:48173', `127.0.0.1:${server.port}`),
        );
        await cp(join(DEMO, 'feeds'), join(dir, 'feeds'), { recursive: true });
        const run = await runCli(['run'], { cwd: dir });
        expect(run.stderr).not.toMatch(/failed [^0]|ERROR/);
        expect(run.code).toBe(0);
        expect(run.stderr).toMatch(/0 failed/);
        expect(run.stderr).toMatch(/[1-9]\d* duplicates/);

        const index = await readFile(join(dir, 'public', 'index.html'), 'utf8');
        // Every post title of the jamesh feed (subscribed twice) appears exactly once.
        const rss = await readFile(join(DEMO, 'feeds', 'jamesh-python.rss'), 'utf8');
        const titles = [...rss.matchAll(/<item>[\s\S]*?<title>([^<]+)<\/title>/g)].map((m) =>
          decodeXml(m[1]!),
        );
        expect(titles.length).toBeGreaterThan(3);
        const links = [...index.matchAll(/<a [^>]*href="([^"]+)"[^>]*>/g)].map((m) => m[1]!);
        for (const title of titles) {
          const count = index.split(escapeHtml(title)).length - 1;
          if (count > 0) expect({ title, count }).toEqual({ title, count: 1 });
        }
        // The river's permalinks are unique: no post is rendered twice.
        const permalinks = links.filter((l) => /jamesh\/20\d\d\//.test(l));
        expect(permalinks.length).toBeGreaterThan(0);
        expect(new Set(permalinks).size).toBe(permalinks.length);
        // Both sections are on the page.
        expect(index).toContain('Planet Python');
        expect(index).toContain('PSF GSoC students');
      } finally {
        await server.close();
      }
    });
  });
});

function decodeXml(s: string): string {
  return s
    .replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"');
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

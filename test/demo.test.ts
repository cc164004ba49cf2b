/**
 * The demo planet end to end: the bundled feeds served on loopback, `orrery run` over real
 * HTTP into a real SQLite file, the site written — and every post on the front page once,
 * although the demo subscribes to one feed under two URLs.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, withDemoPlanet, withTempDir } from './helpers.js';

const DEMO = new URL('../examples/demo/', import.meta.url).pathname;

describe('demo planet', () => {
  it('builds a river that shows every post exactly once', async () => {
    await withTempDir(async (dir) => {
      await withDemoPlanet(dir, async () => {
        const run = await runCli(['run'], { cwd: dir });
        expect(run.stderr).not.toMatch(/failed [^0]|ERROR/);
        expect(run.code).toBe(0);
        expect(run.stderr).toMatch(/0 failed/);
        expect(run.stderr).toMatch(/[1-9]\d* duplicates/);

        const index = await readFile(join(dir, 'public', 'index.html'), 'utf8');
        // Each post on the river is one entry heading linking to its original.
        const permalinks = [
          ...index.matchAll(/class="entry-title"[^>]*>\s*<a href="([^"]+)"/g),
        ].map((m) => m[1]!);
        // 11 + 9 + 10 posts in the three blogs, 10 in James Henstridge's feed (subscribed twice).
        expect(permalinks).toHaveLength(40);
        expect(new Set(permalinks).size).toBe(40);
        const rss = await readFile(join(DEMO, 'feeds', 'jamesh-python.rss'), 'utf8');
        const jameshLinks = [...rss.matchAll(/<item>[\s\S]*?<link>([^<]+)<\/link>/g)].map(
          (m) => m[1]!,
        );
        expect(jameshLinks).toHaveLength(10);
        for (const link of jameshLinks) {
          expect(permalinks.filter((p) => p === link)).toHaveLength(1);
        }
        // Both sections are on the page.
        expect(index).toContain('Planet Python');
        expect(index).toContain('PSF GSoC students');
      });
    });
  });
});

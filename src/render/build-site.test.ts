import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildSite } from './build-site.js';
import { createMemorySource } from './memory-source.js';
import { FIXTURE_NOW, fixtureData, fixtureSite } from './testdata/planet-fixture.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orrery-render-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('buildSite', () => {
  it('builds the fixture planet', async () => {
    const out = join(dir, 'public');
    const lines: string[] = [];
    const report = await buildSite({
      source: createMemorySource(fixtureData()),
      site: fixtureSite(out),
      now: FIXTURE_NOW,
      log: (l) => lines.push(l),
      search: process.env.RENDER_SEARCH === '1',
    });
    console.log(lines.join('\n'), report);
    const html = await readFile(join(out, 'index.html'), 'utf8');
    expect(html).toContain('Tarek Ziade');
    if (process.env.RENDER_KEEP) {
      const { cp } = await import('node:fs/promises');
      await cp(out, process.env.RENDER_KEEP, { recursive: true });
    }
  });
});

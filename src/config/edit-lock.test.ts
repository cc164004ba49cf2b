/**
 * The locked read-modify-write of planet.toml on real files: concurrent edits (in this process
 * and from child processes running the real CLI) all survive, an editor's write between the read
 * and the rename makes the edit happen again, an invalid edit writes nothing, comments stay.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withTempDir } from '../../test/helpers.js';
import { ConfigError } from './config-error.js';
import { addFeedToConfig } from './edit.js';
import { editPlanetFile } from './edit-lock.js';
import { parseConfig } from './schema.js';

const START = '# my planet, edited by hand\n[site]\nname = "P"\n\n# feeds below\n';
const ROOT = join(import.meta.dirname, '..', '..');

const addFeed = (path: string, url: string) =>
  editPlanetFile(path, (text) => ({
    text: addFeedToConfig(text, { url, section: 'main' }),
    value: url,
  }));

const urlsIn = (text: string) =>
  parseConfig(text, { configPath: '/p/planet.toml' }).feeds.map((f) => f.url);

describe('editPlanetFile', () => {
  it('keeps every one of many concurrent edits, and the comments', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'planet.toml');
      await writeFile(path, START);
      const urls = Array.from({ length: 12 }, (_, i) => `https://blog${i}.example.org/feed`);
      await Promise.all(urls.map((url) => addFeed(path, url)));
      const text = await readFile(path, 'utf8');
      expect(urlsIn(text).sort()).toEqual([...urls].sort());
      expect(text.startsWith(START.trimEnd())).toBe(true);
    });
  });

  it('makes the edit again when the file changed under it (an editor saving it)', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'planet.toml');
      await writeFile(path, START);
      let calls = 0;
      await editPlanetFile(path, (text) => {
        calls++;
        if (calls === 1) {
          // Someone without the lock saves a new feed between our read and our rename.
          const edited = addFeedToConfig(text, {
            url: 'https://editor.example/feed',
            section: 'main',
          });
          writeFileSync(path, edited);
        }
        return {
          text: addFeedToConfig(text, { url: 'https://api.example/feed', section: 'main' }),
          value: 0,
        };
      });
      expect(calls).toBe(2);
      expect(urlsIn(await readFile(path, 'utf8')).sort()).toEqual([
        'https://api.example/feed',
        'https://editor.example/feed',
      ]);
    });
  });

  it('writes nothing when the edit would not load', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'planet.toml');
      await writeFile(path, START);
      await expect(
        editPlanetFile(path, (text) => ({ text: `${text}\n[site]\nname = 1\n`, value: 0 })),
      ).rejects.toThrow(ConfigError);
      expect(await readFile(path, 'utf8')).toBe(START);
    });
  });

  it('waits for another process holding the lock, and keeps its edit', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'planet.toml');
      await writeFile(path, START);
      // Another Orrery process: takes the same lock, reads, takes its time, writes, releases.
      const child = spawn(
        process.execPath,
        [
          '-e',
          `const lockfile = require('proper-lockfile'); const fs = require('node:fs');
           const path = process.argv[1];
           lockfile.lock(path, { realpath: false, stale: 10000 }).then(async (release) => {
             const text = fs.readFileSync(path, 'utf8');
             process.stdout.write('locked\\n');
             await new Promise((r) => setTimeout(r, 400));
             fs.writeFileSync(path, text + '\\n[[feeds]]\\nurl = "https://child.example/feed"\\n');
             await release();
           });`,
          path,
        ],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const exited = once(child, 'exit');
      await once(child.stdout, 'data');
      await addFeed(path, 'https://parent.example/feed');
      await exited;
      expect(urlsIn(await readFile(path, 'utf8')).sort()).toEqual([
        'https://child.example/feed',
        'https://parent.example/feed',
      ]);
    });
  });
});

/** `orrery serve`'s options are checked before anything starts: exit 2 with what to fix. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, withTempDir } from '../../../test/helpers.js';

describe('orrery serve: bad options', () => {
  it.each([
    [['--port', 'eighty'], /--port eighty is not a port number/],
    [['--port', '70000'], /--port 70000 is not a port number/],
    [['--host', 'example.org'], /--host example.org is not an IP address/],
    [['--public-url', 'ftp://planet.example.org/'], /--public-url .* is not an http\(s\) URL/],
    [['--log-format', 'xml'], /Allowed choices are json, pretty/],
  ])('%j', async (args, message) => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'planet.toml'), '[site]\nname = "P"\n');
      const run = await runCli(['serve', ...args], { cwd: dir });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
    });
  });

  it('names the config file when it is missing or broken', async () => {
    await withTempDir(async (dir) => {
      const run = await runCli(['serve'], { cwd: dir });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(join(dir, 'planet.toml'));
    });
  });
});

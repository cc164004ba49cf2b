/**
 * The fetch settings of planet.toml end to end, through the real CLI (in-process), real loopback
 * servers and a real SQLite file: a feed's own user_agent, timeout and headers as the servers
 * see them; header values nowhere in what Orrery prints or keeps; a confirmed permanent
 * redirect written back into planet.toml; entries past the parser's limit in `status`.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RSS, startServer, type TestServer } from '../src/fetch/testdata/serve.js';
import { parse } from '../src/parse/index.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { runCli, withTempDir } from './helpers.js';

const SECRET = 'Bearer s3cr3t-9c4d';
const COOKIE = 'session=c00kie-77';

const rss = (title: string) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>${title}</title><link>http://blog.test/</link>` +
  `<item><guid>${title}-1</guid><title>${title} post</title><link>http://blog.test/${title}/1</link>` +
  `<pubDate>Mon, 06 Feb 2012 10:00:00 +0000</pubDate></item></channel></rss>`;

let site: TestServer;
let other: TestServer;

beforeAll(async () => {
  other = await startServer(
    { '/landing.xml': (_req, res) => res.writeHead(200).end(rss('landing')) },
    '127.0.0.2',
  );
  site = await startServer({
    '/private.xml': (req, res) => {
      if (req.headers.authorization !== SECRET) res.writeHead(401).end('no');
      else res.writeHead(200).end(rss('private'));
    },
    '/picky.xml': (req, res) => {
      if (req.headers['user-agent'] !== 'Picky/1') res.writeHead(403).end('no');
      else res.writeHead(200).end(rss('picky'));
    },
    '/slow.xml': (_req, res) => {
      // Well past the run's headers_timeout of 1 s (undici checks it on a ~0.5 s tick).
      const timer = setTimeout(() => res.writeHead(200).end(rss('slow')), 3000);
      res.on('close', () => clearTimeout(timer));
    },
    '/elsewhere.xml': (_req, res) =>
      res.writeHead(302, { location: other.url('/landing.xml') }).end(),
    '/old.xml': (_req, res) => res.writeHead(301, { location: '/new.xml' }).end(),
    '/new.xml': (_req, res) => res.writeHead(200).end(rss('moved')),
    '/plain.xml': (_req, res) => res.writeHead(200).end(RSS),
    '/huge.xml': (_req, res) => res.writeHead(200).end(manyItems(LIMIT_PROBE)),
  });
});

afterAll(async () => {
  await site.close();
  await other.close();
});

/** Every file of a folder, recursively, as one string (to look for a secret in it). */
async function allBytes(dir: string): Promise<string> {
  const names = await readdir(dir, { recursive: true, withFileTypes: true });
  let out = '';
  for (const entry of names) {
    if (!entry.isFile() || entry.name === 'planet.toml') continue;
    out += await readFile(join(entry.parentPath, entry.name), 'latin1');
  }
  return out;
}

describe("a feed's own fetch settings, end to end", () => {
  it('user_agent, timeout and headers reach the servers; no header value is printed or kept', async () => {
    await withTempDir(async (dir) => {
      await writeFile(
        join(dir, 'planet.toml'),
        `[site]
name = "Settings"

[fetch]
allow_private = true
headers_timeout = 1
body_timeout = 1
headers = { Cookie = "${COOKIE}" }

[[feeds]]
url = "${site.url('/private.xml')}"
name = "Private"
headers = { Authorization = "${SECRET}" }

[[feeds]]
url = "${site.url('/picky.xml')}"
name = "Picky"
user_agent = "Picky/1"

[[feeds]]
url = "${site.url('/slow.xml')}"
name = "Slow but allowed"
timeout = 8

[[feeds]]
url = "${site.url('/slow.xml')}?again"
name = "Slow without its own timeout"

[[feeds]]
url = "${site.url('/elsewhere.xml')}"
name = "Elsewhere"
headers = { Authorization = "${SECRET}" }
`,
      );
      other.requests.length = 0;
      const run = await runCli(['run', '--verbose'], { cwd: dir });
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(/5 feeds: 4 fetched, 0 unchanged, 1 failed \(timeout 1\)/);

      // What the servers saw.
      const seen = (path: string) => site.requests.filter((r) => r.url === path).at(-1)?.headers;
      expect(seen('/private.xml')?.authorization).toBe(SECRET);
      expect(seen('/private.xml')?.cookie).toBe(COOKIE);
      expect(seen('/picky.xml')?.['user-agent']).toBe('Picky/1');
      expect(seen('/plain.xml')).toBeUndefined();
      expect(seen('/elsewhere.xml')?.authorization).toBe(SECRET);
      // The redirect left the origin: neither the feed's Authorization nor the run's Cookie went along.
      const landed = other.requests.at(-1)?.headers;
      expect(landed).toBeDefined();
      expect(landed?.authorization).toBeUndefined();
      expect(landed?.cookie).toBeUndefined();

      const status = await runCli(['status', '--verbose'], { cwd: dir });
      expect(status.stdout).toMatch(/Slow but allowed .*HTTP 200 .*1 entries .*ok/);
      expect(status.stdout).toMatch(/Slow without its own timeout .*ERROR timeout/);
      const outputs = [
        run,
        status,
        await runCli(['status', '--json'], { cwd: dir }),
        await runCli(['list', '--json'], { cwd: dir }),
        await runCli(['list'], { cwd: dir }),
        await runCli(['export'], { cwd: dir }),
        await runCli(['fetch', '--all', '--verbose', '--strict'], { cwd: dir }),
      ];
      const printed = outputs.map((o) => o.stdout + o.stderr).join('\n');
      expect(printed).toContain('(hidden)'); // list --json names the header, not its value
      for (const secret of ['s3cr3t', 'c00kie']) {
        expect(printed).not.toContain(secret);
        // The store, its WAL and the published site.
        expect(await allBytes(dir)).not.toContain(secret);
      }
    });
  }, 60_000);
});

describe('a confirmed permanent redirect', () => {
  it('rewrites the url in planet.toml (comments and layout kept), says so, and export shows only the new URL', async () => {
    await withTempDir(async (dir) => {
      const old = site.url('/old.xml');
      const config = `# My planet: keep this comment
[site]
name = "Moves"   # and this one

[fetch]
allow_private = true

# Ada moved her blog
[[feeds]]
url = "${old}"   # her feed
name = "Ada"

[[feeds]]
url = "${site.url('/plain.xml')}"
name = "Stays"
`;
      await writeFile(join(dir, 'planet.toml'), config);
      const first = await runCli(['run'], { cwd: dir });
      expect(first.code).toBe(0);
      expect(await readFile(join(dir, 'planet.toml'), 'utf8')).toBe(config);

      // Seen again on the next fetch: the move is confirmed.
      const second = await runCli(['run', '--all'], { cwd: dir });
      expect(second.code).toBe(0);
      const newUrl = site.url('/new.xml');
      expect(second.stdout).toContain(
        `moved (permanent redirect): ${old} -> ${newUrl}; ${join(dir, 'planet.toml')} updated`,
      );
      const edited = await readFile(join(dir, 'planet.toml'), 'utf8');
      const date = new Date().toISOString().slice(0, 10);
      expect(edited).toBe(
        config.replace(
          `url = "${old}"   # her feed`,
          `# moved from ${old} on ${date} (permanent redirect)\nurl = "${newUrl}"   # her feed`,
        ),
      );

      const exported = await runCli(['export'], { cwd: dir });
      expect(exported.stdout).toContain(newUrl);
      expect(exported.stdout).not.toContain(old);

      // The next run finds the same feed under its new URL: nothing added, nothing moved.
      const third = await runCli(['run', '--all'], { cwd: dir });
      expect(third.code).toBe(0);
      expect(third.stdout + third.stderr).not.toContain('moved');
      const status = await runCli(['status'], { cwd: dir });
      expect(status.stdout.trim().split('\n')).toHaveLength(2);
      expect(status.stdout).toMatch(
        new RegExp(`Ada +${newUrl.replace(/[.?]/g, '\\$&')} .*ok moved from`),
      );
      expect(await readFile(join(dir, 'planet.toml'), 'utf8')).toBe(edited);
    });
  }, 60_000);

  it('when planet.toml cannot be written, says what to change by hand and the run still succeeds', async () => {
    await withTempDir(async (dir) => {
      const conf = join(dir, 'conf');
      const old = site.url('/old.xml');
      await mkdir(conf);
      const config = `[site]\nname = "RO"\noutput_dir = "../public"\n\n[store]\npath = "../orrery.sqlite"\n\n[fetch]\nallow_private = true\n\n[[feeds]]\nurl = "${old}"\n`;
      await writeFile(join(conf, 'planet.toml'), config);
      const args = ['--config', join(conf, 'planet.toml')];
      expect((await runCli(['run', ...args], { cwd: dir })).code).toBe(0);
      const unlock = lockFolder(conf);
      if (!unlock) return; // Neither chmod nor chattr can stop this user writing: nothing to test.
      let second: Awaited<ReturnType<typeof runCli>>;
      try {
        second = await runCli(['run', '--all', ...args], { cwd: dir });
      } finally {
        unlock();
      }
      expect(second.code).toBe(0);
      expect(second.stderr).toContain(
        `warning: moved (permanent redirect): ${old} -> ${site.url('/new.xml')}, but ${join(conf, 'planet.toml')} still has the old URL`,
      );
      expect(second.stderr).toContain(`change url = "${old}" to url = "${site.url('/new.xml')}"`);
      expect(second.stdout).toContain('site written to');
      expect(await readFile(join(conf, 'planet.toml'), 'utf8')).toBe(config);
    });
  }, 60_000);
});

/** An RSS document of `n` distinct items. */
function manyItems(n: number): string {
  const items = Array.from(
    { length: n },
    (_, i) => `<item><guid>g${i}</guid><title>t${i}</title></item>`,
  );
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Huge</title>${items.join('')}</channel></rss>`;
}

// More items than the parser reads from one document (parse/'s limit is 10,000 today).
const LIMIT_PROBE = 10_050;
// The parser reports what it drops (ParseResult.entriesDropped) since the parse helper's change.
const parserCounts =
  parse(new TextEncoder().encode(manyItems(LIMIT_PROBE))).entriesDropped !== undefined;

describe('entries past the per-document limit', () => {
  it('status shows them from the last read, as line and JSON', async () => {
    await withTempDir(async (dir) => {
      await writeFile(
        join(dir, 'planet.toml'),
        `[fetch]\nallow_private = true\n\n[[feeds]]\nurl = "${site.url('/plain.xml')}"\nname = "Big"\n`,
      );
      expect((await runCli(['fetch'], { cwd: dir })).code).toBe(0);
      // A later read of a document over the limit, recorded as the pipeline records it.
      const store = await createSqliteStore({ path: join(dir, 'orrery.sqlite') });
      const [feed] = await store.listFeeds();
      const now = new Date().toISOString();
      await store.applyFeedUpdate({
        feedId: feed?.id ?? 0,
        now,
        fetch: { at: now, outcome: 'ok', status: 200, elapsedMs: 5, entriesDropped: 990_000 },
        nextDueAt: now,
      });
      await store.close();
      const status = await runCli(['status'], { cwd: dir });
      expect(status.stdout).toMatch(
        /Big .*entries \(\+990000 past the per-document limit, not read\)/,
      );
      expect(status.stderr).toContain('1 feeds, 0 failing, 1 over the per-document entry limit');
      const json = JSON.parse((await runCli(['status', '--json'], { cwd: dir })).stdout);
      expect(json[0].entriesDropped).toBe(990_000);
    });
  });

  it.skipIf(!parserCounts)(
    "the run summary and status count them for a real document (needs the parser's count)",
    async () => {
      await withTempDir(async (dir) => {
        await writeFile(
          join(dir, 'planet.toml'),
          `[fetch]\nallow_private = true\n\n[[feeds]]\nurl = "${site.url('/huge.xml')}"\nname = "Huge"\n`,
        );
        // `fetch` prints the summary `run` does, without building a site of 10,000 entries.
        const run = await runCli(['fetch'], { cwd: dir });
        expect(run.code).toBe(0);
        expect(run.stderr).toMatch(
          /, \d+ entries past the per-document limit not read \(1 feed; see orrery status\)/,
        );
        const status = await runCli(['status'], { cwd: dir });
        expect(status.stdout).toMatch(/Huge .*\(\+\d+ past the per-document limit, not read\)/);
      });
    },
  );
});

/**
 * Makes a folder unwritable for this process and returns the undo, or undefined when it cannot:
 * chmod for an ordinary user, the immutable attribute for root (whom permissions do not stop).
 */
function lockFolder(dir: string): (() => void) | undefined {
  const probe = () => {
    try {
      execFileSync('touch', [join(dir, '.probe')], { stdio: 'ignore' });
      execFileSync('rm', ['-f', join(dir, '.probe')], { stdio: 'ignore' });
      return false;
    } catch {
      return true; // the write was refused: locked
    }
  };
  if (process.getuid?.() !== 0) {
    execFileSync('chmod', ['555', dir]);
    if (probe()) return () => execFileSync('chmod', ['755', dir]);
    execFileSync('chmod', ['755', dir]);
    return undefined;
  }
  try {
    execFileSync('chattr', ['+i', dir], { stdio: 'ignore' });
  } catch {
    return undefined; // no chattr, or a file system without the attribute
  }
  if (probe()) return () => execFileSync('chattr', ['-i', dir]);
  execFileSync('chattr', ['-i', dir]);
  return undefined;
}

import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the real CLI in-process with captured output (no TTY: plain lines). */
export async function runCli(
  args: string[],
  options: { cwd: string; now?: () => Date; env?: Record<string, string | undefined> },
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'orrery', ...args], {
    cwd: options.cwd,
    env: options.env ?? {},
    ...(options.now ? { now: options.now } : {}),
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
  });
  return { code, stdout, stderr };
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'orrery-test-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The demo planet, copied into `dir` and pointed at a loopback server of its bundled feeds
 * (examples/demo/server.js); the server runs while `fn` does.
 */
export async function withDemoPlanet<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const { startDemoServer } = await import('../examples/demo/server.js');
  const demo = join(import.meta.dirname, '..', 'examples', 'demo');
  const server = await startDemoServer({ port: 0 });
  try {
    const config = await readFile(join(demo, 'planet.toml'), 'utf8');
    await writeFile(
      join(dir, 'planet.toml'),
      config.replaceAll('127.0.0.1:48173', `127.0.0.1:${server.port}`),
    );
    await cp(join(demo, 'feeds'), join(dir, 'feeds'), { recursive: true });
    return await fn();
  } finally {
    await server.close();
  }
}

/** An RSS 2.0 document with these items, as a small blog serves it (for loopback feed servers). */
export function rss(items: Array<{ guid: string; title: string; date: string }>): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Test Blog</title><link>http://blog.test/</link><description>d</description>
${items
  .map(
    (i) =>
      `<item><guid>${i.guid}</guid><title>${i.title}</title><link>http://blog.test/${i.guid}</link><pubDate>${i.date}</pubDate><description>&lt;p&gt;Body of ${i.title}&lt;/p&gt;</description></item>`,
  )
  .join('\n')}
</channel></rss>`;
}

// Starts bench/farm/farm.js as a child process and waits until it serves: shared by the fetch
// bench, the hostile-servers bench and the reliability tests.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * @param {{ hosts: number, port: number, profile: string, corpus?: string, maxSeconds: number }} options
 * @returns {Promise<{ ready: any, stats(): Promise<any>, stop(): Promise<void> }>}
 */
export async function startFarm({ hosts, port, profile, corpus, maxSeconds }) {
  const argv = [
    join(import.meta.dirname, 'farm.js'),
    '--hosts',
    String(hosts),
    '--port',
    String(port),
  ];
  argv.push('--profile', profile, '--max-seconds', String(maxSeconds));
  if (corpus) argv.push('--corpus', corpus);
  const child = spawn(process.execPath, argv, { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const ready = await new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error('farm: not ready after 60 s')), 60_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolvePromise(JSON.parse(line));
    });
    child.once('exit', (code) => reject(new Error(`farm exited early (${code})`)));
  });
  return {
    ready,
    async stats() {
      const res = await fetch(`http://127.0.0.1:${port}/__stats`);
      return res.json();
    },
    stop() {
      if (child.exitCode !== null) return Promise.resolve();
      child.stdin.end();
      return new Promise((/** @type {(value?: void) => void} */ resolvePromise) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolvePromise();
        });
      });
    },
  };
}

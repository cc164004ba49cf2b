// Runs a command as a child process with its output captured (`maxOutput` bytes each, 1 MB by
// default) and a hard time limit (SIGKILL past `maxSeconds`: `signal` then says so): shared by
// the benches and the reliability tests, which add their own way of measuring it.
import { spawn } from 'node:child_process';

/**
 * @param {string} command
 * @param {string[]} argv
 * @param {{ cwd?: string, env?: Record<string, string>, maxSeconds: number, maxOutput?: number }} options
 * @returns {Promise<{ code: number | null, signal: string | null, wallS: number, stdout: string, stderr: string }>}
 */
export function runChild(command, argv, { cwd, env = {}, maxSeconds, maxOutput = 1 << 20 }) {
  return new Promise((resolvePromise) => {
    const started = performance.now();
    const child = spawn(command, argv, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      if (stdout.length < maxOutput) stdout += d;
    });
    child.stderr.on('data', (d) => {
      if (stderr.length < maxOutput) stderr += d;
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), maxSeconds * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      const wallS = (performance.now() - started) / 1000;
      resolvePromise({ code, signal, wallS, stdout, stderr });
    });
  });
}

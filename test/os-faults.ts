/**
 * Operating-system faults for tests of the real CLI, injected around a child process:
 * - a file size limit (`prlimit --fsize`, util-linux): writes past it fail with EFBIG (Node
 *   ignores SIGXFSZ, so write() returns the error; a child Node starts, such as Pagefind, has
 *   the signal's default action and is killed by SIGXFSZ);
 * - a full disk: a small tmpfs mounted over a folder in a private mount namespace
 *   (`unshare -m`, needs root or user namespaces), filled up to a few bytes. The mount exists
 *   only for that command, so the folder under it is untouched; what the command left on the
 *   tmpfs is copied out to `copyTo`. Where mounting is not permitted, tmpfsUsable() is false.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ProcessRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run `command` (argv), killed past `maxSeconds`. */
export function runProcess(
  command: string[],
  options: { cwd: string; maxSeconds?: number; env?: Record<string, string | undefined> },
): Promise<ProcessRun> {
  const [file, ...args] = command;
  const child = spawn(file as string, args, {
    cwd: options.cwd,
    env: options.env ?? { PATH: process.env.PATH, NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const timer = setTimeout(() => child.kill('SIGKILL'), (options.maxSeconds ?? 120) * 1000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Whether `prlimit` is here to limit a child's file size. */
export function prlimitUsable(): boolean {
  return spawnSync('prlimit', ['--fsize=1000000', 'true']).status === 0;
}

/** `command` with writes limited to files of `bytes` bytes. */
export function withFileSizeLimit(bytes: number, command: string[]): string[] {
  return ['prlimit', `--fsize=${bytes}`, ...command];
}

let tmpfsProbe: boolean | undefined;
/** Whether a tmpfs can be mounted in a private mount namespace here (root, or user namespaces). */
export function tmpfsUsable(): boolean {
  if (tmpfsProbe !== undefined) return tmpfsProbe;
  const dir = mkdtempSync(join(tmpdir(), 'orrery-tmpfs-probe-'));
  try {
    const r = spawnSync('unshare', ['-m', 'sh', '-c', `mount -t tmpfs -o size=64k tmpfs '${dir}'`]);
    tmpfsProbe = r.status === 0;
  } catch {
    // No unshare at all: the variant is skipped.
    tmpfsProbe = false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return tmpfsProbe;
}

const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/**
 * `command` run with `folder` on a tmpfs of `sizeBytes` holding a copy of its files, filled so
 * that only about `freeBytes` stay free; the tmpfs's files (the filler left out) are copied to
 * `copyTo` afterwards. The real `folder` is never written.
 */
export async function runOnFullTmpfs(options: {
  folder: string;
  sizeBytes: number;
  freeBytes: number;
  copyTo: string;
  command: string[];
  cwd: string;
  maxSeconds?: number;
}): Promise<ProcessRun> {
  const { folder, copyTo } = options;
  mkdirSync(copyTo, { recursive: true });
  const seed = mkdtempSync(join(tmpdir(), 'orrery-tmpfs-seed-'));
  const script = [
    'set -e',
    `cp -a ${quote(folder)}/. ${quote(seed)}/`,
    `mount -t tmpfs -o size=${options.sizeBytes} tmpfs ${quote(folder)}`,
    `cp -a ${quote(seed)}/. ${quote(folder)}/`,
    // Fill to the brim, then give back what should stay free.
    `dd if=/dev/zero of=${quote(folder)}/.filler bs=4096 2>/dev/null || true`,
    `truncate -s -${options.freeBytes} ${quote(folder)}/.filler`,
    'set +e',
    `${options.command.map(quote).join(' ')}`,
    'rc=$?',
    `rm -f ${quote(folder)}/.filler`,
    `cp -a ${quote(folder)}/. ${quote(copyTo)}/`,
    'exit $rc',
  ].join('\n');
  try {
    return await runProcess(['unshare', '-m', 'sh', '-c', script], {
      cwd: options.cwd,
      ...(options.maxSeconds ? { maxSeconds: options.maxSeconds } : {}),
    });
  } finally {
    rmSync(seed, { recursive: true, force: true });
  }
}

/**
 * `command` run with `folder` read-only (a read-only bind mount of it in a private mount
 * namespace): what an unwritable store or site folder looks like even to root. Needs what
 * tmpfsUsable() needs.
 */
export function runWithReadOnlyFolder(options: {
  folder: string;
  command: string[];
  cwd: string;
  maxSeconds?: number;
}): Promise<ProcessRun> {
  const f = quote(options.folder);
  const script = [
    'set -e',
    `mount --bind ${f} ${f}`,
    `mount -o remount,ro,bind ${f}`,
    'set +e',
    options.command.map(quote).join(' '),
  ].join('\n');
  return runProcess(['unshare', '-m', 'sh', '-c', script], {
    cwd: options.cwd,
    ...(options.maxSeconds ? { maxSeconds: options.maxSeconds } : {}),
  });
}

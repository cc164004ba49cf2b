import { randomBytes } from 'node:crypto';
import { chmod, chown, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CliError } from './exit-codes.js';

/**
 * Replace a file so that a crash leaves either the old or the new content, never half of it:
 * write a temporary file beside it, then rename over the original. A symbolic link is followed
 * (the file it points to is replaced, the link stays), and the file keeps its permissions and,
 * where allowed, its owner: a planet.toml holding a token may well be readable by its owner only.
 */
export async function replaceFileAtomically(path: string, content: string): Promise<void> {
  const target = await realpath(path).catch(() => path);
  const before = await stat(target).catch(() => undefined);
  const temp = join(dirname(target), `.orrery-tmp-${randomBytes(6).toString('hex')}.toml`);
  await writeFile(temp, content, { flag: 'wx', mode: before ? before.mode & 0o777 : 0o666 });
  try {
    if (before) {
      // writeFile's mode is reduced by the umask: set it exactly.
      await chmod(temp, before.mode & 0o777);
      // Only root may give a file away; for anyone else the owner is already right.
      await chown(temp, before.uid, before.gid).catch(() => undefined);
    }
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

export async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code;
    throw new CliError(`cannot read ${what} ${path}: ${reason}`);
  }
}

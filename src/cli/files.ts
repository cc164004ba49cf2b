import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CliError } from './exit-codes.js';

/**
 * Replace a file so that a crash leaves either the old or the new content, never half of it:
 * write a temporary file beside it, then rename over the original.
 */
export async function replaceFileAtomically(path: string, content: string): Promise<void> {
  const temp = join(dirname(path), `.orrery-tmp-${randomBytes(6).toString('hex')}.toml`);
  await writeFile(temp, content, { flag: 'wx' });
  try {
    await rename(temp, path);
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

import { readFile } from 'node:fs/promises';
import { CliError } from './exit-codes.js';

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

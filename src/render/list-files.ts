import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** Every file under `dir`, as '/'-separated paths relative to it (unsorted). */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    // parentPath is Node 20.12+; path is its older name.
    const parent = (e as unknown as { parentPath?: string; path: string }).parentPath ?? e.path;
    out.push(relative(dir, join(parent, e.name)).split(sep).join('/'));
  }
  return out;
}

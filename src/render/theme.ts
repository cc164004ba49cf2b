/** Load a theme: the default theme's files, overridden file by file by a site's own theme folder. */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The default theme shipped with Orrery (works from src/ under vitest and from dist/). */
export const DEFAULT_THEME_DIR = fileURLToPath(new URL('../../themes/default/', import.meta.url));

export interface Theme {
  /** Template name (e.g. 'index.liquid', 'partials/entry.liquid') → source. */
  templates: Record<string, string>;
  /** Asset path in the site (e.g. 'assets/style.css') → absolute file path to copy. */
  assets: Map<string, string>;
  /** Template names whose source is the default theme's own (not overridden by the site). */
  defaults: Set<string>;
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  for (const e of entries) {
    if (!e.isFile() || e.name.startsWith('.')) continue;
    // parentPath is Node 20.12+; path is its older name.
    const parent = (e as unknown as { parentPath?: string; path: string }).parentPath ?? e.path;
    const rel = relative(dir, join(parent, e.name)).split(sep).join('/');
    if (rel.split('/').some((part) => part.startsWith('.'))) continue;
    out.push(rel);
  }
  return out.sort();
}

/** Read the default theme and, when given, a site theme whose files take precedence. */
export async function loadTheme(overrideDir?: string): Promise<Theme> {
  const templates: Record<string, string> = {};
  const assets = new Map<string, string>();
  const defaults = new Set<string>();
  for (const dir of overrideDir ? [DEFAULT_THEME_DIR, overrideDir] : [DEFAULT_THEME_DIR]) {
    let files: string[];
    try {
      files = await listFiles(dir);
    } catch (error) {
      throw new Error(`render/theme: cannot read theme folder ${dir}`, { cause: error });
    }
    for (const rel of files) {
      const abs = join(dir, rel);
      if (rel.endsWith('.liquid')) {
        templates[rel] = await readFile(abs, 'utf8');
        if (dir === DEFAULT_THEME_DIR) defaults.add(rel);
        else defaults.delete(rel);
      } else if (rel !== 'README.md') assets.set(rel, abs);
    }
  }
  return { templates, assets, defaults };
}

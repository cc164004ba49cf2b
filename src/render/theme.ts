/** Load a theme: the default theme's files, overridden file by file by a site's own theme folder. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listFiles } from './list-files.js';

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

/** The theme's files, sorted, leaving out dotfiles and dot-folders. */
async function themeFiles(dir: string): Promise<string[]> {
  return (await listFiles(dir))
    .filter((rel) => !rel.split('/').some((part) => part.startsWith('.')))
    .sort();
}

/** Read the default theme and, when given, a site theme whose files take precedence. */
export async function loadTheme(overrideDir?: string): Promise<Theme> {
  const templates: Record<string, string> = {};
  const assets = new Map<string, string>();
  const defaults = new Set<string>();
  for (const dir of overrideDir ? [DEFAULT_THEME_DIR, overrideDir] : [DEFAULT_THEME_DIR]) {
    let files: string[];
    try {
      files = await themeFiles(dir);
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

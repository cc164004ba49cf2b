/** Load a theme: the default theme's files, overridden file by file by a site's own theme folder. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OrreryError } from '../model/errors.js';
import { listFiles } from './list-files.js';

/** The default theme shipped with Orrery (works from src/ under vitest and from dist/). */
export const DEFAULT_THEME_DIR = fileURLToPath(new URL('../../themes/default/', import.meta.url));

export interface Theme {
  /** Template name (e.g. 'index.liquid', 'partials/csp.liquid') → source. */
  templates: Record<string, string>;
  /** Template name → the file it was read from (for error messages). */
  sources: Map<string, string>;
  /** Asset path in the site (e.g. 'assets/style.css') → absolute file path to copy. */
  assets: Map<string, string>;
  /** Hash of every template's and asset's bytes: a change re-renders the whole site. */
  hash: string;
}

/** A broken template: the user's input, reported with its file, line and cause (exit 2). */
export class ThemeError extends OrreryError {
  readonly file: string;
  readonly line: number | undefined;
  constructor(file: string, line: number | undefined, column: number | undefined, cause: string) {
    const at =
      line === undefined ? file : `${file}:${line}${column === undefined ? '' : `:${column}`}`;
    super(
      'theme',
      `render/theme: ${at}: ${cause}; fix the template (Liquid reference: https://liquidjs.com/tags/overview.html) — the published site was left as it was`,
    );
    this.name = 'ThemeError';
    this.file = file;
    this.line = line;
  }
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
  const sources = new Map<string, string>();
  const assets = new Map<string, string>();
  const bytes = new Map<string, Buffer>();
  for (const dir of overrideDir ? [DEFAULT_THEME_DIR, overrideDir] : [DEFAULT_THEME_DIR]) {
    let files: string[];
    try {
      files = await themeFiles(dir);
    } catch (error) {
      throw new OrreryError(
        'theme',
        `render/theme: cannot read the theme folder ${dir}: ${(error as Error).message}; check site.theme in planet.toml`,
        { cause: error },
      );
    }
    for (const rel of files) {
      const abs = join(dir, rel);
      if (rel === 'README.md') continue;
      const data = await readFile(abs);
      bytes.set(rel, data);
      if (rel.endsWith('.liquid')) {
        templates[rel] = data.toString('utf8');
        sources.set(rel, abs);
        assets.delete(rel);
      } else {
        assets.set(rel, abs);
        delete templates[rel];
      }
    }
  }
  const hash = createHash('sha256');
  for (const [rel, data] of [...bytes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    hash.update(`${rel}\u0000${data.length}\u0000`).update(data);
  }
  return { templates, sources, assets, hash: hash.digest('base64url') };
}

/**
 * The folder rules of docs/architecture.md, enforced: every import between folders of src/
 * (tests included) must be one the table's "may import" column allows, and every folder of
 * src/ must have its row. The table is the one source: change it, and the rules change.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');

/** Folder → the folders it may import ('*' for any), and those only its tests may. */
type FolderRules = Map<string, { all: Set<string>; tests: Set<string> }>;

/**
 * Reads the table under "## The pipeline": rows `| \`folder/\` | does | may import | ... |`,
 * where "may import" names folders in backticks (one followed by "(tests only" is allowed in
 * test files alone), or says "all" or "nothing".
 */
function readFolderRules(markdown: string): FolderRules {
  const rules: FolderRules = new Map();
  for (const line of markdown.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const folder = /^`([a-z-]+)\/`$/.exec(cells[1] ?? '')?.[1];
    if (!folder || cells.length < 5) continue;
    const may = cells[3] ?? '';
    const all = new Set<string>(/^all\b/.test(may) ? ['*'] : []);
    const tests = new Set<string>();
    for (const m of may.matchAll(/`([a-z-]+)\/?`( \(tests only)?/g)) {
      (m[2] ? tests : all).add(m[1] as string);
    }
    rules.set(folder, { all, tests });
  }
  return rules;
}

/** The module specifiers a TypeScript file imports (static, dynamic and `export … from`). */
function importsOf(source: string): string[] {
  const found: string[] = [];
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g;
  for (const m of source.matchAll(pattern)) found.push(m[1] as string);
  return found;
}

/** The src/ folder a relative import from `file` lands in, or undefined when it leaves src/. */
function folderOf(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const target = relative(SRC, resolve(dirname(file), specifier));
  if (target.startsWith('..')) return undefined;
  return target.split(/[\\/]/)[0];
}

/** Every import that crosses folders against the rules: 'from → to (file: specifier)'. */
function violations(rules: FolderRules, files: { path: string; source: string }[]): string[] {
  const out: string[] = [];
  for (const { path, source } of files) {
    const from = relative(SRC, path).split(/[\\/]/)[0] as string;
    const rule = rules.get(from);
    if (!rule || rule.all.has('*')) continue;
    const isTest = /\.(test|contract)\.ts$/.test(path);
    for (const specifier of importsOf(source)) {
      const to = folderOf(path, specifier);
      if (to === undefined || to === from || !rules.has(to) || rule.all.has(to)) continue;
      if (isTest && rule.tests.has(to)) continue;
      out.push(`${from} → ${to} (${relative(ROOT, path)}: '${specifier}')`);
    }
  }
  return out;
}

function sourceFiles(dir: string): { path: string; source: string }[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.ts$/.test(e.name) && !e.parentPath.includes('testdata'))
    .map((e) => {
      const path = join(e.parentPath, e.name);
      return { path, source: readFileSync(path, 'utf8') };
    });
}

const rules = readFolderRules(readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8'));

describe('the folder rules of docs/architecture.md', () => {
  it('has a row for every folder of src/ and no row for a folder that does not exist', () => {
    const folders = readdirSync(SRC, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    expect([...rules.keys()].sort()).toEqual(folders);
  });

  it('is kept by every file of src/, tests included', () => {
    expect(violations(rules, sourceFiles(SRC))).toEqual([]);
  });

  it('catches a stage importing a folder it may not', () => {
    const file = join(SRC, 'parse', 'bad.ts');
    const found = violations(rules, [
      { path: file, source: "import type { Store } from '../store/store.js';" },
      { path: file, source: "const m = await import('../render/build-site.js');" },
      { path: file, source: "export { x } from '../model/feed.js';" },
      { path: join(SRC, 'render', 'x.ts'), source: "import { parse } from '../parse/index.js';" },
      {
        path: join(SRC, 'render', 'x.test.ts'),
        source: "import { parse } from '../parse/index.js';",
      },
    ]);
    expect(found).toEqual([
      "parse → store (src/parse/bad.ts: '../store/store.js')",
      "parse → render (src/parse/bad.ts: '../render/build-site.js')",
      "render → parse (src/render/x.ts: '../parse/index.js')",
    ]);
  });
});

/**
 * The docs tell the truth about the code: every `orrery COMMAND --option` they show exists in the
 * CLI's --help, every planet.toml key of docs/config.md is in the config schema and every schema
 * key is documented there, the README's exit codes are the code's, every file they name exists,
 * every bench is where the README says, the folder table of architecture.md names only arrows
 * the code has, and the README's first command (the demo) runs, for real, in a temp folder.
 * Uses the build in `dist/` (like test/bin.test.ts): run `npm run build` first.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../src/cli/exit-codes.js';
import { planetTomlSchema } from '../src/config/schema.js';
import { withTempDir } from './helpers.js';

const exec = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'orrery.js');
const SRC_FOLDERS = readdirSync(join(ROOT, 'src'), { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name);

/** The user-facing docs: the project files and docs/*.md (the decision records for paths). */
const USER_DOCS = [
  'README.md',
  'CONTRIBUTING.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const ALL_DOCS = [
  ...USER_DOCS,
  'SECURITY.md',
  'CHANGELOG.md',
  'examples/demo/README.md',
  ...readdirSync(join(ROOT, 'docs', 'decisions')).map((f) => `docs/decisions/${f}`),
];

const read = (doc: string) => readFileSync(join(ROOT, doc), 'utf8');

/** The code of a Markdown document: fenced blocks (whole) and inline code spans. */
function codeOf(markdown: string): { fenced: { lang: string; text: string }[]; spans: string[] } {
  const fenced: { lang: string; text: string }[] = [];
  const prose = markdown.replace(/^```(\w*)\n([\s\S]*?)^```$/gm, (_, lang: string, text) => {
    fenced.push({ lang, text });
    return '';
  });
  const spans = [...prose.matchAll(/`([^`\n]+)`/g)].map((m) => m[1] as string);
  return { fenced, spans };
}

// ---------------------------------------------------------------- commands and options

interface Usage {
  doc: string;
  command: string;
  options: string[];
}

/** Every `orrery COMMAND [--option ...]` in a document's code (comments after `#` included). */
function usagesIn(doc: string): Usage[] {
  const { fenced, spans } = codeOf(read(doc));
  const lines = [...spans, ...fenced.flatMap((f) => f.text.split('\n'))];
  const out: Usage[] = [];
  for (const line of lines) {
    for (const part of line.split('#')) {
      for (const m of part.matchAll(/(?:^|[\s(=/'"])orrery((?:\s+[a-z][a-z-]*)*)([^`]*)/g)) {
        // `createdb -O orrery planet`: a user named orrery, not the command.
        if (/-[A-Za-z]\s+$/.test(part.slice(0, m.index + 1))) continue;
        const words = (m[1] ?? '').trim().split(/\s+/).filter(Boolean);
        let command = words[0] ?? '';
        if (command === 'store' && words[1]) command = `store ${words[1]}`;
        const rest = `${m[1]} ${m[2]}`;
        const options = [...rest.matchAll(/(?:^|\s)(--[a-z][a-z-]*)/g)].map((o) => o[1] as string);
        out.push({ doc, command, options });
      }
    }
  }
  return out;
}

const helpCache = new Map<string, Promise<string>>();
function helpOf(command: string): Promise<string> {
  let help = helpCache.get(command);
  if (!help) {
    const args = [...command.split(' ').filter(Boolean), '--help'];
    help = exec(process.execPath, [BIN, ...args]).then((r) => r.stdout);
    helpCache.set(command, help);
  }
  return help;
}

/** The commands of `orrery --help` (its "Commands:" part). */
function commandsIn(help: string): string[] {
  const part = help.slice(help.indexOf('Commands:'), help.indexOf('Examples:'));
  return [...part.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1] as string);
}

const optionsIn = (help: string) => new Set([...help.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]));

describe('the commands and options the docs show', () => {
  const usages = USER_DOCS.flatMap(usagesIn);

  it('finds them (the docs do show commands)', () => {
    expect(usages.length).toBeGreaterThan(40);
  });

  it('exist in the CLI, each with the options the docs give it', async () => {
    const top = await helpOf('');
    const commands = new Set(commandsIn(top));
    const globals = optionsIn(top.slice(0, top.indexOf('Commands:')));
    const lies: string[] = [];
    for (const { doc, command, options } of usages) {
      const [name, sub] = command.split(' ');
      if (name && !commands.has(name)) {
        lies.push(`${doc}: orrery ${command}: no such command`);
        continue;
      }
      const help = await helpOf(command);
      if (sub && !help.startsWith(`Usage: orrery ${command}`)) {
        lies.push(`${doc}: orrery ${command}: no such command`);
        continue;
      }
      const known = new Set([...optionsIn(help), ...globals]);
      for (const option of options) {
        if (!known.has(option)) lies.push(`${doc}: orrery ${command} ${option}: no such option`);
      }
    }
    console.log(`docs: ${usages.length} orrery commands checked against --help`);
    expect([...new Set(lies)]).toEqual([]);
  }, 120_000);

  it('the README lists every command of the CLI', async () => {
    const top = await helpOf('');
    const commands = commandsIn(top).filter((c) => c !== 'help');
    const readme = new Set(usagesIn('README.md').map((u) => u.command.split(' ')[0]));
    expect(commands.filter((c) => !readme.has(c))).toEqual([]);
  });
});

// ---------------------------------------------------------------- planet.toml keys

interface ZodLike {
  _zod: { def: { type: string; innerType?: ZodLike; element?: ZodLike; shape?: object } };
}

/** The schema's keys as paths ('site.name', 'feeds.filters.include'); tables end their own path. */
function schemaKeys(schema: ZodLike, prefix = ''): string[] {
  const def = schema._zod.def;
  if (def.type === 'optional' && def.innerType) return schemaKeys(def.innerType, prefix);
  if (def.type === 'array' && def.element && def.element._zod.def.type === 'object') {
    return schemaKeys(def.element, prefix);
  }
  if (def.type !== 'object' || !def.shape) return [];
  const keys: string[] = [];
  for (const [key, value] of Object.entries(def.shape as Record<string, ZodLike>)) {
    const path = prefix ? `${prefix}.${key}` : key;
    keys.push(path, ...schemaKeys(value, path));
  }
  return keys;
}

/** The keys a TOML document sets, as schema paths (a table's own keys such as headers' left out). */
function tomlKeys(value: unknown, known: Set<string>, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => tomlKeys(v, known, prefix));
  if (typeof value !== 'object' || value === null) return [];
  const keys: string[] = [];
  for (const [key, inner] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    keys.push(path);
    // A table the schema takes as a whole (headers: free names) holds no schema keys.
    if (known.has(path) && !/\.headers$/.test(path)) keys.push(...tomlKeys(inner, known, path));
  }
  return keys;
}

/** The keys of docs/config.md's reference tables: `| \`key\` |` rows under `[table]` headings. */
function documentedKeys(markdown: string): string[] {
  const keys: string[] = [];
  let table: string | undefined;
  for (const line of markdown.split('\n')) {
    const heading = /^#{2,} `\[{1,2}([a-z.]+)\]{1,2}`/.exec(line);
    if (heading) {
      table = heading[1];
      keys.push(table as string);
      continue;
    }
    if (/^#{2,} /.test(line)) table = undefined;
    const row = /^\| `([a-z_]+)` \|/.exec(line);
    if (row && table) keys.push(`${table}.${row[1]}`);
  }
  return keys;
}

describe('the planet.toml keys of docs/config.md', () => {
  const schema = new Set(schemaKeys(planetTomlSchema as unknown as ZodLike));
  const configMd = read('docs/config.md');
  const documented = documentedKeys(configMd);

  it('reads the schema and the reference tables', () => {
    expect(schema.size).toBeGreaterThan(40);
    expect(documented.length).toBeGreaterThan(40);
  });

  it('documents every key of the schema', () => {
    expect([...schema].filter((k) => !documented.includes(k))).toEqual([]);
  });

  it('documents no key the schema lacks', () => {
    expect(documented.filter((k) => !schema.has(k))).toEqual([]);
  });

  it('shows only keys of the schema in its TOML examples (and the README and docs likewise)', () => {
    const lies: string[] = [];
    let blocks = 0;
    for (const doc of USER_DOCS) {
      for (const { lang, text } of codeOf(read(doc)).fenced) {
        if (lang !== 'toml') continue;
        blocks++;
        for (const key of tomlKeys(parseToml(text), schema)) {
          if (!schema.has(key)) lies.push(`${doc}: ${key}`);
        }
      }
    }
    console.log(
      `docs: ${schema.size} schema keys, ${documented.length} documented, ${blocks} TOML examples`,
    );
    expect(blocks).toBeGreaterThan(5);
    expect(lies).toEqual([]);
  });
});

// ---------------------------------------------------------------- exit codes

describe('the exit codes', () => {
  const codes = Object.values(EXIT)
    .map(Number)
    .sort((a, b) => a - b);

  it('in the README are the code table', () => {
    const paragraph = read('README.md')
      .split('\n\n')
      .find((p) => p.startsWith('Exit codes:'));
    expect(paragraph).toBeDefined();
    const named = [...(paragraph ?? '').matchAll(/`(\d+)`/g)].map((m) => Number(m[1]));
    expect(named).toEqual(codes);
  });

  it('in `orrery --help` are the code table', async () => {
    const help = await helpOf('');
    const part = help.slice(help.indexOf('Exit codes:'));
    const named = [...part.matchAll(/(?:^|, |: |\n)(\d+) [a-z]/g)].map((m) => Number(m[1]));
    expect(named).toEqual(codes);
  });
});

// ---------------------------------------------------------------- file paths and benches

const REPO_PATH = /^(?:\.\/)?((?:src|bench|test|docs|examples|themes|scripts|bin|\.ci)\/[\w./-]*)$/;

/** Where a path named in a document would be: one candidate per reading, undefined if none. */
function candidates(token: string): string[] | undefined {
  if (/[<>*{}$ ]|\.\.\./.test(token)) return undefined;
  // The demo's site is made by `npm run demo`, not kept in the repository.
  if (token.startsWith('examples/demo/public')) return undefined;
  const repo = REPO_PATH.exec(token)?.[1];
  if (repo) return [repo];
  const first = token.split('/')[0] as string;
  if (token.includes('/') && SRC_FOLDERS.includes(first) && /\.(ts|js)$|\/$/.test(token)) {
    return [`src/${token}`];
  }
  return undefined;
}

function namedPaths(doc: string): { path: string; options: string[] }[] {
  const markdown = read(doc);
  const out: { path: string; options: string[] }[] = [];
  for (const span of codeOf(markdown).spans) {
    const options = candidates(span.trim());
    if (options) out.push({ path: span, options });
  }
  for (const m of markdown.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = (m[1] as string).split('#')[0] as string;
    if (!target || /^[a-z]+:/.test(target)) continue;
    out.push({
      path: target,
      options: [relative(ROOT, resolve(dirname(join(ROOT, doc)), target))],
    });
  }
  return out;
}

describe('the files the docs name', () => {
  it('exist', () => {
    const missing: string[] = [];
    let checked = 0;
    for (const doc of ALL_DOCS) {
      for (const { path, options } of namedPaths(doc)) {
        checked++;
        if (!options.some((p) => existsSync(join(ROOT, p)))) missing.push(`${doc}: ${path}`);
      }
    }
    console.log(`docs: ${checked} named files checked`);
    expect(checked).toBeGreaterThan(100);
    expect([...new Set(missing)]).toEqual([]);
  });

  it('include every bench of bench/ in the README, and the README names no other', () => {
    const readme = read('README.md');
    const named = [...readme.matchAll(/bench\/([\w-]+\.js)/g)].map((m) => m[1] as string);
    const benches = readdirSync(join(ROOT, 'bench')).filter((f) => f.endsWith('-bench.js'));
    expect(named.filter((b) => !existsSync(join(ROOT, 'bench', b)))).toEqual([]);
    expect(benches.filter((b) => !named.includes(b))).toEqual([]);
  });
});

// ---------------------------------------------------------------- architecture.md's table

describe('the folder table of docs/architecture.md', () => {
  it('allows only the arrows the code has (a rule nothing uses is not an arrow)', () => {
    const rows = new Map<string, string[]>();
    for (const line of read('docs/architecture.md').split('\n')) {
      const cells = line.split('|').map((c) => c.trim());
      const folder = /^`([a-z-]+)\/`$/.exec(cells[1] ?? '')?.[1];
      if (!folder || cells.length < 5) continue;
      rows.set(
        folder,
        [...(cells[3] ?? '').matchAll(/`([a-z-]+)\/?`/g)].map((m) => m[1] as string),
      );
    }
    expect(rows.size).toBe(SRC_FOLDERS.length);
    const used = new Map<string, Set<string>>();
    for (const e of readdirSync(join(ROOT, 'src'), { recursive: true, withFileTypes: true })) {
      if (!e.isFile() || !e.name.endsWith('.ts') || e.parentPath.includes('testdata')) continue;
      const path = join(e.parentPath, e.name);
      const from = relative(join(ROOT, 'src'), path).split(/[\\/]/)[0] as string;
      const source = readFileSync(path, 'utf8');
      for (const m of source.matchAll(
        /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.[^'"]+)['"]/g,
      )) {
        const to = relative(join(ROOT, 'src'), resolve(dirname(path), m[1] as string)).split(
          /[\\/]/,
        )[0];
        if (to && to !== from && SRC_FOLDERS.includes(to)) {
          if (!used.has(from)) used.set(from, new Set());
          used.get(from)?.add(to);
        }
      }
    }
    const unused: string[] = [];
    for (const [from, allowed] of rows) {
      for (const to of allowed) if (!used.get(from)?.has(to)) unused.push(`${from} → ${to}`);
    }
    expect(unused).toEqual([]);
  });
});

// ---------------------------------------------------------------- the README's first command

describe("the README's quick start", () => {
  it('is `npm run demo`, and the demo runs: bundled feeds, no network, a site written', async () => {
    const first = /```sh\n([^\n]*)/.exec(read('README.md'))?.[1] ?? '';
    expect(first).toMatch(/^npm install && npm run demo\b/);
    const script = JSON.parse(read('package.json')).scripts.demo as string;
    // `npm run build` is this test's precondition; the rest is run as the README's reader runs it.
    expect(script).toBe('npm run build && node examples/demo/run-demo.js');
    await withTempDir(async (dir) => {
      await copyFile(join(ROOT, 'examples', 'demo', 'planet.toml'), join(dir, 'planet.toml'));
      const run = await exec(process.execPath, [
        join(ROOT, 'examples', 'demo', 'run-demo.js'),
        '--config',
        join(dir, 'planet.toml'),
      ]);
      expect(run.stderr).toMatch(/5 feeds: 5 fetched, 0 unchanged, 0 failed/);
      expect(run.stderr).toContain('demo: open ');
      const index = await readFile(join(dir, 'public', 'index.html'), 'utf8');
      expect(index).toContain('Orrery Demo Planet');
    });
  }, 120_000);
});

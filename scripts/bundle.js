#!/usr/bin/env node
// Bundles the CLI into dist/bundle/ (esbuild): one file per lazily loaded part instead of
// ~550 modules (262 of them Kysely's) resolved and compiled at every start. Start-up is most of
// a cron run that finds nothing new; see docs/decisions.md (CLI and composition root).
// `node scripts/bundle.js --meta` also writes dist/bundle/meta.json (esbuild's metafile: which
// package lands in which chunk), to check what a command loads at start.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Bundles src/cli/main.ts into `outdir` (replaced whole); tests bundle into a folder of their own.
 * The bundle is built in a folder beside `outdir` (same depth, so the source maps' relative paths
 * hold) and renamed into place: a test packing the package meanwhile (test/package.test.ts)
 * never sees a half-written bundle, only the old one, the new one or, between two renames, none.
 */
export async function bundleCli(outdir = join(root, 'dist/bundle'), { meta = false } = {}) {
  const staging = join(dirname(outdir), `.${basename(outdir)}-new-${process.pid}`);
  const old = join(dirname(outdir), `.${basename(outdir)}-old-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  try {
    await bundleInto(staging, meta);
    rmSync(old, { recursive: true, force: true });
    try {
      renameSync(outdir, old);
    } catch (error) {
      // No previous bundle: nothing to move aside.
      if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'ENOENT') throw error;
    }
    renameSync(staging, outdir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
  }
}

/**
 * @param {string} outdir
 * @param {boolean} meta
 */
async function bundleInto(outdir, meta) {
  const result = await build({
    metafile: meta,
    entryPoints: { main: join(root, 'src/cli/main.ts') },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Native addons and packages that find their own files at run time stay in node_modules, and
    // so do the parser's rarely needed packages, which src/parse loads on first use
    // (lazy-package.ts): legacy charsets, charset detection, h-feed pages. graphile-worker
    // (the queue of PostgreSQL planets) stays out too: loaded only by a PostgreSQL run.
    external: [
      'better-sqlite3',
      'pg',
      'pagefind',
      'undici',
      'playwright-core',
      'iconv-lite',
      'chardet',
      'microformats-parser',
      'graphile-worker',
    ],
    // CommonJS dependencies inside an ES module bundle still call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __orreryRequire } from 'node:module'; const require = __orreryRequire(import.meta.url);",
    },
    sourcemap: true,
    logLevel: 'warning',
    chunkNames: '[name]-[hash]',
  });
  if (result.metafile) writeFileSync(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await bundleCli(undefined, { meta: process.argv.includes('--meta') });
}

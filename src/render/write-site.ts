/**
 * Atomic publishing. A build writes into a temporary folder beside the output folder; files
 * whose bytes equal the previous site's are hard-linked from it (same inode, same mtime, so
 * rsync and CDNs see only real changes); commit() swaps the new tree in with two renames and
 * only then deletes the old one. A crash or kill before commit leaves the previous site whole;
 * the next build removes the dead build's leftovers.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  copyFile,
  link,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { listFiles } from './list-files.js';

export interface WriteReport {
  outputDir: string;
  /** Files written because they are new or changed (site paths). */
  written: string[];
  /** Files kept from the previous site, byte-identical (site paths). */
  unchanged: string[];
  /** Files of the previous site that the new one no longer has. */
  removed: number;
}

/** What a page file holds, as the next build needs to know it without reading it. */
export interface FileFacts {
  /** sha256 of the bytes (base64url). */
  hash: string;
  size: number;
}

export interface SiteWriter {
  /** The temporary folder being filled. */
  readonly tmpDir: string;
  /**
   * Add a file at a site path ('archive/2012/02/06/index.html'). Each path once. `inputHash`
   * names what the file was made from, so the next build can skip making it again.
   */
  write(path: string, content: string | Uint8Array, inputHash?: string): Promise<FileFacts>;
  /**
   * Keep the previous build's file if it was made from the same input (same hash) and is
   * still there: its facts when kept (the caller then need not render it), else undefined.
   */
  reuse(path: string, inputHash: string): Promise<FileFacts | undefined>;
  /**
   * Take in a file another program already put at this path inside tmpDir (Pagefind writes its
   * bundle there itself), as if it had been written with write().
   */
  adopt(path: string, inputHash?: string): Promise<FileFacts>;
  /**
   * Keep every previous file under a folder ('pagefind/') if all were made from this input:
   * true when kept.
   */
  reuseAll(prefix: string, inputHash: string): Promise<boolean>;
  /** Swap the new tree in place of the old one. */
  commit(): Promise<WriteReport>;
  /** Drop the temporary folder (after a failed build). */
  abort(): Promise<void>;
}

const PREFIX = '.orrery-tmp-';
/** Inside the site: which input each file was made from, and its bytes' hash and size. */
export const MANIFEST = '.orrery-pages.json';
/** Version 1 had no byte hashes: its site is rebuilt once (every page rendered, not rewritten). */
const MANIFEST_VERSION = 2;

/** A manifest line: [input hash, bytes hash, size]. */
type ManifestEntry = [input: string, hash: string, size: number];

async function readManifest(
  outputDir: string,
  log: (line: string) => void,
): Promise<Map<string, ManifestEntry>> {
  try {
    const doc = JSON.parse(await readFile(join(outputDir, MANIFEST), 'utf8')) as {
      version?: number;
      pages?: Record<string, ManifestEntry>;
    };
    return doc.version === MANIFEST_VERSION && doc.pages
      ? new Map(Object.entries(doc.pages))
      : new Map();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT')
      log(`render: ignoring an unreadable ${MANIFEST}: ${(error as Error).message}`);
    return new Map();
  }
}

/** Temporary folders of builds running in this process (a container's pid is often 1 every run). */
const active = new Set<string>();

function isAlive(pid: number): boolean {
  // Our own pid: alive only for the folders this process is using (checked by the caller).
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * Remove leftovers of builds whose process is gone, and if a build died between its two
 * renames (output folder missing, its old tree parked), put the old tree back.
 */
async function recover(outputDir: string, log: (line: string) => void): Promise<void> {
  const parent = dirname(outputDir);
  const base = basename(outputDir);
  let names: string[];
  try {
    names = await readdir(parent);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const ours = names
    .filter((n) => n.startsWith(`${PREFIX}${base}.`))
    .map((n) => {
      const [pid, , kind] = n.slice(PREFIX.length + base.length + 1).split('.');
      return { name: n, pid: Number(pid), kind };
    })
    .filter((x) => Number.isInteger(x.pid) && !isAlive(x.pid) && !active.has(join(parent, x.name)));
  const outputMissing = !(await exists(outputDir));
  for (const x of ours) {
    const path = join(parent, x.name);
    if (x.kind === 'old' && outputMissing) {
      log(`render: restoring the previous site from ${x.name}`);
      await rename(path, outputDir);
      continue;
    }
    log(`render: removing ${x.name} left by an interrupted build`);
    await rm(path, { recursive: true, force: true });
  }
}

async function listTree(dir: string): Promise<Set<string>> {
  try {
    return new Set(await listFiles(dir));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return new Set();
  }
}

function checkPath(path: string): void {
  if (
    path === '' ||
    path.startsWith('/') ||
    path.includes('\\') ||
    path.split('/').some((p) => p === '' || p === '.' || p === '..')
  ) {
    throw new Error(`render/write-site: bad site path ${JSON.stringify(path)}`);
  }
}

/** Start a build of the site in `outputDir` (created if missing). */
export async function openSiteWriter(
  outputDir: string,
  options: { log?: (line: string) => void } = {},
): Promise<SiteWriter> {
  const log = options.log ?? (() => {});
  const parent = dirname(outputDir);
  const base = basename(outputDir);
  await mkdir(parent, { recursive: true });
  await recover(outputDir, log);
  const tag = `${PREFIX}${base}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const tmpDir = join(parent, `${tag}.new`);
  const oldDir = join(parent, `${tag}.old`);
  await mkdir(tmpDir);
  active.add(tmpDir);
  active.add(oldDir);
  const previousInputs = await readManifest(outputDir, log);
  const inputs = new Map<string, ManifestEntry>();
  const made = new Set<string>([tmpDir]);
  const seen = new Set<string>();
  const written: string[] = [];
  const unchanged: string[] = [];
  let linkWorks = true;

  async function ensureDir(dir: string): Promise<void> {
    if (made.has(dir)) return;
    await mkdir(dir, { recursive: true });
    for (let d = dir; d.length > tmpDir.length && !made.has(d); d = dirname(d)) made.add(d);
  }

  async function keepOld(previous: string, target: string): Promise<void> {
    if (linkWorks) {
      try {
        await link(previous, target);
        return;
      } catch (error) {
        // Some file systems (and some containers) refuse hard links: copy and keep the mtime.
        log(`render: hard links unavailable (${(error as Error).message}); copying instead`);
        linkWorks = false;
      }
    }
    await copyFile(previous, target);
    const s = await stat(previous);
    await utimes(target, s.atime, s.mtime);
  }

  /** Record a new file's bytes; keep the previous file instead when they are the same. */
  async function place(
    path: string,
    bytes: Buffer,
    inputHash: string | undefined,
    inTree: boolean,
  ): Promise<FileFacts> {
    checkPath(path);
    if (seen.has(path)) throw new Error(`render/write-site: ${path} written twice in one build`);
    seen.add(path);
    const facts = {
      hash: createHash('sha256').update(bytes).digest('base64url'),
      size: bytes.length,
    };
    if (inputHash !== undefined) inputs.set(path, [inputHash, facts.hash, facts.size]);
    const target = join(tmpDir, path);
    if (!inTree) await ensureDir(dirname(target));
    const previous = join(outputDir, path);
    // The previous manifest says whether the old file can be equal; reading it tells for sure.
    const known = previousInputs.get(path);
    const maybeSame = known === undefined || (known[1] === facts.hash && known[2] === facts.size);
    try {
      const s = maybeSame ? await stat(previous) : undefined;
      if (s?.isFile() && s.size === bytes.length && (await readFile(previous)).equals(bytes)) {
        if (inTree) await rm(target);
        await keepOld(previous, target);
        unchanged.push(path);
        return facts;
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (!inTree) await writeFile(target, bytes);
    written.push(path);
    return facts;
  }

  const writer: SiteWriter = {
    tmpDir,
    async reuse(path, inputHash) {
      checkPath(path);
      const entry = previousInputs.get(path);
      if (seen.has(path) || entry?.[0] !== inputHash) return undefined;
      const previous = join(outputDir, path);
      const target = join(tmpDir, path);
      try {
        await ensureDir(dirname(target));
        await keepOld(previous, target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      seen.add(path);
      inputs.set(path, entry);
      unchanged.push(path);
      return { hash: entry[1], size: entry[2] };
    },
    async reuseAll(prefix, inputHash) {
      const paths = [...previousInputs].filter(([p]) => p.startsWith(prefix));
      if (paths.length === 0 || paths.some(([, [h]]) => h !== inputHash)) return false;
      for (const [p] of paths) {
        if (seen.has(p) || !(await exists(join(outputDir, p)))) return false;
      }
      for (const [p] of paths) {
        if (!(await writer.reuse(p, inputHash))) {
          throw new Error(`render/write-site: ${p} vanished while it was being kept`);
        }
      }
      return true;
    },
    async write(path, content, inputHash) {
      const bytes =
        typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
      return place(path, bytes, inputHash, false);
    },
    async adopt(path, inputHash) {
      return place(path, await readFile(join(tmpDir, path)), inputHash, true);
    },
    async commit() {
      await writeFile(
        join(tmpDir, MANIFEST),
        JSON.stringify({
          version: MANIFEST_VERSION,
          pages: Object.fromEntries([...inputs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
        }),
      );
      const before = await listTree(outputDir);
      let removed = 0;
      for (const p of before) if (!seen.has(p) && p !== MANIFEST) removed++;
      const hadOld = await exists(outputDir);
      if (hadOld) await rename(outputDir, oldDir);
      await rename(tmpDir, outputDir);
      if (hadOld) await rm(oldDir, { recursive: true, force: true });
      active.delete(tmpDir);
      active.delete(oldDir);
      return { outputDir, written, unchanged, removed };
    },
    async abort() {
      await rm(tmpDir, { recursive: true, force: true });
      active.delete(tmpDir);
      active.delete(oldDir);
    },
  };
  return writer;
}

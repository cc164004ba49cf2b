/**
 * Atomic, incremental publishing into the output folder itself (docs/decisions/render.md,
 * "Publishing"). A build writes only the files whose bytes changed, into a stage folder inside
 * the site's `.orrery/` folder (same file system, so every later move is a rename). Its commit
 * point is the journal: `.orrery/journal.json`, written beside and renamed into place, lists
 * the staged files to move and the old ones to delete. Then the moves happen (new files first,
 * so no page links to a file not there yet), the deletions, and last the switch of
 * `.orrery/state.json`, which describes the published tree (each file's hash and the inputs it
 * was made from) for the next build. A build killed before the journal leaves the previous
 * site whole; one killed after it is finished by the next build, which replays the journal
 * before anything else. Unchanged files are never touched: same inode, same mtime.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  mkdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { OrreryError } from '../model/errors.js';
import { listFiles } from './list-files.js';

/** Orrery's own folder inside the site: state, journal, stage folders. */
export const META_DIR = '.orrery';
const STATE = 'state.json';
const JOURNAL = 'journal.json';
const STAGE_PREFIX = 'stage-';
/** Inside a stage folder: the state to switch in last. */
const STAGED_STATE = '.state.json';
const STATE_VERSION = 4;
/** Folders of an older Orrery's builds beside the output folder (whole-tree swaps). */
const LEGACY_PREFIX = '.orrery-tmp-';

/** A published file: [sha256 of its bytes (base64url), size]. */
export type FileFacts = [hash: string, size: number];

/** A job (a group of files made together, e.g. a day's page and feeds) as published. */
export interface PublishedJob {
  /** The key of the inputs its files were made from. */
  key: string;
  /** Site path → facts. */
  files: Record<string, FileFacts>;
}

/** What a published site is, as the next build reads it. */
export interface SiteState {
  version: typeof STATE_VERSION;
  /** What every page was made from (Orrery version, settings, theme). */
  config: string;
  jobs: Record<string, PublishedJob>;
}

export interface PublishReport {
  outputDir: string;
  /** Site paths written (new or changed). */
  written: string[];
  /** Site paths deleted. */
  removed: string[];
  /** Files in the site. */
  files: number;
}

/** The output folder cannot be written: which folder, why, what to do (exit code 7; full: 6). */
export class SiteWriteError extends OrreryError {
  readonly path: string;
  constructor(path: string, cause: NodeJS.ErrnoException) {
    const tooLarge = cause.code === 'EFBIG';
    const full = tooLarge || cause.code === 'ENOSPC' || cause.code === 'EDQUOT';
    const file = cause.path ? ` (writing ${cause.path})` : '';
    const what = tooLarge
      ? `a file reached the largest size this process may write${file}; raise the limit (ulimit -f unlimited, or LimitFSIZE= in a systemd unit)`
      : full
        ? `the disk (or your quota) is full${file}; free some space`
        : `${cause.code === 'EROFS' ? 'it is on a read-only file system' : 'permission denied'}; make it writable for this user (e.g. chown -R "$USER" ${path}) or set site.output_dir in planet.toml to a folder you can write`;
    super(
      full ? 'site-disk-full' : 'site-unwritable',
      `render: cannot write the site folder ${path}: ${what}. The published site was left as it was.`,
      { cause },
    );
    this.name = 'SiteWriteError';
    this.path = path;
  }
}

const WRITE_ERRORS = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'EFBIG']);

/** Errors no write can avoid, wherever in a build they are met: the disk or the file is full. */
const FULL_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

/**
 * A build's error as the user should meet it: a full disk or a file at its size limit met by
 * any write of the build (pages, search records spilled to the stage ...) becomes a
 * SiteWriteError about `outputDir` (exit 6); other errors are returned as they are.
 */
export function siteFailure(outputDir: string, error: unknown): unknown {
  const code = errno(error);
  if (code && FULL_ERRORS.has(code))
    return new SiteWriteError(outputDir, error as NodeJS.ErrnoException);
  return error;
}

/** Runs fs work, turning "cannot write here" errors into a SiteWriteError about `outputDir`. */
async function writing<T>(outputDir: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code && WRITE_ERRORS.has(code)) {
      throw new SiteWriteError(outputDir, error as NodeJS.ErrnoException);
    }
    throw error;
  }
}

function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (errno(error) === 'ENOENT') return false;
    throw error;
  }
}

function isAlive(pid: number): boolean {
  // Our own pid: alive only for the folders this process is using (checked by the caller).
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return errno(error) === 'EPERM';
  }
}

/** Stage folders of builds running in this process (a container's pid is often 1 every run). */
const activeStages = new Set<string>();
/** One publish at a time per output folder in this process (other processes: the store lock). */
const busy = new Map<string, Promise<void>>();

export function checkPath(path: string): void {
  if (
    path === '' ||
    path.startsWith('/') ||
    path.includes('\\') ||
    path.split('/').some((p) => p === '' || p === '.' || p === '..') ||
    path.split('/')[0] === META_DIR
  ) {
    throw new Error(`render/publish: bad site path ${JSON.stringify(path)}`);
  }
}

interface Journal {
  stage: string;
  moves: string[];
  removes: string[];
}

/** Finish a committed publish: moves, deletions, the state; idempotent (replayed after a kill). */
async function applyJournal(outputDir: string, journal: Journal): Promise<void> {
  const meta = join(outputDir, META_DIR);
  const stage = join(meta, journal.stage);
  const made = new Set<string>();
  for (const path of journal.moves) {
    const target = join(outputDir, path);
    const dir = dirname(target);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    try {
      renameSync(join(stage, path), target);
    } catch (error) {
      // Moved before the interruption: nothing left to do for it.
      if (errno(error) !== 'ENOENT') throw error;
    }
  }
  for (const path of journal.removes) {
    try {
      unlinkSync(join(outputDir, path));
    } catch (error) {
      if (errno(error) !== 'ENOENT') throw error;
    }
    pruneEmpty(outputDir, dirname(path));
  }
  try {
    await rename(join(stage, STAGED_STATE), join(meta, STATE));
  } catch (error) {
    if (errno(error) !== 'ENOENT') throw error;
  }
  await rm(join(meta, JOURNAL), { force: true });
  await rm(stage, { recursive: true, force: true });
}

/** Remove a folder left empty by deletions, and its parents up to the site root. */
function pruneEmpty(outputDir: string, dir: string): void {
  for (let d = dir; d !== '.' && d !== ''; d = dirname(d)) {
    try {
      rmdirSync(join(outputDir, d));
    } catch (error) {
      // Not empty (or already gone): the folders above it are not empty either.
      if (errno(error) === 'ENOTEMPTY' || errno(error) === 'EEXIST' || errno(error) === 'ENOENT')
        return;
      throw error;
    }
  }
}

/**
 * Make the output folder whole before a build: finish a publish that was killed after its
 * commit point, drop the stage folders of dead builds, and clean up after an older Orrery
 * (which swapped whole trees in from beside the output folder).
 */
async function recover(outputDir: string, log: (line: string) => void): Promise<void> {
  await recoverLegacy(outputDir, log);
  const meta = join(outputDir, META_DIR);
  let names: string[];
  try {
    names = await readdir(meta);
  } catch (error) {
    if (errno(error) === 'ENOENT') return;
    throw error;
  }
  if (names.includes(JOURNAL)) {
    let journal: Journal | undefined;
    try {
      journal = JSON.parse(await readFile(join(meta, JOURNAL), 'utf8')) as Journal;
    } catch (error) {
      log(
        `render: the journal of an interrupted publish is unreadable (${(error as Error).message}); building the whole site`,
      );
    }
    if (journal && Array.isArray(journal.moves) && Array.isArray(journal.removes)) {
      log(`render: finishing the publish of an interrupted build (${journal.moves.length} files)`);
      await applyJournal(outputDir, journal);
    } else {
      // Without its journal the state may not describe the tree: forget it (full build).
      await rm(join(meta, STATE), { force: true });
      await rm(join(meta, JOURNAL), { force: true });
    }
  }
  for (const name of await readdir(meta)) {
    if (name.endsWith('.tmp')) await rm(join(meta, name), { force: true });
    if (!name.startsWith(STAGE_PREFIX)) continue;
    const pid = Number(name.slice(STAGE_PREFIX.length).split('-')[0]);
    const path = join(meta, name);
    if (activeStages.has(path) || (Number.isInteger(pid) && isAlive(pid))) continue;
    log(`render: removing ${META_DIR}/${name} left by an interrupted build`);
    await rm(path, { recursive: true, force: true });
  }
}

/** An older Orrery built `.orrery-tmp-<name>.<pid>.<rand>.{new,old}` beside the output folder. */
async function recoverLegacy(outputDir: string, log: (line: string) => void): Promise<void> {
  const parent = dirname(outputDir);
  const base = basename(outputDir);
  let names: string[];
  try {
    names = await readdir(parent);
  } catch (error) {
    if (errno(error) === 'ENOENT') return;
    throw error;
  }
  const outputMissing = !(await exists(outputDir));
  for (const name of names) {
    if (!name.startsWith(`${LEGACY_PREFIX}${base}.`)) continue;
    const [pid, , kind] = name.slice(LEGACY_PREFIX.length + base.length + 1).split('.');
    const path = join(parent, name);
    if (!Number.isInteger(Number(pid)) || isAlive(Number(pid)) || activeStages.has(path)) continue;
    if (kind === 'old' && outputMissing) {
      log(`render: restoring the previous site from ${name}`);
      await rename(path, outputDir);
      continue;
    }
    log(`render: removing ${name} left by an interrupted build`);
    await rm(path, { recursive: true, force: true });
  }
}

async function readState(
  outputDir: string,
  log: (line: string) => void,
): Promise<SiteState | undefined> {
  try {
    const doc = JSON.parse(await readFile(join(outputDir, META_DIR, STATE), 'utf8')) as SiteState;
    if (doc.version === STATE_VERSION && doc.jobs) return doc;
    log(`render: ${META_DIR}/${STATE} is from another version; building the whole site`);
  } catch (error) {
    if (errno(error) !== 'ENOENT') {
      log(`render: ignoring an unreadable ${META_DIR}/${STATE}: ${(error as Error).message}`);
    }
  }
  return undefined;
}

export interface Publisher {
  readonly outputDir: string;
  /** The published site's state; undefined when there is none to trust (build everything). */
  readonly previous: SiteState | undefined;
  /** Where files of this build wait (another program may write into it; see adopt). */
  readonly stageDir: string;
  /** A folder for the build's own temporary files (created by whoever needs it; never published). */
  readonly scratchDir: string;
  /** Add a file made by `job`; bytes equal to the published file's leave that file as it is. */
  put(job: string, path: string, content: string | Uint8Array): Promise<void>;
  /** Take in a file another program put at `path` under stageDir, as put() would. */
  adopt(job: string, path: string): Promise<void>;
  /** Keep the files `job` made in the previous build (it was not made again). */
  keep(job: string): void;
  /** Publish atomically; `keys` names every job of the new site and the key of its inputs. */
  commit(config: string, keys: Record<string, string>): Promise<PublishReport>;
  /** Drop this build's staged files; the published site stays as it was. */
  abort(): Promise<void>;
}

/** Start publishing into `outputDir` (created if missing), after making it whole again. */
export async function openPublisher(
  outputDir: string,
  options: { log?: (line: string) => void } = {},
): Promise<Publisher> {
  const log = options.log ?? (() => {});
  const before = busy.get(outputDir);
  let release!: () => void;
  const mine = new Promise<void>((resolve) => {
    release = resolve;
  });
  const turn = (before ?? Promise.resolve()).then(() => mine);
  busy.set(outputDir, turn);
  void turn.then(() => {
    if (busy.get(outputDir) === turn) busy.delete(outputDir);
  });
  await before;
  try {
    return await writing(outputDir, () => open(outputDir, log, release));
  } catch (error) {
    release();
    throw error;
  }
}

async function open(
  outputDir: string,
  log: (line: string) => void,
  release: () => void,
): Promise<Publisher> {
  await recover(outputDir, log);
  const hadSite = await exists(outputDir);
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  let stageDir: string;
  if (hadSite) {
    const meta = join(outputDir, META_DIR);
    await mkdir(meta, { recursive: true });
    // Files are moved into the folder itself at the end: find out now that it cannot be
    // written, before any page is made (and whatever our own .orrery/ allows).
    const probe = join(outputDir, `.orrery-probe-${process.pid}`);
    await writeFile(probe, '');
    await unlink(probe);
    stageDir = join(meta, `${STAGE_PREFIX}${tag}`);
    await mkdir(stageDir);
  } else {
    // No site yet: the whole tree is made beside it and renamed into place at once (named as
    // an older Orrery named its trees, so a killed build's is cleaned up the same way).
    await mkdir(dirname(outputDir), { recursive: true });
    stageDir = join(
      dirname(outputDir),
      `${LEGACY_PREFIX}${basename(outputDir)}.${process.pid}.${randomBytes(4).toString('hex')}.new`,
    );
    await mkdir(join(stageDir, META_DIR), { recursive: true });
  }
  const previous = hadSite ? await readState(outputDir, log) : undefined;
  // A site from an older Orrery (or made by hand) has no state: compare with its files.
  const legacy = !previous && hadSite;
  const scratchDir = join(stageDir, META_DIR, 'scratch');
  activeStages.add(stageDir);

  /** Jobs made in this build: their files. */
  const made = new Map<string, Record<string, FileFacts>>();
  const kept = new Set<string>();
  const paths = new Set<string>();
  const staged = new Set<string>();
  const dirs = new Set<string>([stageDir]);
  // Synchronous file calls here and in applyJournal: thousands of small files, and each
  // promise through libuv's thread pool cost more than the write itself.
  const stageFor = (path: string) => {
    const target = join(stageDir, path);
    const dir = dirname(target);
    if (!dirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      dirs.add(dir);
    }
    return target;
  };
  let finished = false;
  const finish = () => {
    finished = true;
    activeStages.delete(stageDir);
    release();
  };

  /** Whether the published file at `path` already has these bytes. */
  const isPublished = async (job: string, path: string, hash: string, bytes: Buffer) => {
    // A file stays with its job from build to build (its path names the day, the part ...).
    const known = previous?.jobs[job]?.files[path];
    if (known) return known[0] === hash && known[1] === bytes.length;
    if (!legacy) return false;
    try {
      const s = statSync(join(outputDir, path));
      return (
        s.isFile() && s.size === bytes.length && readFileSync(join(outputDir, path)).equals(bytes)
      );
    } catch (error) {
      if (errno(error) === 'ENOENT' || errno(error) === 'ENOTDIR') return false;
      throw error;
    }
  };

  const record = async (job: string, path: string, bytes: Buffer, inStage: boolean) => {
    checkPath(path);
    if (paths.has(path)) throw new Error(`render/publish: ${path} written twice in one build`);
    paths.add(path);
    const hash = createHash('sha256').update(bytes).digest('base64url');
    let files = made.get(job);
    if (!files) made.set(job, (files = {}));
    files[path] = [hash, bytes.length];
    if (await isPublished(job, path, hash, bytes)) {
      if (inStage) unlinkSync(join(stageDir, path));
      return;
    }
    if (!inStage) writeFileSync(stageFor(path), bytes);
    staged.add(path);
  };

  return {
    outputDir,
    previous,
    stageDir,
    scratchDir,
    put: (job, path, content) =>
      writing(outputDir, () =>
        record(
          job,
          path,
          typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content),
          false,
        ),
      ),
    adopt: (job, path) =>
      writing(outputDir, async () => record(job, path, readFileSync(join(stageDir, path)), true)),
    keep(job) {
      if (!previous?.jobs[job]) throw new Error(`render/publish: no published job ${job} to keep`);
      kept.add(job);
    },
    async commit(config, keys) {
      if (finished) throw new Error('render/publish: commit after the publish ended');
      try {
        return await writing(outputDir, async () => {
          const jobs: Record<string, PublishedJob> = {};
          let count = 0;
          for (const [job, key] of Object.entries(keys).sort(([a], [b]) => (a < b ? -1 : 1))) {
            const keptFiles = kept.has(job) ? previous?.jobs[job]?.files : undefined;
            const files = keptFiles ?? sortKeys(made.get(job) ?? {});
            jobs[job] = { key, files };
            count += Object.keys(files).length;
          }
          // Files of jobs made again or gone that the new site does not have.
          const removes: string[] = [];
          if (previous) {
            for (const [job, old] of Object.entries(previous.jobs)) {
              if (kept.has(job)) continue;
              for (const path of Object.keys(old.files)) if (!paths.has(path)) removes.push(path);
            }
          } else if (legacy) {
            for (const path of await listFiles(outputDir)) {
              if (path.split('/')[0] !== META_DIR && !paths.has(path)) removes.push(path);
            }
          }
          const report = { outputDir, written: [...staged], removed: removes, files: count };
          await rm(scratchDir, { recursive: true, force: true });
          if (!hadSite) {
            // The first build: one rename publishes the whole tree.
            const state: SiteState = { version: STATE_VERSION, config, jobs };
            await writeFile(join(stageDir, META_DIR, STATE), JSON.stringify(state));
            await rename(stageDir, outputDir);
            return report;
          }
          if (staged.size === 0 && removes.length === 0 && sameJobs(previous, config, jobs)) {
            await rm(stageDir, { recursive: true, force: true });
            return report;
          }
          const state: SiteState = { version: STATE_VERSION, config, jobs };
          await writeFile(join(stageDir, STAGED_STATE), JSON.stringify(state));
          // New files first, then changed ones: a page never links to a file not there yet.
          const isNew = (path: string) => !existing(previous, path);
          const moves = [...staged].sort((a, b) => Number(isNew(b)) - Number(isNew(a)));
          const journal: Journal = { stage: basename(stageDir), moves, removes };
          const tmp = join(outputDir, META_DIR, `${JOURNAL}.tmp`);
          await writeFile(tmp, JSON.stringify(journal));
          // The commit point: from here on the next build finishes this publish.
          await rename(tmp, join(outputDir, META_DIR, JOURNAL));
          await applyJournal(outputDir, journal);
          return report;
        });
      } finally {
        finish();
      }
    },
    async abort() {
      if (finished) return;
      try {
        await rm(stageDir, { recursive: true, force: true });
      } finally {
        finish();
      }
    },
  };
}

/** Whether the previous site has this path (a lookup built once, when files move). */
const pathIndex = new WeakMap<SiteState, Set<string>>();
function existing(previous: SiteState | undefined, path: string): boolean {
  if (!previous) return false;
  let index = pathIndex.get(previous);
  if (!index) {
    index = new Set();
    for (const job of Object.values(previous.jobs))
      for (const p of Object.keys(job.files)) index.add(p);
    pathIndex.set(previous, index);
  }
  return index.has(path);
}

/** Whether a build's jobs are the published ones (then not even the record is written again). */
function sameJobs(
  previous: SiteState | undefined,
  config: string,
  jobs: Record<string, PublishedJob>,
): boolean {
  if (!previous || previous.config !== config) return false;
  if (Object.keys(jobs).length !== Object.keys(previous.jobs).length) return false;
  for (const [name, now] of Object.entries(jobs)) {
    const old = previous.jobs[name];
    if (!old || old.key !== now.key) return false;
    if (old.files === now.files) continue;
    if (Object.keys(now.files).length !== Object.keys(old.files).length) return false;
    for (const [path, a] of Object.entries(now.files)) {
      const b = old.files[path];
      if (!b || a[0] !== b[0] || a[1] !== b[1]) return false;
    }
  }
  return true;
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(
    Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

/**
 * Read-modify-write of planet.toml that never loses an edit. Every Orrery process that edits the
 * file (the CLI's add/remove/import and `orrery serve`'s admin API) takes the same lock
 * (proper-lockfile: a `planet.toml.lock` folder, stale after 10 s if its holder died). Writers that
 * take no lock (a text editor) are caught by a compare-and-swap: when the file changed between
 * the read and the rename, the edit is made again on the new text. The new text is validated
 * before it replaces the file, and it replaces it by a rename: a crash leaves the old or the new
 * file, never half of one.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import lockfile from 'proper-lockfile';
import { ConfigError } from './config-error.js';
import { parseConfig } from './schema.js';

// proper-lockfile loads signal-exit, which on a signal nobody else listens to re-raises it with
// its default action. Node ignores SIGXFSZ so that a write past `ulimit -f` fails with EFBIG
// (the store names the file and the limit); re-raised, it would kill the process instead.
// A listener of our own keeps it ignored.
process.on('SIGXFSZ', () => {});

export interface LockedEditOptions {
  /** Throws (a ConfigError) when the edited text would not load. */
  validate: (text: string) => void;
  /** How long to wait for another process's edit (default 10 s). */
  waitMs?: number;
}

export interface LockedEdit<T> {
  /** The new text; the same text means nothing to write. */
  text: string;
  /** Whatever the edit wants to tell its caller (e.g. the feed it removed). */
  value: T;
}

/** How often an edit is made again because the file changed under it (then it gives up). */
const MAX_ATTEMPTS = 5;

/**
 * Apply `edit` to the current text of the config at `path`, under the edit lock. `edit` may throw
 * (e.g. a ConfigError: already subscribed); nothing is written then.
 */
export async function editConfigLocked<T>(
  path: string,
  edit: (text: string) => LockedEdit<T>,
  options: LockedEditOptions,
): Promise<{ changed: boolean; value: T }> {
  let compromised: Error | undefined;
  const release = await takeLock(path, options.waitMs ?? 10_000, (error) => {
    compromised = error;
  });
  try {
    for (let attempt = 1; ; attempt++) {
      const before = await readFile(path, 'utf8');
      const result = edit(before);
      if (result.text === before) return { changed: false, value: result.value };
      options.validate(result.text);
      if (compromised) throw lockLost(path, compromised);
      // Compare-and-swap against writers that do not take the lock (an editor saving the file).
      if ((await readFile(path, 'utf8')) !== before) {
        if (attempt < MAX_ATTEMPTS) continue;
        throw new ConfigError(
          `config: ${path} keeps changing while Orrery edits it; nothing changed, try again`,
          { file: path },
        );
      }
      await writeFileAtomically(path, result.text);
      return { changed: true, value: result.value };
    }
  } finally {
    await release();
  }
}

/**
 * editConfigLocked for planet.toml itself: the edited text must load where the file lives (paths
 * included) before it replaces the file.
 */
export function editPlanetFile<T>(
  configPath: string,
  edit: (text: string) => LockedEdit<T>,
  options: { version?: string; waitMs?: number } = {},
): Promise<{ changed: boolean; value: T }> {
  const validate = (text: string) => {
    try {
      parseConfig(text, { configPath, file: configPath, version: options.version ?? '0.0.0' });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      throw new ConfigError(`the edited config would not load, nothing changed: ${error.message}`, {
        file: configPath,
        cause: error,
      });
    }
  };
  return editConfigLocked(configPath, edit, {
    validate,
    ...(options.waitMs !== undefined ? { waitMs: options.waitMs } : {}),
  });
}

async function takeLock(
  path: string,
  waitMs: number,
  onCompromised: (error: Error) => void,
): Promise<() => Promise<void>> {
  try {
    return await lockfile.lock(path, {
      realpath: false,
      stale: 10_000,
      retries: { retries: Math.max(1, Math.ceil(waitMs / 100)), minTimeout: 50, maxTimeout: 100 },
      onCompromised,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new ConfigError(
        `config: ${path} is being edited by another Orrery process (lock ${basename(path)}.lock); try again`,
        { file: path, cause: error },
      );
    }
    throw error;
  }
}

function lockLost(path: string, cause: Error): ConfigError {
  return new ConfigError(
    `config: the edit lock of ${path} was lost (${cause.message}); nothing changed, try again`,
    { file: path, cause },
  );
}

/**
 * Replace a file so that a crash leaves either the old or the new content: write a temporary file
 * beside it (flushed to disk), then rename it over the original. A symbolic link is followed (the
 * file it points to is replaced, the link stays), and the file keeps its permissions and, where
 * allowed, its owner: a planet.toml holding a token may well be readable by its owner only.
 */
export async function writeFileAtomically(path: string, content: string): Promise<void> {
  const target = await realpath(path).catch(() => path);
  const before = await stat(target).catch(() => undefined);
  const temp = join(dirname(target), `.orrery-tmp-${randomBytes(6).toString('hex')}.toml`);
  const handle = await open(temp, 'wx', before ? before.mode & 0o777 : 0o644);
  try {
    await handle.writeFile(content);
    await handle.sync();
    if (before) {
      // open's mode is reduced by the umask: set it exactly.
      await handle.chmod(before.mode & 0o777);
      // Only root may give a file away; for anyone else the owner is already right.
      await handle.chown(before.uid, before.gid).catch(() => undefined);
    }
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

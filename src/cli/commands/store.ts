/** store copy: move a planet's store to another database (SQLite ↔ PostgreSQL), verified. */

import { copyStore } from '../../store/copy/copy-store.js';
import type { StoreHandle } from '../../store/kysely/kysely-store.js';
import {
  describeStoreLocation,
  openStoreHandle,
  parseStoreLocation,
  storeMayExist,
} from '../../store/open-store.js';
import type { StoreLock } from '../../store/store.js';
import { type CliDeps, type GlobalOptions, loadPlanet, storeLocation } from '../context.js';
import { CliError, EXIT, type ExitCode } from '../exit-codes.js';

export interface StoreCopyOptions extends GlobalOptions {
  /** The target: a postgres:// URL or a SQLite file path. */
  to: string;
  /** The source, when not the config's store. */
  from?: string;
  /** Seconds to wait for a run holding either store. */
  wait?: string;
}

export async function runStoreCopy(options: StoreCopyOptions, deps: CliDeps): Promise<ExitCode> {
  const config = await loadPlanet(options, deps);
  const source = options.from ? parseStoreLocation(options.from, deps.cwd) : storeLocation(config);
  const target = parseStoreLocation(options.to, deps.cwd);
  if (!storeMayExist(source)) {
    throw new CliError(`no store at ${describeStoreLocation(source)} to copy`, EXIT.usage);
  }
  const waitMs = Math.max(0, Number(options.wait ?? 0) * 1000) || 0;
  const opened: StoreHandle[] = [];
  const locks: StoreLock[] = [];
  try {
    for (const location of [source, target]) {
      const handle = await openStoreHandle(location);
      opened.push(handle);
      locks.push(
        await handle.store
          .acquireLock({ owner: `orrery store copy (pid ${process.pid})`, waitMs })
          .catch((error: unknown) => {
            if ((error as { code?: string }).code === 'store-locked') {
              throw new CliError((error as Error).message, EXIT.locked);
            }
            throw error;
          }),
      );
    }
    const [from, to] = opened as [StoreHandle, StoreHandle];
    deps.reporter.info(`copying ${from.label} -> ${to.label}`);
    let lastTable = '';
    const report = await copyStore(from, to, {
      onProgress: (table, done, total) => {
        if (table !== lastTable) deps.reporter.debug(`${table}: ${total} rows`);
        lastTable = table;
        deps.reporter.debug(`${table}: ${done}/${total}`);
      },
    });
    if (report.resumed) deps.reporter.info('(an earlier, unfinished copy was taken up again)');
    for (const t of report.tables) {
      deps.reporter.out(
        `${t.table}: ${t.rows} rows (${t.written} written), sha256 ${t.digest.slice(0, 16)} on both`,
      );
    }
    deps.reporter.out(
      `copied and verified: ${to.label}. Point [store] ${target.kind === 'postgres' ? 'url (or ORRERY_DATABASE_URL)' : 'path'} at it to use it.`,
    );
    return EXIT.ok;
  } finally {
    for (const lock of locks) await lock.release();
    for (const handle of opened) await handle.store.close();
  }
}

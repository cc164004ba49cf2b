/**
 * A pass's own edit of planet.toml: the URL of a feed that moved for good, made under the edit
 * lock every Orrery process takes (config/edit-lock.ts). `run`, `fetch` and `serve` call it.
 */
import { ConfigError } from '../config/config-error.js';
import { moveFeedInConfig } from '../config/edit.js';
import { editPlanetFile } from '../config/edit-lock.js';
import type { OrreryConfig } from '../config/schema.js';
import { errorMessage } from '../model/errors.js';
import { type PassReport, subscriptionLookup } from './planet-pass.js';

export interface RecordMovesDeps {
  now: () => Date;
  /** Orrery's version (the edited file is validated as this version loads it). */
  version: string;
  /** A move written to the file. */
  done: (line: string) => void;
  /** A move the user must make by hand. */
  warn: (line: string) => void;
}

/**
 * Points planet.toml at the new URL of each feed a pass moved (a permanent redirect seen on
 * two fetches), keeping the old URL in a comment, and says so. The file is read again here, so
 * an edit made while the run went on is kept. When it cannot be written, the user is told what
 * to change by hand; the run goes on (the store has moved the feed either way).
 */
export async function recordMovesInConfig(
  config: OrreryConfig,
  pass: Pick<PassReport, 'moved' | 'outcomes'>,
  deps: RecordMovesDeps,
): Promise<void> {
  if (pass.moved.length === 0) return;
  const file = config.configPath;
  const date = deps.now().toISOString().slice(0, 10);
  const configured = subscriptionLookup(config.feeds);
  const moves = pass.moved.map((move) => {
    // The config may still name the URL the feed had before an earlier move.
    const feed = pass.outcomes.find((o) => o.feed.url === move.from)?.feed;
    return { ...move, inConfig: (feed && configured(feed)?.url) ?? move.from };
  });
  const cannot = (move: (typeof moves)[number], why: string) =>
    deps.warn(
      `moved (permanent redirect): ${move.from} -> ${move.to}, but ${file} still has the old URL (${why}); ` +
        `change url = "${move.inConfig}" to url = "${move.to}" there by hand`,
    );
  type Move = (typeof moves)[number];
  const refused: Array<{ move: Move; why: string }> = [];
  let done: Move[];
  try {
    // The edit runs on the file as it is now, under the lock: an edit made while the run went
    // on (by hand, by `orrery add`, by the admin API) is kept.
    ({ value: done } = await editPlanetFile(
      file,
      (text) => {
        // Made again from scratch when the file changed under it (see editConfigLocked).
        refused.length = 0;
        const moved: Move[] = [];
        for (const move of moves) {
          try {
            text = moveFeedInConfig(text, { from: move.inConfig, to: move.to, date }, { file });
            moved.push(move);
          } catch (error) {
            if (!(error instanceof ConfigError)) throw error;
            refused.push({ move, why: error.message.replace(/^config: /, '') });
          }
        }
        return { text, value: moved };
      },
      { version: deps.version },
    ));
  } catch (error) {
    for (const move of moves) cannot(move, `cannot write it: ${writeError(error)}`);
    return;
  }
  for (const { move, why } of refused) cannot(move, why);
  for (const move of done) {
    deps.done(
      `moved (permanent redirect): ${move.from} -> ${move.to}; ${file} updated (the old URL is kept in a comment)`,
    );
  }
}

function writeError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'read-only file system';
  if (code === 'ENOSPC') return 'no space left on the disk';
  return errorMessage(error);
}

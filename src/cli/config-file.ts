/**
 * The CLI's edits of planet.toml: each one written to a temporary file beside it, checked by
 * the real loader and renamed over it (`add`, `remove`, `import`, and the URL of a feed that
 * moved for good after `fetch`/`run`).
 */
import { ConfigError } from '../config/config-error.js';
import { moveFeedInConfig } from '../config/edit.js';
import { readConfigText } from '../config/load.js';
import { type OrreryConfig, parseConfig } from '../config/schema.js';
import { errorMessage } from '../model/errors.js';
import type { PassReport } from '../pipeline/planet-pass.js';
import { subscriptionLookup } from '../pipeline/planet-pass.js';
import { type CliDeps, VERSION } from './context.js';
import { CliError } from './exit-codes.js';
import { replaceFileAtomically } from './files.js';

/**
 * Write the edited config only if it still loads where it lives (paths included): a bad edit
 * never replaces a good file.
 */
export async function saveConfig(config: OrreryConfig, text: string): Promise<void> {
  try {
    parseConfig(text, { configPath: config.configPath, file: config.configPath, version: VERSION });
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new CliError(`the edited config would not load, nothing changed: ${error.message}`);
    }
    throw error;
  }
  await replaceFileAtomically(config.configPath, text);
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
  deps: CliDeps,
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
    deps.reporter.warn(
      `moved (permanent redirect): ${move.from} -> ${move.to}, but ${file} still has the old URL (${why}); ` +
        `change url = "${move.inConfig}" to url = "${move.to}" there by hand`,
    );
  let text: string;
  try {
    text = await readConfigText(file);
  } catch (error) {
    for (const move of moves) cannot(move, errorMessage(error));
    return;
  }
  const done: typeof moves = [];
  for (const move of moves) {
    try {
      text = moveFeedInConfig(text, { from: move.inConfig, to: move.to, date }, { file });
      done.push(move);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      cannot(move, error.message.replace(/^config: /, ''));
    }
  }
  if (done.length === 0) return;
  try {
    await saveConfig(config, text);
  } catch (error) {
    for (const move of done) cannot(move, `cannot write it: ${writeError(error)}`);
    return;
  }
  for (const move of done) {
    deps.reporter.out(
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

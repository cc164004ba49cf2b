/** parse FILE|URL: the parser on one document, as JSON (the normalized model) or a summary. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseConfig } from '../../config/index.js';
import { parse } from '../../parse/index.js';
import { type CliDeps, createFetcher, type GlobalOptions, VERSION } from '../context.js';
import { CliError, EXIT, type ExitCode } from '../exit-codes.js';

export async function runParse(
  source: string,
  options: GlobalOptions & { json?: boolean; sanitize?: boolean },
  deps: CliDeps,
): Promise<ExitCode> {
  let bytes: Uint8Array;
  let url: string | undefined;
  let headers: Record<string, string> = {};
  if (/^https?:\/\//i.test(source)) {
    // A one-off fetch uses the settings an empty planet.toml would have.
    const defaults = parseConfig('', {
      configPath: resolve(deps.cwd, 'planet.toml'),
      version: VERSION,
    });
    const fetcher = createFetcher(
      { ...defaults.fetch, allowPrivate: options.allowPrivate === true },
      deps,
    );
    try {
      const outcome = await fetcher.fetch(source);
      if (outcome.kind !== 'ok') {
        const why =
          outcome.kind === 'error' ? `${outcome.code}: ${outcome.message}` : 'not modified';
        throw new CliError(`cannot fetch ${source}: ${why}`, EXIT.feedsFailed);
      }
      bytes = outcome.body;
      url = outcome.finalUrl;
      headers = outcome.headers;
    } finally {
      await fetcher.close();
    }
  } else {
    const path = resolve(deps.cwd, source);
    try {
      bytes = await readFile(path);
    } catch (error) {
      throw new CliError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    }
    url = new URL(`file://${path}`).href;
  }
  const result = parse(bytes, { url, headers, sanitize: options.sanitize !== false });
  if (options.json) {
    deps.reporter.out(JSON.stringify(result, null, 2));
    return EXIT.ok;
  }
  const { feed } = result;
  deps.reporter.out(
    `${feed.title ?? '(untitled)'} — ${result.version || 'unknown format'}, ${result.encoding}`,
  );
  if (feed.link) deps.reporter.out(`  ${feed.link}`);
  deps.reporter.out(
    `  ${result.entries.length} entries${result.wellFormed ? '' : ' (document not well-formed, recovered)'}`,
  );
  for (const entry of result.entries.slice(0, 20)) {
    deps.reporter.out(
      `  - ${entry.published?.slice(0, 10) ?? '          '}  ${entry.title ?? '(untitled)'}  ${entry.link ?? ''}`,
    );
  }
  if (result.entries.length > 20)
    deps.reporter.out(`  ... ${result.entries.length - 20} more (--json for all)`);
  for (const warning of result.warnings) deps.reporter.warn(warning);
  return EXIT.ok;
}

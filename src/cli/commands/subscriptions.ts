/** Commands that edit or show the subscription list in planet.toml: init, add, remove, list, import, export. */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import {
  addImportedSiteToConfig,
  addImportToConfig,
  editPlanetFile,
  type ImportResult,
  importOpml,
  importVenusIni,
  type LockedEdit,
  type OrreryConfig,
  removeFeedFromConfig,
  starterConfig,
} from '../../config/index.js';
import type { Subscription } from '../../model/subscription.js';
import { type AddFeedOutcome, addFeed } from '../../pipeline/add-feed.js';
import { renderOpml } from '../../render/outputs/opml.js';
import {
  type CliDeps,
  createFetcher,
  type GlobalOptions,
  loadPlanet,
  loadPlanetText,
  VERSION,
} from '../context.js';
import { CliError, EXIT, type ExitCode } from '../exit-codes.js';
import { readText } from '../files.js';

export async function runInit(
  dir: string | undefined,
  options: { name?: string; force?: boolean },
  deps: CliDeps,
): Promise<ExitCode> {
  const folder = resolve(deps.cwd, dir ?? '.');
  const path = join(folder, 'planet.toml');
  if (existsSync(path) && !options.force) {
    throw new CliError(`${path} already exists; edit it, or pass --force to overwrite it`);
  }
  await mkdir(folder, { recursive: true });
  await writeFile(path, starterConfig(options.name ? { name: options.name } : {}));
  deps.reporter.out(`wrote ${path}`);
  deps.reporter.info(
    `next: cd ${dir ?? '.'} && orrery add https://blog.example.org/ && orrery run`,
  );
  return EXIT.ok;
}

/** Apply an edit to planet.toml under the edit lock (the admin API of `orrery serve` takes it too). */
async function editPlanet<T>(
  config: OrreryConfig,
  edit: (text: string) => LockedEdit<T>,
): Promise<T> {
  return (await editPlanetFile(config.configPath, edit, { version: VERSION })).value;
}

export async function runAdd(
  url: string,
  options: GlobalOptions & { name?: string; section?: string; discover?: boolean; pick?: string },
  deps: CliDeps,
): Promise<ExitCode> {
  const config = await loadPlanet(options, deps);
  const pick = options.pick === undefined ? undefined : Number(options.pick);
  const fetcher = createFetcher(config.fetch, deps);
  let outcome: AddFeedOutcome;
  try {
    outcome = await addFeed(
      {
        url,
        ...(options.name !== undefined ? { name: options.name } : {}),
        ...(options.section !== undefined ? { section: options.section } : {}),
        ...(options.discover === false ? { discover: false } : {}),
        ...(pick !== undefined && Number.isInteger(pick) && pick >= 1 ? { pick } : {}),
      },
      {
        configPath: config.configPath,
        sections: config.site.sections,
        subscribed: config.feeds.map((f) => f.url),
        fetcher,
        version: VERSION,
        onDiscover: (page) => deps.reporter.info(`looking for feeds at ${page} ...`),
      },
    );
  } finally {
    await fetcher.close();
  }
  if (outcome.kind === 'refused') throw new CliError(outcome.message);
  if (outcome.kind === 'several') {
    deps.reporter.out(`several feeds found at ${outcome.pageUrl}:`);
    outcome.feeds.forEach((f, i) => {
      deps.reporter.out(`  ${i + 1}. ${f.url}  ${f.format} ${f.title ?? ''}`.trimEnd());
    });
    deps.reporter.out('add one with: orrery add URL  (or --pick N)');
    return EXIT.usage;
  }
  const { subscription: sub } = outcome;
  deps.reporter.out(
    `added ${sub.url}${sub.name ? ` (${sub.name})` : ''} to section ${sub.section}`,
  );
  return EXIT.ok;
}

export async function runRemove(
  urlOrName: string,
  options: GlobalOptions,
  deps: CliDeps,
): Promise<ExitCode> {
  const config = await loadPlanet(options, deps);
  const removed = await editPlanet(config, (text) => {
    const result = removeFeedFromConfig(text, urlOrName, { file: config.configPath });
    return { text: result.text, value: result.removed };
  });
  if (!removed) {
    throw new CliError(
      `no feed with URL or name '${urlOrName}' in ${config.configPath} (see orrery list)`,
    );
  }
  deps.reporter.out(
    `removed ${removed.url}${removed.name ? ` (${removed.name})` : ''}; its entries stay in the archive`,
  );
  return EXIT.ok;
}

export async function runList(
  options: GlobalOptions & { json?: boolean },
  deps: CliDeps,
): Promise<ExitCode> {
  const config = await loadPlanet(options, deps);
  if (options.json) {
    deps.reporter.out(JSON.stringify(config.feeds.map(withoutHeaderValues), null, 2));
    return EXIT.ok;
  }
  for (const section of config.site.sections) {
    const feeds = config.feeds.filter((f) => f.section === section.id);
    deps.reporter.out(`${section.title} [${section.id}] — ${feeds.length} feeds`);
    for (const feed of feeds) deps.reporter.out(`  ${feed.name ?? '(no name)'}  ${feed.url}`);
  }
  return EXIT.ok;
}

/** A subscription as `list --json` shows it: its header names, never their values (secrets). */
function withoutHeaderValues(sub: Subscription): Subscription {
  const headers = sub.overrides?.headers;
  if (!headers) return sub;
  const hidden = Object.fromEntries(Object.keys(headers).map((name) => [name, '(hidden)']));
  return { ...sub, overrides: { ...sub.overrides, headers: hidden } };
}

export async function runImport(
  file: string,
  options: GlobalOptions & { format?: string; dryRun?: boolean },
  deps: CliDeps,
): Promise<ExitCode> {
  const { config, text: current } = await loadPlanetText(options, deps);
  const path = resolve(deps.cwd, file);
  const text = await readText(path, 'import file');
  const format = options.format ?? detectImportFormat(path, text);
  // A ConfigError (unreadable OPML or INI, with file and line) reaches main's handler: exit 2.
  const imported: ImportResult =
    format === 'ini' ? importVenusIni(text, { file: path }) : importOpml(text, { file: path });
  // Made again on the current text under the edit lock when written (see editPlanet).
  const apply = (configText: string) => {
    const withFeeds = addImportToConfig(configText, imported, { file: config.configPath });
    // Site settings from the import fill only keys the config does not set yet.
    const withSite = imported.site
      ? addImportedSiteToConfig(withFeeds.text, imported.site, { file: config.configPath })
      : { text: withFeeds.text, set: [] as string[] };
    const { added, skippedExisting } = withFeeds;
    return { text: withSite.text, value: { added, skippedExisting, set: withSite.set } };
  };
  const { added, skippedExisting, set } = options.dryRun
    ? apply(current).value
    : await editPlanet(config, apply);
  if (set.length > 0) deps.reporter.info(`site settings taken from the import: ${set.join(', ')}`);
  for (const skip of imported.skipped) deps.reporter.info(`skipped ${skip.item}: ${skip.reason}`);
  const summary = `${added} feeds added, ${skippedExisting} already subscribed, ${imported.skipped.length} skipped, ${imported.sections.length} sections`;
  if (options.dryRun) {
    deps.reporter.out(`dry run: ${summary}; nothing written`);
    return EXIT.ok;
  }
  deps.reporter.out(`imported ${path} (${format}): ${summary}`);
  return EXIT.ok;
}

function detectImportFormat(path: string, text: string): 'ini' | 'opml' {
  const ext = extname(path).toLowerCase();
  if (ext === '.ini' || ext === '.cfg' || ext === '.conf') return 'ini';
  if (ext === '.opml' || ext === '.xml') return 'opml';
  return /^\s*</.test(text) ? 'opml' : 'ini';
}

export async function runExport(
  options: GlobalOptions & { output?: string },
  deps: CliDeps,
): Promise<ExitCode> {
  const config = await loadPlanet(options, deps);
  const opml = renderOpml(
    config.feeds.map((f) => ({
      url: f.url,
      section: f.section,
      ...(f.name ? { name: f.name } : {}),
      ...(f.siteLink ? { siteLink: f.siteLink } : {}),
    })),
    config.site,
    config.site.sections,
  );
  if (options.output) {
    const out = resolve(deps.cwd, options.output);
    await writeFile(out, opml);
    deps.reporter.info(`wrote ${config.feeds.length} subscriptions to ${out}`);
  } else {
    deps.reporter.out(opml.trimEnd());
  }
  return EXIT.ok;
}

/** Commands that edit or show the subscription list in planet.toml: init, add, remove, list, import, export. */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import {
  addFeedToConfig,
  addImportedSiteToConfig,
  addImportToConfig,
  type ImportResult,
  importOpml,
  importVenusIni,
  removeFeedFromConfig,
  starterConfig,
} from '../../config/index.js';
import { discoverFeeds } from '../../fetch/discover.js';
import type { Subscription } from '../../model/subscription.js';
import { renderOpml } from '../../render/outputs/opml.js';
import { saveConfig } from '../config-file.js';
import {
  type CliDeps,
  createFetcher,
  type GlobalOptions,
  loadPlanet,
  loadPlanetText,
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

export async function runAdd(
  url: string,
  options: GlobalOptions & { name?: string; section?: string; discover?: boolean; pick?: string },
  deps: CliDeps,
): Promise<ExitCode> {
  const { config, text } = await loadPlanetText(options, deps);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(
      `'${url}' is not a URL; give a full http(s) URL such as https://blog.example.org/`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new CliError(`'${url}' is not an http(s) URL`);
  }
  const section = options.section ?? config.site.sections[0]?.id ?? 'main';
  if (!config.site.sections.some((s) => s.id === section)) {
    const known = config.site.sections.map((s) => s.id).join(', ');
    throw new CliError(`no section '${section}' in ${config.configPath} (sections: ${known})`);
  }
  let feedUrl = parsed.href;
  let title: string | undefined;
  if (options.discover !== false) {
    const fetcher = createFetcher(config.fetch, deps);
    try {
      deps.reporter.info(`looking for feeds at ${feedUrl} ...`);
      const found = await discoverFeeds(feedUrl, fetcher);
      if (found.kind !== 'found' || found.feeds.length === 0) {
        const why = found.kind === 'found' ? 'nothing found' : `${found.code}: ${found.message}`;
        throw new CliError(
          `no feed found at ${feedUrl} (${why}); give the feed's own URL, or --no-discover to add it as is`,
        );
      }
      let chosen = found.feeds[0]!;
      if (found.feeds.length > 1) {
        const pick = options.pick ? Number(options.pick) : undefined;
        if (
          pick === undefined ||
          !Number.isInteger(pick) ||
          pick < 1 ||
          pick > found.feeds.length
        ) {
          deps.reporter.out(`several feeds found at ${feedUrl}:`);
          found.feeds.forEach((f, i) => {
            deps.reporter.out(`  ${i + 1}. ${f.url}  ${f.format} ${f.title ?? ''}`.trimEnd());
          });
          deps.reporter.out('add one with: orrery add URL  (or --pick N)');
          return EXIT.usage;
        }
        chosen = found.feeds[pick - 1]!;
      }
      feedUrl = chosen.url;
      title = chosen.title;
    } finally {
      await fetcher.close();
    }
  }
  if (config.feeds.some((f) => f.url === feedUrl)) {
    throw new CliError(`${feedUrl} is already in ${config.configPath}`);
  }
  const name = options.name ?? title;
  const sub: Subscription = { url: feedUrl, section, ...(name ? { name } : {}) };
  await saveConfig(config, addFeedToConfig(text, sub));
  deps.reporter.out(`added ${feedUrl}${name ? ` (${name})` : ''} to section ${section}`);
  return EXIT.ok;
}

export async function runRemove(
  urlOrName: string,
  options: GlobalOptions,
  deps: CliDeps,
): Promise<ExitCode> {
  const { config, text } = await loadPlanetText(options, deps);
  const { text: edited, removed } = removeFeedFromConfig(text, urlOrName);
  if (!removed) {
    throw new CliError(
      `no feed with URL or name '${urlOrName}' in ${config.configPath} (see orrery list)`,
    );
  }
  await saveConfig(config, edited);
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
  const withFeeds = addImportToConfig(current, imported, { file: config.configPath });
  const { added, skippedExisting } = withFeeds;
  // Site settings from the import fill only keys the config does not set yet.
  const withSite = imported.site
    ? addImportedSiteToConfig(withFeeds.text, imported.site, { file: config.configPath })
    : { text: withFeeds.text, set: [] as string[] };
  const edited = withSite.text;
  if (withSite.set.length > 0)
    deps.reporter.info(`site settings taken from the import: ${withSite.set.join(', ')}`);
  for (const skip of imported.skipped) deps.reporter.info(`skipped ${skip.item}: ${skip.reason}`);
  const summary = `${added} feeds added, ${skippedExisting} already subscribed, ${imported.skipped.length} skipped, ${imported.sections.length} sections`;
  if (options.dryRun) {
    deps.reporter.out(`dry run: ${summary}; nothing written`);
    return EXIT.ok;
  }
  await saveConfig(config, edited);
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

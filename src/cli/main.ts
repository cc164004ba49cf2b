/**
 * The composition root: parses argv, wires the stages, maps every error to an exit code.
 * One error handler for the whole CLI lives here.
 */

import { Command, CommanderError, Option } from 'commander';
import { ConfigError } from '../config/config-error.js';
import { errorMessage } from '../model/errors.js';
import { type CliDeps, VERSION } from './context.js';
import { CliError, EXIT, type ExitCode, storeExitCode } from './exit-codes.js';
import { createReporter, type Verbosity } from './reporter.js';

// Commands are loaded when run: a cron `orrery run` should not pay for parsing OPML or
// discovering feeds, nor `orrery status` for the renderer (module loading is a large part of a
// warm run's CPU).
const commands = {
  subscriptions: () => import('./commands/subscriptions.js'),
  run: () => import('./commands/run.js'),
  status: () => import('./commands/status.js'),
  parse: () => import('./commands/parse.js'),
  serve: () => import('./commands/serve.js'),
  store: () => import('./commands/store.js'),
  worker: () => import('./commands/worker.js'),
};

export interface MainOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  now?: () => Date;
  stdout?: { write(s: string): unknown; isTTY?: boolean };
  stderr?: { write(s: string): unknown; isTTY?: boolean };
}

const CRON_HELP = `
Examples:
  orrery init myplanet                   write myplanet/planet.toml to edit
  orrery add https://blog.example.org/   find the blog's feed and subscribe to it
  orrery run                             fetch due feeds, then write the site to public/
  orrery serve                           the same, always on: serve the site, fetch as feeds fall due
  orrery status                          one line per feed: last fetch, HTTP status, errors

From cron, every 30 minutes:
  */30 * * * *  cd /srv/planet && orrery run --quiet

Exit codes: 0 done (single feeds may have failed: see status), 1 internal error,
2 bad usage, config or input (a broken template too), 3 another run holds the store,
4 every feed failed (or --strict and one failed), 5 the store cannot be used (damaged,
newer, not writable, unreachable), 6 the disk is full or the store file at its size limit,
7 the site's output folder cannot be written, 130 stopped by Ctrl-C or SIGTERM (what was
finished is kept).`;

export async function main(argv: string[], options: MainOptions = {}): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT.ok;
  const stderr = options.stderr ?? process.stderr;
  const program = new Command();
  const deps = (cmd: Command): CliDeps => {
    const opts = cmd.optsWithGlobals<{ quiet?: boolean; verbose?: boolean }>();
    const verbosity: Verbosity = opts.quiet ? 'quiet' : opts.verbose ? 'verbose' : 'normal';
    return {
      reporter: createReporter({
        verbosity,
        ...(options.stdout ? { stdout: options.stdout } : {}),
        stderr,
      }),
      now: options.now ?? (() => new Date()),
      env: options.env ?? process.env,
      cwd: options.cwd ?? process.cwd(),
    };
  };
  // Every action goes through here so that each returns its exit code the same way.
  type Run = (...args: never[]) => Promise<ExitCode>;
  const action =
    (load: () => Promise<Run>) =>
    async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      const positional = args.slice(0, -2) as unknown[];
      const fn = (await load()) as (...a: unknown[]) => Promise<ExitCode>;
      exitCode = await fn(...positional, cmd.optsWithGlobals(), deps(cmd));
    };

  program
    .name('orrery')
    .description(
      'Orrery: a planet (feed aggregator). Reads RSS, Atom, JSON Feed and h-feed blogs listed in\n' +
        'planet.toml and publishes a river of their newest posts as a static site with feeds.',
    )
    .version(VERSION, '-V, --version')
    .option('-c, --config <path>', 'the planet config file', 'planet.toml')
    .option('-q, --quiet', 'print only results and errors (for cron)')
    .option('-v, --verbose', 'print every feed and more detail')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => (options.stdout ?? process.stdout).write(s),
      writeErr: (s) => stderr.write(s),
    })
    .addHelpText('after', CRON_HELP);

  program
    .command('init')
    .argument('[dir]', 'the folder for the new planet (created if missing)', '.')
    .description('write a commented starter planet.toml into DIR')
    .option('--name <name>', 'the planet name')
    .option('--force', 'overwrite an existing planet.toml')
    .action(async (dir: string, opts: { name?: string; force?: boolean }, cmd: Command) => {
      const { runInit } = await commands.subscriptions();
      exitCode = await runInit(dir, opts, deps(cmd));
    });

  program
    .command('add')
    .argument('<url>', "a blog's home page or its feed URL")
    .description(
      'subscribe to a feed: finds the feed from a home page (<link rel=alternate>, /feed, ...)',
    )
    .option('--name <name>', 'the display name on the river (default: the feed title)')
    .option('--section <id>', 'the section to put it in (default: the first section)')
    .option('--no-discover', 'add the URL as given, without fetching it')
    .option('--pick <n>', 'when several feeds are found, take the n-th')
    .addOption(new Option('--allow-private', 'allow loopback and private addresses'))
    .addHelpText(
      'after',
      '\nExample:\n  orrery add https://blog.example.org/ --name "Ada Lovelace" --section python',
    )
    .action(action(async () => (await commands.subscriptions()).runAdd));

  program
    .command('remove')
    .argument('<url-or-name>', 'the feed URL or its name')
    .description('unsubscribe from a feed (its entries stay in the archive)')
    .action(action(async () => (await commands.subscriptions()).runRemove));

  program
    .command('list')
    .description('list the subscriptions by section')
    .option('--json', 'print JSON')
    .action(action(async () => (await commands.subscriptions()).runList));

  program
    .command('import')
    .argument('<file>', 'an OPML file (.opml/.xml) or a Planet Venus config (.ini)')
    .description('add the feeds of an OPML file or a Planet Venus config.ini to planet.toml')
    .addOption(new Option('--format <format>', 'the file format').choices(['opml', 'ini']))
    .option('--dry-run', 'show what would be imported, change nothing')
    .addHelpText(
      'after',
      '\nExamples:\n  orrery import subscriptions.opml\n  orrery import /srv/venus/config.ini',
    )
    .action(action(async () => (await commands.subscriptions()).runImport));

  program
    .command('export')
    .description('print the subscriptions as OPML 2.0 (sections as outlines)')
    .option('-o, --output <file>', 'write to FILE instead of standard output')
    .action(action(async () => (await commands.subscriptions()).runExport));

  const fetchOptions = (cmd: Command) =>
    cmd
      .option('--all', 'fetch every feed now, not only the due ones')
      .option('--feed <url-or-name>', 'fetch only this feed')
      .option('--allow-private', 'allow loopback and private addresses (tests, intranets)')
      .option('--wait <seconds>', 'wait this long for another run to finish', '0')
      .option('--strict', 'exit 4 when any feed failed');

  fetchOptions(program.command('fetch').description('fetch the due feeds into the store')).action(
    action(async () => (await commands.run()).runFetch),
  );
  program
    .command('build')
    .description(
      "write the site (river, sections, archives, feeds, OPML, health) to the config's output folder",
    )
    .option('--wait <seconds>', 'wait this long for another run to finish', '0')
    .option('--full', 'make every page again (a build normally makes only what changed)')
    .action(action(async () => (await commands.run()).runBuild));
  fetchOptions(
    program.command('run').description('fetch the due feeds, then build the site (what cron runs)'),
  ).action(action(async () => (await commands.run()).runRun));

  program
    .command('serve')
    .description('serve the site, keep fetching due feeds and publish as they change (one process)')
    .option('--host <address>', 'the address to listen on (0.0.0.0: every interface)', '127.0.0.1')
    .option('--port <port>', 'the port to listen on', '8080')
    .option(
      '--public-url <url>',
      'the address readers reach this server at; needed to subscribe to WebSub hubs',
    )
    .option('--allow-private', 'allow feeds and hubs on loopback and private addresses')
    .addOption(
      new Option('--log-format <format>', 'log lines as JSON or for people').choices([
        'json',
        'pretty',
      ]),
    )
    .addHelpText(
      'after',
      '\nThe admin API under /api is on when ORRERY_ADMIN_TOKEN is set (Authorization: Bearer <token>).\n' +
        'Example:\n  orrery serve --port 8080 --public-url https://planet.example.org/',
    )
    .action(action(async () => (await commands.serve()).runServe));

  program
    .command('status')
    .description('one line per feed: last fetch, HTTP status, entries, error')
    .option('--json', 'print JSON')
    .option('--failing', 'only feeds that are failing or retired')
    .action(action(async () => (await commands.status()).runStatus));

  program
    .command('worker')
    .description(
      'take feed jobs from the PostgreSQL queue until SIGTERM (run several, on several machines)',
    )
    .option('--concurrency <n>', 'jobs at once in this process (default: [fetch] concurrency)')
    .option('--no-render', 'leave site builds to other workers')
    .option('--no-schedule', 'never queue due feeds (other workers do)')
    .option(
      '--heartbeat <seconds>',
      'seconds between heartbeats; a worker silent for six is taken for dead and its jobs retaken',
      '10',
    )
    .addHelpText(
      'after',
      '\nNeeds ORRERY_DATABASE_URL or [store] url (PostgreSQL). See docs/running-at-scale.md.\n' +
        'Example:\n  ORRERY_DATABASE_URL=postgres://orrery@db/planet orrery worker --concurrency 16',
    )
    .action(action(async () => (await commands.worker()).runWorker));

  program
    .command('parse')
    .argument('<file-or-url>', 'a feed document: a file path or an http(s) URL')
    .description('parse one feed and print the normalized model')
    .option('--json', 'print the whole ParseResult as JSON')
    .option('--no-sanitize', 'keep the HTML as the feed gave it (URLs still resolved)')
    .option('--allow-private', 'allow loopback and private addresses for a URL')
    .action(action(async () => (await commands.parse()).runParse));

  program
    .command('store')
    .description('manage the store itself')
    .command('copy')
    .description(
      "copy the planet's store to another database (SQLite <-> PostgreSQL), verified; run again to resume",
    )
    .requiredOption('--to <url-or-path>', 'the target: a postgres:// URL or a SQLite file path')
    .option('--from <url-or-path>', "the source (default: the config's store)")
    .option('--wait <seconds>', 'wait this long for a run holding either store', '0')
    .addHelpText(
      'after',
      '\nExample:\n  orrery store copy --to "postgres://orrery@db.example/planet"',
    )
    .action(action(async () => (await commands.store()).runStoreCopy));

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    return handleError(error, stderr, argv.includes('--verbose') || argv.includes('-v'));
  }
}

function handleError(
  error: unknown,
  stderr: { write(s: string): unknown },
  verbose: boolean,
): ExitCode {
  if (error instanceof CommanderError) {
    // --help and --version end here too, with exit code 0.
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (error instanceof CliError || error instanceof ConfigError) {
    stderr.write(`orrery: ${error.message}\n`);
    return error instanceof CliError ? error.exitCode : EXIT.usage;
  }
  // A store or disk failure: its message names the file and the next step.
  const storeCode = storeExitCode(error);
  if (storeCode !== undefined) {
    stderr.write(`orrery: ${errorMessage(error)}\n`);
    return storeCode;
  }
  const message = errorMessage(error);
  stderr.write(`orrery: internal error: ${message}\n`);
  if (verbose && error instanceof Error && error.stack) stderr.write(`${error.stack}\n`);
  else stderr.write('(run again with --verbose for details; please report it)\n');
  return EXIT.internal;
}

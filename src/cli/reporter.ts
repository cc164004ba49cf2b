import cliProgress from 'cli-progress';

export type Verbosity = 'quiet' | 'normal' | 'verbose';

/** Per-feed outcome counted by the progress display. */
export type ProgressKind = 'done' | 'unchanged' | 'failed';

export interface Progress {
  tick(kind: ProgressKind, label: string, detail?: string): void;
  stop(): void;
}

/**
 * Everything the CLI prints goes through here: results to stdout, messages to stderr,
 * a progress bar on a TTY and plain lines otherwise (cron mails stay readable).
 */
export interface Reporter {
  readonly verbosity: Verbosity;
  /** A result line (stdout), printed even with --quiet. */
  out(line: string): void;
  /** A message for the user (stderr), hidden by --quiet. */
  info(line: string): void;
  /** Detail shown only with --verbose (stderr). */
  debug(line: string): void;
  warn(line: string): void;
  error(line: string): void;
  progress(total: number, title: string): Progress;
}

export interface ReporterOptions {
  verbosity: Verbosity;
  stdout?: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean };
  stderr?: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean };
}

export function createReporter(options: ReporterOptions): Reporter {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const { verbosity } = options;
  const write = (stream: { write(s: string): unknown }, line: string) => stream.write(`${line}\n`);
  return {
    verbosity,
    out: (line) => write(stdout, line),
    info: (line) => {
      if (verbosity !== 'quiet') write(stderr, line);
    },
    debug: (line) => {
      if (verbosity === 'verbose') write(stderr, line);
    },
    warn: (line) => write(stderr, `warning: ${line}`),
    error: (line) => write(stderr, `error: ${line}`),
    progress(total, title) {
      const counts = { done: 0, unchanged: 0, failed: 0 };
      const useBar = verbosity === 'normal' && stderr.isTTY === true && total > 0;
      if (useBar) {
        const bar = new cliProgress.SingleBar(
          {
            stream: stderr as NodeJS.WriteStream,
            format: `${title} [{bar}] {value}/{total} | {done} fetched, {unchanged} unchanged, {failed} failed | {label}`,
            hideCursor: true,
            clearOnComplete: true,
            barsize: 24,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, 0, { ...counts, label: '' });
        return {
          tick(kind, label) {
            counts[kind]++;
            bar.increment(1, { ...counts, label: label.slice(0, 40) });
          },
          stop: () => bar.stop(),
        };
      }
      // Plain lines: one per feed with --verbose, one per failure otherwise, and a tally every 10%
      // on long runs.
      let seen = 0;
      const step = Math.max(1, Math.ceil(total / 10));
      return {
        tick(kind, label, detail) {
          counts[kind]++;
          seen++;
          if (verbosity === 'verbose') {
            write(stderr, `[${seen}/${total}] ${kind} ${label}${detail ? `: ${detail}` : ''}`);
          } else if (verbosity === 'normal') {
            if (kind === 'failed') write(stderr, `failed ${label}${detail ? `: ${detail}` : ''}`);
            if (total >= 20 && seen % step === 0 && seen < total) {
              write(
                stderr,
                `${title}: ${seen}/${total} (${counts.done} fetched, ${counts.unchanged} unchanged, ${counts.failed} failed)`,
              );
            }
          }
        },
        stop() {},
      };
    },
  };
}

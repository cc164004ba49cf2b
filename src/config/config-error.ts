import { OrreryError } from '../model/errors.js';

/** One thing wrong in a config file: where (line, key) and what. */
export interface ConfigProblem {
  /** Dotted key path as the user wrote it, e.g. `feeds[3].url` or `site.titel`. */
  key?: string;
  /** 1-based line in the file, when known. */
  line?: number;
  column?: number;
  /** What is wrong and what to do, e.g. "unknown key — did you mean 'name'?". */
  message: string;
}

export interface ConfigErrorOptions {
  file: string;
  line?: number;
  key?: string;
  problems?: ConfigProblem[];
  cause?: unknown;
}

/**
 * A config file that cannot be used. The message names the file, the line, the key, what is
 * wrong and what to do; `problems` lists every problem found (the first is in line/key).
 */
export class ConfigError extends OrreryError {
  override readonly code = 'config' as const;
  readonly file: string;
  readonly line?: number;
  readonly key?: string;
  readonly problems: ConfigProblem[];

  constructor(message: string, options: ConfigErrorOptions) {
    super('config', message, { cause: options.cause });
    this.name = 'ConfigError';
    this.file = options.file;
    if (options.line !== undefined) this.line = options.line;
    if (options.key !== undefined) this.key = options.key;
    this.problems = options.problems ?? [
      { key: options.key, line: options.line, message } as ConfigProblem,
    ];
  }

  /** Builds one error from many problems: one line each, `file:line: key: message`. */
  static fromProblems(file: string, problems: ConfigProblem[]): ConfigError {
    const first = problems[0];
    const lines = problems.map((p) => `  ${formatProblem(file, p)}`);
    const head =
      problems.length === 1
        ? `config: ${formatProblem(file, first ?? { message: 'invalid' })}`
        : `config: ${problems.length} problems in ${file}:\n${lines.join('\n')}`;
    return new ConfigError(head, {
      file,
      line: first?.line,
      key: first?.key,
      problems,
    });
  }
}

function formatProblem(file: string, p: ConfigProblem): string {
  const where = p.line === undefined ? file : `${file}:${p.line}`;
  return p.key ? `${where}: ${p.key}: ${p.message}` : `${where}: ${p.message}`;
}

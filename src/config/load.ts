import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from './config-error.js';
import { type OrreryConfig, parseConfig } from './schema.js';

export { ConfigError } from './config-error.js';

export interface LoadConfigOptions {
  /** Orrery's version, for the default User-Agent `Orrery/<version> (+<site.link>)`. */
  version?: string;
}

/** Reads and validates planet.toml (the only file read in config/); throws ConfigError. */
export async function loadConfig(
  file: string,
  options: LoadConfigOptions = {},
): Promise<OrreryConfig> {
  const configPath = path.resolve(file);
  const text = await readConfigText(file);
  return parseConfig(text, { configPath, file, ...options });
}

/** Reads a config or import file as UTF-8 text, turning fs errors into ConfigError. */
export async function readConfigText(file: string): Promise<string> {
  try {
    const text = await readFile(file, 'utf8');
    // A BOM from Windows editors is not part of the TOML.
    return text.startsWith('\uFEFF') ? text.slice(1) : text;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ConfigError(
        `config: no planet.toml at ${file}; create one with \`orrery init\` (or pass --config PATH)`,
        { file, cause: err },
      );
    }
    if (code === 'EISDIR') {
      throw new ConfigError(
        `config: ${file} is a folder; give the path of the planet.toml file inside it`,
        { file, cause: err },
      );
    }
    throw new ConfigError(`config: cannot read ${file}: ${(err as Error).message}`, {
      file,
      cause: err,
    });
  }
}

/**
 * config/: reads and validates planet.toml (load.ts is the only file reader), writes the
 * starter config, edits the TOML text keeping comments, and imports OPML and Planet Venus INI.
 * Everything but load.ts and edit-lock.ts (the locked read-modify-write of planet.toml) is
 * pure: text in, value out. Errors are ConfigError (code 'config').
 */
export { ConfigError, type ConfigProblem } from './config-error.js';
export { CONFIG_DEFAULTS, CONFIG_FILE_NAME, defaultUserAgent, parseSize } from './defaults.js';
export {
  addFeedToConfig,
  addImportedSiteToConfig,
  addImportToConfig,
  type EditConfigOptions,
  type FeedMove,
  feedBlock,
  moveFeedInConfig,
  removeFeedFromConfig,
} from './edit.js';
export {
  editConfigLocked,
  editPlanetFile,
  type LockedEdit,
  type LockedEditOptions,
  writeFileAtomically,
} from './edit-lock.js';
export { type ImportOpmlOptions, importOpml } from './import-opml.js';
export type { ImportedSite, ImportResult } from './import-result.js';
export { type ImportVenusOptions, importVenusIni } from './import-venus.js';
export { type LoadConfigOptions, loadConfig, readConfigText } from './load.js';
export {
  isHttpUrl,
  isTimeZone,
  type OrreryConfig,
  type ParseConfigOptions,
  parseConfig,
  resolveConfig,
} from './schema.js';
export { type StarterConfigOptions, starterConfig } from './starter.js';

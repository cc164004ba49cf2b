/** Defaults for every optional key of planet.toml (one table, used by the schema, the starter and the docs). */
export const CONFIG_DEFAULTS = {
  site: {
    name: 'Orrery',
    outputDir: 'public',
    timezone: 'UTC',
    language: 'en',
    dateFormat: '%B %d, %Y',
    timeFormat: '%H:%M',
    itemsPerPage: 60,
    daysPerPage: 10,
  },
  fetch: {
    concurrency: 32,
    perHostLimit: 2,
    connectTimeoutSeconds: 10,
    headersTimeoutSeconds: 15,
    bodyTimeoutSeconds: 30,
    maxBodySize: '5MB',
    maxDecompressedSize: '20MB',
    maxRedirects: 5,
    allowPrivate: false,
    intervalMinutes: 60,
    maxIntervalMinutes: 1440 * 7,
  },
  store: { path: 'orrery.sqlite' },
  /** The one section a config without [[sections]] gets; its title is the site's name. */
  sectionId: 'main',
} as const;

/** The file name `orrery init` writes and the CLI looks for. */
export const CONFIG_FILE_NAME = 'planet.toml';

/** `Orrery/<version> (+<site link>)`: names the software and the planet, so feed owners can reach us. */
export function defaultUserAgent(version: string, siteLink?: string): string {
  return siteLink ? `Orrery/${version} (+${siteLink})` : `Orrery/${version}`;
}

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1024,
  kib: 1024,
  k: 1024,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  m: 1024 ** 2,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  g: 1024 ** 3,
};

/**
 * Parses a size: a byte count (number or digits) or "5MB", "512 KB", "1.5GiB".
 * Units are binary (KB = 1024 bytes), as in nginx; returns undefined when unreadable.
 */
export function parseSize(value: number | string): number | undefined {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  if (!m) return undefined;
  const unit = (m[2] ?? '').toLowerCase();
  const factor = unit === '' ? 1 : SIZE_UNITS[unit];
  if (factor === undefined) return undefined;
  const bytes = Math.round(Number(m[1]) * factor);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** Settings slices that config/ produces and each stage receives frozen. */

export interface SectionSettings {
  id: string;
  title: string;
  description?: string;
}

/** The site-wide settings that render/ and the CLI need (a frozen slice of planet.toml). */
export interface SiteSettings {
  name: string;
  /** The public URL of the site, used for absolute links in feeds; may be absent for local use. */
  link?: string;
  owner?: { name?: string; email?: string };
  /** Absolute path of the folder the site is written to. */
  outputDir: string;
  /** IANA time zone for day headings and times, e.g. 'UTC', 'Europe/Berlin'. */
  timezone: string;
  /**
   * BCP 47 language of the site (default 'en'): `<html lang>`, the feeds' language, and the
   * month and day names of dates.
   */
  language?: string;
  /** Date format for day headings (strftime-like, e.g. '%B %d, %Y'). */
  dateFormat: string;
  /** Time format for entry times (strftime-like, e.g. '%H:%M'). */
  timeFormat: string;
  /** How many entries the front page and each section page show at most. */
  itemsPerPage: number;
  /** How many days the front page covers at most. */
  daysPerPage: number;
  sections: SectionSettings[];
  /** Absolute path of a theme folder overriding the default theme, if any. */
  themeDir?: string;
  /**
   * The WebSub hub ([websub] hub) the published feeds announce with rel="hub"; Orrery pings
   * it after each publish that changed a feed.
   */
  websubHub?: string;
}

/** The [fetch] table of planet.toml, resolved with defaults. */
export interface FetchSettings {
  /** Feeds fetched at once in a run. */
  concurrency: number;
  /** Connections at once to one host (many feeds on one blogging platform). */
  perHostLimit: number;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  /** The whole body must arrive within this (a trickling server is cut off). */
  bodyTimeoutMs: number;
  maxBodyBytes: number;
  maxDecompressedBytes: number;
  maxRedirects: number;
  /** Full User-Agent header; config/ builds the default naming Orrery, its version and the site URL. */
  userAgent: string;
  /** Allow loopback/private/link-local addresses (off by default: SSRF guard). */
  allowPrivate: boolean;
  /**
   * Extra headers sent with every request ([fetch] headers), names lower case. Values may be
   * secrets (an Authorization): never logged, stored or printed.
   */
  headers?: Readonly<Record<string, string>>;
  /** How often a healthy feed is fetched. */
  intervalMinutes: number;
  /** The longest any back-off or server hint may push a feed's next fetch. */
  maxIntervalMinutes: number;
}

/**
 * The [archive] table of planet.toml: how long entries stay in the store (and so on the site
 * and in its search index). Absent keys keep everything.
 */
export interface ArchiveSettings {
  /** Entries whose date is more than this many days before the run leave the store. */
  keepDays?: number;
  /** Each feed keeps at most this many entries, the newest by date. */
  maxEntriesPerFeed?: number;
}

/** True for a postgres:// or postgresql:// URL: the one kind of store URL (`[store] url`). */
export function isPostgresUrl(value: string): boolean {
  if (!URL.canParse(value.trim())) return false;
  const { protocol } = new URL(value.trim());
  return protocol === 'postgres:' || protocol === 'postgresql:';
}

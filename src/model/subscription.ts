/** A feed the planet subscribes to, as the config states it (planet.toml [[feeds]]). */
export interface Subscription {
  url: string;
  /** Display name on the river ("Tarek Ziade"); falls back to the feed's own title. */
  name?: string;
  /** Section id (see SiteSettings.sections). */
  section: string;
  /** Face/avatar image URL or path relative to the site. */
  face?: string;
  /** The author's site, when the config knows it better than the feed. */
  siteLink?: string;
  /** Include/exclude filters applied to this feed's entries. */
  filters?: EntryFilters;
}

/** Filters from the config: an entry is kept when it matches include (if any) and not exclude. */
export interface EntryFilters {
  /** Regular expressions (case-insensitive) tested on title + categories + content text. */
  include?: string[];
  exclude?: string[];
  /** Only entries with one of these categories (case-insensitive). */
  categories?: string[];
}

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
}

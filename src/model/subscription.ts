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
  /** Per-feed overrides of [fetch] settings. */
  overrides?: {
    intervalMinutes?: number;
    /** Bounds the feed's whole fetch. */
    timeoutMs?: number;
    userAgent?: string;
    /** Extra request headers, names lower case (win over [fetch] headers); may hold secrets. */
    headers?: Readonly<Record<string, string>>;
  };
}

/** Filters from the config: an entry is kept when it matches include (if any) and not exclude. */
export interface EntryFilters {
  /** Regular expressions (case-insensitive) tested on title + categories + content text. */
  include?: string[];
  exclude?: string[];
  /** Only entries with one of these categories (case-insensitive). */
  categories?: string[];
}

import { CONFIG_DEFAULTS } from './defaults.js';

export interface StarterConfigOptions {
  /** The planet's name (default "My Planet"). */
  name?: string;
  /** The public URL of the site, if known. */
  link?: string;
}

/** A TOML basic string. JSON escapes are valid TOML except that TOML also forbids a raw DEL. */
export function tomlString(value: string): string {
  return JSON.stringify(value).replace(/\u007f/g, '\\u007F');
}

/** The commented planet.toml `orrery init` writes: every table and key, optional ones commented out with their defaults. */
export function starterConfig(options: StarterConfigOptions = {}): string {
  const D = CONFIG_DEFAULTS;
  const name = tomlString(options.name ?? 'My Planet');
  const link = options.link
    ? `link = ${tomlString(options.link)}`
    : '# link = "https://planet.example.org/"';
  return `# planet.toml — the configuration of an Orrery planet.
# Every key is documented in docs/config.md. Commented-out keys show their default.
# Relative paths are resolved from the folder of this file.

[site]
name = ${name}
# The public URL of the site: used for absolute links in the feeds Orrery publishes
# and in the User-Agent it sends, so feed owners know who is reading.
${link}
# owner_name = "Jane Doe"
# owner_email = "jane@example.org"
# output_dir = "${D.site.outputDir}"        # where the static site is written
# timezone = "${D.site.timezone}"              # IANA name, e.g. "Europe/Berlin"
# language = "${D.site.language}"               # BCP 47: page language, month and day names
# date_format = "${D.site.dateFormat}"   # day headings (strftime: %Y %m %d %B %b %A %a)
# time_format = "${D.site.timeFormat}"        # entry times (%H %M %I %p)
# items_per_page = ${D.site.itemsPerPage}         # entries on the front page at most
# days_per_page = ${D.site.daysPerPage}          # days on the front page at most
# theme = "default"             # or the path of a theme folder, e.g. "themes/mine"

[fetch]
# concurrency = ${D.fetch.concurrency}            # feeds fetched at once
# per_host_limit = ${D.fetch.perHostLimit}          # connections at once to one host
# connect_timeout = ${D.fetch.connectTimeoutSeconds}        # seconds
# headers_timeout = ${D.fetch.headersTimeoutSeconds}        # seconds
# body_timeout = ${D.fetch.bodyTimeoutSeconds}           # seconds for the whole body
# max_body_size = "${D.fetch.maxBodySize}"        # a bigger feed is refused ("512KB", "5MB" or bytes)
# max_decompressed_size = "${D.fetch.maxDecompressedSize}"  # guards against gzip bombs
# max_redirects = ${D.fetch.maxRedirects}
# user_agent = "Orrery/<version> (+<site.link>)"
# headers = {}                 # extra request headers, e.g. { "X-Planet" = "python" } (never logged)
# allow_private = ${D.fetch.allowPrivate}        # allow feeds on localhost/private networks
# interval = ${D.fetch.intervalMinutes}               # minutes between fetches of a healthy feed
# max_interval = ${D.fetch.maxIntervalMinutes}         # minutes: the longest back-off (a week)

[store]
# path = "${D.store.path}"       # the SQLite database holding feeds and entries
# url = "postgres://orrery@db.example/planet"   # PostgreSQL instead (for many workers);
#                                               # ORRERY_DATABASE_URL wins over it

# How long entries stay (in the store, on the site, in its search). Default: forever.
# [archive]
# keep_days = 730               # entries older than two years leave
# max_entries_per_feed = 500    # each feed keeps its newest 500

[websub]
# hub = "https://hub.example.org/"  # a WebSub hub: the published feeds name it (rel="hub"),
#                                   # and Orrery pings it after each publish (needs [site] link)

# Sections group feeds (e.g. "Planet Python" and "PSF GSoC students").
# Without any [[sections]], there is one section "${D.sectionId}" titled like the site,
# and feeds without a section go to the first section.
# [[sections]]
# id = "${D.sectionId}"                 # letters, digits, - and _; used in page URLs
# title = "Planet Python"
# description = "Posts from the Python community"
#
# [[sections]]
# id = "gsoc"
# title = "PSF GSoC students"

# One [[feeds]] table per subscription. Add feeds with \`orrery add URL\`
# or import a list with \`orrery import subscriptions.opml\` (or a Planet Venus config.ini).
# [[feeds]]
# url = "https://blog.example.org/feed.xml"   # required: the feed (RSS, Atom, JSON Feed, h-feed)
# name = "Jane Doe"                           # shown on the river; default: the feed's title
# section = "${D.sectionId}"
# face = "faces/jane.png"                     # avatar: a URL or a path relative to the site
# site_link = "https://blog.example.org/"     # the author's site, if the feed's link is wrong
# interval = 120                              # minutes: overrides [fetch] interval
# timeout = 60                                # seconds for this feed's whole fetch
# user_agent = "..."                          # overrides [fetch] user_agent
# headers = { Authorization = "Bearer ..." }  # e.g. a private feed's token (never logged)
# [feeds.filters]                             # regular expressions, case-insensitive
# include = ["python", "django"]              # keep only entries matching one of these
# exclude = ["sponsored"]                     # drop entries matching any of these
# categories = ["python"]                     # keep only entries with one of these categories
`;
}

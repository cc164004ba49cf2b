import path from 'node:path';
import { TomlError } from 'smol-toml';
// Named imports, not the `z` namespace: the namespace object keeps every export alive in the
// CLI bundle, all of zod's locales included (733 KB of a start's 1.3 MB; docs/decisions.md, CLI).
import {
  array,
  boolean,
  type infer as Infer,
  number,
  record,
  strictObject,
  string,
  union,
  type ZodType,
} from 'zod';
import type { $ZodIssue } from 'zod/v4/core';
import { FETCHER_OWNED_HEADERS } from '../model/fetch.js';
import {
  type ArchiveSettings,
  type FetchSettings,
  isPostgresUrl,
  type SectionSettings,
  type SiteSettings,
} from '../model/settings.js';
import type { EntryFilters, Subscription } from '../model/subscription.js';
import { ConfigError, type ConfigProblem } from './config-error.js';
import { CONFIG_DEFAULTS, defaultUserAgent, parseSize } from './defaults.js';
import { findKeyLine, formatKeyPath, type KeyPath } from './key-locator.js';
import { parseToml } from './parse-toml.js';

/** planet.toml, resolved: defaults applied, paths absolute (relative ones are taken from the config's folder). */
export interface OrreryConfig {
  /** Absolute path of the config file. */
  configPath: string;
  /** The config file's folder: relative paths in it are resolved from here. */
  baseDir: string;
  site: SiteSettings;
  fetch: FetchSettings;
  /**
   * Where feeds and entries are kept: the SQLite file at `path`, unless `url` names a
   * PostgreSQL database (`[store] url`, or ORRERY_DATABASE_URL, which the CLI applies).
   */
  store: { path: string; url?: string };
  /** Retention (`[archive]`); empty: keep everything. */
  archive: ArchiveSettings;
  feeds: Subscription[];
}

// ---------------------------------------------------------------- checks

/** True for an absolute http: or https: URL. */
export function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}

/** True for a well-formed BCP 47 language tag ("en", "pt-BR", "zh-Hant"), as Intl reads them. */
export function isLanguageTag(value: string): boolean {
  try {
    return Intl.getCanonicalLocales(value).length === 1;
  } catch {
    // RangeError is Intl's only way to say "not a language tag": the answer is false.
    return false;
  }
}

/** True when Intl knows the IANA time zone name. */
export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    // RangeError is Intl's only way to say "unknown zone": the answer is false, nothing to report.
    return false;
  }
}

function regexError(source: string): string | undefined {
  try {
    new RegExp(source, 'i');
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

// ---------------------------------------------------------------- raw schema (the TOML as written)

const text = string({ error: 'must be a string (in quotes)' });
const nonEmpty = text.trim().min(1, { error: 'must not be empty' });
const httpUrl = text.trim().refine(isHttpUrl, {
  error: (iss) => `${JSON.stringify(iss.input)} is not an http:// or https:// URL`,
});
const count = (min: number) =>
  number({ error: 'must be a number (without quotes)' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` });
const seconds = number({ error: 'must be a number of seconds (without quotes)' }).positive({
  error: 'must be more than 0',
});
const minutes = number({ error: 'must be a number of minutes (without quotes)' }).positive({
  error: 'must be more than 0',
});
const size = union([number(), string()], {
  error: 'must be a size such as "5MB" or a number of bytes',
}).refine((v) => parseSize(v) !== undefined, {
  error: (iss) =>
    `${JSON.stringify(iss.input)} is not a size; write a number of bytes or e.g. "512KB", "5MB", "1GB"`,
});
const timeZone = text.refine(isTimeZone, {
  error: (iss) =>
    `${JSON.stringify(iss.input)} is not a time zone; use an IANA name such as "UTC" or "Europe/Berlin"`,
});
const languageTag = text.refine(isLanguageTag, {
  error: (iss) =>
    `${JSON.stringify(iss.input)} is not a language tag; use a BCP 47 tag such as "en", "de" or "pt-BR"`,
});
const regex = text.superRefine((value, ctx) => {
  const problem = regexError(value);
  if (problem)
    ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${problem}` });
});
const stringList = <T extends ZodType<string>>(item: T) =>
  union([item, array(item)], { error: 'must be a string or a list of strings' });
/** RFC 9110 token: what a header name may be made of. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A header value is one line of visible characters, spaces and tabs (no CR, LF, NUL...). */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\uffff]*$/;

/** What is wrong with one extra header, if anything. Never quotes the value: it may be a secret. */
function headerProblem(name: string, value: string): string | undefined {
  if (!HEADER_NAME.test(name)) {
    return `${JSON.stringify(name)} is not a header name (letters, digits and !#$%&'*+-.^_\`|~ only)`;
  }
  const owned = FETCHER_OWNED_HEADERS[name.toLowerCase()];
  if (owned !== undefined) return `Orrery sets ${name} itself (${owned}); remove it from headers`;
  if (!HEADER_VALUE.test(value)) {
    return 'the value holds a line break or a control character; write it on one line';
  }
  return undefined;
}

/** Extra request headers: `headers = { Authorization = "Bearer …" }` or a [fetch.headers] table. */
const headers = record(string(), string({ error: 'must be a string (in quotes)' }), {
  error:
    'must be a table of header names and values, e.g. headers = { Authorization = "Bearer …" }',
}).superRefine((value, ctx) => {
  const seen = new Map<string, string>();
  for (const [name, v] of Object.entries(value)) {
    const problem = headerProblem(name, v);
    if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem });
    const first = seen.get(name.toLowerCase());
    if (first !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: `${name} is set twice (also as ${first}; header names ignore case); keep one`,
      });
    }
    seen.set(name.toLowerCase(), name);
  }
});

const sectionId = nonEmpty.regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, {
  error: 'must be letters, digits, - or _ (it becomes part of page URLs)',
});

const siteSchema = strictObject(
  {
    name: nonEmpty.optional(),
    link: httpUrl.optional(),
    owner_name: text.optional(),
    owner_email: text.optional(),
    output_dir: nonEmpty.optional(),
    timezone: timeZone.optional(),
    language: languageTag.optional(),
    date_format: nonEmpty.optional(),
    time_format: nonEmpty.optional(),
    items_per_page: count(1).optional(),
    days_per_page: count(1).optional(),
    theme: nonEmpty.optional(),
  },
  { error: 'must be a [site] table (one pair of brackets)' },
);

const fetchSchema = strictObject(
  {
    concurrency: count(1).optional(),
    per_host_limit: count(1).optional(),
    connect_timeout: seconds.optional(),
    headers_timeout: seconds.optional(),
    body_timeout: seconds.optional(),
    max_body_size: size.optional(),
    max_decompressed_size: size.optional(),
    max_redirects: count(0).optional(),
    user_agent: nonEmpty.optional(),
    headers: headers.optional(),
    allow_private: boolean({ error: 'must be true or false' }).optional(),
    interval: minutes.optional(),
    max_interval: minutes.optional(),
  },
  { error: 'must be a [fetch] table (one pair of brackets)' },
);

const storeSchema = strictObject(
  {
    path: nonEmpty.optional(),
    // The value is not echoed: it may hold a password.
    url: text
      .trim()
      .refine(isPostgresUrl, {
        error:
          'must be a postgres:// URL such as "postgres://orrery@db.example/planet" (leave it out to use the SQLite file at path)',
      })
      .optional(),
  },
  { error: 'must be a [store] table (one pair of brackets)' },
);

const websubSchema = strictObject(
  { hub: httpUrl.optional() },
  { error: 'must be a [websub] table (one pair of brackets)' },
);

const archiveSchema = strictObject(
  {
    keep_days: count(1).optional(),
    max_entries_per_feed: count(1).optional(),
  },
  { error: 'must be an [archive] table (one pair of brackets)' },
);

const sectionSchema = strictObject({
  id: sectionId,
  title: nonEmpty.optional(),
  description: text.optional(),
});

const filtersSchema = strictObject({
  include: stringList(regex).optional(),
  exclude: stringList(regex).optional(),
  categories: stringList(nonEmpty).optional(),
});

const feedSchema = strictObject({
  url: httpUrl,
  name: nonEmpty.optional(),
  section: sectionId.optional(),
  face: nonEmpty.optional(),
  site_link: httpUrl.optional(),
  interval: minutes.optional(),
  timeout: seconds.optional(),
  user_agent: nonEmpty.optional(),
  headers: headers.optional(),
  filters: filtersSchema.optional(),
});

/** The planet.toml document as written (snake_case keys, nothing resolved). */
export const planetTomlSchema = strictObject({
  site: siteSchema.optional(),
  fetch: fetchSchema.optional(),
  store: storeSchema.optional(),
  websub: websubSchema.optional(),
  archive: archiveSchema.optional(),
  sections: array(sectionSchema, { error: 'must be [[sections]] tables' }).optional(),
  feeds: array(feedSchema, { error: 'must be [[feeds]] tables' }).optional(),
});
export type PlanetToml = Infer<typeof planetTomlSchema>;
export type PlanetTomlFeed = Infer<typeof feedSchema>;

/** Keys each table accepts, for "did you mean" hints. */
const KNOWN_KEYS: Record<string, readonly string[]> = {
  '': Object.keys(planetTomlSchema.shape),
  site: Object.keys(siteSchema.shape),
  fetch: Object.keys(fetchSchema.shape),
  store: Object.keys(storeSchema.shape),
  websub: Object.keys(websubSchema.shape),
  archive: Object.keys(archiveSchema.shape),
  sections: Object.keys(sectionSchema.shape),
  feeds: Object.keys(feedSchema.shape),
  'feeds.filters': Object.keys(filtersSchema.shape),
};

/** Words people write for a key that has another name here (Planet Venus habits, synonyms). */
const ALIASES: Record<string, Record<string, string>> = {
  '': {
    feed: 'feeds',
    section: 'sections',
    planet: 'site',
    http: 'fetch',
    database: 'store',
    retention: 'archive',
  },
  site: {
    title: 'name',
    url: 'link',
    owner: 'owner_name',
    author: 'owner_name',
    email: 'owner_email',
    output: 'output_dir',
    tz: 'timezone',
    time_zone: 'timezone',
    lang: 'language',
    locale: 'language',
    items: 'items_per_page',
    days: 'days_per_page',
    output_theme: 'theme',
    new_date_format: 'date_format',
  },
  fetch: {
    timeout: 'connect_timeout',
    feed_timeout: 'body_timeout',
    spider_threads: 'concurrency',
    threads: 'concurrency',
    useragent: 'user_agent',
    header: 'headers',
  },
  websub: { hub_url: 'hub', url: 'hub', pubsubhubbub: 'hub' },
  store: {
    file: 'path',
    db: 'path',
    database: 'path',
    database_url: 'url',
    connection: 'url',
    dsn: 'url',
  },
  archive: {
    days: 'keep_days',
    keep: 'keep_days',
    max_age: 'keep_days',
    max_entries: 'max_entries_per_feed',
    entries_per_feed: 'max_entries_per_feed',
  },
  sections: { name: 'title' },
  feeds: {
    title: 'name',
    feed: 'url',
    link: 'site_link',
    site: 'site_link',
    avatar: 'face',
    category: 'section',
    filter: 'filters',
    header: 'headers',
    useragent: 'user_agent',
  },
  'feeds.filters': { category: 'categories', includes: 'include', excludes: 'exclude' },
};

/** Suggests the known key closest to an unknown one (typo, synonym or camelCase), if any is close. */
export function suggestKey(unknown: string, table: string): string | undefined {
  const known = KNOWN_KEYS[table] ?? [];
  const aliases = ALIASES[table] ?? {};
  const norm = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '');
  let best: { key: string; distance: number } | undefined;
  const candidates: [string, string][] = [
    ...known.map((k): [string, string] => [k, k]),
    ...Object.entries(aliases),
  ];
  for (const [word, key] of candidates) {
    const d = norm(word) === norm(unknown) ? 0 : editDistance(word, unknown.toLowerCase());
    const limit = word.length <= 4 ? 1 : 2;
    if (d <= limit && (!best || d < best.distance)) best = { key, distance: d };
  }
  return best?.key;
}

/** Optimal string alignment distance (Levenshtein plus transpositions: "titel" → "title" is 1). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, at(i - 2, j - 2) + 1);
      }
      (d[i] as number[])[j] = v;
    }
  }
  return at(a.length, b.length);
}

// ---------------------------------------------------------------- resolution

export interface ParseConfigOptions {
  /** Path of the config file; relative paths in it are resolved from its folder. */
  configPath: string;
  /** Orrery's version, for the default User-Agent. */
  version?: string;
  /** Name shown in error messages (defaults to configPath). */
  file?: string;
}

/** Parses planet.toml text into a resolved OrreryConfig; throws ConfigError listing every problem. */
export function parseConfig(source: string, options: ParseConfigOptions): OrreryConfig {
  const file = options.file ?? options.configPath;
  let raw: unknown;
  try {
    raw = parseToml(source);
  } catch (err) {
    throw tomlSyntaxError(err, file, source);
  }
  return resolveConfig(raw, { ...options, file, source });
}

/**
 * Turns a smol-toml syntax error into a ConfigError pointing at the line and column, with the
 * lines around it — unless they may hold a header value (`source` tells): it may be a secret.
 */
export function tomlSyntaxError(err: unknown, file: string, source?: string): ConfigError {
  if (err instanceof TomlError) {
    const firstLine = err.message.split('\n')[0]?.replace(/^Invalid TOML document: /, '') ?? '';
    const hidden = source !== undefined && nearHeaders(source, err.line);
    const snippet = err.codeblock && !hidden ? `\n${err.codeblock.trimEnd()}` : '';
    return new ConfigError(
      `config: ${file}:${err.line}:${err.column}: TOML syntax error: ${firstLine}; fix the file (TOML reference: https://toml.io)${snippet}`,
      {
        file,
        line: err.line,
        problems: [
          { line: err.line, column: err.column, message: `TOML syntax error: ${firstLine}` },
        ],
        cause: err,
      },
    );
  }
  return new ConfigError(`config: ${file}: cannot read TOML: ${String(err)}`, { file, cause: err });
}

/** True when the lines around `line` (1-based) set headers or sit in a [*.headers] table. */
function nearHeaders(source: string, line: number): boolean {
  const lines = source.split(/\r?\n/);
  const around = lines.slice(Math.max(0, line - 2), line + 1);
  if (around.some((l) => /headers/i.test(l))) return true;
  for (let i = Math.min(line, lines.length) - 1; i >= 0; i--) {
    const header = /^\s*\[\[?\s*([^\]]+?)\s*\]/.exec(lines[i] ?? '');
    if (header) return /(^|\.)\s*"?headers"?$/i.test(header[1] ?? '');
  }
  return false;
}

/** Validates a parsed TOML value and applies defaults; `source` (the text) lets errors name lines. */
export function resolveConfig(
  raw: unknown,
  options: ParseConfigOptions & { source?: string },
): OrreryConfig {
  const file = options.file ?? options.configPath;
  const locate = (p: KeyPath) =>
    options.source === undefined ? undefined : findKeyLine(options.source, p);
  const result = planetTomlSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.flatMap((issue) => issueProblems(issue, raw, locate));
    throw ConfigError.fromProblems(file, sortProblems(problems));
  }
  const doc = result.data;
  const problems = semanticProblems(doc, locate);
  const config = buildConfig(doc, options);
  problems.push(...pathProblems(config, locate));
  if (problems.length > 0) throw ConfigError.fromProblems(file, sortProblems(problems));
  return config;
}

/** True when `child` is `parent` or inside it. */
function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Everything in the site folder is published (served, copied to a web server), and each build
 * writes and removes its pages there: it must not hold the config or the database.
 */
function pathProblems(
  config: OrreryConfig,
  locate: (p: KeyPath) => number | undefined,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const out = config.site.outputDir;
  const at = (p: KeyPath) => ({ key: formatKeyPath(p), line: locate(p) });
  if (isInside(config.configPath, out)) {
    problems.push({
      ...at(['site', 'output_dir']),
      message: `${out} holds this config file, but everything in the site folder is published and each build writes and removes its pages there; use a folder of its own such as "public"`,
    });
  }
  if (isInside(config.store.path, out)) {
    problems.push({
      ...at(['store', 'path']),
      message: `${config.store.path} is inside the site folder ${out}, and everything in the site folder is published; keep the database outside it`,
    });
  }
  return problems;
}

function buildConfig(doc: PlanetToml, options: ParseConfigOptions): OrreryConfig {
  const configPath = path.resolve(options.configPath);
  const baseDir = path.dirname(configPath);
  const D = CONFIG_DEFAULTS;
  const s = doc.site ?? {};
  const f = doc.fetch ?? {};
  const name = s.name ?? D.site.name;
  const sections: SectionSettings[] = doc.sections?.length
    ? doc.sections.map((sec) => ({
        id: sec.id,
        title: sec.title ?? sec.id,
        ...(sec.description !== undefined ? { description: sec.description } : {}),
      }))
    : [{ id: D.sectionId, title: name }];
  const defaultSection = sections[0]?.id ?? D.sectionId;

  const owner =
    s.owner_name !== undefined || s.owner_email !== undefined
      ? {
          ...(s.owner_name !== undefined ? { name: s.owner_name } : {}),
          ...(s.owner_email !== undefined ? { email: s.owner_email } : {}),
        }
      : undefined;
  const site: SiteSettings = {
    name,
    ...(s.link !== undefined ? { link: s.link } : {}),
    ...(owner ? { owner } : {}),
    outputDir: path.resolve(baseDir, s.output_dir ?? D.site.outputDir),
    timezone: s.timezone ?? D.site.timezone,
    language:
      s.language === undefined
        ? D.site.language
        : (Intl.getCanonicalLocales(s.language)[0] ?? s.language),
    dateFormat: s.date_format ?? D.site.dateFormat,
    timeFormat: s.time_format ?? D.site.timeFormat,
    itemsPerPage: s.items_per_page ?? D.site.itemsPerPage,
    daysPerPage: s.days_per_page ?? D.site.daysPerPage,
    sections,
    ...(doc.websub?.hub !== undefined ? { websubHub: doc.websub.hub } : {}),
    ...(s.theme !== undefined && s.theme !== 'default'
      ? { themeDir: path.resolve(baseDir, s.theme) }
      : {}),
  };

  const secondsToMs = (v: number) => Math.round(v * 1000);
  const fetch: FetchSettings = {
    concurrency: f.concurrency ?? D.fetch.concurrency,
    perHostLimit: f.per_host_limit ?? D.fetch.perHostLimit,
    connectTimeoutMs: secondsToMs(f.connect_timeout ?? D.fetch.connectTimeoutSeconds),
    headersTimeoutMs: secondsToMs(f.headers_timeout ?? D.fetch.headersTimeoutSeconds),
    bodyTimeoutMs: secondsToMs(f.body_timeout ?? D.fetch.bodyTimeoutSeconds),
    maxBodyBytes: parseSize(f.max_body_size ?? D.fetch.maxBodySize) ?? 0,
    maxDecompressedBytes: parseSize(f.max_decompressed_size ?? D.fetch.maxDecompressedSize) ?? 0,
    maxRedirects: f.max_redirects ?? D.fetch.maxRedirects,
    userAgent: f.user_agent ?? defaultUserAgent(options.version ?? '0.0.0', s.link),
    allowPrivate: f.allow_private ?? D.fetch.allowPrivate,
    ...(f.headers && Object.keys(f.headers).length > 0
      ? { headers: lowerCaseNames(f.headers) }
      : {}),
    intervalMinutes: f.interval ?? D.fetch.intervalMinutes,
    maxIntervalMinutes: f.max_interval ?? D.fetch.maxIntervalMinutes,
  };

  const feeds = (doc.feeds ?? []).map((feed) => toSubscription(feed, defaultSection));
  return {
    configPath,
    baseDir,
    site,
    fetch,
    store: {
      path: path.resolve(baseDir, doc.store?.path ?? D.store.path),
      ...(doc.store?.url !== undefined ? { url: doc.store.url } : {}),
    },
    archive: {
      ...(doc.archive?.keep_days !== undefined ? { keepDays: doc.archive.keep_days } : {}),
      ...(doc.archive?.max_entries_per_feed !== undefined
        ? { maxEntriesPerFeed: doc.archive.max_entries_per_feed }
        : {}),
    },
    feeds,
  };
}

/** One [[feeds]] table → the Subscription the stages use (also used by the editors). */
export function toSubscription(feed: PlanetTomlFeed, defaultSection: string): Subscription {
  const list = (v: string | string[] | undefined) =>
    v === undefined ? undefined : Array.isArray(v) ? v : [v];
  const filters: EntryFilters = {};
  const include = list(feed.filters?.include);
  const exclude = list(feed.filters?.exclude);
  const categories = list(feed.filters?.categories);
  if (include?.length) filters.include = include;
  if (exclude?.length) filters.exclude = exclude;
  if (categories?.length) filters.categories = categories;
  const overrides: NonNullable<Subscription['overrides']> = {};
  if (feed.interval !== undefined) overrides.intervalMinutes = feed.interval;
  if (feed.timeout !== undefined) overrides.timeoutMs = Math.round(feed.timeout * 1000);
  if (feed.user_agent !== undefined) overrides.userAgent = feed.user_agent;
  if (feed.headers && Object.keys(feed.headers).length > 0) {
    overrides.headers = lowerCaseNames(feed.headers);
  }
  return {
    url: ownString(feed.url),
    section: ownString(feed.section ?? defaultSection),
    ...(feed.name !== undefined ? { name: ownString(feed.name) } : {}),
    ...(feed.face !== undefined ? { face: ownString(feed.face) } : {}),
    ...(feed.site_link !== undefined ? { siteLink: ownString(feed.site_link) } : {}),
    ...(Object.keys(filters).length ? { filters } : {}),
    ...(Object.keys(overrides).length ? { overrides } : {}),
  };
}

/**
 * A copy of a string that holds its own characters. The TOML parser's strings are slices of
 * the whole text (V8 shares the parent's characters from 13 characters on), so one kept
 * subscription kept all of planet.toml alive (docs/decisions/config.md).
 */
function ownString(value: string): string {
  return value.length < 13 ? value : Buffer.from(value, 'utf16le').toString('utf16le');
}

/** Header names as HTTP compares them (case-insensitively), so a feed's header replaces a run one. */
function lowerCaseNames(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, v]) => [name.toLowerCase(), v]));
}

/** The key a feed URL is compared by for duplicates: the parsed href (scheme and host lowercased). */
export function feedUrlKey(url: string): string {
  return URL.canParse(url) ? new URL(url).href : url.trim();
}

function semanticProblems(
  doc: PlanetToml,
  locate: (p: KeyPath) => number | undefined,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (p: KeyPath, message: string) =>
    problems.push({ key: formatKeyPath(p), line: locate(p), message });

  const sectionIds = new Map<string, number>();
  (doc.sections ?? []).forEach((sec, i) => {
    const first = sectionIds.get(sec.id);
    if (first !== undefined) {
      add(
        ['sections', i, 'id'],
        `section "${sec.id}" is defined twice (first as sections[${first}]); give each section its own id`,
      );
    } else sectionIds.set(sec.id, i);
  });
  const known = doc.sections?.length ? [...sectionIds.keys()] : [CONFIG_DEFAULTS.sectionId];

  const urls = new Map<string, number>();
  (doc.feeds ?? []).forEach((feed, i) => {
    if (feed.section !== undefined && !known.includes(feed.section)) {
      const hint = doc.sections?.length
        ? `use a defined one: ${known.map((k) => `"${k}"`).join(', ')}`
        : `without [[sections]] the only section is "${CONFIG_DEFAULTS.sectionId}"`;
      add(
        ['feeds', i, 'section'],
        `section "${feed.section}" is not defined; add a [[sections]] table with id = "${feed.section}" or ${hint}`,
      );
    }
    const key = feedUrlKey(feed.url);
    const first = urls.get(key);
    if (first !== undefined) {
      const firstLine = locate(['feeds', first, 'url']);
      add(
        ['feeds', i, 'url'],
        `duplicate feed ${feed.url} (already feeds[${first}]${firstLine ? `, line ${firstLine}` : ''}); remove one of them`,
      );
    } else urls.set(key, i);
  });

  if (doc.websub?.hub !== undefined && doc.site?.link === undefined) {
    add(
      ['websub', 'hub'],
      'a hub needs the public address of the feeds it announces: set link = "https://…" in [site]',
    );
  }

  const f = doc.fetch;
  if (f?.interval !== undefined && f.max_interval !== undefined && f.max_interval < f.interval) {
    add(['fetch', 'max_interval'], `must be at least fetch.interval (${f.interval} minutes)`);
  }
  return problems;
}

type ZodIssue = $ZodIssue;

function issueProblems(
  issue: ZodIssue,
  raw: unknown,
  locate: (p: KeyPath) => number | undefined,
): ConfigProblem[] {
  const at = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const table = at.filter((p) => typeof p === 'string').join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const p = [...at, key];
      const suggestion = suggestKey(key, table);
      const where = table === '' ? 'the top level' : `[${table}]`;
      const hint = suggestion
        ? `did you mean '${suggestion}'?`
        : `${where} accepts: ${(KNOWN_KEYS[table] ?? []).join(', ')}`;
      return { key: formatKeyPath(p), line: locate(p), message: `unknown key — ${hint}` };
    });
  }
  let message = issue.message.replace(/^Invalid input: /, '');
  if (issue.code === 'invalid_type') {
    const value = valueAt(raw, at);
    if (value === undefined) message = requiredMessage(at);
    // A header value may be a secret: say what it is not without showing it.
    else if (!at.includes('headers')) message = `${message}, not ${describe(value)}`;
  }
  return [{ key: formatKeyPath(at), line: locate(at), message }];
}

function requiredMessage(at: KeyPath): string {
  const last = at[at.length - 1];
  if (at[0] === 'feeds' && last === 'url')
    return 'required: every [[feeds]] needs url = "https://…"';
  if (at[0] === 'sections' && last === 'id') return 'required: every [[sections]] needs id = "…"';
  return 'required';
}

function valueAt(raw: unknown, at: KeyPath): unknown {
  let v: unknown = raw;
  for (const part of at) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[part];
  }
  return v;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  if (typeof value === 'object' && value !== null) return 'a table';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  return [...problems].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
}

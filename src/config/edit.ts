import { parse as parseToml } from 'smol-toml';
import type { Subscription } from '../model/subscription.js';
import { ConfigError } from './config-error.js';
import { CONFIG_DEFAULTS } from './defaults.js';
import type { ImportedSite, ImportResult } from './import-result.js';
import { scanTomlLines } from './key-locator.js';
import {
  feedUrlKey,
  type PlanetToml,
  type PlanetTomlFeed,
  parseConfig,
  planetTomlSchema,
  tomlSyntaxError,
  toSubscription,
} from './schema.js';
import { tomlString } from './starter.js';

// Edits work on the TOML text, not on a parsed value, so the user's comments, order and
// formatting survive: blocks are appended or cut out whole, and the result is validated.

/** Options of the editors: `file` names the config in error messages. */
export interface EditConfigOptions {
  file?: string;
}

const DEFAULT_FILE = 'planet.toml';

function tomlStringList(values: readonly string[]): string {
  return `[${values.map(tomlString).join(', ')}]`;
}

/** A TOML key: bare when it can be, quoted otherwise (header names may hold dots). */
function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : tomlString(key);
}

interface ParsedText {
  doc: PlanetToml;
  sectionIds: string[];
  defaultSection: string;
  hasSections: boolean;
}

/** Parses and validates the shape of config text (not the cross-checks, which the edit may fix). */
function parseText(text: string, file: string): ParsedText {
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (err) {
    throw tomlSyntaxError(err, file, text);
  }
  const result = planetTomlSchema.safeParse(raw);
  // The full message with lines comes from validate(); here we only need a readable document.
  if (!result.success) validate(text, file);
  const doc = (result.success ? result.data : {}) as PlanetToml;
  const hasSections = (doc.sections?.length ?? 0) > 0;
  const sectionIds = hasSections
    ? (doc.sections ?? []).map((s) => s.id)
    : [CONFIG_DEFAULTS.sectionId];
  return {
    doc,
    sectionIds,
    defaultSection: sectionIds[0] ?? CONFIG_DEFAULTS.sectionId,
    hasSections,
  };
}

/** Throws the ConfigError parseConfig would give for the edited text, so an edit never writes a broken file. */
function validate(text: string, file: string): void {
  parseConfig(text, { configPath: `/${DEFAULT_FILE}`, file });
}

/** One [[feeds]] block; `section` is left out when it is the default section. */
export function feedBlock(sub: Subscription, defaultSection: string): string {
  const lines = ['[[feeds]]', `url = ${tomlString(sub.url)}`];
  if (sub.name !== undefined) lines.push(`name = ${tomlString(sub.name)}`);
  if (sub.section !== defaultSection) lines.push(`section = ${tomlString(sub.section)}`);
  if (sub.face !== undefined) lines.push(`face = ${tomlString(sub.face)}`);
  if (sub.siteLink !== undefined) lines.push(`site_link = ${tomlString(sub.siteLink)}`);
  const o = sub.overrides;
  if (o?.intervalMinutes !== undefined) lines.push(`interval = ${o.intervalMinutes}`);
  if (o?.timeoutMs !== undefined) lines.push(`timeout = ${o.timeoutMs / 1000}`);
  if (o?.userAgent !== undefined) lines.push(`user_agent = ${tomlString(o.userAgent)}`);
  if (o?.headers && Object.keys(o.headers).length > 0) {
    const pairs = Object.entries(o.headers).map(([k, v]) => `${tomlKey(k)} = ${tomlString(v)}`);
    lines.push(`headers = { ${pairs.join(', ')} }`);
  }
  const f = sub.filters;
  if (f && (f.include?.length || f.exclude?.length || f.categories?.length)) {
    lines.push('[feeds.filters]');
    if (f.include?.length) lines.push(`include = ${tomlStringList(f.include)}`);
    if (f.exclude?.length) lines.push(`exclude = ${tomlStringList(f.exclude)}`);
    if (f.categories?.length) lines.push(`categories = ${tomlStringList(f.categories)}`);
  }
  return lines.join('\n');
}

function sectionBlock(id: string, title: string, description?: string): string {
  const lines = ['[[sections]]', `id = ${tomlString(id)}`, `title = ${tomlString(title)}`];
  if (description !== undefined) lines.push(`description = ${tomlString(description)}`);
  return lines.join('\n');
}

/** Appends blocks at the end of the text, separated by one blank line. */
function appendBlocks(text: string, blocks: string[]): string {
  if (blocks.length === 0) return text;
  // Keep the file's line endings (a config edited on Windows stays CRLF).
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const body = text.replace(/\s*$/, '');
  const added = blocks.join('\n\n').replace(/\n/g, eol);
  return `${body}${body === '' ? '' : eol + eol}${added}${eol}`;
}

/** Appends a [[feeds]] block for the subscription; ConfigError if its URL is already there or the result is invalid. */
export function addFeedToConfig(
  text: string,
  sub: Subscription,
  options: EditConfigOptions = {},
): string {
  const file = options.file ?? DEFAULT_FILE;
  const parsed = parseText(text, file);
  const existing = (parsed.doc.feeds ?? []).findIndex(
    (f) => feedUrlKey(f.url) === feedUrlKey(sub.url),
  );
  if (existing !== -1) {
    throw new ConfigError(
      `config: ${file}: ${sub.url} is already subscribed (feeds[${existing}]); remove it first to change it`,
      { file, key: `feeds[${existing}].url` },
    );
  }
  const next = appendBlocks(text, [feedBlock(sub, parsed.defaultSection)]);
  validate(next, file);
  return next;
}

/** The line span [start, end) of each [[feeds]] block, with the comment lines right above it. */
function feedBlockSpans(text: string): { start: number; end: number }[] {
  const lines = text.split('\n');
  const headers = scanTomlLines(text).filter((l) => l.kind === 'header');
  const spans: { start: number; end: number }[] = [];
  const attachedStart = (index: number): number => {
    let start = index;
    while (start > 0 && /^\s*#/.test(lines[start - 1] ?? '')) start--;
    return start;
  };
  headers.forEach((h, i) => {
    if (h.kind !== 'header' || !h.isArray || h.parts.join('.') !== 'feeds') return;
    // The block runs until the next header that is not a sub-table of this feed.
    let next = headers.slice(i + 1).find((n) => n.kind === 'header' && n.parts[0] !== 'feeds');
    const nextFeed = headers
      .slice(i + 1)
      .find((n) => n.kind === 'header' && n.isArray && n.parts.join('.') === 'feeds');
    if (!next || (nextFeed && nextFeed.index < next.index)) next = nextFeed;
    const end = next ? attachedStart(next.index) : lines.length;
    spans.push({ start: attachedStart(h.index), end });
  });
  return spans;
}

/** Removes the [[feeds]] block with this URL or name (and its comments); `removed` is undefined when none matches. */
export function removeFeedFromConfig(
  text: string,
  urlOrName: string,
  options: EditConfigOptions = {},
): { text: string; removed: Subscription | undefined } {
  const file = options.file ?? DEFAULT_FILE;
  const parsed = parseText(text, file);
  const feeds: PlanetTomlFeed[] = parsed.doc.feeds ?? [];
  const wanted = urlOrName.trim();
  let index = feeds.findIndex((f) => feedUrlKey(f.url) === feedUrlKey(wanted));
  if (index === -1) {
    const byName = feeds
      .map((f, i) => ({ f, i }))
      .filter(({ f }) => f.name !== undefined && f.name.toLowerCase() === wanted.toLowerCase());
    if (byName.length > 1) {
      throw new ConfigError(
        `config: ${file}: ${byName.length} feeds are named "${wanted}" (${byName.map(({ f }) => f.url).join(', ')}); remove one by its URL`,
        { file },
      );
    }
    index = byName[0]?.i ?? -1;
  }
  const feed = feeds[index];
  if (!feed) return { text, removed: undefined };
  const spans = feedBlockSpans(text);
  const span = spans[index];
  if (spans.length !== feeds.length || !span) {
    throw new ConfigError(
      `config: ${file}: cannot edit feeds written as an inline array (feeds = [...]); write each feed as a [[feeds]] table`,
      { file, key: 'feeds' },
    );
  }
  const lines = text.split('\n');
  let { start, end } = span;
  // Take the blank lines after the block too, so no gap of two blank lines is left behind.
  while (end < lines.length && (lines[end] ?? '').trim() === '' && end < lines.length - 1) end++;
  if (end >= lines.length - 1) {
    while (start > 0 && (lines[start - 1] ?? '').trim() === '') start--;
  }
  const kept = [...lines.slice(0, start), ...lines.slice(end)];
  let next = kept.join('\n');
  if (!next.endsWith('\n') && next !== '') next += '\n';
  validate(next, file);
  return { text: next, removed: toSubscription(feed, parsed.defaultSection) };
}

/** A permanent move of a feed, as the config records it. */
export interface FeedMove {
  /** The URL the config has now. */
  from: string;
  to: string;
  /** When the move was confirmed, YYYY-MM-DD (written in the comment that keeps `from`). */
  date: string;
}

const URL_LINE = /^(\s*)((?:url|"url"|'url')\s*=\s*)("(?:[^"\\]|\\.)*"|'[^']*')(.*)$/;

/**
 * Points the [[feeds]] block of `from` at `to` (a confirmed permanent redirect). Only its url
 * value changes, with a comment line above it that keeps the old URL findable
 * (`# moved from <from> on <date> (permanent redirect)`); every other line, comment and blank
 * stays as it was. ConfigError when `from` is not subscribed, `to` already is, or the feeds are
 * written inline.
 */
export function moveFeedInConfig(
  text: string,
  move: FeedMove,
  options: EditConfigOptions = {},
): string {
  const file = options.file ?? DEFAULT_FILE;
  const feeds: PlanetTomlFeed[] = parseText(text, file).doc.feeds ?? [];
  const index = feeds.findIndex((f) => feedUrlKey(f.url) === feedUrlKey(move.from));
  if (index === -1) {
    throw new ConfigError(`config: ${file}: no [[feeds]] with url = "${move.from}"`, { file });
  }
  const taken = feeds.findIndex((f) => feedUrlKey(f.url) === feedUrlKey(move.to));
  if (taken !== -1) {
    throw new ConfigError(
      `config: ${file}: ${move.to} is already subscribed (feeds[${taken}]); remove one of the two feeds`,
      { file, key: `feeds[${taken}].url` },
    );
  }
  const span = feedBlockSpans(text)[index];
  const urlLine = scanTomlLines(text).find(
    (l) =>
      l.kind === 'key' &&
      l.parts.length === 1 &&
      l.parts[0] === 'url' &&
      span !== undefined &&
      l.index >= span.start &&
      l.index < span.end,
  );
  const lines = text.split('\n');
  const line = urlLine ? (lines[urlLine.index] ?? '') : '';
  // Keep the file's line endings (a config edited on Windows stays CRLF).
  const cr = line.endsWith('\r') ? '\r' : '';
  const match = urlLine ? URL_LINE.exec(line.slice(0, line.length - cr.length)) : null;
  if (!urlLine || !match) {
    throw new ConfigError(
      `config: ${file}: cannot find the url line of feeds[${index}]; write each feed as a [[feeds]] table with url = "…" on its own line`,
      { file, key: `feeds[${index}].url` },
    );
  }
  const [, indent = '', key = '', , rest = ''] = match;
  const comment = `${indent}# moved from ${move.from} on ${move.date} (permanent redirect)${cr}`;
  lines.splice(urlLine.index, 1, comment, `${indent}${key}${tomlString(move.to)}${rest}${cr}`);
  const next = lines.join('\n');
  validate(next, file);
  return next;
}

/**
 * Adds an import's missing sections and feeds to the config text: a section is matched by id,
 * then by title; feeds already subscribed are counted in skippedExisting, not added twice.
 */
export function addImportToConfig(
  text: string,
  imported: ImportResult,
  options: EditConfigOptions = {},
): { text: string; added: number; skippedExisting: number } {
  const file = options.file ?? DEFAULT_FILE;
  const parsed = parseText(text, file);
  const sections = parsed.hasSections
    ? (parsed.doc.sections ?? []).map((s) => ({ id: s.id, title: s.title ?? s.id }))
    : [
        {
          id: CONFIG_DEFAULTS.sectionId,
          title: parsed.doc.site?.name ?? CONFIG_DEFAULTS.site.name,
        },
      ];
  const newSections: { id: string; title: string; description?: string }[] = [];
  const sectionMap = new Map<string, string>();
  for (const s of imported.sections) {
    const byId = sections.find((e) => e.id === s.id);
    const byTitle = sections.find((e) => e.title.toLowerCase() === s.title.toLowerCase());
    if (s.id === CONFIG_DEFAULTS.sectionId && !byId) {
      // "main" is an importer's name for "no folder": the config's default section.
      sectionMap.set(s.id, parsed.defaultSection);
    } else if (byId || byTitle) {
      sectionMap.set(s.id, (byId ?? byTitle)?.id ?? parsed.defaultSection);
    } else {
      newSections.push({
        id: s.id,
        title: s.title,
        ...(s.description ? { description: s.description } : {}),
      });
      sections.push({ id: s.id, title: s.title });
      sectionMap.set(s.id, s.id);
    }
  }

  const seen = new Set((parsed.doc.feeds ?? []).map((f) => feedUrlKey(f.url)));
  const feedBlocks: string[] = [];
  let skippedExisting = 0;
  for (const sub of imported.subscriptions) {
    const key = feedUrlKey(sub.url);
    if (seen.has(key)) {
      skippedExisting++;
      continue;
    }
    seen.add(key);
    const section = sectionMap.get(sub.section) ?? parsed.defaultSection;
    feedBlocks.push(feedBlock({ ...sub, section }, parsed.defaultSection));
  }

  const sectionBlocks = newSections.map((s) => sectionBlock(s.id, s.title, s.description));
  if (sectionBlocks.length > 0 && !parsed.hasSections) {
    // Declaring any section replaces the implicit "main" one, so declare it too.
    const main = sections[0] ?? { id: CONFIG_DEFAULTS.sectionId, title: CONFIG_DEFAULTS.site.name };
    sectionBlocks.unshift(sectionBlock(main.id, main.title));
  }
  const next = appendBlocks(text, [...sectionBlocks, ...feedBlocks]);
  validate(next, file);
  return { text: next, added: feedBlocks.length, skippedExisting };
}

const SITE_KEYS = {
  name: 'name',
  link: 'link',
  ownerName: 'owner_name',
  ownerEmail: 'owner_email',
  itemsPerPage: 'items_per_page',
  daysPerPage: 'days_per_page',
  dateFormat: 'date_format',
} as const satisfies Record<keyof ImportedSite, string>;

/**
 * Writes an import's site settings (name, link, owner…) into [site]: a commented-out
 * `# key = …` line is replaced, a missing key is added after the table's last key, and a key
 * already set is kept unless `overwrite` is true. Returns the keys set and the keys kept.
 */
export function addImportedSiteToConfig(
  text: string,
  site: Partial<ImportedSite>,
  options: EditConfigOptions & { overwrite?: boolean } = {},
): { text: string; set: string[]; kept: string[] } {
  const file = options.file ?? DEFAULT_FILE;
  const parsed = parseText(text, file);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const scanned = scanTomlLines(text);
  const headers = scanned.filter((l) => l.kind === 'header');
  const siteHeader = headers.find(
    (h) => !h.isArray && h.parts.length === 1 && h.parts[0] === 'site',
  );
  if (!siteHeader && parsed.doc.site !== undefined) {
    throw new ConfigError(
      `config: ${file}: [site] is written inline (site = { … }); write it as a [site] table to let Orrery edit it`,
      { file, key: 'site' },
    );
  }
  const set: string[] = [];
  const kept: string[] = [];
  const assignments: [string, string][] = [];
  for (const [field, key] of Object.entries(SITE_KEYS) as [keyof ImportedSite, string][]) {
    const value = site[field];
    if (value === undefined || value === '') continue;
    const current = (parsed.doc.site as Record<string, unknown> | undefined)?.[key];
    if (current !== undefined && !options.overwrite) {
      kept.push(key);
      continue;
    }
    assignments.push([key, `${key} = ${typeof value === 'number' ? value : tomlString(value)}`]);
    set.push(key);
  }
  if (assignments.length === 0) return { text, set, kept };

  if (!siteHeader) {
    // Put a new [site] table before the first table, after the file's opening comments.
    const first = headers[0]?.index ?? lines.length;
    let at = first;
    while (at > 0 && /^\s*(#.*)?$/.test(lines[at - 1] ?? '') && (lines[at - 1] ?? '').trim() !== '')
      at--;
    const block = ['[site]', ...assignments.map(([, line]) => line), ''];
    lines.splice(at === 0 && first > 0 ? first : at, 0, ...block);
  } else {
    const next = headers.find((h) => h.index > siteHeader.index)?.index ?? lines.length;
    const keyLines = scanned.filter(
      (l) => l.kind === 'key' && l.index > siteHeader.index && l.index < next,
    );
    const insertAt = (keyLines[keyLines.length - 1]?.index ?? siteHeader.index) + 1;
    const inserts: string[] = [];
    // Replace in place first (indices stay valid), then insert the new keys in one splice.
    for (const [key, line] of assignments) {
      const existing = keyLines.find((l) => l.parts.length === 1 && l.parts[0] === key);
      const commented = lines.findIndex(
        (l, i) => i > siteHeader.index && i < next && new RegExp(`^#\\s*${key}\\s*=`).test(l),
      );
      if (existing) lines[existing.index] = line;
      else if (commented !== -1) lines[commented] = line;
      else inserts.push(line);
    }
    lines.splice(insertAt, 0, ...inserts);
  }
  const result = lines.join(eol);
  validate(result, file);
  return { text: result, set, kept };
}

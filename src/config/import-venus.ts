import type { Subscription } from '../model/subscription.js';
import { ConfigError } from './config-error.js';
import { type ImportedSite, type ImportResult, sectionCollector } from './import-result.js';
import { type IniEntry, type IniSection, iniValue, parseIni } from './ini-parser.js';
import { feedUrlKey, isHttpUrl } from './schema.js';

export interface ImportVenusOptions {
  /** File name for messages. */
  file?: string;
}

/** Why keys of a Planet Venus config have no Orrery equivalent (shown in the import report). */
const PLANET_KEY_REASONS: Record<string, string> = {
  cache_directory: 'Orrery keeps feeds and entries in its store ([store] path)',
  http_cache_directory: 'Orrery keeps HTTP validators (ETag, Last-Modified) in its store',
  log_level: 'logging is chosen on the command line',
  encoding: 'Orrery always writes UTF-8',
  template_files: 'Orrery themes are Liquid templates; see [site] theme',
  template_directories: 'Orrery themes are Liquid templates; see [site] theme',
  bill_of_materials: 'a theme folder holds its static files',
  output_theme: 'Orrery themes are Liquid templates; see [site] theme',
  output_dir: 'a server path of the old planet; set [site] output_dir if you need it',
  new_feed_items: 'Orrery shows every entry of a feed within the page limits',
  activity_threshold: 'the health report shows inactive feeds',
  date_format:
    'per-entry date and time; Orrery shows day headings ([site] date_format) and times ([site] time_format)',
  feed_timeout: 'use [fetch] body_timeout (seconds)',
  spider_threads: 'use [fetch] concurrency',
  filters: 'Venus filter scripts do not run in Orrery; use [feeds.filters] include/exclude',
  filter: 'Venus filter scripts do not run in Orrery; use [feeds.filters] include/exclude',
  future_dates: 'Orrery never puts an entry dated in the future above the present',
  ignore_in_feed: 'Orrery keeps the first-seen position of an entry whose updated date changes',
  facewidth: 'face sizes are the theme’s business',
  faceheight: 'face sizes are the theme’s business',
  offset: 'Orrery reads the time zone from each entry date',
  // Pluto (Ruby planet) keys
  location:
    'a language code; Orrery has no per-feed language (group feeds with [[sections]] by hand)',
  author: 'free-form author notes; Orrery does not use them',
  email: "the author's e-mail; Orrery does not publish it",
};

const FEED_KEYS = new Set([
  'name',
  'face',
  'link',
  'section',
  'category',
  'title',
  'feed',
  'avatar',
]);

/**
 * Imports a Planet Venus / Planet 2.0 config.ini (every section named by a feed URL is a feed;
 * [Planet] holds the site) — and also Pluto planet.ini files (sections with `feed = URL`).
 * Pure; reports everything it leaves out in `skipped`.
 */
export function importVenusIni(text: string, options: ImportVenusOptions = {}): ImportResult {
  const file = options.file ?? 'INI';
  if (/^\uFEFF?\s*</.test(text)) {
    throw new ConfigError(
      `config: ${file}:1: this is XML, not a Planet Venus or Pluto INI file; import an OPML file as .opml`,
      { file, line: 1 },
    );
  }
  const doc = parseIni(text);
  const firstBad = doc.invalid[0];
  if (firstBad && !doc.sections.some((s) => isHttpUrl(s.name) || iniValue(s.entries, 'feed'))) {
    // Nothing that looks like a planet, and lines that are not INI: the wrong file was given.
    throw new ConfigError(
      `config: ${file}:${firstBad.line}: not a Planet Venus or Pluto INI file (this line is not "key = value": ${JSON.stringify(firstBad.text.slice(0, 60))})`,
      { file, line: firstBad.line },
    );
  }
  const skipped: ImportResult['skipped'] = [];
  const site: Partial<ImportedSite> = {};
  const sections = sectionCollector();
  const subscriptions: Subscription[] = [];
  const seen = new Map<string, string>();
  const unusedFeedKeys = new Map<string, number>();
  let defaults: IniEntry[] = [];

  for (const bad of doc.invalid) {
    skipped.push({
      item: `line ${bad.line}: ${bad.text}`,
      reason: 'not a section, key = value or comment',
    });
  }
  for (const dup of doc.duplicates) {
    skipped.push({
      item: `line ${dup.line}: ${dup.what}`,
      reason: 'repeated; the later value is used',
    });
  }

  // Pluto keeps the planet's title before the first section.
  readPlanet(doc.preamble, site, skipped, '(top of file)');

  const defaultSection = doc.sections.find((s) => s.name === 'DEFAULT');
  if (defaultSection) {
    defaults = defaultSection.entries.filter((e) => FEED_KEYS.has(e.key));
    for (const e of defaultSection.entries) {
      if (!FEED_KEYS.has(e.key)) {
        skipped.push({ item: `[DEFAULT] ${e.key}`, reason: reasonFor(e.key) });
      }
    }
  }

  for (const section of doc.sections) {
    if (section.name === 'DEFAULT') continue;
    if (section.name.toLowerCase() === 'planet') {
      readPlanet(section.entries, site, skipped, '[Planet]');
      continue;
    }
    const entries = [
      ...defaults.filter((d) => !section.entries.some((e) => e.key === d.key)),
      ...section.entries,
    ];
    const pluto = iniValue(entries, 'feed');
    const url = pluto ?? section.name;
    if (!isHttpUrl(url)) {
      skipped.push({
        item: `[${section.name}] (line ${section.line})`,
        reason: pluto
          ? `its feed ${JSON.stringify(pluto)} is not an http(s) URL`
          : /\.(x?html?|xslt|tmpl|xml|txt)$/i.test(section.name)
            ? 'template options; Orrery themes are configured differently'
            : 'not a feed: the section name is not an http(s) URL',
      });
      continue;
    }
    const key = feedUrlKey(url);
    const first = seen.get(key);
    if (first !== undefined) {
      skipped.push({
        item: `[${section.name}] (line ${section.line})`,
        reason: `duplicate of ${first}`,
      });
      continue;
    }
    seen.set(key, section.name);
    const sub = toFeed(
      url,
      section,
      entries,
      pluto !== undefined,
      sections.idFor,
      unusedFeedKeys,
      skipped,
    );
    subscriptions.push(sub);
  }

  for (const [key, n] of unusedFeedKeys) {
    skipped.push({
      item: `feed key '${key}' (${n} feed${n === 1 ? '' : 's'})`,
      reason: reasonFor(key),
    });
  }
  return {
    ...(Object.keys(site).length > 0 ? { site } : {}),
    sections: sections.list(site.name, subscriptions.length),
    subscriptions,
    skipped,
  };
}

function toFeed(
  url: string,
  section: IniSection,
  entries: IniEntry[],
  pluto: boolean,
  sectionFor: (title: string | undefined) => string,
  unusedFeedKeys: Map<string, number>,
  skipped: ImportResult['skipped'],
): Subscription {
  const get = (k: string) => {
    const v = iniValue(entries, k)?.trim();
    return v === '' ? undefined : v;
  };
  // Venus names a feed with `name` and its avatar with `face`; Pluto says `title` and `avatar`.
  const rawName = pluto ? (get('title') ?? get('name')) : (get('name') ?? get('title'));
  // Planet Python writes `name = "Menno's Musings"`: ConfigParser keeps the quotes, which were
  // only there to protect the apostrophe; a river heading should not show them.
  const name = rawName?.replace(/^"(.*)"$/s, '$1');
  const face = get('face') ?? get('avatar');
  const link = get('link');
  const sub: Subscription = {
    url,
    section: sectionFor(get('section') ?? get('category')),
    ...(name !== undefined ? { name } : {}),
    ...(face !== undefined ? { face } : {}),
  };
  if (link !== undefined) {
    if (isHttpUrl(link)) sub.siteLink = link;
    else skipped.push({ item: `[${section.name}] link = ${link}`, reason: 'not an http(s) URL' });
  }
  for (const e of section.entries) {
    if (!FEED_KEYS.has(e.key)) unusedFeedKeys.set(e.key, (unusedFeedKeys.get(e.key) ?? 0) + 1);
  }
  return sub;
}

function readPlanet(
  entries: IniEntry[],
  site: Partial<ImportedSite>,
  skipped: ImportResult['skipped'],
  where: string,
): void {
  for (const { key, value, line } of entries) {
    const v = value.trim();
    const note = (reason: string) =>
      skipped.push({ item: `${where} ${key} (line ${line})`, reason });
    switch (key) {
      case 'name':
      case 'title':
        if (v) site.name = v;
        break;
      case 'link':
        if (isHttpUrl(v)) site.link = v;
        else note(`${JSON.stringify(v)} is not an http(s) URL`);
        break;
      case 'owner_name':
        site.ownerName = v;
        break;
      case 'owner_email':
        site.ownerEmail = v;
        break;
      case 'items_per_page':
      case 'days_per_page': {
        const n = Number(v);
        if (Number.isInteger(n) && n > 0) {
          site[key === 'items_per_page' ? 'itemsPerPage' : 'daysPerPage'] = n;
        } else note(`${JSON.stringify(v)} is not a positive whole number`);
        break;
      }
      case 'new_date_format':
        // Planet 2.0 templates head each day with new_date_format: Orrery's [site] date_format.
        site.dateFormat = v;
        break;
      default:
        note(reasonFor(key));
    }
  }
}

function reasonFor(key: string): string {
  return PLANET_KEY_REASONS[key] ?? 'Orrery has no such setting';
}

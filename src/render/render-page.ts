/**
 * Render pages from a theme's Liquid templates held in memory (pure: no file access, no
 * clock). Output is escaped by default (outputEscape); entry content is output with `| raw`.
 * A template is parsed when first rendered (parsing them all cost ~130 ms, most of a build
 * with nothing new); a broken one throws a ThemeError (its file, line and cause) before the
 * build publishes anything, and any change to a theme makes every page again, so no broken
 * template goes unseen.
 */
import { Liquid } from 'liquidjs';
import type { SiteSettings } from '../model/settings.js';
import { entryHtml } from './entry-html.js';
import type { EntryView } from './site-model.js';
import { strftime } from './strftime.js';
import { type Theme, ThemeError } from './theme.js';

export interface PageRenderer {
  /** Render a template by name (e.g. 'index.liquid') with the given variables. */
  render(template: string, variables: Record<string, unknown>): string;
}

/** A theme's own post markup, which then replaces entry-html.ts (see docs/themes.md). */
const ENTRY_PARTIAL = 'partials/entry.liquid';

/** LiquidJS errors carry the template name and position; turn them into a ThemeError. */
function themeError(error: unknown, theme: Pick<Theme, 'sources'>): unknown {
  const e = error as {
    name?: string;
    message?: string;
    token?: { file?: string; getPosition?: () => [number, number] };
    originalError?: Error;
  };
  if (!e?.name?.endsWith('Error') || !e.token?.getPosition) return error;
  const [line, column] = e.token.getPosition();
  const name = e.token.file ?? '';
  const file = theme.sources.get(name) ?? theme.sources.get(`${name}.liquid`) ?? name;
  const cause = (e.originalError?.message ?? e.message ?? '')
    .replace(/, file:.*$/, '')
    .replace(/, line:\d+, col:\d+$/, '');
  return new ThemeError(file, line, column, cause);
}

/** A renderer over the theme's templates, with Orrery's filters in the site's zone and language. */
export function createPageRenderer(
  theme: Pick<Theme, 'templates' | 'sources'>,
  site: Pick<SiteSettings, 'timezone' | 'dateFormat' | 'timeFormat' | 'language'>,
): PageRenderer {
  const { templates } = theme;
  const engine = new Liquid({
    templates,
    extname: '.liquid',
    outputEscape: 'escape',
    strictFilters: true,
    cache: true,
    greedy: true,
  });
  const lang = site.language ?? 'en';
  const format = (value: unknown, fmt: string): string => {
    const d = value instanceof Date ? value : new Date(String(value));
    return Number.isNaN(d.getTime()) ? '' : strftime(d, fmt, site.timezone, lang);
  };
  // {{ entry.date | strftime: '%d %b %Y' }} — any ISO date in the site's time zone.
  engine.registerFilter('strftime', (value: unknown, fmt?: unknown) =>
    format(value, typeof fmt === 'string' ? fmt : site.dateFormat),
  );
  // {{ entry.date | site_date }} / {{ entry.date | site_time }}: the site's own formats.
  engine.registerFilter('site_date', (value: unknown) => format(value, site.dateFormat));
  engine.registerFilter('site_time', (value: unknown) => format(value, site.timeFormat));
  // {{ entry | entry_html: level, root | raw }}: one post, by entry-html.ts, or by the theme's
  // own partials/entry.liquid when it has one.
  const themePartial = ENTRY_PARTIAL in templates;
  engine.registerFilter('entry_html', (entry: unknown, level: unknown, root: unknown) =>
    themePartial
      ? engine.renderFileSync('partials/entry', { entry, level, root })
      : entryHtml(entry as EntryView, Number(level), String(root ?? '')),
  );
  return {
    render(template, variables) {
      if (!(template in templates)) {
        throw new ThemeError(template, undefined, undefined, 'the theme has no such template');
      }
      try {
        // The synchronous renderer: the templates are in memory, and LiquidJS's async path
        // costs a promise per tag (it was 60% of a 30,000-entry build).
        return engine.renderFileSync(template.replace(/\.liquid$/, ''), variables);
      } catch (error) {
        throw themeError(error, theme);
      }
    },
  };
}

/**
 * The pages' Content-Security-Policy: the theme's partials/csp.liquid, on one line and without
 * a quote that could end layout.liquid's content="…" attribute.
 */
export function pageCsp(renderer: PageRenderer, site: Pick<SiteSettings, 'name'>): string {
  return renderer
    .render('partials/csp.liquid', { site: { name: site.name } })
    .replace(/\s+/g, ' ')
    .replace(/["<>]/g, '')
    .trim();
}

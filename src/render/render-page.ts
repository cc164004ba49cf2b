/**
 * Render pages from Liquid templates held in memory (pure: no file access, no clock).
 * Output is escaped by default (outputEscape); entry content is output with `| raw`.
 */
import { Liquid } from 'liquidjs';
import type { SiteSettings } from '../model/settings.js';
import { entryHtml } from './entry-html.js';
import { strftime } from './strftime.js';

export interface PageRenderer {
  /** Render a template by name (e.g. 'index.liquid') with the given variables. */
  render(template: string, variables: Record<string, unknown>): Promise<string>;
}

/** A renderer over the given templates, with Orrery's filters in the site's time zone. */
export function createPageRenderer(
  templates: Record<string, string>,
  site: Pick<SiteSettings, 'timezone' | 'dateFormat' | 'timeFormat'>,
  options: { defaultEntryPartial?: boolean } = {},
): PageRenderer {
  const engine = new Liquid({
    templates,
    extname: '.liquid',
    outputEscape: 'escape',
    strictFilters: true,
    cache: true,
    greedy: true,
  });
  const format = (value: unknown, fmt: string): string => {
    const d = value instanceof Date ? value : new Date(String(value));
    return Number.isNaN(d.getTime()) ? '' : strftime(d, fmt, site.timezone);
  };
  // {{ entry.date | strftime: '%d %b %Y' }} — any ISO date in the site's time zone.
  engine.registerFilter('strftime', (value: unknown, fmt?: unknown) =>
    format(value, typeof fmt === 'string' ? fmt : site.dateFormat),
  );
  // {{ entry.date | site_date }} / {{ entry.date | site_time }}: the site's own formats.
  engine.registerFilter('site_date', (value: unknown) => format(value, site.dateFormat));
  engine.registerFilter('site_time', (value: unknown) => format(value, site.timeFormat));
  // {{ entry | entry_html: level, root | raw }}: one post, as partials/entry.liquid renders it.
  // When that partial is the default theme's, its TypeScript twin (entry-html.ts) does it
  // without Liquid — the bulk of a build's CPU otherwise.
  const fast = options.defaultEntryPartial === true;
  engine.registerFilter('entry_html', (entry: unknown, level: unknown, root: unknown) =>
    fast
      ? entryHtml(entry as Record<string, unknown>, level, root)
      : engine.renderFileSync('partials/entry', { entry, level, root }),
  );
  return {
    async render(template, variables) {
      if (!(template in templates))
        throw new Error(`render: the theme has no template ${template}`);
      // The synchronous renderer: the templates are in memory, and LiquidJS's async path costs
      // a promise per tag (it was 60% of a 30,000-entry build).
      return engine.renderFileSync(template.replace(/\.liquid$/, ''), variables);
    },
  };
}

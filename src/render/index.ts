/**
 * render: store → static site. `buildSite` reads the Store port's read methods (a
 * `RenderSource`), renders the theme's Liquid templates (themes/default, overridden file by
 * file by SiteSettings.themeDir), writes Atom/RSS/JSON feeds (with RFC 5005 archives), OPML and
 * a Pagefind search index, and publishes only what changed since the last publish, atomically
 * (publish.ts). Template variables: docs/themes.md.
 */
export {
  type BuildReport,
  type BuildSiteOptions,
  buildSite,
  type RenderSource,
} from './build-site.js';
export { createMemorySource, type MemorySourceData } from './memory-source.js';
export { type OpmlFeed, renderOpml } from './outputs/opml.js';
export { SiteWriteError } from './publish.js';
export { strftime } from './strftime.js';
export { syntheticPlanet } from './synthetic-planet.js';
export { ThemeError } from './theme.js';

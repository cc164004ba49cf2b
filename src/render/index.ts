/**
 * render: store → static site. `buildSite` reads the Store port's read methods (a
 * `RenderSource`), renders the theme's Liquid templates (themes/default, overridden file by
 * file by SiteSettings.themeDir), writes Atom/RSS/JSON feeds, OPML and a Pagefind search
 * index into a temporary folder, and swaps it in place of SiteSettings.outputDir. Unchanged
 * files keep their inode and mtime. Template variables: docs/themes.md.
 */
export {
  type BuildReport,
  type BuildSiteOptions,
  buildSite,
  type RenderSource,
} from './build-site.js';
export { createMemorySource, type MemorySourceData } from './memory-source.js';
export { type OpmlFeed, renderOpml } from './outputs/opml.js';
export { strftime } from './strftime.js';
export { syntheticPlanet } from './synthetic-planet.js';

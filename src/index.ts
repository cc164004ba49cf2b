/**
 * Orrery as a library: the feed parser (like Python's feedparser) and the model types.
 *   import { parse, parseDate } from 'orrery';
 */

export type * from './model/feed.js';
export { parseDate } from './parse/dates.js';
export { parse } from './parse/index.js';
export { sanitizeHtml } from './sanitize/index.js';

// sanitize: untrusted HTML → safe HTML, and URL resolution inside HTML.
// Contract: pure functions of their arguments (no I/O, no clock); they never throw on any
// string input. sanitizeHtml's output contains only allowlisted elements, attributes, URL
// schemes and CSS (feedparser's lists, minus forms, form controls and focus/editing
// attributes), with relative URLs resolved and every id and name namespaced (user-content-);
// re-parsing it yields no script, no event handler and no dangerous URL, and sanitizing it
// again changes nothing. What this promises a planet is stated in SECURITY.md.
// Parsing is the browser's (WHATWG) algorithm: parse5, or for well-nested HTML a linear
// parser proven to build the same tree (fast-parse.ts). Decisions: docs/decisions/sanitize.md.

export { htmlToText } from './html-to-text.js';
export { resolveHtmlUrls } from './resolve-html-urls.js';
export { type SanitizeOptions, sanitizeHtml } from './sanitize-html.js';
export { USER_CONTENT_PREFIX } from './user-content.js';

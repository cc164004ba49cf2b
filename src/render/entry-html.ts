/**
 * One post's HTML, as the default theme shows it on every river and archive page: the only
 * definition of that markup (the default theme has no `partials/entry.liquid`). Written in
 * TypeScript because it runs once per post per page: LiquidJS took ~190-280 µs per post
 * against ~5 µs here (docs/decisions/render.md). A theme that wants other markup adds its own
 * `partials/entry.liquid`, which is then rendered by Liquid instead.
 */
import { escapeHtml } from './html-text.js';
import type { EntryView } from './site-model.js';

const attr = (name: string, value: string | undefined): string =>
  value === undefined || value === '' ? '' : ` ${name}="${escapeHtml(value)}"`;

/** The face's src from a page `root` away from the site root: URLs as they are. */
function faceSrc(face: string, root: string): string {
  return /^https?:\/\//i.test(face) ? face : `${root}${face}`;
}

/** The HTML of one entry, its heading at `level` (2-6), `root` the way back to the site root. */
export function entryHtml(e: EntryView, level: number, root: string): string {
  const f = e.feed;
  const h = `h${Math.min(6, Math.max(1, Math.trunc(level) || 3))}`;
  const link = e.link !== undefined && e.link !== '' ? e.link : undefined;
  const title = escapeHtml(e.title);
  let out = `<article class="entry${e.long ? ' entry-long' : ''}" data-entry-id="${e.id}">\n  <header class="entry-header">`;
  if (f.face) {
    out += `\n    <img class="face" src="${escapeHtml(faceSrc(f.face, root))}" alt="" width="48" height="48" loading="lazy">`;
  }
  out += `\n    <${h} class="entry-title" id="${e.anchor}">`;
  if (link) out += `<a href="${escapeHtml(link)}">`;
  out += `<span class="entry-feed">${escapeHtml(f.name)}</span>`;
  if (!e.untitled) {
    out += `<span class="sep">: </span><span class="entry-name" dir="auto"${attr('lang', e.titleLang)}>${title}</span>`;
  }
  if (link) out += '</a>';
  out += `</${h}>\n  </header>`;
  const content = `<div class="content" dir="auto"${attr('lang', e.lang)}>${e.content}</div>`;
  if (e.long) {
    out += `\n  <div class="collapsible">\n    ${content}\n    <details class="more">\n      <summary><span class="when-closed">Read more</span><span class="when-open">Show less</span><span class="visually-hidden"> of “${title}”</span></summary>\n    </details>\n  </div>`;
  } else {
    out += `\n  ${content}`;
  }
  out += '\n  <footer class="entry-meta">';
  out += link ? `<a class="entry-time" href="${escapeHtml(link)}">` : '<span class="entry-time">';
  out += `<time datetime="${e.date}">${escapeHtml(e.dateFormatted)} ${escapeHtml(e.timeFormatted)}</time>`;
  out += link ? '</a>' : '</span>';
  if (e.author !== f.name) out += ` <span class="entry-author">by ${escapeHtml(e.author)}</span>`;
  if (f.siteLink) {
    out += ` · <a href="${escapeHtml(f.siteLink)}">${escapeHtml(f.title || f.name)}</a>`;
  }
  out += `\n    · <a href="${escapeHtml(root)}${e.archivePath}#${e.anchor}" aria-label="Archive copy of ${title}">archive</a>\n  </footer>\n</article>\n`;
  return out;
}

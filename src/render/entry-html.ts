/**
 * The default theme's `partials/entry.liquid`, written out in TypeScript: byte for byte the
 * same output (test: entry-html.test.ts renders both). Liquid was most of a cold build's CPU,
 * nearly all of it in this partial (once per post per page). Used only when the theme's
 * partial is the default one; a site theme that overrides the partial is rendered by Liquid.
 */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&#34;',
  "'": '&#39;',
};

/** LiquidJS's stringify: nil is empty, arrays are joined. */
function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.map(str).join('');
  return String(v);
}

/** LiquidJS's `escape` filter (the engine's outputEscape). */
function esc(v: unknown): string {
  return str(v).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Liquid truthiness: only false, nil and undefined are falsy. */
function truthy(v: unknown): boolean {
  return v !== false && v !== undefined && v !== null;
}

type Obj = Record<string, unknown> | undefined;

/** The HTML of one entry, as `{% render 'partials/entry', entry, level, root %}` makes it. */
export function entryHtml(entry: Obj, level: unknown, root: unknown): string {
  const e = entry ?? {};
  const feed = (e.feed ?? undefined) as Obj;
  const f = feed ?? {};
  let face: unknown;
  if (truthy(f.face)) {
    const raw = f.face;
    face = typeof raw === 'string' && raw.includes('://') ? raw : `${esc(root)}faces/${esc(raw)}`;
  }
  const link = truthy(e.link);
  let out = `<article class="entry${truthy(e.long) ? ' entry-long' : ''}" data-entry-id="${esc(e.id)}">\n  <header class="entry-header">`;
  if (truthy(face)) {
    out += `\n    <img class="face" src="${esc(face)}" alt="" width="48" height="48" loading="lazy">`;
  }
  out += `\n    <h${esc(level)} class="entry-title" id="${esc(e.anchor)}">`;
  if (link) out += `<a href="${esc(e.link)}">`;
  out += `<span class="entry-feed">${esc(f.name)}</span>`;
  if (!truthy(e.untitled)) {
    out += `<span class="sep">: </span><span class="entry-name">${esc(e.title)}</span>`;
  }
  if (link) out += '</a>';
  out += `</h${esc(level)}>\n  </header>`;
  if (truthy(e.long)) {
    out += `\n  <div class="collapsible">\n    <div class="content">${str(e.content)}</div>\n    <details class="more" data-pagefind-ignore>\n      <summary><span class="when-closed">Read more</span><span class="when-open">Show less</span><span class="visually-hidden"> of “${esc(e.title)}”</span></summary>\n    </details>\n  </div>`;
  } else {
    out += `\n  <div class="content">${str(e.content)}</div>`;
  }
  out += '\n  <footer class="entry-meta" data-pagefind-ignore>';
  out += link ? `<a class="entry-time" href="${esc(e.link)}">` : '<span class="entry-time">';
  out += `<time datetime="${esc(e.date)}">${esc(e.dateFormatted)} ${esc(e.timeFormatted)}</time>`;
  out += link ? '</a>' : '</span>';
  if (e.author !== f.name) out += ` <span class="entry-author">by ${esc(e.author)}</span>`;
  if (truthy(f.siteLink)) {
    const t = f.title;
    const title = (typeof t === 'string' || Array.isArray(t) ? t.length > 0 : truthy(t))
      ? t
      : f.name;
    out += ` · <a href="${esc(f.siteLink)}">${esc(title)}</a>`;
  }
  out += `\n    · <a href="${esc(root)}${esc(e.archivePath)}#${esc(e.anchor)}" aria-label="Archive copy of ${esc(e.title)}">archive</a>\n  </footer>\n</article>\n`;
  return out;
}

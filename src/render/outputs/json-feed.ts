import type { EntryView } from '../site-model.js';
import type { FeedOutputMeta } from './feed-meta.js';
import { stripInvalidXml } from './xml.js';

/**
 * A JSON Feed 1.1 document; `_orrery.source` names the feed each item came from (and the
 * item's own id there, when the item's id is not it). `next_url` pages back through the
 * archive (meta.history.prev), as RFC 5005's prev-archive does for Atom.
 */
export function renderJsonFeed(
  meta: FeedOutputMeta & { jsonUrl?: string },
  entries: readonly EntryView[],
): string {
  const doc = {
    version: 'https://jsonfeed.org/version/1.1',
    title: meta.title,
    ...(meta.subtitle ? { description: meta.subtitle } : {}),
    ...(meta.htmlUrl ? { home_page_url: meta.htmlUrl } : {}),
    ...(meta.jsonUrl ? { feed_url: meta.jsonUrl } : {}),
    ...(meta.history?.prev ? { next_url: meta.history.prev } : {}),
    language: meta.language,
    ...(meta.hubUrl && meta.jsonUrl ? { hubs: [{ type: 'WebSub', url: meta.hubUrl }] } : {}),
    ...(meta.owner?.name ? { authors: [{ name: meta.owner.name }] } : {}),
    items: entries.map((e) => ({
      id: e.uid,
      ...(e.link ? { url: e.link } : {}),
      ...(e.untitled ? {} : { title: e.title }),
      content_html: e.content,
      ...(e.summary ? { summary: e.summary } : {}),
      date_published: e.published ?? e.date,
      ...(e.updated ? { date_modified: e.updated } : {}),
      authors: [{ name: e.author, ...(e.authorUri ? { url: e.authorUri } : {}) }],
      ...(e.categories.length ? { tags: e.categories } : {}),
      ...(e.lang ? { language: e.lang } : {}),
      ...(e.enclosures.length
        ? {
            attachments: e.enclosures.map((x) => ({
              url: x.url,
              mime_type: x.type ?? 'application/octet-stream',
              ...(x.length ? { size_in_bytes: x.length } : {}),
            })),
          }
        : {}),
      _orrery: {
        source: {
          title: e.feed.title ?? e.feed.name,
          feed_url: e.feed.url,
          ...(e.feed.siteLink ? { home_page_url: e.feed.siteLink } : {}),
          ...(e.sourceId !== undefined && e.sourceId !== e.uid ? { id: e.sourceId } : {}),
        },
      },
    })),
  };
  // JSON could carry control characters, but stripping them keeps every output saying the same.
  const clean = (_key: string, value: unknown) =>
    typeof value === 'string' ? stripInvalidXml(value) : value;
  return `${JSON.stringify(doc, clean, 2)}\n`;
}

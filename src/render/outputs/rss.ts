import type { EntryView } from '../site-model.js';
import { strftime } from '../strftime.js';
import type { FeedOutputMeta } from './feed-meta.js';
import { attr, element, escapeXml } from './xml.js';

/** RFC 822 date (as RSS 2.0 asks), in GMT. */
export function rfc822(iso: string): string {
  return strftime(new Date(iso), '%a, %d %b %Y %H:%M:%S GMT', 'UTC');
}

function itemXml(e: EntryView): string {
  const permalink = e.link !== undefined && e.uid === e.link && /^https?:\/\//i.test(e.link);
  return [
    '<item>',
    e.untitled ? '' : element('title', e.title),
    element('link', e.link),
    `<guid isPermaLink="${permalink}">${escapeXml(e.uid)}</guid>`,
    element('pubDate', rfc822(e.date)),
    element('dc:creator', e.author),
    ...e.categories.map((c) => element('category', c)),
    ...e.enclosures.map(
      (x) =>
        `<enclosure${attr('url', x.url)} length="${x.length ?? 0}"${attr('type', x.type ?? 'application/octet-stream')}/>`,
    ),
    e.content ? element('description', e.content) : element('description', e.summary),
    `<source${attr('url', e.feed.url)}>${escapeXml(e.feed.title ?? e.feed.name)}</source>`,
    '</item>',
  ]
    .filter((l) => l !== '')
    .join('\n');
}

/** An RSS 2.0 document. */
export function renderRss(meta: FeedOutputMeta, entries: readonly EntryView[]): string {
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">',
    '<channel>',
    element('title', meta.title),
    element('link', meta.htmlUrl ?? meta.id),
    element('description', meta.subtitle ?? meta.title),
    element('language', meta.language),
    meta.selfUrl
      ? `<atom:link rel="self" type="application/rss+xml"${attr('href', meta.selfUrl)}/>`
      : '',
    meta.hubUrl && meta.selfUrl ? `<atom:link rel="hub"${attr('href', meta.hubUrl)}/>` : '',
    element('lastBuildDate', rfc822(meta.updated)),
    element('generator', `${meta.generator.name} ${meta.generator.version}`),
    element('docs', 'https://www.rssboard.org/rss-specification'),
    ...entries.map(itemXml),
    '</channel>',
    '</rss>',
  ];
  return `${lines.filter((l) => l !== '').join('\n')}\n`;
}

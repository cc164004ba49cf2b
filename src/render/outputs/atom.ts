import type { EntryView } from '../site-model.js';
import { type FeedOutputMeta, ORRERY_NS } from './feed-meta.js';
import { attr, element, escapeXml } from './xml.js';

/** RFC 5005 (feed paging and archiving). */
const HISTORY_NS = 'http://purl.org/syndication/history/1.0';

function entryXml(e: EntryView): string {
  const updated = e.updated ?? e.date;
  const f = e.feed;
  // The source's own entry id stays visible when the entry's id is not it (outputId).
  const ownId =
    e.sourceId !== undefined && e.sourceId !== e.uid ? element('orrery:entry-id', e.sourceId) : '';
  const source = [
    '<source>',
    element('id', f.url),
    element('title', f.title ?? f.name),
    `<link rel="self"${attr('href', f.url)}/>`,
    f.siteLink ? `<link rel="alternate" type="text/html"${attr('href', f.siteLink)}/>` : '',
    ownId,
    '</source>',
  ].join('');
  const author = [
    '<author>',
    element('name', e.author),
    element('uri', e.authorUri ?? (e.author === f.name ? f.siteLink : undefined)),
    '</author>',
  ].join('');
  return [
    `<entry${attr('xml:lang', e.lang)}>`,
    element('id', e.uid),
    `<title type="text"${attr('xml:lang', e.titleLang)}>${escapeXml(e.untitled ? '' : e.title)}</title>`,
    e.link ? `<link rel="alternate" type="text/html"${attr('href', e.link)}/>` : '',
    element('published', e.published),
    element('updated', updated),
    author,
    ...e.categories.map((c) => `<category${attr('term', c)}/>`),
    ...e.enclosures.map(
      (x) =>
        `<link rel="enclosure"${attr('href', x.url)}${attr('type', x.type)}${attr('length', x.length?.toString())}/>`,
    ),
    e.content ? `<content type="html">${escapeXml(e.content)}</content>` : '',
    e.summary ? `<summary type="text">${escapeXml(e.summary)}</summary>` : '',
    source,
    '</entry>',
  ]
    .filter((l) => l !== '')
    .join('\n');
}

/**
 * An Atom 1.0 document; each entry carries an atom:source naming the feed it came from. With
 * `meta.history` it is part of an RFC 5005 archived feed (prev-archive / next-archive links).
 */
export function renderAtom(meta: FeedOutputMeta, entries: readonly EntryView[]): string {
  const h = meta.history;
  const head = [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<feed xmlns="http://www.w3.org/2005/Atom"${attr('xmlns:fh', h ? HISTORY_NS : undefined)} xmlns:orrery="${ORRERY_NS}"${attr('xml:lang', meta.language)}>`,
    element('id', meta.id),
    `<title type="text">${escapeXml(meta.title)}</title>`,
    meta.subtitle ? `<subtitle type="text">${escapeXml(meta.subtitle)}</subtitle>` : '',
    element('updated', meta.updated),
    meta.htmlUrl ? `<link rel="alternate" type="text/html"${attr('href', meta.htmlUrl)}/>` : '',
    meta.selfUrl
      ? `<link rel="self" type="application/atom+xml"${attr('href', meta.selfUrl)}/>`
      : '',
    meta.hubUrl && meta.selfUrl ? `<link rel="hub"${attr('href', meta.hubUrl)}/>` : '',
    h?.archive ? '<fh:archive/>' : '',
    h?.current ? `<link rel="current" type="application/atom+xml"${attr('href', h.current)}/>` : '',
    h?.prev ? `<link rel="prev-archive" type="application/atom+xml"${attr('href', h.prev)}/>` : '',
    h?.next ? `<link rel="next-archive" type="application/atom+xml"${attr('href', h.next)}/>` : '',
    meta.owner?.name || meta.owner?.email
      ? `<author>${element('name', meta.owner.name ?? meta.owner.email)}${element('email', meta.owner.email)}</author>`
      : `<author>${element('name', meta.title)}</author>`,
    `<generator${attr('uri', meta.generator.uri)}${attr('version', meta.generator.version)}>${escapeXml(meta.generator.name)}</generator>`,
  ];
  return `${[...head, ...entries.map(entryXml), '</feed>'].filter((l) => l !== '').join('\n')}\n`;
}

import type { EntryView } from '../site-model.js';
import type { FeedOutputMeta } from './feed-meta.js';
import { attr, element, escapeXml } from './xml.js';

function entryXml(e: EntryView): string {
  const updated = e.updated ?? e.date;
  const f = e.feed;
  const source = [
    '<source>',
    element('id', f.url),
    element('title', f.title ?? f.name),
    `<link rel="self"${attr('href', f.url)}/>`,
    f.siteLink ? `<link rel="alternate" type="text/html"${attr('href', f.siteLink)}/>` : '',
    '</source>',
  ].join('');
  const author = [
    '<author>',
    element('name', e.author),
    element('uri', e.authorUri ?? (e.author === f.name ? f.siteLink : undefined)),
    '</author>',
  ].join('');
  return [
    '<entry>',
    element('id', e.uid),
    `<title type="text">${escapeXml(e.untitled ? '' : e.title)}</title>`,
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
  ].join('\n');
}

/** An Atom 1.0 document; each entry carries an atom:source naming the feed it came from. */
export function renderAtom(meta: FeedOutputMeta, entries: readonly EntryView[]): string {
  const head = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    element('id', meta.id),
    `<title type="text">${escapeXml(meta.title)}</title>`,
    meta.subtitle ? `<subtitle type="text">${escapeXml(meta.subtitle)}</subtitle>` : '',
    element('updated', meta.updated),
    meta.htmlUrl ? `<link rel="alternate" type="text/html"${attr('href', meta.htmlUrl)}/>` : '',
    meta.selfUrl
      ? `<link rel="self" type="application/atom+xml"${attr('href', meta.selfUrl)}/>`
      : '',
    meta.hubUrl && meta.selfUrl ? `<link rel="hub"${attr('href', meta.hubUrl)}/>` : '',
    meta.owner?.name || meta.owner?.email
      ? `<author>${element('name', meta.owner.name ?? meta.owner.email)}${element('email', meta.owner.email)}</author>`
      : `<author>${element('name', meta.title)}</author>`,
    `<generator${attr('uri', meta.generator.uri)}${attr('version', meta.generator.version)}>${escapeXml(meta.generator.name)}</generator>`,
  ];
  return `${[...head, ...entries.map(entryXml), '</feed>'].filter((l) => l !== '').join('\n')}\n`;
}

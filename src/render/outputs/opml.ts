import type { SectionSettings, SiteSettings } from '../../model/settings.js';
import { attr, element } from './xml.js';

/** One subscription as OPML lists it (a StoredFeed or a config Subscription both fit). */
export interface OpmlFeed {
  url: string;
  name?: string;
  title?: string;
  siteLink?: string;
  section: string;
}

/**
 * OPML 2.0 of the subscriptions, one outline per section (config order, then any other
 * section a feed names), feeds sorted by name. Pure: no date, so an unchanged list is
 * byte-identical.
 */
export function renderOpml(
  feeds: readonly OpmlFeed[],
  site: SiteSettings,
  sections: readonly SectionSettings[] = site.sections,
): string {
  const titles = new Map(sections.map((s) => [s.id, s.title]));
  const order = [...sections.map((s) => s.id)];
  for (const f of feeds) if (!order.includes(f.section)) order.push(f.section);
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<opml version="2.0">',
    '<head>',
    element('title', `${site.name} subscriptions`),
    element('ownerName', site.owner?.name),
    element('ownerEmail', site.owner?.email),
    site.link ? element('ownerId', site.link) : '',
    element('docs', 'http://opml.org/spec2.opml'),
    '</head>',
    '<body>',
  ];
  for (const id of order) {
    const members = feeds
      .filter((f) => f.section === id)
      .map((f) => ({ f, label: f.name ?? f.title ?? f.url }))
      .sort((a, b) => a.label.localeCompare(b.label) || a.f.url.localeCompare(b.f.url));
    if (members.length === 0) continue;
    const title = titles.get(id) ?? id;
    lines.push(`<outline${attr('text', title)}${attr('title', title)}>`);
    for (const { f, label } of members) {
      lines.push(
        `<outline type="rss"${attr('text', label)}${attr('title', f.title ?? label)}${attr('xmlUrl', f.url)}${attr('htmlUrl', f.siteLink)}/>`,
      );
    }
    lines.push('</outline>');
  }
  lines.push('</body>', '</opml>');
  return `${lines.filter((l) => l !== '').join('\n')}\n`;
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPageRenderer } from './render-page.js';

const partial = readFileSync(
  join(import.meta.dirname, '../../themes/default/partials/entry.liquid'),
  'utf8',
);
const site = { timezone: 'UTC', dateFormat: '%B %d, %Y', timeFormat: '%H:%M' };
const templates = {
  'probe.liquid': '{{ entry | entry_html: level, root | raw }}',
  'partials/entry.liquid': partial,
};
const liquid = createPageRenderer(templates, site);
const fast = createPageRenderer(templates, site, { defaultEntryPartial: true });

const base = {
  id: 'e<1>&"x\'',
  anchor: 'post-1',
  link: 'https://example.com/a?b=1&c=<2>',
  title: 'A "title" & <more>',
  untitled: false,
  long: false,
  content: '<p>Hello &amp; <b>world</b></p>',
  date: '2024-03-01T10:00:00.000Z',
  dateFormatted: 'March 01, 2024',
  timeFormatted: '10:00',
  author: 'Jane & Co',
  archivePath: 'archive/2024/03/01/index.html',
  feed: {
    name: 'Feed <One>',
    title: 'Site & "Title"',
    siteLink: 'https://example.com/?x=1&y=2',
    face: 'jane.png',
  },
};

const cases: Array<[string, Record<string, unknown>]> = [
  ['plain', base],
  ['long, untitled, no link', { ...base, long: true, untitled: true, link: undefined }],
  ['empty link (truthy in Liquid)', { ...base, link: '' }],
  ['absolute face', { ...base, feed: { ...base.feed, face: 'https://x.test/a&b.png' } }],
  ['no face, no site link', { ...base, feed: { name: 'N' } }],
  ['empty feed title', { ...base, feed: { ...base.feed, title: '' } }],
  ['author is the feed name', { ...base, author: base.feed.name }],
  ['no author', { ...base, author: undefined }],
  ['numeric id', { ...base, id: 42 }],
];

describe('entry_html', () => {
  for (const [name, entry] of cases) {
    for (const root of ['', '../../../', "a&b'/"]) {
      it(`renders like partials/entry.liquid: ${name}, root ${JSON.stringify(root)}`, async () => {
        const vars = { entry, level: 3, root };
        expect(await fast.render('probe.liquid', vars)).toBe(
          await liquid.render('probe.liquid', vars),
        );
      });
    }
  }
});

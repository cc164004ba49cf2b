import { describe, expect, it } from 'vitest';
import { entryHtml } from './entry-html.js';
import { createPageRenderer } from './render-page.js';
import type { EntryView } from './site-model.js';

const site = { timezone: 'UTC', dateFormat: '%B %d, %Y', timeFormat: '%H:%M' };

const base: EntryView = {
  id: 7,
  anchor: 'e7',
  uid: 'tag:planet.example.org,2024-03-01:feed-1/id%3A7',
  link: 'https://example.com/a?b=1&c=<2>',
  title: 'A "title" & <more>',
  untitled: false,
  long: false,
  content: '<p>Hello &amp; <b>world</b></p>',
  text: 'Hello & world',
  summary: 'Hello & world',
  date: '2024-03-01T10:00:00.000Z',
  dateFormatted: 'March 01, 2024',
  timeFormatted: '10:00',
  day: '2024-03-01',
  author: 'Jane & Co',
  archivePath: 'archive/2024/03/01/index.html',
  categories: [],
  enclosures: [],
  feed: {
    id: 1,
    url: 'https://example.com/feed',
    name: 'Feed <One>',
    title: 'Site & "Title"',
    siteLink: 'https://example.com/?x=1&y=2',
    face: 'faces/jane.png',
    section: 'main',
    sectionTitle: 'Main',
    sectionSlug: 'main',
  },
};

describe('entryHtml (the one definition of a post’s markup)', () => {
  it('escapes every text and attribute, and leaves the sanitized content as it is', () => {
    const html = entryHtml(base, 3, '../');
    expect(html).toContain('<span class="entry-feed">Feed &lt;One&gt;</span>');
    expect(html).toContain(
      '<span class="entry-name" dir="auto">A &quot;title&quot; &amp; &lt;more&gt;</span>',
    );
    expect(html).toContain('<a href="https://example.com/a?b=1&amp;c=&lt;2&gt;">');
    expect(html).toContain('<div class="content" dir="auto"><p>Hello &amp; <b>world</b></p></div>');
    expect(html).toContain('by Jane &amp; Co');
    expect(html).toContain(
      '<a href="https://example.com/?x=1&amp;y=2">Site &amp; &quot;Title&quot;</a>',
    );
    expect(html).toContain('<h3 class="entry-title" id="e7">');
    expect(html).toContain('href="../archive/2024/03/01/index.html#e7"');
  });

  it('puts the face at the site path from any page (fault 4), a URL as it is', () => {
    expect(entryHtml(base, 2, '../../../../')).toContain('src="../../../../faces/jane.png"');
    expect(entryHtml(base, 2, './')).toContain('src="./faces/jane.png"');
    const remote = { ...base, feed: { ...base.feed, face: 'https://cdn.example/j.png' } };
    expect(entryHtml(remote, 2, '../')).toContain('src="https://cdn.example/j.png"');
    const none = { ...base, feed: { ...base.feed, face: undefined } };
    expect(entryHtml(none, 2, '../')).not.toContain('<img');
  });

  it('marks a post in another language, and lets the browser find the direction of any (fault 8)', () => {
    const html = entryHtml({ ...base, titleLang: 'he', lang: 'ar' }, 2, './');
    expect(html).toContain('<span class="entry-name" dir="auto" lang="he">');
    expect(html).toContain('<div class="content" dir="auto" lang="ar">');
  });

  it('collapses a long post behind "Read more"; an untitled one shows only its feed', () => {
    const long = entryHtml({ ...base, long: true }, 2, './');
    expect(long).toContain('<div class="collapsible">');
    expect(long).toContain(
      '<span class="visually-hidden"> of “A &quot;title&quot; &amp; &lt;more&gt;”</span>',
    );
    const untitled = entryHtml({ ...base, untitled: true, link: undefined }, 2, './');
    expect(untitled).not.toContain('entry-name');
    expect(untitled).toContain('<span class="entry-time">');
  });

  it('gives way to a theme’s own partials/entry.liquid', () => {
    const templates = {
      'probe.liquid': '{{ entry | entry_html: 2, root | raw }}',
      'partials/entry.liquid':
        '<p class="mine">{{ entry.title }} at {{ level }} from {{ root }}</p>',
    };
    const themed = createPageRenderer({ templates, sources: new Map() }, site);
    expect(themed.render('probe.liquid', { entry: base, root: '../' })).toBe(
      '<p class="mine">A &#34;title&#34; &amp; &lt;more&gt; at 2 from ../</p>',
    );
    const plain = createPageRenderer(
      { templates: { 'probe.liquid': templates['probe.liquid'] }, sources: new Map() },
      site,
    );
    expect(plain.render('probe.liquid', { entry: base, root: '../' })).toBe(
      entryHtml(base, 2, '../'),
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Entry, ParseResult } from '../model/feed.js';
import { processEntries } from './process-entries.js';

const NOW = '2026-01-10T12:00:00Z';
const FEED = 'http://blog.example/feed/';

function entry(over: Partial<Entry> = {}): Entry {
  return {
    links: [],
    content: [],
    authors: [],
    contributors: [],
    categories: [],
    enclosures: [],
    ...over,
  };
}

function result(entries: Entry[]): ParseResult {
  return {
    version: 'rss20',
    wellFormed: true,
    warnings: [],
    encoding: 'utf-8',
    feed: { links: [], authors: [], contributors: [], categories: [], hubs: [] },
    entries,
  };
}

const html = (value: string) => [{ value, type: 'text/html' }];
const LONG =
  'One of the features of Rygel that I found most interesting was the external media server support.';

function run(entries: Entry[], filters?: Parameters<typeof processEntries>[1]['filters']) {
  return processEntries(result(entries), { feedUrl: FEED, now: NOW, filters });
}

describe('processEntries: identity', () => {
  it('keys by guid, else canonical link, else a hash of title and content', () => {
    const out = run([
      entry({ id: 'http://blog.example/?p=439', link: 'http://blog.example/a/' }),
      entry({ link: 'http://Blog.example/b/?utm_source=rss' }),
      entry({ title: 'No id, no link', content: html('<p>body</p>') }),
    ]);
    expect(out[0]?.key).toBe('id:http://blog.example/?p=439');
    expect(out[0]?.canonicalLink).toBe('https://blog.example/a');
    expect(out[1]?.key).toBe('link:https://blog.example/b');
    expect(out[2]?.key).toMatch(/^hash:[0-9a-f]{64}$/);
    expect(out[2]?.canonicalLink).toBeUndefined();
  });

  it('uses an alternate link, a relative link against the feed, or a permalink guid', () => {
    const out = run([
      entry({ links: [{ href: 'https://blog.example/alt', rel: 'alternate' }], title: 'a' }),
      entry({ link: '/relative/', title: 'b' }),
      entry({ id: 'https://blog.example/guid-permalink', guidIsLink: true, title: 'c' }),
      entry({ id: 'https://blog.example/not-a-permalink', guidIsLink: false, title: 'd' }),
    ]);
    expect(out.map((p) => p.canonicalLink)).toEqual([
      'https://blog.example/alt',
      'https://blog.example/relative',
      'https://blog.example/guid-permalink',
      undefined,
    ]);
  });

  it('does not merge the items of a feed that repeats one guid for all of them', () => {
    const out = run([
      entry({ id: 'same', link: 'https://blog.example/1', title: 'one' }),
      entry({ id: 'same', link: 'https://blog.example/2', title: 'two' }),
      entry({ id: 'same', link: 'https://blog.example/2', title: 'two again' }),
    ]);
    expect(out.map((p) => p.key)).toEqual(['id:same', 'link:https://blog.example/2']);
  });

  it('gives the same key and fingerprint for the same input (deterministic)', () => {
    const e = entry({ title: 'T', content: html(`<p>${LONG}</p>`) });
    expect(run([e])).toEqual(run([structuredClone(e)]));
  });
});

describe('processEntries: fingerprint', () => {
  const fp = (e: Partial<Entry>) => run([entry(e)])[0]!.fingerprint;

  it('ignores markup, entities, case and whitespace', () => {
    const a = fp({ id: '1', title: 'Watching iView', content: html(`<p>${LONG}</p>`) });
    const b = fp({
      id: '2',
      title: '  watching   iview ',
      content: html(
        `<div>\n  ${LONG.replace('Rygel', '<a href="x">Rygel</a>').replace(/ /g, '&nbsp;\n')}</div>`,
      ),
    });
    const plain = fp({
      id: '3',
      title: 'Watching iView',
      content: [{ value: LONG, type: 'text/plain' }],
    });
    expect(b).toBe(a);
    expect(plain).toBe(a);
  });

  it('takes the summary when there is no content', () => {
    expect(fp({ title: 'x', summary: `<b>${LONG}</b>` })).toBe(
      fp({ title: 'x', content: html(LONG) }),
    );
  });

  it('differs when the text differs', () => {
    expect(fp({ title: 'x', content: html(LONG) })).not.toBe(
      fp({ title: 'x', content: html(`${LONG} More.`) }),
    );
  });

  it('does not let two untitled, empty posts with different links collide', () => {
    expect(fp({ link: 'https://blog.example/photo-1' })).not.toBe(
      fp({ link: 'https://blog.example/photo-2' }),
    );
    // short text ("Nice!") is too little to call two posts the same
    expect(fp({ title: 'Link', link: 'https://a.example/1', content: html('Nice!') })).not.toBe(
      fp({ title: 'Link', link: 'https://a.example/2', content: html('Nice!') }),
    );
    // but the same empty post reached over http and https is the same
    expect(fp({ link: 'http://blog.example/photo-1/' })).toBe(
      fp({ link: 'https://blog.example/photo-1' }),
    );
  });

  it('does not let entries with nothing at all collide', () => {
    const out = run([entry({ id: 'a' }), entry({ id: 'b' })]);
    expect(out[0]?.fingerprint).not.toBe(out[1]?.fingerprint);
  });
});

describe('processEntries: dates', () => {
  it('clamps dates after now to now and leaves absent dates absent', () => {
    const out = run([
      entry({ id: 'future', published: '2027-01-01T00:00:00Z', updated: '2026-01-10T12:00:01Z' }),
      entry({ id: 'past', published: '2026-01-01T00:00:00Z' }),
      entry({ id: 'none' }),
    ]);
    expect(out[0]).toMatchObject({ published: NOW, updated: NOW });
    expect(out[1]?.published).toBe('2026-01-01T00:00:00Z');
    expect(out[1]).not.toHaveProperty('updated');
    expect(out[2]).not.toHaveProperty('published');
    expect(out[2]).not.toHaveProperty('updated');
    // the entry itself is passed on as parsed
    expect(out[0]?.entry.published).toBe('2027-01-01T00:00:00Z');
  });
});

describe('processEntries: filters', () => {
  const entries = [
    entry({ id: '1', title: 'Python 3.13 released', categories: [{ term: 'Python' }] }),
    entry({ id: '2', title: 'My holiday', categories: [{ term: 'travel' }] }),
    entry({
      id: '3',
      title: 'Django tips',
      content: html('<p>about <em>Python</em> web apps</p>'),
    }),
    entry({ id: '4', title: 'Sponsored: buy now', categories: [{ term: 'python' }] }),
  ];
  const ids = (filters: Parameters<typeof run>[1]) => run(entries, filters).map((p) => p.entry.id);

  it('keeps entries matching an include expression in title, categories or text', () => {
    expect(ids({ include: ['python'] })).toEqual(['1', '3', '4']);
  });
  it('drops entries matching an exclude expression', () => {
    expect(ids({ include: ['python'], exclude: ['^sponsored'] })).toEqual(['1', '3']);
    expect(ids({ exclude: ['holiday|sponsored'] })).toEqual(['1', '3']);
  });
  it('keeps only allowed categories, case-insensitively', () => {
    expect(ids({ categories: ['PYTHON'] })).toEqual(['1', '4']);
  });
  it('skips an invalid expression instead of throwing', () => {
    expect(ids({ exclude: ['(unclosed', 'holiday'] })).toEqual(['1', '3', '4']);
    expect(ids({ include: ['[bad'] })).toEqual(['1', '2', '3', '4']);
  });
  it('keeps everything without filters', () => {
    expect(ids({})).toEqual(['1', '2', '3', '4']);
    expect(ids(undefined)).toEqual(['1', '2', '3', '4']);
  });
});

describe('processEntries: properties', () => {
  const text = fc.record({ value: fc.string(), type: fc.constantFrom('text/html', 'text/plain') });
  const arbEntry = fc.record(
    {
      id: fc.string(),
      title: fc.string(),
      link: fc.oneof(fc.webUrl(), fc.string()),
      summary: fc.string(),
      content: fc.array(text, { maxLength: 2 }),
      published: fc.oneof(
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        fc.string(),
      ),
      categories: fc.array(fc.record({ term: fc.string() }), { maxLength: 3 }),
    },
    { requiredKeys: ['content', 'categories'] },
  );

  it('never throws, keeps keys unique, never dates an entry after now', () => {
    fc.assert(
      fc.property(fc.array(arbEntry, { maxLength: 8 }), (partials) => {
        const out = run(
          partials.map((p) => entry(p)),
          { include: ['a|b|'], exclude: ['(bad'] },
        );
        expect(new Set(out.map((p) => p.key)).size).toBe(out.length);
        for (const p of out) {
          expect(p.fingerprint).toMatch(/^[0-9a-f]{64}$/);
          if (p.published !== undefined) {
            expect(Date.parse(p.published)).toBeLessThanOrEqual(Date.parse(NOW));
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

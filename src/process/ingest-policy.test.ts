import { describe, expect, it } from 'vitest';
import type { Entry } from '../model/feed.js';
import type { ProcessedEntry } from '../model/stored.js';
import { entryDigest } from './entry-digest.js';
import { isoDate, planIngest, retentionFloor, riverDate } from './ingest-policy.js';
import {
  claimKeys,
  earlier,
  firstRepeated,
  holdersByKey,
  lookupKeys,
  repeats,
  titleKey,
} from './post-identity.js';

const NOW = '2026-01-10T12:00:00.000Z';

function pe(key: string, over: Partial<Entry> & Partial<ProcessedEntry> = {}): ProcessedEntry {
  const { canonicalLink, fingerprint, published, updated, ...e } = over;
  return {
    key,
    fingerprint: fingerprint ?? `fp-${key}`,
    ...(canonicalLink ? { canonicalLink } : {}),
    ...(published ? { published } : {}),
    ...(updated ? { updated } : {}),
    entry: {
      ...{ links: [], content: [], authors: [], contributors: [], categories: [], enclosures: [] },
      title: `Title ${key}`,
      ...e,
    },
  };
}

const noStore = { existing: new Map(), holders: new Map(), now: NOW };

describe('dates', () => {
  it('keeps one ISO form and dates a new entry by its own date, never after now', () => {
    expect(isoDate('2026-01-09T00:00:00+02:00')).toBe('2026-01-08T22:00:00.000Z');
    expect(isoDate('not a date')).toBeUndefined();
    expect(isoDate('')).toBeUndefined();
    expect(riverDate({ published: '2026-01-01T00:00:00.000Z', updated: null }, NOW)).toBe(
      '2026-01-01T00:00:00.000Z',
    );
    expect(riverDate({ published: null, updated: '2026-01-02T00:00:00.000Z' }, NOW)).toBe(
      '2026-01-02T00:00:00.000Z',
    );
    expect(riverDate({ published: '2030-01-01T00:00:00.000Z', updated: null }, NOW)).toBe(NOW);
    expect(riverDate({ published: null, updated: null }, NOW)).toBe(NOW);
  });

  it('finds the retention floor from the age bound and the feed’s n-th newest entry', () => {
    expect(retentionFloor({}, NOW)).toBeUndefined();
    expect(retentionFloor({ keepDays: 10 }, NOW)).toBe('2025-12-31T12:00:00.000Z');
    expect(retentionFloor({ maxEntriesPerFeed: 5 }, NOW, '2025-06-01T00:00:00.000Z')).toBe(
      '2025-06-01T00:00:00.000Z',
    );
    expect(
      retentionFloor({ keepDays: 10, maxEntriesPerFeed: 5 }, NOW, '2025-06-01T00:00:00.000Z'),
    ).toBe('2025-12-31T12:00:00.000Z');
    expect(
      retentionFloor({ keepDays: 10, maxEntriesPerFeed: 5 }, NOW, '2026-01-05T00:00:00.000Z'),
    ).toBe('2026-01-05T00:00:00.000Z');
  });
});

describe('entryDigest', () => {
  const dates = { published: null, updated: null };
  it('changes with anything a store writes, not with the entry object', () => {
    const a = pe('a', { content: [{ value: '<p>x</p>', type: 'text/html' }] });
    expect(entryDigest(a, dates)).toBe(entryDigest(structuredClone(a), dates));
    for (const change of [
      { title: 'other' },
      { link: 'https://a.example/x' },
      { content: [{ value: '<p>y</p>', type: 'text/html' }] },
      { content: [{ value: '<p>x</p>', type: 'text/html', base: 'https://b/' }] },
      { categories: [{ term: 't' }] },
      { enclosures: [{ url: 'https://a/x.mp3' }] },
      { author: { name: 'Ada' } },
    ] satisfies Partial<Entry>[]) {
      const b = { ...a, entry: { ...a.entry, ...change } };
      expect(entryDigest(b, dates)).not.toBe(entryDigest(a, dates));
    }
    expect(entryDigest(a, { published: NOW, updated: null })).not.toBe(entryDigest(a, dates));
    expect(entryDigest({ ...a, fingerprint: 'other' }, dates)).not.toBe(entryDigest(a, dates));
  });
});

describe('post identity', () => {
  const orig = { canonicalLink: 'https://a/post', fingerprint: 'f1', title: 'The Post' };
  it('matches by fingerprint always, by link when titles agree or one is absent', () => {
    expect(repeats({ fingerprint: 'f1', canonicalLink: 'https://other' }, orig)).toBe(true);
    expect(
      repeats({ fingerprint: 'f2', canonicalLink: 'https://a/post', title: ' the  POST ' }, orig),
    ).toBe(true);
    expect(repeats({ fingerprint: 'f2', canonicalLink: 'https://a/post' }, orig)).toBe(true);
    expect(
      repeats({ fingerprint: 'f2', canonicalLink: 'https://a/post', title: 'Another' }, orig),
    ).toBe(false);
    expect(
      repeats(
        { fingerprint: 'f2', canonicalLink: 'https://a/post', title: 'Another' },
        { ...orig, title: null },
      ),
    ).toBe(true);
    expect(repeats({ fingerprint: 'f2' }, { fingerprint: 'f3' })).toBe(false);
  });

  it('hashes keys too long for an index, and folds titles', () => {
    const long = `https://a/${'x'.repeat(1000)}`;
    for (const k of [
      ...claimKeys({ canonicalLink: long, fingerprint: 'f', title: 't' }),
      ...lookupKeys({ canonicalLink: long, fingerprint: 'f' }),
    ]) {
      expect(k.length).toBeLessThanOrEqual(400);
    }
    expect(titleKey('  Ünïcode  TITLE ')).toBe(titleKey('ünïcode title'));
    expect(titleKey('   ')).toBeUndefined();
  });

  it('picks the first seen original, then the lowest id', () => {
    const a = { id: 5, firstSeenAt: '2026-01-02T00:00:00.000Z' };
    const b = { id: 9, firstSeenAt: '2026-01-01T00:00:00.000Z' };
    const c = { id: 3, firstSeenAt: '2026-01-01T00:00:00.000Z' };
    expect(earlier(a, b)).toBe(b);
    expect(earlier(b, c)).toBe(c);
    const rows = [
      { ...a, ...orig },
      { ...b, canonicalLink: 'https://a/post', fingerprint: 'zz', title: 'Different' },
      { ...c, canonicalLink: null, fingerprint: 'f1', title: null },
    ];
    const held = holdersByKey(rows);
    expect(held.get(lookupKeys({ fingerprint: 'f1' })[0]!)?.id).toBe(3);
    // untitled: any original with the link; the first seen is b
    expect(
      held.get(lookupKeys({ fingerprint: 'q', canonicalLink: 'https://a/post' })[1]!)?.id,
    ).toBe(9);
    expect(firstRepeated({ fingerprint: 'f1' }, rows)?.id).toBe(3);
    expect(
      firstRepeated({ fingerprint: 'nope', title: 'x', canonicalLink: 'https://a/post' }, rows),
    ).toBeUndefined();
  });
});

describe('planIngest', () => {
  it('keeps the first of a key listed twice and dates new entries', () => {
    const plan = planIngest({
      ...noStore,
      entries: [
        pe('a', { published: '2026-01-01T00:00:00Z' }),
        pe('a', { published: '2026-01-05T00:00:00Z' }),
        pe('b', { published: '2031-01-01T00:00:00Z' }),
      ],
    });
    expect(plan.counts).toEqual({
      inserted: 2,
      updated: 0,
      unchanged: 0,
      duplicates: 0,
      expired: 0,
    });
    expect(plan.originals.map((o) => [o.entry.processed.key, o.entry.date])).toEqual([
      ['a', '2026-01-01T00:00:00.000Z'],
      ['b', NOW],
    ]);
    expect(plan.originals[0]?.claims).toEqual(claimKeys({ fingerprint: 'fp-a', title: 'Title a' }));
  });

  it('tells unchanged from changed entries by digest', () => {
    const a = pe('a');
    const b = pe('b');
    const digest = entryDigest(a, { published: null, updated: null });
    const plan = planIngest({
      ...noStore,
      existing: new Map([
        ['a', { id: 1, digest }],
        ['b', { id: 2, digest: 'old' }],
      ]),
      entries: [a, b],
    });
    expect(plan.unchanged).toEqual([1]);
    expect(plan.changed.map((c) => c.id)).toEqual([2]);
    expect(plan.counts).toMatchObject({ unchanged: 1, updated: 1, inserted: 0 });
  });

  it('makes a repeat of a stored original or of an earlier entry of the same update', () => {
    const stored = { id: 7, firstSeenAt: '2026-01-01T00:00:00.000Z' };
    const [fKey] = lookupKeys({ fingerprint: 'fp-shared' });
    const plan = planIngest({
      ...noStore,
      holders: new Map([[fKey!, stored]]),
      entries: [
        pe('x', { fingerprint: 'fp-shared' }),
        pe('y', { canonicalLink: 'https://a/1', title: 'One' }),
        pe('z', { canonicalLink: 'https://a/1', title: undefined }),
        pe('w', { canonicalLink: 'https://a/1', title: 'Two' }),
      ],
    });
    expect(plan.repeats.map((r) => [r.entry.processed.key, r.of])).toEqual([
      ['x', { id: 7 }],
      ['z', { key: 'y' }],
    ]);
    expect(plan.originals.map((o) => o.entry.processed.key)).toEqual(['y', 'w']);
  });

  it('cleans only what it writes with its text, and keeps repeats without HTML when cleaning was deferred', () => {
    const cleaned: string[] = [];
    const clean = (e: Entry) => {
      cleaned.push(e.title ?? '');
      return { ...e, content: [{ value: 'clean', type: 'text/html' }] };
    };
    const html = [{ value: '<script>x</script>', type: 'text/html' }];
    const same = pe('same', { content: html });
    const plan = planIngest({
      ...noStore,
      clean,
      existing: new Map([
        ['same', { id: 1, digest: entryDigest(same, { published: null, updated: null }) }],
        ['edited', { id: 2, digest: 'old' }],
      ]),
      entries: [
        same,
        pe('edited', { content: html }),
        pe('new', { content: html, fingerprint: 'fp-x' }),
        pe('repeat', { content: html, fingerprint: 'fp-x' }),
      ],
    });
    expect(cleaned).toEqual(['Title edited', 'Title new']);
    expect(plan.changed[0]?.entry.entry.content[0]?.value).toBe('clean');
    expect(plan.originals[0]?.entry.html).toBe(true);
    expect(plan.repeats[0]?.entry.html).toBe(false);
    // without deferred cleaning, entries come clean and repeats keep their HTML
    const plain = planIngest({
      ...noStore,
      entries: [pe('n', { fingerprint: 'f' }), pe('r', { fingerprint: 'f' })],
    });
    expect(plain.repeats[0]?.entry.html).toBe(true);
  });

  it('does not store new entries past the retention floor', () => {
    const plan = planIngest({
      ...noStore,
      retainFrom: '2026-01-05T00:00:00.000Z',
      existing: new Map([['kept', { id: 1, digest: 'x' }]]),
      entries: [
        pe('old', { published: '2026-01-01T00:00:00Z' }),
        pe('new', { published: '2026-01-06T00:00:00Z' }),
        pe('undated'),
        pe('kept', { published: '2020-01-01T00:00:00Z' }),
      ],
    });
    expect(plan.counts).toEqual({
      inserted: 2,
      updated: 1,
      unchanged: 0,
      duplicates: 0,
      expired: 1,
    });
  });
});

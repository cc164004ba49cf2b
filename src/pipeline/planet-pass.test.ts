import { describe, expect, it } from 'vitest';
import type { FeedErrorCode } from '../model/errors.js';
import type { StoredFeed } from '../model/stored.js';
import { nothingChanged, refreshSettingsLookup } from './planet-pass.js';
import { summarize } from './refresh-all.js';
import type { RefreshOutcome } from './refresh-feed.js';

const feed = (errorCode?: FeedErrorCode): StoredFeed => ({
  id: 1,
  url: 'https://a.example/feed',
  section: '',
  active: true,
  hubs: [],
  validators: {},
  consecutiveFailures: errorCode ? 3 : 0,
  previousUrls: [],
  retired: false,
  entryCount: 0,
  createdAt: '2026-11-01T00:00:00.000Z',
  ...(errorCode ? { errorCode } : {}),
});

const ok = (f: StoredFeed, newEntries = 0): RefreshOutcome => ({
  kind: 'ok',
  feed: f,
  newEntries,
  updatedEntries: 0,
  duplicates: 0,
  warnings: [],
});
const failed = (f: StoredFeed, code: FeedErrorCode): RefreshOutcome => ({
  kind: 'failed',
  feed: f,
  code,
  message: code,
});
const unchanged = (f: StoredFeed, movedTo?: string): RefreshOutcome => ({
  kind: 'not-modified',
  feed: f,
  ...(movedTo ? { movedTo } : {}),
});

const run = (outcomes: RefreshOutcome[], configChanged = false) =>
  nothingChanged({ ...summarize(outcomes, 1), configChanged });

describe('nothingChanged (does the site need a build after this fetch?)', () => {
  it('no: new entries, a config change, a move', () => {
    expect(run([ok(feed(), 1)])).toBe(false);
    expect(run([unchanged(feed())], true)).toBe(false);
    expect(run([unchanged(feed(), 'https://b.example/feed')])).toBe(false);
  });

  it('no: a feed starts failing, fails differently, or recovers', () => {
    expect(run([failed(feed(), 'http-status')])).toBe(false);
    expect(run([failed(feed('dns'), 'http-status')])).toBe(false);
    expect(run([unchanged(feed('timeout'))])).toBe(false);
    expect(run([ok(feed('timeout'))])).toBe(false);
  });

  it('yes: 304s, 200s with nothing new, and feeds failing again as before', () => {
    expect(run([unchanged(feed()), ok(feed()), failed(feed('http-status'), 'http-status')])).toBe(
      true,
    );
  });
});

describe('refreshSettingsLookup', () => {
  it('finds the subscriptions a refresh reads something from, by URL or a previous URL', () => {
    const lookup = refreshSettingsLookup([
      { url: 'https://a.example/feed', section: 'main', name: 'Plain' },
      { url: 'https://b.example/feed', section: 'main', overrides: { intervalMinutes: 5 } },
      { url: 'https://c.example/feed', section: 'main', filters: { include: ['x'] } },
    ]);
    expect(lookup(feed())).toBeUndefined();
    expect(lookup({ ...feed(), url: 'https://b.example/feed' })?.overrides).toEqual({
      intervalMinutes: 5,
    });
    const moved = {
      ...feed(),
      url: 'https://c.example/new',
      previousUrls: ['https://c.example/feed'],
    };
    expect(lookup(moved)?.filters).toEqual({ include: ['x'] });
  });
});

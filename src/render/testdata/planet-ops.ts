/**
 * Changes to a planet, as a store sees them between two builds: posts added, edited and
 * removed (retention), feeds failing and recovering, renamed, leaving the config, fetched
 * again. Used by the property test (incremental == full) and the kill test. Each operation is
 * made from three numbers, so fast-check and a seeded generator can both make them.
 */
import type { StoredEntry } from '../../model/stored.js';
import type { MemorySourceData } from '../memory-source.js';

export type PlanetOp =
  | { kind: 'add'; feed: number; minutesAgo: number; count: number }
  | { kind: 'edit'; pick: number }
  | { kind: 'remove'; pick: number }
  | { kind: 'duplicate'; pick: number }
  | { kind: 'fail'; feed: number }
  | { kind: 'recover'; feed: number }
  | { kind: 'rename'; feed: number }
  | { kind: 'leave'; feed: number }
  | { kind: 'fetch' };

const KINDS = [
  'add',
  'add',
  'add',
  'edit',
  'remove',
  'duplicate',
  'fail',
  'recover',
  'rename',
  'leave',
  'fetch',
] as const;

/** The operation three numbers name. */
export function opFrom(a: number, b: number, c: number): PlanetOp {
  const kind = KINDS[a % KINDS.length]!;
  switch (kind) {
    case 'add':
      // Most posts are new; some are old posts a feed brings late (a new day in the past).
      return { kind, feed: b, minutesAgo: c % 4 === 0 ? (c % 60) * 24 * 60 * 7 : c % (3 * 24 * 60), count: 1 + (c % 3) };
    case 'edit':
    case 'remove':
    case 'duplicate':
      return { kind, pick: b };
    case 'fail':
    case 'recover':
    case 'rename':
    case 'leave':
      return { kind, feed: b };
    case 'fetch':
      return { kind };
  }
}

/** Apply an operation to the data in place; `now` moves forward with each fetch. */
export function applyOp(data: MemorySourceData, op: PlanetOp, state: { now: number; nextId: number }): void {
  const originals = () => data.entries.filter((e) => e.duplicateOf === undefined);
  const feed = (n: number) => data.feeds[n % data.feeds.length]!;
  const iso = (t: number) => new Date(t).toISOString();
  switch (op.kind) {
    case 'add': {
      const f = feed(op.feed);
      for (let i = 0; i < op.count; i++) {
        const id = state.nextId++;
        const date = iso(state.now - op.minutesAgo * 60_000 - i * 3_600_000);
        const link = `${f.siteLink}post-${id}`;
        const entry: StoredEntry = {
          id,
          feedId: f.id,
          key: id % 5 === 0 ? `id:${id % 3}` : `id:${link}`,
          link,
          canonicalLink: link,
          fingerprint: `fp-${id}`,
          title: `Post ${id} about ${['asyncio', 'typing', 'wheels', 'pandas'][id % 4]}`,
          content: { value: `<p>Body of post ${id}, words about search and ${f.name}.</p>`, type: 'text/html' },
          author: { name: f.name ?? 'someone' },
          categories: [],
          enclosures: [],
          date,
          firstSeenAt: iso(state.now),
          lastSeenAt: iso(state.now),
        };
        if (id % 7 !== 0) entry.published = date;
        data.entries.push(entry);
      }
      f.lastNewEntryAt = iso(state.now);
      return;
    }
    case 'edit': {
      const list = originals();
      const e = list[op.pick % Math.max(1, list.length)];
      if (e) {
        e.title = `${e.title ?? 'Untitled'} (edited)`;
        e.content = { value: `<p>Edited body ${op.pick}.</p>`, type: 'text/html' };
      }
      return;
    }
    case 'remove': {
      const list = originals();
      const e = list[op.pick % Math.max(1, list.length)];
      if (e) data.entries.splice(data.entries.indexOf(e), 1);
      return;
    }
    case 'duplicate': {
      const list = originals();
      const e = list[op.pick % Math.max(1, list.length)];
      if (!e) return;
      const id = state.nextId++;
      data.entries.push({ ...structuredClone(e), id, key: `id:copy-${id}`, duplicateOf: e.id });
      return;
    }
    case 'fail': {
      const f = feed(op.feed);
      f.consecutiveFailures++;
      f.errorCode = 'http-status';
      f.errorMessage = 'HTTP 500';
      f.lastStatus = 500;
      f.failingSince ??= iso(state.now);
      f.lastFetchedAt = iso(state.now);
      data.fetches ??= new Map();
      const history = data.fetches.get(f.id) ?? [];
      history.push({ at: iso(state.now), outcome: 'error', status: 500, errorCode: 'http-status', message: 'HTTP 500', elapsedMs: 20 });
      data.fetches.set(f.id, history);
      return;
    }
    case 'recover': {
      const f = feed(op.feed);
      f.consecutiveFailures = 0;
      delete f.errorCode;
      delete f.errorMessage;
      delete f.failingSince;
      f.lastStatus = 200;
      f.lastSuccessAt = f.lastFetchedAt = iso(state.now);
      return;
    }
    case 'rename': {
      const f = feed(op.feed);
      f.name = `${f.name?.replace(/ \(\d+\)$/, '')} (${state.nextId++})`;
      return;
    }
    case 'leave': {
      const f = feed(op.feed);
      f.active = !f.active;
      return;
    }
    case 'fetch': {
      state.now += 30 * 60_000;
      for (const f of data.feeds) f.lastFetchedAt = iso(state.now);
      return;
    }
  }
}

/** A small planet to change: a few feeds in two sections, a few posts. */
export function smallPlanet(now: number): MemorySourceData {
  const iso = (t: number) => new Date(t).toISOString();
  const feeds = Array.from({ length: 5 }, (_, i) => ({
    id: i + 1,
    url: `https://blog${i}.example.org/feed`,
    name: `Author ${i}`,
    section: i === 4 ? 'gsoc' : 'python',
    active: true,
    title: `Blog ${i}`,
    siteLink: `https://blog${i}.example.org/`,
    hubs: [],
    validators: {},
    consecutiveFailures: 0,
    previousUrls: [],
    retired: false,
    entryCount: 0,
    createdAt: iso(now - 400 * 86_400_000),
    lastFetchedAt: iso(now),
    lastSuccessAt: iso(now),
    ...(i === 2 ? { face: 'faces/two.png' } : {}),
  }));
  return { feeds, entries: [], fetches: new Map() };
}

/**
 * Reliability suite: hostile servers. The real CLI (`bin/orrery.js run`, a child process whose
 * peak RSS and CPU the kernel reports to it at exit) against the loopback feed farm
 * (bench/farm/farm.js, profile `hostile`):
 * - each hostile server (trickle, no headers, an endless body, gzip and brotli bombs, 10,000
 *   redirects, 10^6 entries in RSS and in JSON Feed, XML nested 10^6 deep, billion laughs) next
 *   to healthy feeds on the same host: the run ends by itself, peaks under 300 MB, and every
 *   healthy feed is updated;
 * - a farm where about 10 % of the feeds are hostile: every healthy feed updated in that run.
 * CI sizes and timeouts (a few seconds per case); bench/hostile-bench.js runs the long variants
 * (default timeouts, bigger farms). Needs the built CLI (`npm run build`, which `npm install`
 * runs); skipped, with that reason, without it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Shared with bench/hostile-bench.js (plain JS).
import {
  cliBuilt,
  HOSTILE_KINDS,
  healthyIds,
  hostileCase,
  hostileFarm,
  ROOT,
  startFarm,
} from '../../bench/farm/hostile-run.js';
import { parse } from '../../src/parse/index.js';

type CaseResult = Awaited<ReturnType<typeof hostileCase>>;
type FarmResult = Awaited<ReturnType<typeof hostileFarm>>;

/** CI timeouts: a trickle or a silent server costs a few seconds, not the defaults' 30. */
const FETCH = { connect_timeout: 2, headers_timeout: 2, body_timeout: 3 };
/** What the fetcher makes of the servers it alone must bound. */
const FETCH_OUTCOME: Record<string, string> = {
  'trickle-forever': 'timeout',
  hang: 'timeout',
  endless: 'too-large',
  'gzip-bomb': 'too-large',
  'br-bomb': 'too-large',
  redirects: 'too-many-redirects',
};
const HOSTS = 8;
/** A run past this is a hang (SIGKILL); the cases take seconds. */
const MAX_SECONDS = 150;
/** The parser reports the entries it drops (ParseResult.entriesDropped, the parse helper's part). */
const parserCounts =
  parse(
    new TextEncoder().encode(
      `<rss version="2.0"><channel>${'<item><guid>x</guid></item>'.repeat(10_050)}</channel></rss>`,
    ),
  ).entriesDropped !== undefined;

let farm: { stop(): Promise<void> } | undefined;
let port = 0;
let work = '';
const figures: Array<CaseResult | FarmResult> = [];

describe.skipIf(!cliBuilt())('hostile servers (the built CLI: npm run build)', () => {
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'orrery-hostile-'));
    // A free port on every loopback host: try a few (other suites run farms too).
    for (let attempt = 0; attempt < 5 && !farm; attempt++) {
      port = 20_000 + Math.floor(Math.random() * 8000);
      const corpus = join(ROOT, 'bench/corpus');
      farm = await startFarm({ hosts: HOSTS, port, profile: 'hostile', corpus, maxSeconds: 1200 })
        // A port taken on one of the hosts: the farm exits; try another.
        .catch(() => undefined);
    }
    if (!farm) throw new Error('could not start the feed farm on 5 ports');
  }, 120_000);

  afterAll(async () => {
    await farm?.stop();
    if (work) await rm(work, { recursive: true, force: true });
    // The figures of this run, for the record (docs/decisions/fetch.md has a dated set).
    for (const f of figures) {
      const name = 'kind' in f ? f.kind : `farm of ${f.feeds} feeds (${f.faulty} hostile)`;
      const outcome =
        'kind' in f ? f.hostile.outcome : `healthy ${f.healthyUpdated}/${f.healthy} updated`;
      console.log(
        `${name.padEnd(34)} exit ${f.exit}  wall ${f.wallS} s  cpu ${f.cpuS} s  peak ${f.peakMb} MB  ${outcome}`,
      );
    }
  });

  it.each(HOSTILE_KINDS)(
    '%s beside 4 healthy feeds on its host: the run ends by itself, under 300 MB, all healthy feeds updated',
    async (kind) => {
      const result = await hostileCase({
        port,
        kind,
        healthy: healthyIds(4),
        dir: join(work, kind),
        fetch: FETCH,
        maxSeconds: MAX_SECONDS,
      });
      figures.push(result);
      expect(result.exit, result.stderr).toBe(0);
      expect(result.peakMb).toBeLessThan(300);
      expect(result.healthyUpdated).toBe(result.healthyTotal);
      const expected = FETCH_OUTCOME[kind];
      if (expected) expect(result.hostile.outcome).toBe(expected);
      // The parser's cases: whatever it makes of them, never a crash of Orrery's own.
      else expect(result.hostile.outcome).not.toMatch(/internal|not updated/);
      if (parserCounts && kind.startsWith('huge')) {
        expect(result.summary).toMatch(/entries past the per-document limit not read/);
      }
    },
    (MAX_SECONDS + 60) * 1000,
  );

  it('a farm where about 10 % of the feeds are hostile: every healthy feed updated in that run', async () => {
    const result = await hostileFarm({
      port,
      hosts: HOSTS,
      feeds: 120,
      dir: join(work, 'farm'),
      fetch: { ...FETCH, concurrency: 16 },
      maxSeconds: 300,
    });
    figures.push(result);
    expect(result.exit, result.stderr).toBe(0);
    expect(result.faulty).toBeGreaterThanOrEqual(6);
    expect(result.notUpdated).toEqual([]);
    expect(result.healthyUpdated).toBe(result.healthy);
    // Bounded: the hostile bodies (1 GiB bombs, endless bodies) never reach memory. The 300 MB
    // target is asserted per case above; here the largest case (10^6 JSON Feed items, 290-297 MB
    // alone: parsing it) shares the run with 108 feeds and their site: 302-340 MB measured
    // (docs/decisions/fetch.md, Hostile servers).
    expect(result.peakMb).toBeLessThan(400);
  }, 400_000);
});

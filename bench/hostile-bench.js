#!/usr/bin/env node
// Hostile-servers bench: the long variant of test/reliability/hostile-servers.test.ts. The real
// CLI (`bin/orrery.js run`, built) against the feed farm's hostile profile (bench/farm/farm.js),
// with planet.toml's default fetch settings unless --ci-timeouts:
//   - each hostile kind next to healthy feeds on its host (wall, CPU, peak RSS, what became of
//     the hostile feed, healthy feeds updated);
//   - farms of --feeds N feeds on --hosts hosts, about 10 % hostile: wall, CPU, peak RSS and the
//     share of healthy feeds updated in the run.
//
//   node bench/hostile-bench.js [--feeds 600,2000] [--hosts 50] [--kinds all|trickle-forever,...]
//                               [--healthy 8] [--ci-timeouts] [--max-seconds 900] [--json out.json]
// Peak RSS and CPU are the child's own getrusage at exit (bench/farm/usage-preload.js); MB = KB ÷ 1024.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cliBuilt,
  HOSTILE_KINDS,
  healthyIds,
  hostileCase,
  hostileFarm,
  ROOT,
  startFarm,
} from './farm/hostile-run.js';

/** @param {string[]} argv */
function parseArgs(argv) {
  const args = {
    feeds: [600, 2000],
    hosts: 50,
    kinds: HOSTILE_KINDS,
    healthy: 8,
    ciTimeouts: false,
    maxSeconds: 900,
    json: '',
    port: 23_000 + Math.floor(Math.random() * 4000),
  };
  for (let i = 2; i < argv.length; i++) {
    const key = argv[i];
    const value = argv[i + 1] ?? '';
    if (key === '--ci-timeouts') {
      args.ciTimeouts = true;
      continue;
    }
    if (key === '--feeds') args.feeds = value === '' ? [] : value.split(',').map(Number);
    else if (key === '--hosts') args.hosts = Number(value);
    else if (key === '--kinds') args.kinds = value === 'all' ? HOSTILE_KINDS : value.split(',');
    else if (key === '--healthy') args.healthy = Number(value);
    else if (key === '--max-seconds') args.maxSeconds = Number(value);
    else if (key === '--json') args.json = value;
    else if (key === '--port') args.port = Number(value);
    else continue;
    i++;
  }
  return args;
}

const CI_TIMEOUTS = { connect_timeout: 2, headers_timeout: 2, body_timeout: 3 };

async function main() {
  const args = parseArgs(process.argv);
  if (!cliBuilt()) {
    process.stderr.write('bench: build the CLI first (npm run build)\n');
    process.exit(2);
  }
  const fetch = args.ciTimeouts ? CI_TIMEOUTS : {};
  const work = mkdtempSync(join(tmpdir(), 'orrery-hostile-bench-'));
  const farm = await startFarm({
    hosts: args.hosts,
    port: args.port,
    profile: 'hostile',
    // The shared corpus (490 feeds) beside the repository, else the 209 in bench/corpus.
    corpus: [join(ROOT, '../shared/corpus/files'), join(ROOT, 'bench/corpus')].find(existsSync),
    maxSeconds: args.maxSeconds * (args.kinds.length + args.feeds.length + 1),
  });
  /** @type {{ cases: Awaited<ReturnType<typeof hostileCase>>[], farms: Awaited<ReturnType<typeof hostileFarm>>[] }} */
  const results = { cases: [], farms: [] };
  try {
    for (const kind of args.kinds) {
      const row = await hostileCase({
        port: args.port,
        kind,
        healthy: healthyIds(args.healthy),
        dir: join(work, kind),
        fetch,
        maxSeconds: args.maxSeconds,
      });
      results.cases.push(row);
      process.stdout.write(
        `${kind.padEnd(16)} exit ${row.exit}  wall ${row.wallS} s  cpu ${row.cpuS} s  peak ${row.peakMb} MB  ` +
          `hostile: ${row.hostile.outcome}  healthy ${row.healthyUpdated}/${row.healthyTotal} updated\n`,
      );
    }
    for (const feeds of args.feeds) {
      const row = await hostileFarm({
        port: args.port,
        hosts: args.hosts,
        feeds,
        dir: join(work, `farm-${feeds}`),
        fetch,
        maxSeconds: args.maxSeconds,
      });
      results.farms.push(row);
      const rate = ((100 * row.healthyUpdated) / row.healthy).toFixed(1);
      process.stdout.write(
        `farm ${String(feeds).padStart(5)} feeds (${row.faulty} hostile)  exit ${row.exit}  wall ${row.wallS} s  ` +
          `cpu ${row.cpuS} s  peak ${row.peakMb} MB  healthy ${row.healthyUpdated}/${row.healthy} updated (${rate} %)\n` +
          `  hostile feeds: ${JSON.stringify(row.faultyOutcomes)}\n` +
          (row.notUpdated.length
            ? `  not updated: ${JSON.stringify(row.notUpdated.slice(0, 5))}\n`
            : ''),
      );
    }
  } finally {
    await farm.stop();
    rmSync(work, { recursive: true, force: true });
  }
  if (args.json) writeFileSync(args.json, JSON.stringify(results, null, 2));
}

await main();

/**
 * Child process for the crash test: builds a large synthetic site into argv[2] and prints
 * each log line, so the parent can SIGKILL it while it is writing.
 */
import { buildSite } from '../build-site.js';
import { createMemorySource } from '../memory-source.js';
import { syntheticPlanet } from '../synthetic-planet.js';
import { fixtureSite } from './planet-fixture.js';

const [outputDir, entries] = process.argv.slice(2);
const data = syntheticPlanet({ feeds: 300, entries: Number(entries ?? 20000), end: '2012-02-06T12:00:00Z', days: 400 });
await buildSite({
  source: createMemorySource(data),
  site: fixtureSite(outputDir!),
  now: new Date('2012-02-06T12:00:00Z'),
  search: false,
  log: (line) => process.stdout.write(`${line}\n`),
});
process.stdout.write('done\n');

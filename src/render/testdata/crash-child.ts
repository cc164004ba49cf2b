/**
 * Child process for the kill test: builds a changing planet again and again into argv[2]
 * (data made from the seed argv[3], as killedPlanet() makes it) and prints "published <i>"
 * after each publish, so the parent can SIGKILL it at any moment.
 */
import { buildSite } from '../build-site.js';
import { createMemorySource } from '../memory-source.js';
import { fixtureSite } from './planet-fixture.js';
import { killedPlanet } from './killed-planet.js';

const [outputDir, seed, steps, search] = process.argv.slice(2);
const planet = killedPlanet(Number(seed));
const source = createMemorySource(planet.data);
const site = fixtureSite(outputDir!);
for (let i = 0; i <= Number(steps); i++) {
  if (i > 0) planet.step();
  await buildSite({ source, site, search: search === 'search' });
  process.stdout.write(`published ${i}\n`);
}
process.stdout.write('done\n');

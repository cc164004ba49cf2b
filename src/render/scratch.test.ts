import { it } from 'vitest';
import { buildSite } from './build-site.js';
import { createMemorySource } from './memory-source.js';
import { FIXTURE_NOW, fixtureData, fixtureSite } from './testdata/planet-fixture.js';
it('scratch', async () => {
  const r = await buildSite({ source: createMemorySource(fixtureData()), site: fixtureSite('/tmp/rb/scratch/public'), now: FIXTURE_NOW, log: console.log });
  console.log(r);
  const r2 = await buildSite({ source: createMemorySource(fixtureData()), site: fixtureSite('/tmp/rb/scratch/public'), now: FIXTURE_NOW, log: console.log });
  console.log(r2);
}, 60000);

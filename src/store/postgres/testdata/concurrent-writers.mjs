// Usage: node src/store/postgres/testdata/concurrent-writers.mjs <checkout> [writers] [feeds per writer]
// PostgreSQL from ORRERY_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:54329/orrery_store).
// N concurrent store instances (as N workers would be) writing new entries to one PostgreSQL schema.
const [root, writers = "4", feedsPer = "60"] = process.argv.slice(2); // root: a checkout with dist/ built (npm run build)
const { createPostgresStore } = await import(`${root}/dist/store/postgres/postgres-store.js`);
const pg = (await import(`${root}/node_modules/pg/lib/index.js`)).default;
const url = process.env.ORRERY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:54329/orrery_store';
const schema = `bench_w_${process.pid}`;
const N = Number(writers), F = Number(feedsPer), E = 30;
const stores = [];
for (let w = 0; w < N; w++) stores.push(await createPostgresStore({ connectionString: url, schema, poolSize: 8 }));
const T = '2026-01-10T12:00:00.000Z';
await stores[0].syncSubscriptions(Array.from({ length: N * F }, (_, i) => ({ url: `https://f${i}.example/feed`, section: 's' })), T);
const feeds = await stores[0].listFeeds();
const entry = (key, fp, link) => ({ key, fingerprint: fp, canonicalLink: link, entry: { id: key, title: key, links: [], content: [{ value: `<p>${key} `.repeat(50), type: 'text/html' }], authors: [], contributors: [], categories: [], enclosures: [] } });
const t0 = performance.now();
await Promise.all(stores.map(async (store, w) => {
  // each worker: 8 feed updates at a time
  const mine = feeds.slice(w * F, (w + 1) * F);
  for (let i = 0; i < mine.length; i += 8) {
    await Promise.all(mine.slice(i, i + 8).map((f) => store.applyFeedUpdate({
      feedId: f.id, now: T, fetch: { at: T, outcome: 'ok', status: 200, elapsedMs: 1 }, nextDueAt: T,
      entries: Array.from({ length: E }, (_, j) => j < 3 ? entry(`s${i}-${j}`, `shared-${i}-${j}`, `https://x/${i}/${j}`) : entry(`f${f.id}-${j}`, `fp-${f.id}-${j}`, `https://f${f.id}/${j}`)),
    })));
  }
}));
const ms = performance.now() - t0;
const shown = await stores[0].countEntries();
console.log(`${root.split('/').pop()}: ${N} writers × ${F} feeds × ${E} entries: ${ms.toFixed(0)} ms wall, ${shown} shown`);
for (const s of stores) await s.close();
const c = new pg.Client({ connectionString: url }); await c.connect(); await c.query(`DROP SCHEMA ${schema} CASCADE`); await c.end();

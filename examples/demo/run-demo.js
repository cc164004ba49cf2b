#!/usr/bin/env node
// npm run demo: serve the bundled feeds on loopback, run `orrery run` on the demo planet
// (the real HTTP path, no network), print where the site was written, stop the server.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../dist/cli/main.js';
import { startDemoServer } from './server.js';

const here = dirname(fileURLToPath(import.meta.url));
const DEMO_PORT = 48173; // the port examples/demo/planet.toml points at

let server;
try {
  server = await startDemoServer({ port: DEMO_PORT });
} catch (/** @type {any} */ error) {
  console.error(
    `demo: cannot serve the demo feeds on 127.0.0.1:${DEMO_PORT} (${error.code ?? error.message}); is another demo running?`,
  );
  process.exit(1);
}
console.error(`demo: serving the bundled feeds at ${server.url}`);
let code;
try {
  code = await main([
    'node',
    'orrery',
    'run',
    '--all',
    '--config',
    join(here, 'planet.toml'),
    ...process.argv.slice(2),
  ]);
} finally {
  await server.close();
}
if (code === 0) {
  console.error(`demo: open ${join(here, 'public', 'index.html')} in a browser`);
  console.error(`demo: or serve it: python3 -m http.server -d ${join(here, 'public')} 8000`);
}
process.exit(code);

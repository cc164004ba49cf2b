import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStoreContract } from '../store.contract.js';
import { createSqliteStore } from './sqlite-store.js';

runStoreContract('sqlite (file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orrery-store-'));
  const store = await createSqliteStore({ path: join(dir, 'orrery.sqlite') });
  return { store, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});
